package dev.fl4j.learning.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import org.junit.jupiter.api.Test;

/**
 * Each optimizer against values computed by hand (in double precision, outside this code) for
 * weights [1, 2], gradients [0.5, -1] then [1, 1], learning rate 0.1.
 */
class OptimizersTest {

    private static final float[] W0 = {1f, 2f};
    private static final float[] G1 = {0.5f, -1f};
    private static final float[] G2 = {1f, 1f};

    private static float[] run(Optimizer opt, int steps) {
        Struct weights = Struct.named("w", Tensor.vector(W0.clone()));
        Struct state = opt.initialize(weights.type());
        Value w = weights;
        for (int s = 0; s < steps; s++) {
            Struct grads = Struct.named("w", Tensor.vector((s == 0 ? G1 : G2).clone()));
            Optimizer.Step step = opt.next(state, w, grads);
            state = step.state();
            w = step.weights();
        }
        return ((Struct) w).tensor("w").floatData();
    }

    private static void assertClose(double[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-6, "element " + i);
        }
    }

    @Test
    void sgdPlain() {
        assertClose(new double[] {0.95, 2.1}, run(Sgd.of(0.1f), 1));
        assertClose(new double[] {0.85, 2.0}, run(Sgd.of(0.1f), 2));
        assertEquals(
                Struct.empty(), Sgd.of(0.1f).initialize(Tensor.vector(1f, 2f).type()));
    }

    @Test
    void sgdMomentum() {
        // m1 = g1 = [.5,-1]; w1 = [.95, 2.1]; m2 = .9 m1 + g2 = [1.45, .1]; w2 = w1 - .1 m2
        assertClose(new double[] {0.95, 2.1}, run(Sgd.of(0.1f).withMomentum(0.9f), 1));
        assertClose(new double[] {0.805, 2.09}, run(Sgd.of(0.1f).withMomentum(0.9f), 2));
    }

    @Test
    void sgdNesterov() {
        // w1 = w0 - .1 (g1 + .9 m1) with m1 = g1: [1 - .095, 2 + .19]; m2 = [1.45, .1]; w2 = w1 - .1 (g2 + .9 m2)
        assertClose(new double[] {0.905, 2.19}, run(Sgd.of(0.1f).withNesterov(0.9f), 1));
        assertClose(
                new double[] {0.905 - 0.1 * (1 + 0.9 * 1.45), 2.19 - 0.1 * (1 + 0.9 * 0.1)},
                run(Sgd.of(0.1f).withNesterov(0.9f), 2));
    }

    @Test
    void adam() {
        assertClose(new double[] {0.9000006324515321, 2.099999683773234}, run(Adam.of(0.1f), 1));
        assertClose(new double[] {0.8034827028905888, 2.094736537650193}, run(Adam.of(0.1f), 2));
    }

    @Test
    void yogi() {
        assertClose(new double[] {0.9061247549213339, 2.0968877098460776}, run(Yogi.of(0.1f), 1));
        assertClose(new double[] {0.8123072829533386, 2.0917422109718995}, run(Yogi.of(0.1f), 2));
    }

    @Test
    void adagrad() {
        assertClose(new double[] {0.9154845866007779, 2.0953462545906385}, run(Adagrad.of(0.1f), 1));
        assertClose(new double[] {0.8294182932060313, 2.0263397002994163}, run(Adagrad.of(0.1f), 2));
    }

    @Test
    void rmsProp() {
        assertClose(new double[] {0.6837724339830356, 2.3162276660168697}, run(RmsProp.of(0.1f), 1));
        assertClose(new double[] {0.39805822990137957, 2.0868119847778748}, run(RmsProp.of(0.1f), 2));
    }

    /**
     * Weight decay λ is PyTorch's coupled L2: the rule sees {@code g + λ·w}. SGD by hand with λ = 0.1:
     * g1' = [.5 + .1, -1 + .2] = [.6, -.8], w1 = [.94, 2.08]; g2' = [1.094, 1.208], w2 = w1 − .1·g2'.
     * Every other rule with λ equals the same rule without λ fed the decayed gradient.
     */
    @Test
    void weightDecayIsL2CoupledToTheGradient() {
        assertClose(new double[] {0.94, 2.08}, run(Sgd.of(0.1f).withWeightDecay(0.1f), 1));
        assertClose(
                new double[] {0.94 - 0.1094, 2.08 - 0.1208}, run(Sgd.of(0.1f).withWeightDecay(0.1f), 2));
        Optimizer[] plain = {
            Sgd.of(0.1f).withMomentum(0.9f), Adam.of(0.1f), Yogi.of(0.1f), Adagrad.of(0.1f), RmsProp.of(0.1f)
        };
        Optimizer[] decayed = {
            Sgd.of(0.1f).withMomentum(0.9f).withWeightDecay(0.1f),
            Adam.of(0.1f).withWeightDecay(0.1f),
            Yogi.of(0.1f).withWeightDecay(0.1f),
            Adagrad.of(0.1f).withWeightDecay(0.1f),
            RmsProp.of(0.1f).withWeightDecay(0.1f)
        };
        for (int k = 0; k < plain.length; k++) {
            Struct w = Struct.named("w", Tensor.vector(W0.clone()));
            Struct sp = plain[k].initialize(w.type());
            Struct sd = decayed[k].initialize(w.type());
            Value wp = w;
            Value wd = w;
            for (int s = 0; s < 2; s++) {
                float[] g = s == 0 ? G1 : G2;
                float[] cur = ((Struct) wd).tensor("w").floatData();
                float[] gDecayed = {g[0] + 0.1f * cur[0], g[1] + 0.1f * cur[1]};
                Optimizer.Step a = plain[k].next(sp, wp, Struct.named("w", Tensor.vector(gDecayed)));
                Optimizer.Step b = decayed[k].next(sd, wd, Struct.named("w", Tensor.vector(g.clone())));
                sp = a.state();
                sd = b.state();
                wp = a.weights();
                wd = b.weights();
                assertArrayEquals(
                        ((Struct) wp).tensor("w").floatData(),
                        ((Struct) wd).tensor("w").floatData(),
                        decayed[k] + "");
            }
        }
        assertEquals(
                0.25f,
                Adam.of(0.1f).withWeightDecay(0.25f).withLearningRate(0.5f).weightDecay());
        assertEquals(
                0.9f, Sgd.of(0.1f).withWeightDecay(0.25f).withMomentum(0.9f).momentum());
        assertEquals(
                0.25f, Sgd.of(0.1f).withWeightDecay(0.25f).withNesterov(0.9f).weightDecay());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Sgd.of(0.1f).withWeightDecay(-1f));
        assertTrue(e.getMessage().contains("SGD weight_decay must be finite and >= 0, got -1.0"), e.getMessage());
    }

    @Test
    void stepsArePureAndCountSteps() {
        Struct weights = Struct.named("a", Tensor.vector(1f, 2f), "b", Tensor.of(new float[] {3f, 4f, 5f, 6f}, 2, 2));
        Struct grads = Struct.named("a", Tensor.vector(0.1f, 0.2f), "b", Tensor.of(new float[] {1f, 1f, 1f, 1f}, 2, 2));
        Struct weightsCopy = Struct.named(
                "a", weights.tensor("a").copy(), "b", weights.tensor("b").copy());
        Struct gradsCopy = Struct.named(
                "a", grads.tensor("a").copy(), "b", grads.tensor("b").copy());
        Adam adam = Adam.of(0.01f);
        Struct state = adam.initialize(weights.type());
        Struct stateCopy = Struct.builder()
                .add("step", state.tensor("step").copy())
                .add("accumulator", state.get("accumulator"))
                .add("preconditioner", state.get("preconditioner"))
                .build();
        Optimizer.Step s1 = adam.next(state, weights, grads);
        Optimizer.Step s2 = adam.next(state, weights, grads);
        assertEquals(weightsCopy, weights);
        assertEquals(gradsCopy, grads);
        assertEquals(stateCopy, state);
        assertEquals(s1.weights(), s2.weights());
        assertEquals(1L, s1.state().tensor("step").longValue());
        assertEquals(
                2L,
                adam.next(s1.state(), s1.weights(), grads)
                        .state()
                        .tensor("step")
                        .longValue());
        assertEquals(weights.type(), s1.weights().type());
    }

    @Test
    void mismatchedStructuresAreRejected() {
        Struct weights = Struct.named("w", Tensor.vector(1f, 2f));
        Struct grads = Struct.named("w", Tensor.vector(1f, 2f, 3f));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Sgd.of(0.1f).next(Struct.empty(), weights, grads));
        assertTrue(e.getMessage().contains("float32[3]") && e.getMessage().contains("float32[2]"), e.getMessage());
        Struct wrongState = Struct.named("accumulator", Struct.named("w", Tensor.vector(0f)));
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Sgd.of(0.1f).withMomentum(0.5f).next(wrongState, weights, weights));
        assertTrue(e.getMessage().contains("accumulator"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Sgd.of(0.1f)
                        .next(
                                Struct.empty(),
                                Struct.named("w", Tensor.vector(1.0, 2.0)),
                                Struct.named("w", Tensor.vector(1.0, 2.0))));
        assertTrue(e.getMessage().contains("float32"), e.getMessage());
    }

    @Test
    void stateIsOnlyMadeForFullyDefinedFloat32Weights() {
        TensorType f64 = new TensorType(DType.FLOAT64, 2);
        TensorType partial = new TensorType(DType.FLOAT32, TensorType.UNKNOWN);
        for (Optimizer o : new Optimizer[] {
            Adam.of(0.1f),
            Adagrad.of(0.1f),
            RmsProp.of(0.1f),
            Yogi.of(0.1f),
            Sgd.of(0.1f).withMomentum(0.5f)
        }) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> o.initialize(StructType.builder()
                            .add("w", new TensorType(DType.FLOAT32, 2))
                            .add("d", f64)
                            .build()));
            assertTrue(
                    e.getMessage().contains("float64[2]") && e.getMessage().contains("optimizers work on"),
                    o + ": " + e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> o.initialize(partial));
            assertTrue(
                    e.getMessage().contains("float32[?]") && e.getMessage().contains("optimizers work on"),
                    o + ": " + e.getMessage());
        }
    }

    @Test
    void impossibleHyperparametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Sgd.of(-0.1f));
        assertThrows(IllegalArgumentException.class, () -> Sgd.of(0.1f).withMomentum(1f));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1f, 0f, true, 0f));
        assertThrows(IllegalArgumentException.class, () -> new Adam(0.1f, 1.5f, 0.9f, 1e-7f, 0f));
        assertThrows(IllegalArgumentException.class, () -> Adagrad.of(Float.NaN));
    }

    @Test
    void jsonRoundTrip() {
        for (Optimizer o : new Optimizer[] {
            Sgd.of(0.5f).withNesterov(0.9f),
            Adam.of(0.001f),
            Adagrad.of(0.1f),
            Yogi.of(0.01f),
            RmsProp.of(0.01f),
            Sgd.of(0.1f).withMomentum(0.9f).withWeightDecay(5e-4f),
            Adam.of(0.001f).withWeightDecay(1e-4f)
        }) {
            String json = o.toJson();
            assertEquals(o, Optimizer.fromJson(json), json);
        }
        assertTrue(
                Sgd.of(0.5f).toJson().contains("\"class_name\" : \"SGD\""),
                Sgd.of(0.5f).toJson());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Optimizer.fromJson("{\"format\":\"fl4j.optimizer\",\"version\":2,\"class_name\":\"SGD\"}"));
        assertTrue(e.getMessage().contains("version 1"), e.getMessage());
        assertArrayEquals(new float[] {0.95f, 2.1f}, run(Sgd.of(0.1f), 1), 1e-7f);
    }
}
