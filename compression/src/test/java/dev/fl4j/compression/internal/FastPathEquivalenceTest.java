package dev.fl4j.compression.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.EncodingStage;
import dev.fl4j.compression.MalformedEncodingException;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalKind;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;
import dev.fl4j.compression.TensorEncoder;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.random.SplitMix64;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The optimized codec paths against plain reference implementations of format version 1, bit for bit: the
 * Hadamard rotation (signs fused with the first butterflies, block-wise inverse) against the textbook pass-by-pass
 * transform, random-k's batched selection sampling against the one-draw-at-a-time loop, the branch-free Lloyd–Max
 * level search against counting thresholds, and the fused paths of {@link TensorEncoder} (quantize and pack in one
 * pass; rotate, quantize and pack a rotation block at a time) against the same stages run one after the other
 * (bytes, floats and the messages of rejected payloads).
 */
class FastPathEquivalenceTest {

    private static final int[] SIZES = {
        1, 2, 3, 15, 16, 17, 63, 64, 65, 100, 127, 128, 129, 1000, 2047, 4095, 4096, 4097, 8191, 8193, 9000, 20001
    };

    private static float[] values(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (r.nextInt(8)) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 2 -> (float) (r.nextGaussian() * 1e-30);
                default -> (float) (r.nextGaussian() * 0.02);
            };
        }
        return v;
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                assertEquals(expected[i], actual[i], what + ": element " + i);
                assertEquals(
                        Float.floatToRawIntBits(expected[i]),
                        Float.floatToRawIntBits(actual[i]),
                        what + ": sign of zero at element " + i);
            }
        }
    }

    // ---- reference implementations (format version 1, written for clarity) ----

    /** Signs from bit i mod 64 of the (i/64)-th draw, by table lookup; the padding past src is 0 with its sign. */
    private static void referenceSigns(float[] src, float[] dst, int count, long seed, float scale) {
        SplitMix64 rng = new SplitMix64(seed);
        float[] signed = {scale, -scale};
        long bits = 0;
        for (int i = 0; i < count; i++) {
            if (i % 64 == 0) {
                bits = rng.nextLong();
            }
            float v = i < src.length ? src[i] : 0f;
            dst[i] = v * signed[(int) (bits >>> (i % 64)) & 1];
        }
    }

    /** The unnormalized Walsh–Hadamard transform of each block, one radix-2 pass per stride 1, 2, 4, .... */
    private static void referenceTransform(float[] y, int block) {
        for (int start = 0; start < y.length; start += block) {
            for (int h = 1; h < block; h *= 2) {
                for (int i = start; i < start + block; i += 2 * h) {
                    for (int j = i; j < i + h; j++) {
                        float a = y[j];
                        float b = y[j + h];
                        y[j] = a + b;
                        y[j + h] = a - b;
                    }
                }
            }
        }
    }

    private static int[] referenceRandomIndices(int n, int k, long seed) {
        int[] idx = new int[k];
        SplitMix64 rng = new SplitMix64(seed);
        int chosen = 0;
        for (int i = 0; i < n && chosen < k; i++) {
            if (rng.nextDouble() * (n - i) < k - chosen) {
                idx[chosen++] = i;
            }
        }
        return idx;
    }

    @Test
    void hadamardRotationAndInverseEqualTheTextbookTransform() {
        SplittableRandom r = new SplittableRandom(3);
        for (int maxLog2 : new int[] {0, 3, 6, 7, 12, 13}) {
            HadamardStage stage = new HadamardStage(maxLog2);
            for (int n : SIZES) {
                float[] x = values(r, n);
                long seed = r.nextLong();
                int log2 = stage.blockLog2(n);
                int m = stage.outputShape(SignalShape.floats(n)).length();
                float scale = (float) (1.0 / Math.sqrt(1 << log2));
                float[] expected = new float[m];
                referenceSigns(x, expected, m, seed, scale);
                referenceTransform(expected, 1 << log2);

                ByteWriter side = new ByteWriter();
                float[] rotated = stage.encode(Signal.floats(x.clone()), new StageContext(seed, Struct.empty()), side)
                        .floats();
                String what = "2^" + maxLog2 + " blocks, n " + n;
                assertBitsEqual(expected, rotated, what + ": rotation");

                float[] back = rotated.clone();
                referenceTransform(back, 1 << log2);
                float[] expectedInverse = new float[n];
                referenceSigns(back, expectedInverse, n, seed, scale);
                float[] input = rotated.clone();
                StageDecoder decoder = stage.readSideInfo(new ByteReader(side.toByteArray()), SignalShape.floats(n));
                assertBitsEqual(
                        expectedInverse, decoder.decode(Signal.floats(input)).floats(), what + ": inverse");
                assertBitsEqual(rotated, input, what + ": the decoder leaves its input alone");
            }
        }
    }

    @Test
    void batchedSelectionSamplingDrawsTheSameIndices() {
        SplittableRandom r = new SplittableRandom(4);
        for (int trial = 0; trial < 300; trial++) {
            int n = trial < 20 ? trial + 1 : 1 + r.nextInt(trial < 250 ? 3000 : 200_000);
            long seed = r.nextLong();
            for (int k : new int[] {1, n, 1 + r.nextInt(n), Math.max(1, n / 2), Math.max(1, n / 20)}) {
                assertArrayEquals(
                        referenceRandomIndices(n, k, seed),
                        SparsificationStage.randomIndices(n, k, seed),
                        "n " + n + ", k " + k + ", seed " + seed);
            }
        }
    }

    @Test
    void branchFreeLloydMaxLevelsEqualCountingThresholds() {
        SplittableRandom r = new SplittableRandom(5);
        for (int bits = 1; bits <= LloydMaxStage.MAX_BITS; bits++) {
            float[] levels = LloydMaxStage.gaussianLevels(bits);
            for (boolean unbiased : new boolean[] {false, true}) {
                LloydMaxStage stage = new LloydMaxStage(bits, unbiased);
                for (int n : SIZES) {
                    float[] x = values(r, n);
                    if (n > 10) {
                        // all zeros: the blocks of RMS 0
                        Arrays.fill(x, 0, n, 0f);
                    }
                    int[] symbols = stage.encode(
                                    Signal.floats(x.clone()), new StageContext(1, Struct.empty()), new ByteWriter())
                            .symbols();
                    assertArrayEquals(referenceLevels(x, levels), symbols, bits + " bits, n " + n);
                    float[] y = values(r, n);
                    assertArrayEquals(
                            referenceLevels(y, levels),
                            stage.encode(Signal.floats(y), new StageContext(1, Struct.empty()), new ByteWriter())
                                    .symbols(),
                            bits + " bits, n " + n);
                }
            }
        }
    }

    /**
     * Lloyd–Max symbols as the encoder defines them: per block of 4096, thresholds below x/rms counted, the block's
     * sum of squares in four lanes (element i of the block in lane i mod 4) combined as (0 + 1) + (2 + 3).
     */
    private static int[] referenceLevels(float[] x, float[] levels) {
        float[] t = new float[levels.length - 1];
        for (int j = 0; j < t.length; j++) {
            t[j] = (levels[j] + levels[j + 1]) / 2;
        }
        int[] q = new int[x.length];
        for (int start = 0; start < x.length; start += LloydMaxStage.BLOCK) {
            int end = Math.min(x.length, start + LloydMaxStage.BLOCK);
            double[] lanes = new double[4];
            for (int i = start; i < end; i++) {
                lanes[(i - start) % 4] += (double) x[i] * x[i];
            }
            double sq = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
            float rms = (float) Math.sqrt(sq / (end - start));
            float inverse = rms > 0 ? 1f / rms : 0f;
            for (int i = start; i < end; i++) {
                float v = x[i] * inverse;
                for (float threshold : t) {
                    q[i] += v > threshold ? 1 : 0;
                }
            }
        }
        return q;
    }

    @Test
    void aValueOnAThresholdTakesTheLevelBelowIt() {
        for (int bits = 1; bits <= LloydMaxStage.MAX_BITS; bits++) {
            float[] levels = LloydMaxStage.gaussianLevels(bits);
            LloydMaxStage stage = new LloydMaxStage(bits, true);
            for (int j = 0; j + 1 < levels.length; j++) {
                float t = (levels[j] + levels[j + 1]) / 2;
                assertEquals(j, stage.level(t), bits + " bits, threshold " + j);
                assertEquals(j + 1, stage.level(Math.nextUp(t)), bits + " bits, just above threshold " + j);
                assertEquals(j, stage.level(Math.nextDown(t)), bits + " bits, just below threshold " + j);
            }
            assertEquals(levels.length / 2, stage.level(Float.MIN_VALUE), bits + " bits");
            assertEquals(levels.length / 2 - 1, stage.level(-0f), bits + " bits, -0");
            assertEquals(levels.length / 2 - 1, stage.level(0f), bits + " bits, +0");
            assertEquals(0, stage.level(-Float.MAX_VALUE), bits + " bits");
            assertEquals(levels.length - 1, stage.level(Float.MAX_VALUE), bits + " bits");
        }
    }

    /** Bit packing under another class, so that {@link TensorEncoder} runs the quantizer and the packing apart. */
    private static final class SeparatePacking implements EncodingStage {
        private final BitPackingStage packing = new BitPackingStage();

        @Override
        public int id() {
            return packing.id();
        }

        @Override
        public String name() {
            return packing.name();
        }

        @Override
        public SignalKind inputKind() {
            return packing.inputKind();
        }

        @Override
        public SignalKind outputKind() {
            return packing.outputKind();
        }

        @Override
        public boolean commutesWithSum() {
            return packing.commutesWithSum();
        }

        @Override
        public SignalShape outputShape(SignalShape input) {
            return packing.outputShape(input);
        }

        @Override
        public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
            return packing.encode(input, context, sideInfo);
        }

        @Override
        public StageDecoder readSideInfo(ByteReader sideInfo, SignalShape input) {
            return packing.readSideInfo(sideInfo, input);
        }
    }

    @Test
    void fusedQuantizeAndPackEqualsTheStagesApart() {
        SplittableRandom r = new SplittableRandom(6);
        EncodingStage[][] quantizers = {
            {new SignStage(true)},
            {new SignStage(false)},
            {new HadamardStage(12), new SignStage(true)},
            {new LloydMaxStage(1, false)},
            {new HadamardStage(12), new LloydMaxStage(2, true)},
            {new HadamardStage(12), new LloydMaxStage(3, true)},
            {new SparsificationStage(false, 0.5, false, false), new HadamardStage(12), new LloydMaxStage(4, false)},
            {new HadamardStage(13), new LloydMaxStage(2, true)},
            {new HadamardStage(6), new LloydMaxStage(1, true)},
            {new HadamardStage(3), new SignStage(true)},
            {new HadamardStage(7), new SignStage(false)},
            {new UniformQuantizationStage(4, true)},
            {new UniformQuantizationStage(3, false)},
            {new UniformQuantizationStage(8, true)},
            {new UniformQuantizationStage(16, true)},
            {new HadamardStage(12), new UniformQuantizationStage(4, true)},
            // the stride between rotation and quantizer: the sign's table for 2 <= q <= 16 (from 256 groups at q = 2),
            // its sparse groups above 16, the plain scatter at q = 1 and under Lloyd-Max; strides above a block
            {new HadamardStage(12), new StrideStage(1), new SignStage(true)},
            {new HadamardStage(12), new StrideStage(2), new SignStage(true)},
            {new HadamardStage(12), new StrideStage(4), new SignStage(true)},
            {new HadamardStage(12), new StrideStage(8), new SignStage(false)},
            {new HadamardStage(12), new StrideStage(16), new SignStage(true)},
            {new HadamardStage(12), new StrideStage(32), new SignStage(true)},
            {new HadamardStage(12), new StrideStage(4096), new SignStage(true)},
            {new HadamardStage(13), new StrideStage(2), new SignStage(true)},
            {new HadamardStage(6), new StrideStage(64), new SignStage(true)},
            {new HadamardStage(6), new StrideStage(128), new SignStage(true)},
            {new HadamardStage(3), new StrideStage(2), new SignStage(true)},
            {new HadamardStage(12), new StrideStage(2), new LloydMaxStage(1, true)},
            {new HadamardStage(13), new StrideStage(2), new LloydMaxStage(2, true)},
            {new HadamardStage(12), new StrideStage(4), new LloydMaxStage(3, false)},
        };
        for (EncodingStage[] q : quantizers) {
            EncodingStage[] fusedStages = Arrays.copyOf(q, q.length + 1);
            fusedStages[q.length] = new BitPackingStage();
            EncodingStage[] apartStages = Arrays.copyOf(q, q.length + 1);
            apartStages[q.length] = new SeparatePacking();
            TensorEncoder fused = TensorEncoder.of(fusedStages);
            TensorEncoder apart = TensorEncoder.of(apartStages);
            for (int n : SIZES) {
                Tensor x = Tensor.of(values(r, n), n);
                long seed = r.nextLong();
                Tensor a = apart.encode(x, seed);
                Tensor f = fused.encode(x, seed);
                String what = fused.name() + ", n " + n;
                assertArrayEquals(a.byteData(), f.byteData(), what + ": bytes");
                assertBitsEqual(
                        apart.decode(a, x.type()).floatData(),
                        fused.decode(f, x.type()).floatData(),
                        what + ": decoded");
                assertSameRejections(apart, fused, a, x, what);
            }
        }
    }

    /** Payloads with a set padding bit, one byte short and one byte over: rejected alike by both paths. */
    private static void assertSameRejections(
            TensorEncoder apart, TensorEncoder fused, Tensor good, Tensor x, String what) {
        byte[] bytes = good.byteData();
        byte[] padded = bytes.clone();
        padded[padded.length - 1] |= (byte) 0x80;
        byte[] shorter = Arrays.copyOf(bytes, bytes.length - 1);
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        for (byte[] bad : new byte[][] {padded, shorter, longer}) {
            Tensor t = Tensor.of(bad, bad.length);
            String expected = message(() -> apart.decode(t, x.type()));
            String actual = message(() -> fused.decode(t, x.type()));
            assertEquals(expected, actual, what + ": rejection of " + bad.length + " bytes");
        }
    }

    private static String message(Runnable decode) {
        try {
            decode.run();
            return "accepted";
        } catch (MalformedEncodingException e) {
            return e.getMessage();
        }
    }

    @Test
    void checkPackedRejectsWhatUnpackRejects() {
        SplittableRandom r = new SplittableRandom(7);
        for (int bits = 1; bits <= 8; bits++) {
            for (int count = 0; count < 40; count++) {
                byte[] b = new byte[BitPacker.packedBytes(count, bits)];
                r.nextBytes(b);
                int[] dst = new int[count];
                int width = bits;
                int n = count;
                String expected = message(() -> BitPacker.unpack(b, 0, n, width, dst, "payload"));
                String actual = message(() -> BitPacker.checkPacked(b, n, width, "payload"));
                assertEquals(expected, actual, bits + " bits, " + count + " values");
            }
        }
        assertThrows(MalformedEncodingException.class, () -> BitPacker.checkPacked(new byte[3], 9, 1, "payload"));
    }
}
