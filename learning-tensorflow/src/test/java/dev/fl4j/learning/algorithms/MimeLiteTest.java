package dev.fl4j.learning.algorithms;

import static dev.fl4j.learning.algorithms.FedAvgTest.MODEL;
import static dev.fl4j.learning.algorithms.FedAvgTest.clients;
import static dev.fl4j.learning.algorithms.FedAvgTest.data;
import static dev.fl4j.learning.algorithms.FedAvgTest.flat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import org.junit.jupiter.api.Test;

/** Mime Lite with SGD(momentum) and with Adam against rounds by hand, and their invariants. */
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
    void adamStateIsBroadcastAppliedFrozenAndUpdatedAsByHand() {
        // From the zero model a batch with one example of each class has a zero bias gradient in exact arithmetic,
        // and Adam's first step, about lr·sign(g), would turn float32 rounding into a full step: batches of 4 and
        // 2 examples cannot be balanced over 3 classes.
        SequenceValue d1 = data(55, 2, 4); // 8 examples, 2 steps
        SequenceValue d2 = data(56, 1, 2); // 2 examples, 1 step
        double eta = 0.05;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-7;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess mime = MimeLite.build(MODEL, Adam.of((float) eta));
            Value state = mime.initialize(rt);
            double[] x = HandSoftmax.toDouble(flat(mime.getModelWeights(state)));
            double[] m = new double[HandSoftmax.SIZE];
            double[] v = new double[HandSoftmax.SIZE];
            for (int t = 0; t < 3; t++) {
                state = mime.next(rt, state, clients(d1, d2)).state();
                double[] y1 = frozenAdam(x, d1, m, v, t, eta, b1, b2, eps);
                double[] y2 = frozenAdam(x, d2, m, v, t, eta, b1, b2, eps);
                double[] g = HandSoftmax.plus(
                        HandSoftmax.scaled(HandSoftmax.fullGradient(x, d1), 8 / 10.0),
                        HandSoftmax.scaled(HandSoftmax.fullGradient(x, d2), 2 / 10.0));
                x = HandSoftmax.plus(HandSoftmax.scaled(y1, 8 / 10.0), HandSoftmax.scaled(y2, 2 / 10.0));
                for (int k = 0; k < HandSoftmax.SIZE; k++) {
                    m[k] = b1 * m[k] + (1 - b1) * g[k];
                    v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
                }
                HandSoftmax.assertClose(x, flat(mime.getModelWeights(state)), 2e-5, "model after round " + t);
                Struct base = adamState(state);
                assertEquals(t + 1L, base.tensor("step").longValue(), "step after round " + t);
                HandSoftmax.assertClose(
                        m, Structures.flattenFloats(base.get("accumulator")), 2e-6, "m after round " + t);
                HandSoftmax.assertClose(
                        v, Structures.flattenFloats(base.get("preconditioner")), 2e-7, "v after round " + t);
            }
        }
    }

    /** Adam's steps from the frozen server state (m, v, step t) over {@code data}, the state never updated. */
    private static double[] frozenAdam(
            double[] start,
            SequenceValue data,
            double[] m,
            double[] v,
            int t,
            double eta,
            double b1,
            double b2,
            double eps) {
        double[] y = start.clone();
        double stepSize = eta * Math.sqrt(1 - Math.pow(b2, t + 1)) / (1 - Math.pow(b1, t + 1));
        for (Value b : data) {
            double[] g = HandSoftmax.gradient(y, (Struct) b);
            for (int k = 0; k < HandSoftmax.SIZE; k++) {
                double m1 = b1 * m[k] + (1 - b1) * g[k];
                double v1 = b2 * v[k] + (1 - b2) * g[k] * g[k];
                y[k] -= stepSize * m1 / (Math.sqrt(v1) + eps);
            }
        }
        return y;
    }

    private static Struct adamState(Value state) {
        Struct clientWork = (Struct) ((ServerValue) ((Struct) state).get("client_work")).value();
        return clientWork.struct("base_optimizer_state");
    }

    /**
     * Mime's claim, mimicking the centralized algorithm: with one client whose data is one batch, one epoch and
     * server SGD at 1.0, each round is one step of Adam on the full-batch gradient. The server's Adam state is
     * bitwise the library's {@link Adam} rule applied to the engine's gradient at the round's model (the weight 4
     * and 1/4 of the mean are exact), and the model is Adam's new weights up to the rounding of x − (x − y).
     */
    @Test
    void oneClientWithOneBatchIsCentralizedFullBatchAdam() {
        SequenceValue d = data(57, 1, 4);
        Adam adam = Adam.of(0.02f);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build();
                ClientTrainer gradients = FedAvgTest.ENGINE.newTrainer(TrainingSpec.of(MODEL, Sgd.of(0f)))) {
            LearningProcess mime = MimeLite.build(MODEL, adam);
            Value state = mime.initialize(rt);
            Struct expectedState = adam.initialize(MODEL.weightsType().get("trainable"));
            assertEquals(expectedState, adamState(state));
            for (int round = 0; round < 3; round++) {
                ModelWeights x = mime.getModelWeights(state);
                Struct g = gradients.gradients(x, d, 0L).meanGradient();
                Optimizer.Step step = adam.next(expectedState, x.trainable(), g);
                state = mime.next(rt, state, clients(d)).state();
                assertEquals(step.state(), adamState(state), "Adam state after round " + round);
                float[] expected = Structures.flattenFloats(step.weights());
                float[] actual = flat(mime.getModelWeights(state));
                for (int k = 0; k < expected.length; k++) {
                    assertEquals(expected[k], actual[k], 1e-6f, "weight " + k + " after round " + round);
                }
                assertNotEquals(
                        Structures.flattenFloats(x.trainable())[0], actual[0], "round " + round + " moved the model");
                expectedState = step.state();
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
        IllegalStateException decay = assertThrows(
                IllegalStateException.class,
                () -> MimeLite.build(MODEL, Adam.of(0.1f).withWeightDecay(0.01f)));
        assertTrue(decay.getMessage().contains("Mime Lite's base optimizer takes no weight decay"), decay.getMessage());
    }
}
