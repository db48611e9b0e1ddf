package dev.fl4j.aggregators;

import static dev.fl4j.aggregators.Fixtures.VEC2;
import static dev.fl4j.aggregators.Fixtures.measurement;
import static dev.fl4j.aggregators.Fixtures.server;
import static dev.fl4j.aggregators.Fixtures.vectors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.TypeCodec;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import org.junit.jupiter.api.Test;

/**
 * Central DP after a secure sum: the DP clip travels as a described client step, the noise is calibrated to the
 * clip plus the secure sum's quantization bound, and secure sums that would break the sensitivity bound or
 * release an unaccounted estimate are refused.
 */
class DpSecureRecordAggregationTest {

    @Test
    void theDpClipRebuiltFromItsDescriptionComputesWhatTheOriginalDoes() {
        LocalComputation clip = DifferentiallyPrivateFactory.clientClip(VEC2);
        LocalComputation rebuilt = ComputationDescriptor.fromBytes(
                        clip.descriptor().orElseThrow().toBytes())
                .rebuild();
        Value arg = Struct.of(Tensor.of(new float[] {3, 4}, 2), Tensor.scalar(1.0f));
        Struct original = (Struct) clip.invoke(arg, null);
        assertArrayEquals(ValueCodec.encode(original), ValueCodec.encode(rebuilt.invoke(arg, null)));
        assertEquals(5.0f, original.tensor("norm").floatValue());
        MalformedDataException extra = assertThrows(
                MalformedDataException.class,
                () -> ComputationDescriptor.of(
                                ClientSteps.Factory.class,
                                ClientSteps.DP_CLIP,
                                Struct.builder()
                                        .add("value_type", TypeCodec.toValue(new TensorType(DType.INT32, 2)))
                                        .add("extra", Tensor.scalar(1))
                                        .build())
                        .rebuild());
        assertTrue(
                extra.getMessage().contains("dp_clip step: payload must have fields value_type"), extra.getMessage());
    }

    @Test
    void withoutNoiseItIsTheClippedSumAndTheNoiseCoversTheQuantization() {
        DifferentiallyPrivateFactory noiseless = DifferentiallyPrivateFactory.gaussianFixed(0, 4, 1).toBuilder()
                .optRecordAggregation(SecureSumFactory.symmetric(1))
                .build();
        try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build()) {
            AggregationProcess p = noiseless.create(VEC2);
            MeasuredProcessOutput out =
                    p.next(runtime, p.initialize(runtime), vectors(new float[] {3, 4}, new float[] {0.3f, 0.4f}));
            // 22 precision bits over [-1, 1]: each element within 2^-22 of the exact clipped sum
            assertArrayEquals(new float[] {(0.6f + 0.3f) / 4, (0.8f + 0.4f) / 4}, server(out.result()), 1e-6f);

            DifferentiallyPrivateFactory noised = DifferentiallyPrivateFactory.gaussianFixed(2, 4, 1).toBuilder()
                    .optRecordAggregation(SecureSumFactory.symmetric(1))
                    .build();
            AggregationProcess q = noised.create(VEC2);
            MeasuredProcessOutput n = q.next(runtime, q.initialize(runtime), vectors(new float[] {3, 4}));
            double rounding = Math.sqrt(2) * 2 / Math.scalb(1.0, 23);
            assertEquals((float) (2 * (1 + rounding)), (float)
                    measurement(n.measurements(), "dp_query_metrics/noise_stddev"));
            assertTrue(noised.describe().contains("summed by a secure sum"), noised.describe());
        }
    }

    @Test
    void secureSumsThatWouldBreakTheSensitivityBoundAreRefused() {
        DifferentiallyPrivateFactory adaptive = DifferentiallyPrivateFactory.gaussianFixed(1, 4, 1).toBuilder()
                .optRecordAggregation(SecureSumFactory.adaptive(QuantileEstimation.noNoise(1, 0.9, 0.2)))
                .build();
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> adaptive.create(VEC2));
        assertTrue(a.getMessage().contains("has an adaptive bound"), a.getMessage());
        DifferentiallyPrivateFactory shifted = DifferentiallyPrivateFactory.gaussianFixed(1, 4, 1).toBuilder()
                .optRecordAggregation(SecureSumFactory.bounds(0.5, 2))
                .build();
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> shifted.create(VEC2));
        assertTrue(s.getMessage().contains("that exclude 0"), s.getMessage());
    }
}
