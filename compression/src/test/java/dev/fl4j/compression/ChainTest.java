package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chains are type-checked when built, and user stages plug in through the public interface. */
class ChainTest {

    @Test
    void aUserStageRoundTripsAndIsNamedInHeaders() {
        TensorEncoder enc = TensorEncoder.of(new TernaryStage(), Stages.bitPacking());
        Tensor x = Tensor.vector(-2f, 0.1f, 1.9f, 2f);
        Tensor bytes = enc.encode(x, 1);
        // header 4+4+2, side info 4, 4 symbols of 2 bits = 1 byte
        assertEquals(15, bytes.size());
        assertEquals(
                200, bytes.byteData()[8] & 0xFF, "stage ids follow version, dtype, rank, one dimension and the count");
        assertArrayEquals(
                new float[] {-2f, 0f, 2f, 2f}, enc.decode(bytes, x.type()).floatData());
        assertEquals("a user stage", Stages.describeId(200));
        // user stages chain with built-in ones
        TensorEncoder rotated = TensorEncoder.of(Stages.hadamard(), new TernaryStage(), Stages.entropyCoding());
        assertEquals(x.type(), rotated.decode(rotated.encode(x, 3), x.type()).type());
    }

    @Test
    void commutingPrefix() {
        assertEquals(1, Encoders.tensorEncoder("hadamard-uniform:8").commutingPrefixLength());
        assertEquals(0, Encoders.tensorEncoder("uniform8").commutingPrefixLength());
        assertEquals(1, Encoders.tensorEncoder("identity").commutingPrefixLength());
        // the rotation and the stride: the same subset for every encoding, decoded linearly
        assertEquals(2, Encoders.tensorEncoder("subsampled-drive:0.5").commutingPrefixLength());
    }

    @Test
    void signalShapesFollowTheChain() {
        List<SignalShape> s = Encoders.tensorEncoder("topk-uniform:0.01:8").signalShapes(3000);
        assertEquals(
                List.of(
                        SignalShape.floats(3000),
                        SignalShape.floats(30),
                        SignalShape.symbols(30, 256),
                        SignalShape.bytes(30)),
                s);
        assertEquals(
                SignalShape.bytes(SignalShape.UNKNOWN_LENGTH),
                Encoders.tensorEncoder("entropy-uniform:3").signalShapes(10).get(2));
    }

    @Test
    void badChainsAreRejectedWithAHint() {
        assertMessage(() -> TensorEncoder.of(), "at least one stage");
        assertMessage(() -> TensorEncoder.of(Stages.uniformQuantization(8)), "append Stages.bitPacking()");
        assertMessage(() -> TensorEncoder.of(Stages.hadamard()), "append Stages.float32()");
        assertMessage(() -> TensorEncoder.of(Stages.bitPacking()), "takes SYMBOLS but a chain starts from FLOATS");
        assertMessage(
                () -> TensorEncoder.of(Stages.uniformQuantization(8), Stages.float32()),
                "takes FLOATS but stage 0 (uniform(8)) produces SYMBOLS");
        assertMessage(
                () -> TensorEncoder.of(Stages.float32(), Stages.identity()), "produces BYTES, so it must be last");
        assertMessage(
                () -> TensorEncoder.of(Stages.uniformQuantization(13), Stages.entropyCoding()), "up to 4096 symbols");
        assertMessage(() -> Stages.uniformQuantization(0), "1-16");
        assertMessage(() -> Stages.uniformQuantization(17), "1-16");
        assertMessage(() -> Stages.nonUniformQuantization(9), "1-8");
        assertMessage(() -> Stages.hadamard(25), "0-24");
        assertMessage(() -> Stages.topK().setFraction(0).optErrorFeedback(true).build(), "(0, 1]");
        assertMessage(
                () -> Stages.topK()
                        .setFraction(Double.NaN)
                        .optErrorFeedback(true)
                        .build(),
                "(0, 1]");
        assertEquals(
                "top-k needs setFraction",
                assertThrows(
                                IllegalStateException.class,
                                () -> Stages.topK().optErrorFeedback(true).build())
                        .getMessage());
        assertEquals(
                "random-k needs setFraction",
                assertThrows(
                                IllegalStateException.class,
                                () -> Stages.randomK().optUnbiased(true).build())
                        .getMessage());
        assertEquals("sign(unbiased)", Stages.sign().optUnbiased(true).build().name());
        assertEquals("sign(mse)", Stages.sign().build().name());
        EncodingStage badId = new TernaryStage() {
            @Override
            public int id() {
                return 256;
            }
        };
        assertMessage(() -> TensorEncoder.of(badId, Stages.bitPacking()), "expected 1-255");
    }

