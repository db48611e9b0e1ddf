package dev.fl4j.learning.algorithms;

import static dev.fl4j.learning.algorithms.FedAvgTest.MODEL;
import static dev.fl4j.learning.algorithms.FedAvgTest.clients;
import static dev.fl4j.learning.algorithms.FedAvgTest.data;
import static dev.fl4j.learning.algorithms.FedAvgTest.flat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FedNova's normalized averaging against a round by hand, and its invariant. */
class FedNovaTest {

    @Test
    void withEqualLocalStepsItIsFedAvg() {
        SequenceValue d1 = data(41, 3, 2);
        SequenceValue d2 = data(42, 3, 5);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess avg = FedAvg.builder(MODEL)
                    .setClientOptimizer(Sgd.of(0.2f))
                    .optEpochs(2)
                    .build();
            LearningProcess nova = FedNova.builder(MODEL)
                    .setClientOptimizer(Sgd.of(0.2f))
                    .optEpochs(2)
                    .build();
            Value a = avg.initialize(rt);
            Value n = nova.initialize(rt);
            for (int round = 0; round < 2; round++) {
                a = avg.next(rt, a, clients(d1, d2)).state();
                n = nova.next(rt, n, clients(d1, d2)).state();
            }
            assertArrayEquals(flat(avg.getModelWeights(a)), flat(nova.getModelWeights(n)), 1e-6f);
        }
    }

    @Test
    void differentLocalStepsAreNormalizedAsByHand() {
        SequenceValue small = data(43, 1, 4); // τ = 1, 4 examples
        SequenceValue large = data(44, 3, 4); // τ = 3, 12 examples
        double eta = 0.25;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess nova = FedNova.build(MODEL, (float) eta);
            LearningProcess avg = FedAvg.weighted(MODEL, Sgd.of((float) eta));
            Value s0 = nova.initialize(rt);
            double[] x = HandSoftmax.toDouble(flat(nova.getModelWeights(s0)));
            double[] dSmall = HandSoftmax.minus(x, HandSoftmax.sgd(x, small, 1, eta, null));
            double[] dLarge = HandSoftmax.minus(x, HandSoftmax.sgd(x, large, 1, eta, null));
            double pSmall = 4 / 16.0;
            double pLarge = 12 / 16.0;
            double tauEff = pSmall * 1 + pLarge * 3;
            double[] d =
                    HandSoftmax.plus(HandSoftmax.scaled(dSmall, pSmall / 1), HandSoftmax.scaled(dLarge, pLarge / 3));
            double[] expected = HandSoftmax.minus(x, HandSoftmax.scaled(d, tauEff));
            ModelWeights got = nova.getModelWeights(
                    nova.next(rt, s0, clients(small, large)).state());
            HandSoftmax.assertClose(expected, flat(got), 1e-5, "FedNova round");
            // and that is not FedAvg's round
            double[] fedAvg = HandSoftmax.minus(
                    x, HandSoftmax.plus(HandSoftmax.scaled(dSmall, pSmall), HandSoftmax.scaled(dLarge, pLarge)));
            HandSoftmax.assertClose(
                    fedAvg,
                    flat(avg.getModelWeights(avg.next(rt, avg.initialize(rt), clients(small, large))
                            .state())),
                    1e-5,
                    "FedAvg round");
            double gap = 0;
            for (int i = 0; i < x.length; i++) {
                gap = Math.max(gap, Math.abs(fedAvg[i] - expected[i]));
            }
            assertTrue(gap > 1e-3, "FedNova and FedAvg differ here, by " + gap);
        }
    }

    @Test
    void aggregationVectorNormsForMomentumAndProximalTerm() {
        assertEquals(3.0, ClientTrainingVariant.fedNovaNorm(Sgd.of(0.1f), 0.1f, 0f, 3));
        // momentum 0.5: (1-0.5)/0.5 + (1-0.25)/0.5 + (1-0.125)/0.5
        assertEquals(4.25, ClientTrainingVariant.fedNovaNorm(Sgd.of(0.1f).withMomentum(0.5f), 0.1f, 0f, 3), 1e-12);
        // proximal mu 2 at lr 0.25: 1 + 0.5 + 0.25
        assertEquals(1.75, ClientTrainingVariant.fedNovaNorm(Sgd.of(0.25f), 0.25f, 2f, 3), 1e-12);
        assertEquals(0.0, ClientTrainingVariant.fedNovaNorm(Sgd.of(0.25f), 0.25f, 0f, 0));
    }

    private static ModelWeights threeRounds(int workers) {
        LearningProcess p = FedNova.builder(MODEL)
                .setClientOptimizer(Sgd.of(0.1f).withMomentum(0.9f))
                .optSeed(5)
                .build();
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(workers).build()) {
            Value state = p.initialize(rt);
            for (int round = 0; round < 3; round++) {
                List<SequenceValue> cohort = new ArrayList<>();
                for (int c = 0; c < 5; c++) {
                    cohort.add(data(round * 50L + c, 1 + c, 3));
                }
                state = p.next(rt, state, FederatedValue.clients(cohort)).state();
            }
            return p.getModelWeights(state);
        }
    }

    @Test
    void sameModelForOneAndTwoWorkers() {
        assertEquals(threeRounds(1), threeRounds(2));
    }

    @Test
    void badSettingsAreRefusedByName() {
        IllegalStateException adam = assertThrows(
                IllegalStateException.class,
                () -> FedNova.builder(MODEL).setClientOptimizer(Adam.of(0.1f)).build());
        assertTrue(adam.getMessage().startsWith("FedNova runs SGD client steps"), adam.getMessage());
        IllegalStateException both = assertThrows(
                IllegalStateException.class,
                () -> FedNova.builder(MODEL)
                        .setClientOptimizer(Sgd.of(0.1f).withMomentum(0.9f))
                        .optProximalMu(0.01f)
                        .build());
        assertTrue(both.getMessage().contains("momentum or with a proximal term, not both"), both.getMessage());
    }

    @Test
    void normBoundedAggregatorsAreRefusedAndPlainMeansAccepted() {
        dev.fl4j.aggregators.AggregationFactory mean = new dev.fl4j.aggregators.MeanFactory();
        for (dev.fl4j.aggregators.AggregationFactory bounded : List.of(
                dev.fl4j.aggregators.ClippingFactory.fixed(1.0, mean),
                dev.fl4j.aggregators.ZeroingFactory.fixed(10.0, dev.fl4j.aggregators.Norm.LINF, mean),
                new dev.fl4j.aggregators.NonFiniteZeroingFactory(
                        dev.fl4j.aggregators.ClippingFactory.fixed(1.0, mean)))) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> FedNova.builder(MODEL)
                            .setClientOptimizer(Sgd.of(0.1f))
                            .optModelAggregator(bounded)
                            .build());
            assertTrue(
                    e.getMessage().startsWith("FedNova cannot run with a norm-bounded aggregator ("), e.getMessage());
            assertTrue(e.getMessage().contains("local-step count"), e.getMessage());
        }
        // the same wrappers are fine for FedAvg, and FedNova takes a plain mean
        dev.fl4j.learning.algorithms.FedAvg.builder(MODEL)
                .setClientOptimizer(Sgd.of(0.1f))
                .optModelAggregator(dev.fl4j.aggregators.ClippingFactory.fixed(1.0, mean))
                .build();
        FedNova.builder(MODEL)
                .setClientOptimizer(Sgd.of(0.1f))
                .optModelAggregator(mean)
                .build();
    }
}
