package dev.fl4j.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.testing.Fuzz;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueCodecFuzzTest {

    @Test
    void decodeEndsInMalformedDataOnAnyInput() {
        byte[] nestedStructs = ValueCodec.encode(Struct.builder()
                .add("a", Struct.of(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), Struct.of(Tensor.scalar(7L))))
                .add("b", Tensor.of(new boolean[] {true, false}, 2))
                .build());
        byte[] sequence = ValueCodec.encode(ListSequence.of(
                StructType.builder().add("x", new TensorType(DType.FLOAT32, -1)).build(),
                List.of(Struct.named("x", Tensor.vector(1f)), Struct.named("x", Tensor.vector(2f, 3f)))));
        Fuzz.named("codec")
                .seed(nestedStructs)
                .seed(sequence)
                .seed(ValueCodec.encode(Tensor.of(new double[] {1e-300, 2}, 2)))
                .seed(ValueCodec.encode(Struct.of(Struct.of(Struct.of(Struct.of(
                        Struct.named("deep", Tensor.of(new int[] {1, 2, 3}, 3, 1))))))))
                .expecting(MalformedDataException.class)
                .inputs(20_000)
                .run(ValueCodec::decode);
    }

    @Test
    void decodingLikeAKeptValueEndsAsPlainDecodingOnAnyInput() {
        byte[] model = ValueCodec.encode(Struct.builder()
                .add("kernel", Tensor.of(new float[] {1.5f, -2f, 3f, 0f, 9f, 1e-3f}, 3, 2))
                .add("position", Tensor.scalar(3))
                .add("mask", Tensor.of(new boolean[] {true, false, true}, 3))
                .add("bytes", Tensor.of(new byte[] {1, 2, 3}, 3))
                .add("nested", Struct.of(Tensor.of(new long[] {4, 5}, 2), Tensor.vector(0.5, 0.25)))
                .build());
        ValueCodec.Decoded kept = ValueCodec.decodeKept(model.clone());
        int[] lent = {0};
        Fuzz.named("codec like a kept value")
                .seed(model)
                .expecting(MalformedDataException.class)
                .inputs(20_000)
                .run(bytes -> {
                    Value plain;
                    try {
                        plain = ValueCodec.decode(bytes);
                    } catch (MalformedDataException e) {
                        MalformedDataException like =
                                assertThrows(MalformedDataException.class, () -> ValueCodec.decode(bytes, kept));
                        assertEquals(e.getMessage(), like.getMessage());
                        throw e;
                    }
                    Value like = ValueCodec.decode(bytes, kept);
                    assertEquals(plain, like);
                    if (like instanceof Struct s && s.size() > 0 && s.get(0) == ((Struct) kept.value()).get(0)) {
                        lent[0]++;
                    }
                });
        assertTrue(lent[0] > 0, "some mutated inputs kept the kernel's bytes and were lent it");
    }

    @Test
    void deepNestingEndsInMalformedDataNotStackOverflow() {
        byte[] header = {'F', 'L', '4', 'V', 1};
        byte[] structOfOne = {'S', 0, 0, 0, 1, 0};
        byte[] floatScalar = {'T', 0, 0, 0, 0, 0, 0};
        byte[] deepValue = concat(header, Fuzz.nested(structOfOne, floatScalar, new byte[0], 200_000));
        MalformedDataException values = assertThrows(MalformedDataException.class, () -> ValueCodec.decode(deepValue));
        assertTrue(values.getMessage().contains("nesting deeper than"), values.getMessage());

        byte[] deepType = concat(
                header,
                new byte[] {'Q'},
                Fuzz.nested(new byte[] {'q'}, new byte[] {'t', 0, 0}, new byte[0], 200_000),
                new byte[] {0, 0, 0, 0});
        MalformedDataException types = assertThrows(MalformedDataException.class, () -> ValueCodec.decode(deepType));
        assertTrue(types.getMessage().contains("nesting deeper than"), types.getMessage());
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
