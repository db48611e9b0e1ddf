package dev.fl4j.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.types.StructType;
import dev.fl4j.core.types.TensorType;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueCodecTest {

    private static Value sample() {
        return Struct.builder()
                .add("f", Tensor.of(new float[] {1.5f, -2f, Float.NaN, 4f}, 2, 2))
                .add("d", Tensor.vector(1e-300, 2.0))
                .add(Tensor.of(new long[] {Long.MIN_VALUE}, 1))
                .add("b", Tensor.of(new boolean[] {true, false}, 2))
                .add("u", Tensor.of(new byte[] {(byte) 255, 0, 7}, 3))
                .add("nested", Struct.of(Tensor.scalar(3), Struct.empty()))
                .add("seq", ListSequence.of(StructType.builder().add("x", new TensorType(DType.FLOAT32, -1)).build(),
                        List.of(Struct.named("x", Tensor.vector(1f)), Struct.named("x", Tensor.vector(2f, 3f)))))
                .build();
    }

    @Test
    void roundTripsEveryKindOfValue() {
        Value v = sample();
        assertEquals(v, ValueCodec.decode(ValueCodec.encode(v)));
    }

    @Test
    void rejectsMalformedBytes() {
        byte[] good = ValueCodec.encode(sample());
        MalformedDataException truncated = assertThrows(MalformedDataException.class, () -> ValueCodec.decode(Arrays.copyOf(good, good.length - 3)));
        assertTrue(truncated.getMessage().contains("truncated") || truncated.getMessage().contains("remain"), truncated.getMessage());
        byte[] trailing = Arrays.copyOf(good, good.length + 2);
        assertTrue(assertThrows(MalformedDataException.class, () -> ValueCodec.decode(trailing)).getMessage().contains("2 trailing bytes"));
        byte[] badVersion = good.clone();
        badVersion[4] = 9;
        assertTrue(assertThrows(MalformedDataException.class, () -> ValueCodec.decode(badVersion)).getMessage()
                .contains("unsupported fl4j value format version 9"));
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        assertThrows(MalformedDataException.class, () -> ValueCodec.decode(badMagic));
        byte[] badDtype = ValueCodec.encode(Tensor.scalar(1));
        badDtype[6] = 42;
        assertTrue(assertThrows(MalformedDataException.class, () -> ValueCodec.decode(badDtype)).getMessage().contains("unknown dtype code 42"));
        byte[] hugeTensor = ValueCodec.encode(Tensor.vector(1f));
        hugeTensor[8] = 0x7f;
        assertTrue(assertThrows(MalformedDataException.class, () -> ValueCodec.decode(hugeTensor)).getMessage().contains("needs"));
    }
}
