package dev.fl4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.nio.ByteBuffer;
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
                .add(
                        "seq",
                        ListSequence.of(
                                StructType.builder()
                                        .add("x", new TensorType(DType.FLOAT32, -1))
                                        .build(),
                                List.of(
                                        Struct.named("x", Tensor.vector(1f)),
                                        Struct.named("x", Tensor.vector(2f, 3f)))))
                .build();
    }

    @Test
    void encodingIntoAReusedArrayWritesTheSameBytesOverIt() {
        Value model = Struct.builder()
                .add("kernel", Tensor.of(new float[] {1.5f, -2f, 3f, 0f}, 2, 2))
                .add("bias", Tensor.of(new float[] {0.25f, 7f}, 2))
                .build();
        byte[] expected = ValueCodec.encode(model);
        byte[] last = new byte[expected.length];
        Arrays.fill(last, (byte) 0x5A);
        assertSame(last, ValueCodec.encode(model, last));
        assertArrayEquals(expected, last);
        byte[] other = new byte[expected.length + 1];
        byte[] fresh = ValueCodec.encode(model, other);
        assertNotSame(other, fresh, "an array of another length is not used");
        assertArrayEquals(expected, fresh);
        assertArrayEquals(expected, ValueCodec.encode(model, null));
    }

    @Test
    void bytesDifferingInOnePlaceDecodeToTheKeptValuesOtherTensors() {
        Value model = Struct.builder()
                .add("kernel", Tensor.of(new float[] {1.5f, -2f, 3f, 0f}, 2, 2))
                .add("position", Tensor.scalar(0))
                .add("bias", Tensor.of(new float[] {0.25f, 7f}, 2))
                .build();
        byte[] shared = ValueCodec.encode(model);
        ValueCodec.Decoded kept = ValueCodec.decodeKept(shared);
        assertEquals(model, kept.value());
        Struct keptStruct = (Struct) kept.value();

        byte[] mine = ValueCodec.encode(Struct.builder()
                .add("kernel", Tensor.of(new float[] {1.5f, -2f, 3f, 0f}, 2, 2))
                .add("position", Tensor.scalar(7))
                .add("bias", Tensor.of(new float[] {0.25f, 7f}, 2))
                .build());
        Struct decoded = (Struct) ValueCodec.decode(mine, kept);
        assertEquals(ValueCodec.decode(mine), decoded);
        assertSame(keptStruct.get("kernel"), decoded.get("kernel"), "equal elements: the kept tensor");
        assertSame(keptStruct.get("bias"), decoded.get("bias"));
        assertEquals(7, decoded.tensor("position").intData()[0]);

        byte[] otherBias = shared.clone();
        otherBias[otherBias.length - 1] ^= 1; // the last byte of the bias's last element
        Struct changed = (Struct) ValueCodec.decode(otherBias, kept);
        assertEquals(ValueCodec.decode(otherBias), changed);
        assertNotSame(keptStruct.get("bias"), changed.get("bias"), "other elements are read");
        assertSame(keptStruct.get("kernel"), changed.get("kernel"));
    }

    @Test
    void aKeptValueLendsOnlyTensorsOfTheSameDtypeShapeAndPlace() {
        ValueCodec.Decoded kept = ValueCodec.decodeKept(ValueCodec.encode(
                Struct.of(Tensor.of(new int[] {1, 2, 3, 4}, 2, 2), Tensor.of(new int[] {5, 6}, 2))));
        Struct keptStruct = (Struct) kept.value();
        // the first tensor's element bytes at the same offset as another dtype; the second as it was
        Value retyped = Struct.of(
                Tensor.of(
                        new float[] {
                            Float.intBitsToFloat(1),
                            Float.intBitsToFloat(2),
                            Float.intBitsToFloat(3),
                            Float.intBitsToFloat(4)
                        },
                        2,
                        2),
                Tensor.of(new int[] {5, 6}, 2));
        Struct decoded = (Struct) ValueCodec.decode(ValueCodec.encode(retyped), kept);
        assertEquals(retyped, decoded);
        assertNotSame(keptStruct.get(0), decoded.get(0), "another dtype");
        assertSame(keptStruct.get(1), decoded.get(1), "same dtype, shape, place and bytes");

        // the same elements as another shape (a shorter header moves what follows), or at another offset
        Value reshaped = Struct.of(Tensor.of(new int[] {1, 2, 3, 4}, 4), Tensor.of(new int[] {5, 6}, 2));
        Value shifted = Struct.of(Tensor.scalar(0), Tensor.of(new int[] {1, 2, 3, 4}, 2, 2));
        for (Value v : List.of(reshaped, shifted)) {
            Struct other = (Struct) ValueCodec.decode(ValueCodec.encode(v), kept);
            assertEquals(v, other);
            for (Value leaf : other.values()) {
                assertTrue(keptStruct.values().stream().noneMatch(k -> k == leaf), "nothing lent to " + v);
            }
        }
    }

    @Test
    void roundTripsEveryKindOfValue() {
        Value v = sample();
        assertEquals(v, ValueCodec.decode(ValueCodec.encode(v)));
    }

    @Test
    void aTreeOfStructuresAndTensorsEncodesToTheStreamWritersBytes() throws java.io.IOException {
        // encode writes such a tree straight into an array of its exact size; StreamWriter writes through a stream
        Value tree = Struct.builder()
                .add("f", Tensor.of(new float[] {1.5f, -2f, Float.NaN, Float.MIN_VALUE}, 2, 2))
                .add("d", Tensor.vector(1e-300, -0.0))
                .add(Tensor.of(new long[] {Long.MIN_VALUE, 7}, 2))
                .add("i", Tensor.of(new int[] {Integer.MAX_VALUE, -1, 0}, 3, 1))
                .add("b", Tensor.of(new boolean[] {true, false, true}, 3))
                .add("u", Tensor.of(new byte[] {(byte) 255, 0, 7}, 3))
                .add("naïve ∑", Struct.of(Tensor.scalar(3), Struct.empty(), Tensor.of(new float[0], 0, 5)))
                .build();
        for (Value v : List.of(tree, Tensor.scalar(2f), Struct.empty(), nestedStructs(ValueCodec.MAX_DEPTH + 1))) {
            java.io.ByteArrayOutputStream streamed = new java.io.ByteArrayOutputStream();
            ValueCodec.StreamWriter writer = new ValueCodec.StreamWriter(streamed);
            writer.value(v);
            writer.flush();
            assertArrayEquals(
                    streamed.toByteArray(), ValueCodec.encode(v), v.type().toString());
        }
        assertEquals(tree, ValueCodec.decode(ValueCodec.encode(tree)));
    }

    @Test
    void rejectsMalformedBytes() {
        byte[] good = ValueCodec.encode(sample());
        MalformedDataException truncated = assertThrows(
                MalformedDataException.class, () -> ValueCodec.decode(Arrays.copyOf(good, good.length - 3)));
        assertTrue(
                truncated.getMessage().contains("truncated")
                        || truncated.getMessage().contains("remain"),
                truncated.getMessage());
        byte[] trailing = Arrays.copyOf(good, good.length + 2);
        assertTrue(assertThrows(MalformedDataException.class, () -> ValueCodec.decode(trailing))
                .getMessage()
                .contains("2 trailing bytes"));
        byte[] badVersion = good.clone();
        badVersion[4] = 9;
        assertTrue(assertThrows(MalformedDataException.class, () -> ValueCodec.decode(badVersion))
                .getMessage()
                .contains("unsupported fl4j value format version 9"));
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        assertThrows(MalformedDataException.class, () -> ValueCodec.decode(badMagic));
        byte[] badDtype = ValueCodec.encode(Tensor.scalar(1));
        badDtype[6] = 42;
        assertTrue(assertThrows(MalformedDataException.class, () -> ValueCodec.decode(badDtype))
                .getMessage()
                .contains("unknown dtype code 42"));
        byte[] hugeTensor = ValueCodec.encode(Tensor.vector(1f));
        hugeTensor[8] = 0x7f;
        assertTrue(assertThrows(MalformedDataException.class, () -> ValueCodec.decode(hugeTensor))
                .getMessage()
                .contains("needs"));
    }

    /** Header, then a float32 tensor of the given shape and no element bytes. */
    private static byte[] tensorHeader(int... shape) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * shape.length);
        b.put(new byte[] {'F', 'L', '4', 'V', 1, 'T', 0, (byte) shape.length});
        for (int d : shape) {
            b.putInt(d);
        }
        return b.array();
    }

    @Test
    void rejectsDimensionsWhoseProductOverflows() {
        // 255 * 42009217 * 1722007169 = 2^64 - 1: the unchecked long product was -1 and reached new float[-1]
        MalformedDataException e = assertThrows(
                MalformedDataException.class, () -> ValueCodec.decode(tensorHeader(255, 42009217, 1722007169)));
        assertTrue(
                e.getMessage().contains("more than 2^31-1 elements")
                        && e.getMessage().contains("at byte 5"),
                e.getMessage());
        MalformedDataException wide =
                assertThrows(MalformedDataException.class, () -> ValueCodec.decode(tensorHeader(65536, 65536)));
        assertTrue(wide.getMessage().contains("more than 2^31-1 elements"), wide.getMessage());
        assertEquals(
                Tensor.of(new float[0], 0, Integer.MAX_VALUE, Integer.MAX_VALUE),
                ValueCodec.decode(tensorHeader(0, Integer.MAX_VALUE, Integer.MAX_VALUE)));
    }

    private static Value nestedStructs(int depth) {
        Value v = Tensor.scalar(1f);
        for (int i = 0; i < depth; i++) {
            v = Struct.of(v);
        }
        return v;
    }

    @Test
    void nestingIsLimited() {
        Value deepest = nestedStructs(ValueCodec.MAX_DEPTH);
        assertEquals(deepest, ValueCodec.decode(ValueCodec.encode(deepest)));
        MalformedDataException e = assertThrows(
                MalformedDataException.class,
                () -> ValueCodec.decode(ValueCodec.encode(nestedStructs(ValueCodec.MAX_DEPTH + 1))));
        assertTrue(e.getMessage().contains("nesting deeper than " + ValueCodec.MAX_DEPTH + " levels"), e.getMessage());
        Type deepType = TensorType.scalar(DType.FLOAT32);
        for (int i = 0; i < ValueCodec.MAX_DEPTH; i++) {
            deepType = new SequenceType(deepType);
        }
        byte[] deepTypedSequence = ValueCodec.encode(ListSequence.of(deepType, List.of()));
        MalformedDataException types =
                assertThrows(MalformedDataException.class, () -> ValueCodec.decode(deepTypedSequence));
        assertTrue(types.getMessage().contains("nesting deeper"), types.getMessage());
    }

    @Test
    void rejectsWhatTheValueModelWouldRefuse() {
        byte[] twoX = ValueCodec.encode(Struct.builder()
                .add("x", Tensor.scalar(1))
                .add("y", Tensor.scalar(2))
                .build());
        int y = indexOf(twoX, (byte) 'y');
        twoX[y] = 'x';
        MalformedDataException duplicate = assertThrows(MalformedDataException.class, () -> ValueCodec.decode(twoX));
        assertTrue(
                duplicate.getMessage().contains("duplicate field name 'x' at byte " + (y - 3)), duplicate.getMessage());

        byte[] sequence = ValueCodec.encode(
                ListSequence.of(TensorType.scalar(DType.INT32), List.of(Tensor.scalar(1), Tensor.scalar(2))));
        sequence[sequence.length - 6] =
                3; // the second element's dtype code: int32 -> int64, its payload read as 4 of 8 bytes
        MalformedDataException wrongElement = assertThrows(
                MalformedDataException.class, () -> ValueCodec.decode(Arrays.copyOf(sequence, sequence.length + 4)));
        assertTrue(
                wrongElement
                        .getMessage()
                        .contains("sequence element 1 at byte " + (sequence.length - 7)
                                + ": expected int32 but got int64"),
                wrongElement.getMessage());
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("no byte " + b);
    }
}
