package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.testing.Fuzz;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every encoder preset (and a user stage) decodes mutated encodings, with the expected type and with
 * only an element cap, in the fuzz execution's small heap: each input ends in a tensor or a
 * {@link MalformedEncodingException}, never in another exception or an allocation the header asked for.
 */
class TensorEncoderFuzzTest {

    private static final long CAP = 10_000;

    static List<String> presets() {
        List<String> presets = new ArrayList<>(List.of(RoundTripTest.PRESETS));
        presets.addAll(
                List.of("entropy-uniform:2", "entropy-uniform:12", "uniform:2", "topk-uniform:0.01:3", "randk:0.01"));
        return presets;
    }

    @Test
    void everyPresetEndsInATensorOrMalformedEncodingOnAnyInput() {
        Tensor matrix = TestData.gaussian(1, 7, 9);
        TensorType expected = matrix.type();
        for (String preset : presets()) {
            TensorEncoder enc = Encoders.tensorEncoder(preset);
            fuzz(preset, enc, expected, matrix);
        }
        fuzz(
                "ternary+bitpack (user stage)",
                TensorEncoder.of(new TernaryStage(), Stages.bitPacking()),
                expected,
                matrix);
        fuzz(
                "hadamard+ternary+rans (user stage)",
                TensorEncoder.of(Stages.hadamard(), new TernaryStage(), Stages.entropyCoding()),
                expected,
                matrix);
    }

    private static void fuzz(String name, TensorEncoder enc, TensorType expected, Tensor matrix) {
        Fuzz.named("encoder " + name)
                .seed(enc.encode(matrix, 1).byteData())
                .seed(enc.encode(TestData.heavyTailed(2, 3000), 2).byteData())
                .seed(enc.encode(Tensor.of(new float[40], 40), 3).byteData())
                .seed(enc.encode(Tensor.of(new double[] {1.5, -2, 3}, 3, 1), 4).byteData())
                .expecting(MalformedEncodingException.class)
                .inputs(1_200)
                .truncations(300)
                .run(bytes -> {
                    Tensor t = Tensor.of(bytes, bytes.length);
                    try {
                        Tensor typed = enc.decode(t, expected);
                        assertEquals(expected, typed.type());
                    } catch (MalformedEncodingException e) {
                        // the capped decode below must still end well
                    }
                    Tensor capped = enc.decode(t, CAP);
                    assertTrue(capped.size() <= CAP, "decoded " + capped.type() + " past the cap");
                });
    }

    /**
     * A constant tensor entropy-codes to a fixed-size payload whatever its length: the header alone decides the size.
     */
    @Test
    void aDecompressionBombIsRejectedBeforeItInflates() {
        TensorEncoder enc = Encoders.tensorEncoder("entropy-uniform:2");
        byte[] bomb =
                enc.encode(Tensor.of(new float[] {0.25f}, 1), 1).byteData().clone();
        assertEquals(29, bomb.length, "header 10, uniform side information 9, frequency table 6, rANS state 4");
        MalformedInputTest.putInt(bomb, 3, 50_000_000);
        Tensor t = Tensor.of(bomb, bomb.length);
        MalformedEncodingException capped =
                assertThrows(MalformedEncodingException.class, () -> enc.decode(t, 1_000_000));
        assertTrue(
                capped.getMessage()
                        .contains("header at offset 3 declares float32[50000000], 50000000 elements, more than the "
                                + "1000000 this decode allows"),
                capped.getMessage());
        MalformedEncodingException typed = assertThrows(
                MalformedEncodingException.class, () -> enc.decode(t, new TensorType(DType.FLOAT32, 1000)));
        assertTrue(
                typed.getMessage().contains("decodes to float32[50000000] but float32[1000] was expected"),
                typed.getMessage());
        // the same 29 bytes claiming 1000 elements are a valid encoding, and a cap of exactly 1000 admits them
        MalformedInputTest.putInt(bomb, 3, 1000);
        Tensor thousand = enc.decode(Tensor.of(bomb, bomb.length), 1000);
        assertEquals(new TensorType(DType.FLOAT32, 1000), thousand.type());
        assertEquals(thousand, enc.decode(Tensor.of(bomb, bomb.length), thousand.type()));
        assertThrows(MalformedEncodingException.class, () -> enc.decode(Tensor.of(bomb, bomb.length), 999));
    }

    @Test
    void anExpectedTypeMustBoundTheElementCount() {
        TensorEncoder enc = Encoders.tensorEncoder("uniform8");
        Tensor bytes = enc.encode(TestData.gaussian(1, 10), 1);
        IllegalArgumentException partial = assertThrows(
                IllegalArgumentException.class, () -> enc.decode(bytes, new TensorType(DType.FLOAT32, -1)));
        assertTrue(
                partial.getMessage().contains("must be a fully defined float32 or float64 type, got float32[?]"),
                partial.getMessage());
        assertThrows(IllegalArgumentException.class, () -> enc.decode(bytes, -1));
    }

    /** Encoded values as they travel: fl4j value bytes holding a structure with encoded and raw leaves. */
    @Test
    void valueEncoderDecodingOfReceivedBytesEndsInMalformedInput() {
        ValueEncoder enc = Encoders.parse("entropy-uniform:4@100");
        Value weights = Struct.builder()
                .add("kernel", TestData.gaussian(5, 30, 20))
                .add("bias", TestData.gaussian(6, 5))
                .build();
        Type type = weights.type();
        ValueEncoder topk = Encoders.parse("topk-uniform:0.1:4@100");
        Fuzz.named("value encoder")
                .seed(ValueCodec.encode(enc.encode(weights, 7)))
                .seed(ValueCodec.encode(enc.encode(weights, 8)))
                .expecting(MalformedEncodingException.class, MalformedDataException.class)
                .inputs(3_000)
                .run(bytes -> enc.decode(ValueCodec.decode(bytes), type));
        Fuzz.named("value encoder topk")
                .seed(ValueCodec.encode(topk.encode(weights, 7)))
                .expecting(MalformedEncodingException.class, MalformedDataException.class)
                .inputs(2_000)
                .run(bytes -> topk.decode(ValueCodec.decode(bytes), type));
    }
}
