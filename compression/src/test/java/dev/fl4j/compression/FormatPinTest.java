package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fl4j.core.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pins the exact encoded bytes and decoded floats of every preset for a fixed tensor and seed, by
 * SHA-256 (first 16 hex digits). The digests were recorded from the format-version-1 implementation
 * before the stages were optimized; a faster implementation must give the same bytes and the same
 * decoded values bit for bit, or change the format version and these pins on purpose.
 *
 * <p>The tensor has 3001×7 = 21,007 elements: odd (a stochastic rounding tail draw), not a whole
 * number of Hadamard blocks (padding), not a multiple of 8 (bit-packing tail).
 */
class FormatPinTest {

    static Tensor pinnedTensor() {
        return TestData.gaussian(11, 0.001, 0.02, 3001, 7);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "identity, c4b8104be9416025, 002b56c0bad219b7",
        "uniform8, dcd88d0fab1f32ee, ae596a1d32899b68",
        "uniform:1, f59316141530d064, 2ed6346fb518047d",
        "uniform:3, a36705267af3ecd2, 79d07dfaa2424e1d",
        "uniform:16, d8e1298f90c7d5be, 359239b8a2ae03d0",
        "hadamard-uniform:2, fa551bb5d7cb6971, 4b3377c0069aeedd",
        "hadamard-uniform:4, 3002feb8902bb818, 13016c224f46fe77",
        "nonuniform:3, 9a26085ad8490e6c, 236faca7df085ceb",
        "entropy-uniform:2, 0d33a4c908f43466, aa004597bc67c011",
        "entropy-uniform:8, d6d32258b579c31d, ae596a1d32899b68",
        "entropy-nonuniform:3, 7891b23532510856, 236faca7df085ceb",
        "drive, f6055e25f6f4f61d, b07d320ef7b40b52",
        "topk:0.01, 46f0fb77c5e5c8db, 5e028af7d62a24ed",
        "topk-uniform:0.05:8, 9b20c280ebf61dda, 8d4b838038e2c121",
        "randk:0.05, 24979d0669433c07, 54f35e66f7cee425",
        "randk-ef:0.05, 24979d0669433c07, 7aee066c15fcbcae",
        // added with the stage (stage id 11), not part of the pre-optimization recording
        "adaptive-uniform:3, 5ee501dac9f87e09, b87bdcea7471d2c9",
        // added with the Lloyd-Max stage (stage id 12)
        "hadamard-lloyd:2, 098e450f66d213f3, 91aac9f1ab6e9f29",
        "hadamard-lloyd:3, b4821afbdb525986, a26fbc0c9d377b43",
        "sampled-drive:0.5, 6fe14fb3c3c4a3d3, db08d9eb8e3d0b47",
        "sampled-lloyd:0.5:1, 8055f88b7585d835, 867222ae70074ee7",
        // added with the stride stage (stage id 13), recorded from the stages run one after the other (bit packing
        // under another class, as FastPathEquivalenceTest runs them), which the fused path matches
        "subsampled-drive:0.5, 8101b4069fba7551, fe3e64be19d39a51",
        "subsampled-drive:0.125, fa061592db534fb9, 69a038c4aeb6bddb",
    })
    void encodedBytesAndDecodedFloatsAreUnchanged(String preset, String encodedDigest, String decodedDigest) {
        TensorEncoder encoder = Encoders.tensorEncoder(preset);
        Tensor encoded = encoder.encode(pinnedTensor(), 20240601L);
        Tensor decoded = encoder.decode(encoded, pinnedTensor().type());
        assertEquals(encodedDigest, digest(encoded.byteData()), preset + ": encoded bytes");
        assertEquals(decodedDigest, digest(floatBytes(decoded.floatData())), preset + ": decoded floats");
    }

    /** The raw rotated floats (a float32 payload) for odd and even block sizes, on 100 and 21,007 elements. */
    @ParameterizedTest(name = "hadamard(2^{0}) of {1} elements")
    @CsvSource({
        "3, 100, 8af9f36fcc94cb42",
        "7, 100, a78f64c4e15fd8d4",
        "5, 21007, 53d304427b4312c5",
        "12, 21007, 56bc5620109cadff",
        "13, 21007, 676af6bf5ed105c0",
    })
    void hadamardRotationIsUnchanged(int maxBlockLog2, int n, String encodedDigest) {
        TensorEncoder encoder = TensorEncoder.of(Stages.hadamard(maxBlockLog2), Stages.float32());
        Tensor x = n == 100 ? TestData.gaussian(12, 10, 10) : pinnedTensor();
        Tensor encoded = encoder.encode(x, 99L);
        assertEquals(encodedDigest, digest(encoded.byteData()));
    }

    static byte[] floatBytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putInt(Float.floatToRawIntBits(v));
        }
        return b.array();
    }

    static String digest(byte[] bytes) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints the digests of the current implementation in the form of the table above. */
    public static void main(String[] args) {
        for (String rot : new String[] {"3 100", "7 100", "5 21007", "12 21007", "13 21007"}) {
            String[] p = rot.split(" ");
            TensorEncoder encoder = TensorEncoder.of(Stages.hadamard(Integer.parseInt(p[0])), Stages.float32());
            Tensor x = p[1].equals("100") ? TestData.gaussian(12, 10, 10) : pinnedTensor();
            System.out.println(
                    "rotation " + rot + " " + digest(encoder.encode(x, 99L).byteData()));
        }
        for (String preset : args) {
            TensorEncoder encoder = Encoders.tensorEncoder(preset);
            Tensor encoded = encoder.encode(pinnedTensor(), 20240601L);
            Tensor decoded = encoder.decode(encoded, pinnedTensor().type());
            System.out.println(
                    preset + " " + digest(encoded.byteData()) + " " + digest(floatBytes(decoded.floatData())));
        }
    }
}
