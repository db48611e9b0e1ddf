package dev.fl4j.aggregators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.TypeCodec;
import dev.fl4j.core.io.ValueCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Clipping's and zeroing's client step travels as a description: rebuilt from its bytes it computes what the
 * original does, and a description naming an unknown norm or kind, or clipping by L∞, is refused.
 */
class NormBoundClientStepTest {

    private static final Type VALUE = StructType.of(new TensorType(DType.FLOAT32, 3));

    private static Value argument(float... v) {
        return Struct.of(Struct.of(Tensor.of(v, v.length)), Tensor.scalar(1.0f));
    }

    private static LocalComputation rebuilt(LocalComputation step) {
        return ComputationDescriptor.fromBytes(step.descriptor().orElseThrow().toBytes())
                .rebuild();
    }

    @Test
    void aRebuiltStepComputesWhatTheOriginalDoes() {
        for (String kind : new String[] {NormBoundFactory.CLIPPING, NormBoundFactory.ZEROING}) {
            LocalComputation step = NormBoundFactory.clientStep(kind, Norm.L2, VALUE);
            for (Value arg : new Value[] {argument(3, 4, 0), argument(0.1f, 0.2f, 0.3f), argument(Float.NaN, 1, 1)}) {
                Struct original = (Struct) step.invoke(arg, null);
                Struct again = (Struct) rebuilt(step).invoke(arg, null);
                assertArrayEquals(ValueCodec.encode(original), ValueCodec.encode(again), kind + " " + arg);
            }
        }
        Struct clipped = (Struct) NormBoundFactory.clientStep(NormBoundFactory.CLIPPING, Norm.L2, VALUE)
                .invoke(argument(3, 4, 0), null);
        assertEquals(5.0f, clipped.tensor("norm").floatValue());
        assertEquals(1, clipped.tensor("affected").longValue());
        float[] v = ((Struct) clipped.get("value")).tensor(0).floatData();
        assertEquals(1.0, Math.sqrt(v[0] * v[0] + v[1] * v[1]), 1e-6);
    }

    private static ComputationDescriptor described(String kind, String norm) {
        return ComputationDescriptor.of(
                ClientSteps.Factory.class,
                ClientSteps.NORM_BOUND,
                Struct.builder()
                        .add("value_type", TypeCodec.toValue(VALUE))
                        .add("kind", text(kind))
                        .add("norm", text(norm))
                        .build());
    }

    private static Tensor text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Tensor.of(b, b.length);
    }

    @Test
    void aDescriptionOutsideTheStepsIsRefused() {
        MalformedDataException norm = assertThrows(
                MalformedDataException.class, () -> described("clipping", "L3").rebuild());
        assertTrue(norm.getMessage().contains("unknown norm 'L3'"), norm.getMessage());
        MalformedDataException kind = assertThrows(
                MalformedDataException.class, () -> described("shrinking", "L2").rebuild());
        assertTrue(kind.getMessage().contains("clipping or zeroing"), kind.getMessage());
        MalformedDataException linf = assertThrows(
                MalformedDataException.class,
                () -> described("clipping", "LINF").rebuild());
        assertTrue(linf.getMessage().contains("L2 ball"), linf.getMessage());
        assertEquals(
                NormBoundFactory.clientStep(NormBoundFactory.ZEROING, Norm.LINF, VALUE)
                        .type(),
                described("zeroing", "LINF").rebuild().type());
    }
}
