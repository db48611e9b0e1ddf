package dev.fl4j.compression.internal;

/**
 * {@link LloydMaxStage}'s quantize-and-pack of one block at 1 or 2 bits, the widths of the model broadcast
 * ({@code hadamard-lloyd:1}, {@code :2}), whose encoding time this path exists for: one loop finds each symbol with
 * integer arithmetic on the bits of {@code v = x/rms} (one move from a float register instead of one per threshold)
 * and writes it straight into its packed byte (no array of symbols packed in a second pass), and the levels' squares
 * are only added up for the least-squares scale. Same symbols, same sums in the same order, so the same scale and
 * bytes as the general path (FastPathEquivalenceTest, LloydMaxFewBitsTest); on a 3136×512 kernel the stage's encode
 * ran 1.7–1.8× (2 bits) and 1.8–2.1× (1 bit) as fast as the general path's, in interleaved A/B runs in one JVM.
 *
 * <p>The tables and the thresholds' bits are {@code static final} so that the JIT folds them into the code and,
 * knowing the tables' length and the symbol's range, drops the index checks of the lookups. The middle threshold of
 * either width is +0, {@link LloydMaxStage#gaussianLevels} being symmetric.
 */
final class LloydMaxFewBits {

    // the levels as doubles, (double) c, and their squares, (double) c * c (exact)
    private static final double[] ONE_BIT = widen(LloydMaxStage.gaussianLevels(1));
    private static final double[] ONE_BIT_SQUARES = squares(LloydMaxStage.gaussianLevels(1));
    private static final double[] TWO_BITS = widen(LloydMaxStage.gaussianLevels(2));
    private static final double[] TWO_BITS_SQUARES = squares(LloydMaxStage.gaussianLevels(2));

    // the bits of the 2-bit thresholds T0 < 0 < T2: T0's as an unsigned int, T2's as a signed one
    private static final long T0_BITS = thresholdBits(0) & 0xFFFFFFFFL;
    private static final long T2_BITS = thresholdBits(2);

    // the levels and thresholds as floats, for the vector kernel
    private static final float[] ONE_BIT_LEVELS = LloydMaxStage.gaussianLevels(1);
    private static final float[] ONE_BIT_THRESHOLDS = LloydMaxStage.thresholds(ONE_BIT_LEVELS);
    private static final float[] TWO_BITS_LEVELS = LloydMaxStage.gaussianLevels(2);
    private static final float[] TWO_BITS_THRESHOLDS = LloydMaxStage.thresholds(TWO_BITS_LEVELS);

    private final int bits;
    private final boolean unbiased;

    /** For {@code new LloydMaxStage(bits, unbiased)}, {@code bits} 1 or 2. */
    LloydMaxFewBits(int bits, boolean unbiased) {
        if (bits != 1 && bits != 2) {
            throw new IllegalArgumentException("1 or 2 bits only, got " + bits);
        }
        this.bits = bits;
        this.unbiased = unbiased;
    }

    private static int thresholdBits(int j) {
        return Float.floatToRawIntBits(LloydMaxStage.thresholds(LloydMaxStage.gaussianLevels(2))[j]);
    }

    /**
     * Whether a block with this RMS takes this path: {@code rms} and {@code 1/rms} finite and positive, so that every
     * element is finite and so is every {@code x/rms} (at most {@code sqrt(count)} in magnitude, plus rounding).
     */
    static boolean takes(float rms, int count) {
        return rms > 0 && rms <= Float.MAX_VALUE && 1f / rms <= Float.MAX_VALUE && count % 8 == 0;
    }

    private static double[] widen(float[] levels) {
        double[] w = new double[levels.length];
        for (int j = 0; j < w.length; j++) {
            w[j] = levels[j];
        }
        return w;
    }

    private static double[] squares(float[] levels) {
        double[] w = widen(levels);
        for (int j = 0; j < w.length; j++) {
            w[j] *= w[j];
        }
        return w;
    }

    /**
     * Quantizes {@code x[start, start + count)}, a block that this path {@link #takes}, with the block's sum of squares
     * {@code sq} and {@code inverseScale = 1/rms}; writes the packed symbols to {@code out} from byte
     * {@code at} and returns the block's scale.
     */
    float quantize(float[] x, int start, int count, double sq, float inverseScale, byte[] out, int at) {
        return bits == 1
                ? oneBit(x, start, count / 8, sq, inverseScale, out, at)
                : twoBits(x, start, count / 4, sq, inverseScale, out, at);
    }

    /**
     * For finite {@code v}, the index of the nearest 1-bit level as {@link LloydMaxStage#level} finds it: 1 if
     * {@code v > 0}, which for a finite float means that its bits are positive as a signed int (those of -0 are
     * {@code Integer.MIN_VALUE}); the comparison is the sign of a long difference.
     */
    static int oneBitSymbol(float v) {
        return (int) (-(long) Float.floatToRawIntBits(v) >>> 63);
    }

    /**
     * For finite {@code v}, the index of the nearest 2-bit level as {@link LloydMaxStage#level} finds it: how many of
     * {@code T0 < 0 < T2} lie below {@code v}. A float's bits order the non-negative floats as signed ints do, and
     * put each negative float above all non-negative ones as an unsigned int, higher the larger its magnitude. So
     * {@code v > T2} when its bits exceed {@code T2}'s as signed ints, {@code v > 0} when they are positive, and
     * {@code v > T0} when they are below {@code T0}'s as unsigned ints; each comparison is the sign of a long
     * difference. Checked against the float comparisons for every finite float.
     */
    static int twoBitSymbol(float v) {
        long b = Float.floatToRawIntBits(v);
        long u = b & 0xFFFFFFFFL;
        return (int) (((T2_BITS - b) >>> 63) + (-b >>> 63) + ((u - T0_BITS) >>> 63));
    }

