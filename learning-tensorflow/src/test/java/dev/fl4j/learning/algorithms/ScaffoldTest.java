package dev.fl4j.learning.algorithms;

import static dev.fl4j.learning.algorithms.FedAvgTest.MODEL;
import static dev.fl4j.learning.algorithms.FedAvgTest.data;
import static dev.fl4j.learning.algorithms.FedAvgTest.flat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SCAFFOLD (option II) against rounds computed by hand, and its invariants. */
class ScaffoldTest {

    static ClientValues named(Map<String, SequenceValue> byId) {
        List<String> ids = List.copyOf(new java.util.TreeMap<>(byId).keySet());
        return FederatedValue.clients(new SequenceType(MODEL.inputSpec()), ids, byId::get);
    }

    @Test
    void withZeroControlVariatesARoundIsFedAvgBitwise() {
        SequenceValue d1 = data(31, 2, 4);
        SequenceValue d2 = data(32, 3, 3);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess avg = FedAvg.weighted(MODEL, Sgd.of(0.2f));
            LearningProcess scaffold = Scaffold.build(MODEL, 0.2f, 2);
            ModelWeights a = avg.getModelWeights(
                    avg.next(rt, avg.initialize(rt), FedAvgTest.clients(d1, d2)).state());
            Value s = scaffold.next(rt, scaffold.initialize(rt), FedAvgTest.clients(d1, d2))
                    .state();
            assertEquals(a, scaffold.getModelWeights(s));
            // after that round the variates are not zero, and SCAFFOLD leaves FedAvg's path
            ModelWeights a2 = avg.getModelWeights(
                    avg.next(rt, avg.setModelWeights(avg.initialize(rt), a), FedAvgTest.clients(d1, d2))
                            .state());
            assertNotEquals(
                    a2,
                    scaffold.getModelWeights(
                            scaffold.next(rt, s, FedAvgTest.clients(d1, d2)).state()));
        }
    }

    @Test
    void twoRoundsMatchTheAlgorithmByHand() {
        assertTwoRoundsByHand(0f);
    }

    /** With momentum the correction is applied after each step, outside the momentum (as NIID-Bench does). */
    @Test
    void twoRoundsWithMomentumCorrectAfterEachStepByHand() {
        assertTwoRoundsByHand(0.9f);
    }

    private static void assertTwoRoundsByHand(float momentum) {
        SequenceValue da = data(33, 2, 3);
        SequenceValue db = data(34, 3, 2);
        double eta = 0.3;
        int n = 4; // total clients: two of four take part
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess p = Scaffold.builder(MODEL, n)
                    .setClientOptimizer(Sgd.of((float) eta).withMomentum(momentum))
                    .optServerOptimizer(Sgd.of(0.5f))
                    .build();
            Value state = p.initialize(rt);
            double[] x = HandSoftmax.toDouble(flat(p.getModelWeights(state)));
            double[] c = new double[HandSoftmax.SIZE];
            double[] ca = new double[HandSoftmax.SIZE];
            double[] cb = new double[HandSoftmax.SIZE];
            for (int round = 0; round < 2; round++) {
                state = p.next(rt, state, named(Map.of("a", da, "b", db))).state();
                double[] ya = HandSoftmax.momentumSgdCorrectedAfterEachStep(
                        x, da, 1, eta, momentum, HandSoftmax.minus(c, ca));
                double[] yb = HandSoftmax.momentumSgdCorrectedAfterEachStep(
                        x, db, 1, eta, momentum, HandSoftmax.minus(c, cb));
                double[] caNew = HandSoftmax.plus(
                        HandSoftmax.minus(ca, c), HandSoftmax.scaled(HandSoftmax.minus(x, ya), 1 / (2 * eta)));
                double[] cbNew = HandSoftmax.plus(
                        HandSoftmax.minus(cb, c), HandSoftmax.scaled(HandSoftmax.minus(x, yb), 1 / (3 * eta)));
                // Δx: the mean of the deltas weighted by examples (6 and 6), applied at server rate 0.5
                double[] meanDelta =
                        HandSoftmax.scaled(HandSoftmax.plus(HandSoftmax.minus(x, ya), HandSoftmax.minus(x, yb)), 0.5);
                x = HandSoftmax.minus(x, HandSoftmax.scaled(meanDelta, 0.5));
                double[] sumDc = HandSoftmax.plus(HandSoftmax.minus(caNew, ca), HandSoftmax.minus(cbNew, cb));
                c = HandSoftmax.plus(c, HandSoftmax.scaled(sumDc, 1.0 / n));
                ca = caNew;
                cb = cbNew;
                HandSoftmax.assertClose(x, flat(p.getModelWeights(state)), 2e-5, "model after round " + round);
                Struct clientWork = (Struct) ((ServerValue) ((Struct) state).get("client_work")).value();
                HandSoftmax.assertClose(
                        c, Structures.flattenFloats(clientWork.get("server_control")), 2e-5, "c after round " + round);
                HandSoftmax.assertClose(
                        ca,
                        Structures.flattenFloats(rt.clientStates()
                                .get("a", ClientTrainingVariant.SCAFFOLD_STATE_KEY)
                                .orElseThrow()),
                        2e-5,
                        "c_a after round " + round);
            }
        }
    }

    private static ModelWeights threeRounds(int workers) {
        LearningProcess p = Scaffold.builder(MODEL, 6)
                .setClientOptimizer(Sgd.of(0.1f).withMomentum(0.5f))
                .optSeed(3)
                .build();
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(workers).build()) {
            Value state = p.initialize(rt);
            for (int round = 0; round < 3; round++) {
                Map<String, SequenceValue> cohort = new java.util.HashMap<>();
                for (int c = 0; c < 4; c++) {
                    int id = (round + c) % 6;
                    cohort.put("client" + id, data(id * 7L + round, 1 + id % 3, 4));
                }
                state = p.next(rt, state, named(cohort)).state();
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
        IllegalArgumentException noClients =
                assertThrows(IllegalArgumentException.class, () -> Scaffold.builder(MODEL, 0));
        assertTrue(noClients.getMessage().contains("total number of clients N >= 1, got 0"), noClients.getMessage());
        IllegalStateException adam = assertThrows(
                IllegalStateException.class,
                () -> Scaffold.builder(MODEL, 10)
                        .setClientOptimizer(Adam.of(0.1f))
                        .build());
        assertTrue(adam.getMessage().startsWith("SCAFFOLD runs SGD client steps"), adam.getMessage());
        IllegalStateException fromMetrics = assertThrows(
                IllegalStateException.class,
                () -> Scaffold.builder(MODEL, 10)
                        .setClientOptimizer(Sgd.of(0.1f))
                        .optClientWeightingFromMetrics(m -> 1.0)
                        .build());
        assertTrue(fromMetrics.getMessage().contains("optClientWeightingFromMetrics"), fromMetrics.getMessage());
        IllegalStateException dp = assertThrows(
                IllegalStateException.class,
                () -> Scaffold.builder(MODEL, 10)
                        .setClientOptimizer(Sgd.of(0.1f))
                        .optModelAggregator(
                                dev.fl4j.aggregators.DifferentiallyPrivateFactory.gaussianFixed(1.0, 10, 1.0))
                        .build());
        assertTrue(
                dp.getMessage().contains("SCAFFOLD cannot run with a differentially private aggregator"),
                dp.getMessage());
    }
}