    @Test
    void aStageThatBreaksItsDeclaredShapeIsCaught() {
        EncodingStage liar = new TernaryStage() {
            @Override
            public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
                return Signal.symbols(new int[1], 3);
            }
        };
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> TensorEncoder.of(liar, Stages.bitPacking()).encode(Tensor.vector(1f, 2f), 1));
        assertTrue(e.getMessage().contains("declared"), e.getMessage());
    }

    @Test
    void encodeRejectsWhatItCannotEncode() {
        TensorEncoder enc = Encoders.tensorEncoder("uniform8");
        assertMessage(() -> enc.encode(Tensor.vector(1, 2, 3), 1), "only float32 and float64");
        assertMessage(() -> enc.encode(Tensor.vector(1f, Float.POSITIVE_INFINITY), 1), "element 1 is Infinity");
        assertMessage(() -> enc.encode(Tensor.of(new double[] {1e300}, 1), 1), "after rounding to float32");
        int[] rank33 = new int[33];
        java.util.Arrays.fill(rank33, 1);
        assertMessage(() -> enc.encode(Tensor.of(new float[1], rank33), 1), "rank 33");
    }

    @Test
    void aFusedRotationRejectsNonFiniteElementsAsTheOtherChainsDo() {
        for (String spec : new String[] {
            "drive", "hadamard-lloyd:2", "hadamard-lloyd:3", "subsampled-drive:0.5", "subsampled-drive:0.125"
        }) {
            TensorEncoder enc = Encoders.tensorEncoder(spec);
            for (int n : new int[] {5, 4096, 3 * 4096 + 17}) {
                for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                    for (int at : new int[] {0, n / 2, n - 1}) {
                        float[] x = new float[n];
                        java.util.Arrays.fill(x, 0.5f);
                        x[at] = bad;
                        // a later non-finite element must not be the one named
                        x[n - 1] = at == n - 1 ? bad : Float.NaN;
                        assertMessage(() -> enc.encode(Tensor.vector(x), 1), "element " + at + " is " + bad);
                    }
                }
            }
            double[] big = new double[4096];
            big[7] = 1e300;
            assertMessage(() -> enc.encode(Tensor.of(big, big.length), 1), "element 7 is Infinity after rounding");
            assertMessage(() -> enc.encode(Tensor.vector(1f, Float.NaN), 1, Tensor.scalar(0)), "element 1 is NaN");
            // finite elements whose rotation overflows float32 are refused, not sent with a scale no decoder accepts
            float[] huge = new float[3 * 4096];
            java.util.Arrays.fill(huge, 4096, 2 * 4096, Float.MAX_VALUE);
            assertMessage(() -> enc.encode(Tensor.vector(huge), 1), "overflows float32");
            float[] large = new float[4096];
            java.util.Arrays.fill(large, Float.MAX_VALUE / 4096);
            Tensor decoded = enc.decode(
                    enc.encode(Tensor.vector(large), 1), Tensor.vector(large).type());
            for (int i = 0; i < large.length; i++) {
                assertTrue(Float.isFinite(decoded.floatData()[i]), spec + ": large but rotatable elements decode");
            }
        }
    }

    /**
     * The stride stage refuses kept elements that its decoding's n/k would scale to infinity, and only kept ones (here
     * with no rotation in front, so the kept elements are the even ones).
     */
    @Test
    void aStrideRefusesKeptValuesItsDecodingWouldOverflow() {
        TensorEncoder enc = TensorEncoder.of(
                Stages.stride(2), Stages.sign().optUnbiased(true).build(), Stages.bitPacking());
        float[] x = new float[100];
        java.util.Arrays.fill(x, 1f);
        x[40] = 3e38f;
        assertMessage(
                () -> enc.encode(Tensor.vector(x), 1),
                "stride(2): a kept element of magnitude 3.0E38 times n/k = 2.0 overflows float32 on decoding");
        // 101 elements keep 51: n/k = 1.98
        float[] odd = java.util.Arrays.copyOf(x, 101);
        odd[100] = 1f;
        assertMessage(() -> enc.encode(Tensor.vector(odd), 1), "times n/k = 1.9803921 overflows");
        x[40] = 1f;
        x[41] = 3e38f;
        Tensor decoded =
                enc.decode(enc.encode(Tensor.vector(x), 1), Tensor.vector(x).type());
        for (int i = 0; i < x.length; i++) {
            float v = decoded.floatData()[i];
            assertTrue(i % 2 == 0 ? Float.isFinite(v) && v != 0 : v == 0f, "element " + i + ": " + v);
        }
    }

    /** Unbiased random-k refuses values that its decoding's n/k would scale to infinity, and keeps the others. */
    @Test
    void unbiasedRandomKRefusesValuesItsDecodingWouldOverflow() {
        TensorEncoder enc = Encoders.tensorEncoder("randk:0.1");
        float[] x = new float[1000];
        java.util.Arrays.fill(x, 3e38f);
        assertMessage(() -> enc.encode(Tensor.vector(x), 1), "times n/k = 10.0 overflows float32 on decoding");
        java.util.Arrays.fill(x, 3e37f);
        Tensor decoded =
                enc.decode(enc.encode(Tensor.vector(x), 1), Tensor.vector(x).type());
        int kept = 0;
        for (float v : decoded.floatData()) {
            assertTrue(v == 0f || v == 3e37f * 10f, "a kept value scaled by n/k, or 0: " + v);
            kept += v == 0f ? 0 : 1;
        }
        assertEquals(100, kept);
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
    }
}
