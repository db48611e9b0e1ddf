package dev.fl4j.aggregators;

import static dev.fl4j.aggregators.Fixtures.F32;
import static dev.fl4j.aggregators.Fixtures.measurement;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.runtime.TrafficRecord;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SecureSumFactoryTest {

    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private MeasuredProcessOutput tffCheck(TensorType type, List<Value> values) {
        AggregationProcess p = SecureSumFactory.bounds(-1, 1).create(type);
        return p.next(runtime, p.initialize(runtime), FederatedValue.clients(values));
    }

    /** TFF's own check: [-2,-1,0,1,2,3] with bounds ±1 sums to 1, two clipped high, one low. */
    @Test
    void tffClipCheckForFloats() {
        List<Value> values = new ArrayList<>();
        for (float v : new float[] {-2, -1, 0, 1, 2, 3}) {
            values.add(Tensor.scalar(v));
        }
        MeasuredProcessOutput out = tffCheck(F32, values);
        assertEquals(1f, ((Tensor) ((ServerValue) out.result()).value()).floatValue());
        assertEquals(2.0, measurement(out.measurements(), "secure_upper_clipped_count"));
        assertEquals(1.0, measurement(out.measurements(), "secure_lower_clipped_count"));
        assertEquals(1.0, measurement(out.measurements(), "secure_upper_threshold"));
        assertEquals(-1.0, measurement(out.measurements(), "secure_lower_threshold"));
        boolean secure = runtime.communication().records().stream()
                .map(TrafficRecord::intrinsic)
                .anyMatch("federated_secure_sum_bitwidth"::equals);
        assertTrue(secure, "the sum goes through the secure-sum intrinsic");
    }

    @Test
    void tffClipCheckForInts() {
        List<Value> values = new ArrayList<>();
        for (int v : new int[] {-2, -1, 0, 1, 2, 3}) {
            values.add(Tensor.scalar(v));
        }
        MeasuredProcessOutput out = tffCheck(TensorType.scalar(DType.INT32), values);
        Tensor sum = (Tensor) ((ServerValue) out.result()).value();
        assertEquals(DType.INT32, sum.dtype());
        assertEquals(1, sum.longValue());
        assertEquals(2.0, measurement(out.measurements(), "secure_upper_clipped_count"));
        assertEquals(1.0, measurement(out.measurements(), "secure_lower_clipped_count"));
    }

    @Test
    void structuresWithinBoundsSumToWithinRoundingError() {
        AggregationProcess p = SecureSumFactory.symmetric(10)
                .create(dev.fl4j.core.StructType.builder()
                        .add("w", new TensorType(DType.FLOAT32, 3))
                        .add("n", TensorType.scalar(DType.FLOAT64))
                        .build());
        MeasuredProcessOutput out = p.next(
                runtime,
                p.initialize(runtime),
                FederatedValue.clients(List.of(
                        Struct.named("w", Tensor.vector(1.1f, -2.3f, 9.99f), "n", Tensor.scalar(0.123)),
                        Struct.named("w", Tensor.vector(3.3f, 4.4f, -0.01f), "n", Tensor.scalar(-7.0)))));
        Struct sum = (Struct) ((ServerValue) out.result()).value();
        double step = 20.0 / Math.scalb(1.0, SecureSumFactory.symmetric(10).floatPrecisionBits());
        assertArrayEquals(new float[] {4.4f, 2.1f, 9.98f}, sum.tensor("w").floatData(), (float) step);
        assertEquals(-6.877, sum.tensor("n").doubleValue(), step);
        assertEquals(0.0, measurement(out.measurements(), "secure_upper_clipped_count"));
    }

    @Test
    void adaptiveBoundFollowsTheLargestAbsoluteValues() {
        AggregationProcess p = SecureSumFactory.adaptive(QuantileEstimation.noNoiseBuilder()
                        .setInitialEstimate(1)
                        .setTargetQuantile(0.5)
                        .setLearningRate(1.0)
                        .optSecureEstimation(true)
                        .build())
                .create(F32);
        Value state = p.initialize(runtime);
        FederatedValue values =
                FederatedValue.clients(List.of(Tensor.scalar(4f), Tensor.scalar(-4f), Tensor.scalar(0.5f)));
        MeasuredProcessOutput out = p.next(runtime, state, values);
        assertEquals(1.0 - 1.0 + 0.5, ((Tensor) ((ServerValue) out.result()).value()).doubleValue(), 1e-6);
        // b̄ = 1/3 below estimate 1, so the estimate grows by exp(1/2 - 1/3)
        out = p.next(runtime, out.state(), values);
        assertEquals(Math.exp(0.5 - 1.0 / 3), measurement(out.measurements(), "secure_upper_threshold"), 1e-6);
    }

    @Test
    void tooManyClientsAndBadSettingsAreRefused() {
        AggregationProcess p = SecureSumFactory.bounds(0, 1).toBuilder()
                .optMaxClients(2)
                .build()
                .create(F32);
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> p.next(
                        runtime,
                        p.initialize(runtime),
                        FederatedValue.clients(List.of(Tensor.scalar(1f), Tensor.scalar(1f), Tensor.scalar(1f)))));
        assertTrue(String.valueOf(e.getMessage()).contains("at most 2 clients got 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SecureSumFactory.bounds(1, 1));
        TypeMismatchException fraction = assertThrows(
                TypeMismatchException.class,
                () -> SecureSumFactory.bounds(-0.5, 1).create(TensorType.scalar(DType.INT32)));
        assertTrue(fraction.getMessage().contains("only with integer bounds"), fraction.getMessage());
        assertThrows(
                TypeMismatchException.class, () -> SecureSumFactory.symmetric(1).create(TensorType.scalar(DType.BOOL)));
    }

    /**
     * A NaN has no place in a range: it used to count as clipped high and enter the sum as the lower
     * bound. Now the client holding it contributes nothing (its whole value is zeroed, as
     * non-finite zeroing does) and is counted apart; ±Inf are clipped to the bounds and counted so.
     */
    @Test
    void aNanZeroesItsClientWhichIsCountedApartFromClipping() {
        AggregationProcess p = SecureSumFactory.bounds(-1, 1).create(Fixtures.VEC2);
        MeasuredProcessOutput out = p.next(
                runtime,
                p.initialize(runtime),
                Fixtures.vectors(
                        new float[] {0.5f, 0.25f},
                        new float[] {Float.NaN, 0.5f},
                        new float[] {0.25f, -0.25f},
                        new float[] {Float.POSITIVE_INFINITY, 0f}));
        double step = 2.0 / Math.scalb(1.0, SecureSumFactory.bounds(-1, 1).floatPrecisionBits());
        assertArrayEquals(new float[] {1.75f, 0f}, Fixtures.server(out.result()), (float) step);
        assertEquals(1.0, measurement(out.measurements(), "secure_nan_zeroed_count"));
        assertEquals(
                1.0, measurement(out.measurements(), "secure_upper_clipped_count"), "only the +Inf client was clipped");
        assertEquals(0.0, measurement(out.measurements(), "secure_lower_clipped_count"));
    }

    /**
     * An int32 (or int64) result must hold the sum of maxClients values at the bounds; bounds that could wrap it are
     * refused.
     */
    @Test
    void integerBoundsWhoseSumCouldOverflowTheResultAreRefused() {
        TensorType i32 = TensorType.scalar(DType.INT32);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SecureSumFactory.bounds(0, 1 << 22).create(i32));
        assertTrue(
                e.getMessage()
                        .contains("int32 leaf int32: the sum of up to 1000 clients in [0.0, 4194304.0] can reach "
                                + "4.194304E9"),
                e.getMessage());
        IllegalArgumentException low = assertThrows(
                IllegalArgumentException.class,
                () -> SecureSumFactory.bounds(-(1 << 22), 0).create(i32));
        assertTrue(low.getMessage().contains("can reach -4.194304E9"), low.getMessage());
        AggregationProcess p = SecureSumFactory.bounds(0, 1 << 22).toBuilder()
                .optMaxClients(500)
                .build()
                .create(i32);
        MeasuredProcessOutput out = p.next(
                runtime,
                p.initialize(runtime),
                FederatedValue.clients(
                        List.of(Tensor.scalar(1 << 22), Tensor.scalar(1 << 22), Tensor.scalar(1 << 22))));
        assertEquals(3L << 22, ((Tensor) ((ServerValue) out.result()).value()).longValue());
        assertThrows(
                IllegalArgumentException.class,
                () -> SecureSumFactory.bounds(-4e18, 0).create(TensorType.scalar(DType.INT64)));
    }
}
