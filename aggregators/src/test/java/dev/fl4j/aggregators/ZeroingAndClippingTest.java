package dev.fl4j.aggregators;

import static dev.fl4j.aggregators.Fixtures.F32;
import static dev.fl4j.aggregators.Fixtures.VEC2;
import static dev.fl4j.aggregators.Fixtures.measurement;
import static dev.fl4j.aggregators.Fixtures.server;
import static dev.fl4j.aggregators.Fixtures.vectors;
import static dev.fl4j.aggregators.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ZeroingAndClippingTest {

    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void zeroingLinfZeroesValuesAboveTheBound() {
        AggregationProcess p =
                ZeroingFactory.fixed(3, Norm.LINF, new SumFactory()).create(VEC2);
        MeasuredProcessOutput out = p.next(
                runtime, p.initialize(runtime), vectors(new float[] {1, 2}, new float[] {3, -3}, new float[] {0, 4}));
        assertArrayEquals(new float[] {4, -1}, server(out.result()));
        assertEquals(3.0, measurement(out.measurements(), "zeroing_norm"));
        assertEquals(1.0, measurement(out.measurements(), "zeroed_count"));
        assertEquals(
                "<zeroing_norm=float32@SERVER,zeroed_count=int32@SERVER,zeroing=<>@SERVER>",
                out.measurements().type().toString());
    }

    @Test
    void zeroingL2UsesTheEuclideanNorm() {
        // norms: 5, 2.83, 4.0 -> bound 4.5 zeroes only the first
        AggregationProcess p =
                ZeroingFactory.fixed(4.5, Norm.L2, new SumFactory()).create(VEC2);
        MeasuredProcessOutput out = p.next(
                runtime, p.initialize(runtime), vectors(new float[] {3, 4}, new float[] {2, -2}, new float[] {0, 4}));
        assertArrayEquals(new float[] {2, 2}, server(out.result()));
        assertEquals(1.0, measurement(out.measurements(), "zeroed_count"));
    }

    @Test
    void zeroingZeroesNonFiniteValuesButKeepsTheirWeight() {
        AggregationProcess p =
                ZeroingFactory.fixed(100, Norm.LINF, new MeanFactory()).create(VEC2, F32);
        MeasuredProcessOutput out = p.next(
                runtime, p.initialize(runtime), vectors(new float[] {2, 2}, new float[] {Float.NaN, 1}), weights(1, 1));
        assertArrayEquals(new float[] {1, 1}, server(out.result()));
        assertEquals(1.0, measurement(out.measurements(), "zeroed_count"));
    }

    @Test
    void clippingProjectsOntoTheL2Ball() {
        AggregationProcess p = ClippingFactory.fixed(1, new SumFactory()).create(VEC2);
        MeasuredProcessOutput out =
                p.next(runtime, p.initialize(runtime), vectors(new float[] {3, 4}, new float[] {0.5f, 0}));
        assertArrayEquals(new float[] {0.6f + 0.5f, 0.8f}, server(out.result()), 1e-6f);
        assertEquals(1.0, measurement(out.measurements(), "clipped_count"));
        assertEquals(1.0, measurement(out.measurements(), "clipping_norm"));
    }

    @Test
    void weightedClippingKeepsWeights() {
        AggregationProcess p = ClippingFactory.fixed(1, new MeanFactory()).create(VEC2, F32);
        MeasuredProcessOutput out =
                p.next(runtime, p.initialize(runtime), vectors(new float[] {3, 4}, new float[] {0, 1}), weights(1, 3));
        assertArrayEquals(new float[] {0.6f / 4, (0.8f + 3) / 4}, server(out.result()), 1e-6f);
        assertEquals(
                "<clipping_norm=float32@SERVER,clipped_count=int32@SERVER,clipping=<mean_value=<>@SERVER,"
                        + "mean_weight=<>@SERVER>>",
                out.measurements().type().toString());
    }

    /** Zeroing outside clipping: zeroing sees the raw norms; clipping inside only the survivors. */
    @Test
    void zeroingThenClippingOrder() {
        UnweightedAggregationFactory f = ZeroingFactory.fixed(10, Norm.L2, ClippingFactory.fixed(1, new SumFactory()));
        AggregationProcess p = f.create(VEC2);
        MeasuredProcessOutput out = p.next(
                runtime, p.initialize(runtime), vectors(new float[] {30, 40}, new float[] {3, 4}, new float[] {0, 0.5f
                }));
        // {30,40} zeroed (norm 50 > 10); {3,4} clipped to {0.6,0.8}; {0,0.5} unchanged
        assertArrayEquals(new float[] {0.6f, 1.3f}, server(out.result()), 1e-6f);
        assertEquals(1.0, measurement(out.measurements(), "zeroed_count"));
        assertEquals(
                1.0,
                measurement(out.measurements(), "zeroing/clipped_count"),
                "clipping sees the zeroed client as norm 0");
    }

    /** Clipping outside zeroing: everything is clipped to norm 1 first, so a zeroing bound of 2 never fires. */
    @Test
    void clippingThenZeroingOrder() {
        UnweightedAggregationFactory f = ClippingFactory.fixed(1, ZeroingFactory.fixed(2, Norm.L2, new SumFactory()));
        AggregationProcess p = f.create(VEC2);
        MeasuredProcessOutput out =
                p.next(runtime, p.initialize(runtime), vectors(new float[] {30, 40}, new float[] {3, 4}));
        assertArrayEquals(new float[] {1.2f, 1.6f}, server(out.result()), 1e-6f);
        assertEquals(2.0, measurement(out.measurements(), "clipped_count"));
        assertEquals(0.0, measurement(out.measurements(), "clipping/zeroed_count"));
    }

    @Test
    void adaptiveZeroingFollowsTheEstimate() {
        // initial 10, multiplier 2, increment 1: first bound 21; estimate moves by exp(-ln10·(b̄-0.98))
        ZeroingFactory f = ZeroingFactory.adaptive(
                QuantileEstimation.noNoiseBuilder()
                        .setInitialEstimate(10)
                        .setTargetQuantile(0.98)
                        .setLearningRate(Math.log(10))
                        .optMultiplier(2)
                        .optIncrement(1)
                        .build(),
                Norm.LINF,
                new SumFactory());
        AggregationProcess p = f.create(VEC2);
        Value state = p.initialize(runtime);
        MeasuredProcessOutput out = p.next(runtime, state, vectors(new float[] {1, 1}, new float[] {30, 0}));
        assertEquals(21.0, measurement(out.measurements(), "zeroing_norm"), 1e-5);
        assertEquals(1.0, measurement(out.measurements(), "zeroed_count"));
        assertArrayEquals(new float[] {1, 1}, server(out.result()));
        // b̄ = 1/2 (norm 1 <= 10, norm 30 > 10): estimate 10·exp(-ln10·(0.5-0.98)) = 10·10^0.48
        double estimate = 10 * Math.pow(10, 0.48);
        out = p.next(runtime, out.state(), vectors(new float[] {1, 1}, new float[] {30, 0}));
        assertEquals(estimate * 2 + 1, measurement(out.measurements(), "zeroing_norm"), 1e-3);
        assertEquals(0.0, measurement(out.measurements(), "zeroed_count"));
        assertArrayEquals(new float[] {31, 1}, server(out.result()));
    }

    @Test
    void badSettingsAndTypesAreRejected() {
        IllegalArgumentException negative =
                assertThrows(IllegalArgumentException.class, () -> ClippingFactory.fixed(-1, new SumFactory()));
        assertTrue(
                negative.getMessage().contains("clipping norm must be finite and >= 0, got -1"), negative.getMessage());
        TypeMismatchException ints = assertThrows(
                TypeMismatchException.class,
                () -> ZeroingFactory.fixed(1, Norm.L2, new SumFactory()).create(TensorType.scalar(DType.INT32)));
        assertTrue(ints.getMessage().contains("zeroing aggregates floating tensors"), ints.getMessage());
        TypeMismatchException weighted = assertThrows(
                TypeMismatchException.class,
                () -> ZeroingFactory.fixed(1, Norm.L2, new SumFactory()).create(VEC2, F32));
        assertTrue(weighted.getMessage().contains("inner factory sum is unweighted only"), weighted.getMessage());
        TypeMismatchException estimation = assertThrows(
                TypeMismatchException.class,
                () -> ClippingFactory.adaptive(
                        QuantileEstimation.noNoise(1, 0.5, 0.2)
                                .map(dev.fl4j.core.computation.LocalComputation.of(
                                        "to_vec", F32, VEC2, v -> dev.fl4j.core.Tensor.vector(1f, 1f))),
                        new SumFactory()));
        assertTrue(
                estimation.getMessage().contains("must report float32@SERVER but reports float32[2]@SERVER"),
                estimation.getMessage());
    }
}