    private float twoBits(float[] x, int start, int bytes, double sq, float inverseScale, byte[] out, int at) {
        double[] c = TWO_BITS;
        double[] cc = TWO_BITS_SQUARES;
        boolean leastSquares = !unbiased;
        double[] sums = new double[8];
        int k = vectorGroups(x, start, bytes, 2, inverseScale, out, at, sums);
        double xc0 = sums[0];
        double xc1 = sums[1];
        double xc2 = sums[2];
        double xc3 = sums[3];
        double cc0 = sums[4];
        double cc1 = sums[5];
        double cc2 = sums[6];
        double cc3 = sums[7];
        for (; k < bytes; k++) {
            int i = start + 4 * k;
            float x0 = x[i];
            float x1 = x[i + 1];
            float x2 = x[i + 2];
            float x3 = x[i + 3];
            int s0 = twoBitSymbol(x0 * inverseScale);
            int s1 = twoBitSymbol(x1 * inverseScale);
            int s2 = twoBitSymbol(x2 * inverseScale);
            int s3 = twoBitSymbol(x3 * inverseScale);
            out[at + k] = (byte) (s0 | s1 << 2 | s2 << 4 | s3 << 6);
            xc0 += x0 * c[s0];
            xc1 += x1 * c[s1];
            xc2 += x2 * c[s2];
            xc3 += x3 * c[s3];
            if (leastSquares) {
                cc0 += cc[s0];
                cc1 += cc[s1];
                cc2 += cc[s2];
                cc3 += cc[s3];
            }
        }
        return LloydMaxStage.scale(unbiased, sq, (xc0 + xc1) + (xc2 + xc3), (cc0 + cc1) + (cc2 + cc3));
    }

    private float oneBit(float[] x, int start, int bytes, double sq, float inverseScale, byte[] out, int at) {
        double[] c = ONE_BIT;
        double[] cc = ONE_BIT_SQUARES;
        boolean leastSquares = !unbiased;
        double[] sums = new double[8];
        int k = vectorGroups(x, start, bytes, 1, inverseScale, out, at, sums);
        double xc0 = sums[0];
        double xc1 = sums[1];
        double xc2 = sums[2];
        double xc3 = sums[3];
        double cc0 = sums[4];
        double cc1 = sums[5];
        double cc2 = sums[6];
        double cc3 = sums[7];
        for (; k < bytes; k++) {
            int i = start + 8 * k;
            float x0 = x[i];
            float x1 = x[i + 1];
            float x2 = x[i + 2];
            float x3 = x[i + 3];
            float x4 = x[i + 4];
            float x5 = x[i + 5];
            float x6 = x[i + 6];
            float x7 = x[i + 7];
            int s0 = oneBitSymbol(x0 * inverseScale);
            int s1 = oneBitSymbol(x1 * inverseScale);
            int s2 = oneBitSymbol(x2 * inverseScale);
            int s3 = oneBitSymbol(x3 * inverseScale);
            int s4 = oneBitSymbol(x4 * inverseScale);
            int s5 = oneBitSymbol(x5 * inverseScale);
            int s6 = oneBitSymbol(x6 * inverseScale);
            int s7 = oneBitSymbol(x7 * inverseScale);
            out[at + k] = (byte) (s0 | s1 << 1 | s2 << 2 | s3 << 3 | s4 << 4 | s5 << 5 | s6 << 6 | s7 << 7);
            xc0 += x0 * c[s0];
            xc1 += x1 * c[s1];
            xc2 += x2 * c[s2];
            xc3 += x3 * c[s3];
            xc0 += x4 * c[s4];
            xc1 += x5 * c[s5];
            xc2 += x6 * c[s6];
            xc3 += x7 * c[s7];
            if (leastSquares) {
                cc0 += cc[s0];
                cc1 += cc[s1];
                cc2 += cc[s2];
                cc3 += cc[s3];
                cc0 += cc[s4];
                cc1 += cc[s5];
                cc2 += cc[s6];
                cc3 += cc[s7];
            }
        }
        return LloydMaxStage.scale(unbiased, sq, (xc0 + xc1) + (xc2 + xc3), (cc0 + cc1) + (cc2 + cc3));
    }

    /**
     * With the vector kernels, quantizes and packs the block's whole groups of 16 elements ({@code 16·bits/8} bytes
     * each) and leaves their sums in {@code sums} (the products in lanes 0 to 3, the squared levels in 4 to 7, as the
     * scalar loop's eight accumulators); returns how many of the block's {@code bytes} it wrote: 0 with the scalar
     * kernels, which leave {@code sums} at zero.
     */
    private static int vectorGroups(
            float[] x, int start, int bytes, int bits, float inverseScale, byte[] out, int at, double[] sums) {
        if (!Kernels.vector()) {
            return 0;
        }
        int groupBytes = 2 * bits;
        int groups = bytes / groupBytes;
        VectorKernels.quantizeFewBits(
                x,
                start,
                groups,
                inverseScale,
                bits,
                bits == 2 ? TWO_BITS_LEVELS : ONE_BIT_LEVELS,
                bits == 2 ? TWO_BITS_THRESHOLDS : ONE_BIT_THRESHOLDS,
                out,
                at,
                sums);
        return groups * groupBytes;
    }
}
