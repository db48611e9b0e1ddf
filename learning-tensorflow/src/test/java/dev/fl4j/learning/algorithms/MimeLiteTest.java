package dev.fl4j.learning.algorithms;

import static dev.fl4j.learning.algorithms.FedAvgTest.MODEL;
import static dev.fl4j.learning.algorithms.FedAvgTest.clients;
import static dev.fl4j.learning.algorithms.FedAvgTest.data;
import static dev.fl4j.learning.algorithms.FedAvgTest.flat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import org.junit.jupiter.api.Test;

/** Mime Lite with SGD(momentum) against rounds by hand, and its invariant. */
class MimeLiteTest {

    @Test
    void withPlainSgdItIsFedAvgBitwise() {
        SequenceValue d1 = data(51, 2, 3);
        SequenceValue d2 = data(52, 1, 5);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess avg = FedAvg.weighted(MODEL, Sgd.of(0.3f));
            LearningProcess mime = MimeLite.build(MODEL, Sgd.of(0.3f));
            Value a = avg.initialize(rt);
            Value m = mime.initialize(rt);
            for (int round = 0; round < 3; round++) {
                a = avg.next(rt, a, clients(d1, d2)).state();
                m = mime.next(rt, m, clients(d1, d2)).state();
            }
            assertEquals(avg.getModelWeights(a), mime.getModelWeights(m));
        }
    }

    @Test
    void momentumStateIsBroadcastAndUpdatedAsByHand() {
        SequenceValue d1 = data(53, 2, 3); // 6 examples
        SequenceValue d2 = data(54, 1, 2); // 2 examples
        double eta = 0.2;
        double beta = 0.5;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess mime = MimeLite.build(MODEL, Sgd.of((float) eta).withMomentum((float) beta));
            Value state = mime.initialize(rt);
            double[] x = HandSoftmax.toDouble(flat(mime.getModelWeights(state)));
            double[] m = new double[HandSoftmax.SIZE];
            for (int round = 0; round < 2; round++) {
                state = mime.next(rt, state, clients(d1, d2)).state();
                double[] correction = HandSoftmax.scaled(m, beta);
                double[] y1 = HandSoftmax.sgd(x, d1, 1, eta, correction);
                double[] y2 = HandSoftmax.sgd(x, d2, 1, eta, correction);
                double[] g = HandSoftmax.plus(
                        HandSoftmax.scaled(HandSoftmax.fullGradient(x, d1), 6 / 8.0),
                        HandSoftmax.scaled(HandSoftmax.fullGradient(x, d2), 2 / 8.0));
                x = HandSoftmax.plus(HandSoftmax.scaled(y1, 6 / 8.0), HandSoftmax.scaled(y2, 2 / 8.0));
                m = HandSoftmax.plus(HandSoftmax.scaled(m, beta), g);
                HandSoftmax.assertClose(x, flat(mime.getModelWeights(state)), 2e-5, "model after round " + round);
                Struct clientWork = (Struct) ((ServerValue) ((Struct) state).get("client_work")).value();
                HandSoftmax.assertClose(
                        m,
                        Structures.flattenFloats(clientWork.get("momentum_accumulator")),
                        2e-5,
                        "momentum after round " + round);
            }
        }
    }

    @Test
    void sameModelForOneAndTwoWorkers() {
        assertEquals(rounds(1), rounds(2));
    }

    private static ModelWeights rounds(int workers) {
        LearningProcess p = MimeLite.build(MODEL, Sgd.of(0.1f).withMomentum(0.9f));
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(workers).build()) {
            Value s = p.initialize(rt);
            for (int round = 0; round < 3; round++) {
                s = p.next(rt, s, clients(data(round, 2, 3), data(round + 10, 1, 4), data(round + 20, 3, 2)))
                        .state();
            }
            return p.getModelWeights(s);
        }
    }

    @Test
    void badSettingsAreRefusedByName() {
        IllegalStateException nesterov = assertThrows(
                IllegalStateException.class,
                () -> MimeLite.build(MODEL, Sgd.of(0.1f).withNesterov(0.9f)));
        assertTrue(nesterov.getMessage().contains("Nesterov momentum is not supported"), nesterov.getMessage());
        IllegalStateException prox = assertThrows(
                IllegalStateException.class,
                () -> MimeLite.builder(MODEL)
                        .setClientOptimizer(Sgd.of(0.1f))
                        .optProximalMu(0.1f)
                        .build());
        assertTrue(prox.getMessage().contains("Mime Lite takes no proximal term"), prox.getMessage());
    }
}
