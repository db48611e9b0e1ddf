package dev.fl4j.compression.internal;

/**
 * {@link LloydMaxStage}'s quantize-and-pack of one block at 1 or 2 bits, the widths of the model broadcast, in one
 * loop: the symbol counts the one or three thresholds below {@code v}, constants here instead of a table to search,
 * and goes straight into its packed byte instead of an array of symbols packed in a second pass. Same symbols, same
 * sums in the same order, so the same scale and bytes as the general path (FastPathEquivalenceTest).
 *
 * <p>The levels, their squares and the thresholds are {@code static final} so that the JIT folds the thresholds
 * into the code and, knowing the tables' length and the symbol's range, drops the index checks of the lookups.
 */
final class LloydMaxFewBits {

    private static final float[] ONE_BIT = LloydMaxStage.gaussianLevels(1);
    private static final float[] TWO_BITS = LloydMaxStage.gaussianLevels(2);
    private static final float T = LloydMaxStage.thresholds(ONE_BIT)[0];
    private static final float T0 = LloydMaxStage.thresholds(TWO_BITS)[0];
    private static final float T1 = LloydMaxStage.thresholds(TWO_BITS)[1];
    private static final float T2 = LloydMaxStage.thresholds(TWO_BITS)[2];
    /** The levels as doubles ({@code (double) c}) and their squares ({@code (double) c * c}, exact). */
    private static final double[] ONE_BIT_WIDE = widen(ONE_BIT);

    private static final double[] ONE_BIT_SQUARES = squares(ONE_BIT);
    private static final double[] TWO_BITS_WIDE = widen(TWO_BITS);
    private static final double[] TWO_BITS_SQUARES = squares(TWO_BITS);

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
     * Quantizes {@code x[start, start + count)} ({@code count} a multiple of 8) with the block's sum of squares
     * {@code sq} and {@code inverseScale = 1/rms}, {@code rms > 0}; writes the packed symbols to {@code out} from byte
     * {@code at} and returns the block's scale.
     */
    float quantize(float[] x, int start, int count, double sq, float inverseScale, byte[] out, int at) {
        return bits == 1
                ? oneBit(x, start, count / 8, sq, inverseScale, out, at)
                : twoBits(x, start, count / 4, sq, inverseScale, out, at);
    }

    /**
     * 1 if {@code t < v}, else 0, as {@link LloydMaxStage#level} decides it: by the sign bit of {@code t - v}, so that
     * {@code v = t} and both zeros count as not above, and a NaN (a zero times an infinite inverse scale) falls
     * wherever its sign puts it, the same for every threshold.
     */
    private static int above(float t, float v) {
        return Float.floatToRawIntBits(t - v) >>> 31;
    }

    private static int twoBitSymbol(float v) {
        return above(T0, v) + above(T1, v) + above(T2, v);
    }

    private float twoBits(float[] x, int start, int bytes, double sq, float inverseScale, byte[] out, int at) {
        double[] c = TWO_BITS_WIDE;
        double[] cc = TWO_BITS_SQUARES;
        double xc0 = 0;
        double xc1 = 0;
        double xc2 = 0;
        double xc3 = 0;
        double cc0 = 0;
        double cc1 = 0;
        double cc2 = 0;
        double cc3 = 0;
        for (int k = 0; k < bytes; k++) {
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
            cc0 += cc[s0];
            cc1 += cc[s1];
            cc2 += cc[s2];
            cc3 += cc[s3];
        }
        return LloydMaxStage.scale(unbiased, sq, (xc0 + xc1) + (xc2 + xc3), (cc0 + cc1) + (cc2 + cc3));
    }

    private float oneBit(float[] x, int start, int bytes, double sq, float inverseScale, byte[] out, int at) {
        double[] c = ONE_BIT_WIDE;
        double[] cc = ONE_BIT_SQUARES;
        double xc0 = 0;
        double xc1 = 0;
        double xc2 = 0;
        double xc3 = 0;
        double cc0 = 0;
        double cc1 = 0;
        double cc2 = 0;
        double cc3 = 0;
        for (int k = 0; k < bytes; k++) {
            int i = start + 8 * k;
            float x0 = x[i];
            float x1 = x[i + 1];
            float x2 = x[i + 2];
            float x3 = x[i + 3];
            float x4 = x[i + 4];
            float x5 = x[i + 5];
            float x6 = x[i + 6];
            float x7 = x[i + 7];
            int s0 = above(T, x0 * inverseScale);
            int s1 = above(T, x1 * inverseScale);
            int s2 = above(T, x2 * inverseScale);
            int s3 = above(T, x3 * inverseScale);
            int s4 = above(T, x4 * inverseScale);
            int s5 = above(T, x5 * inverseScale);
            int s6 = above(T, x6 * inverseScale);
            int s7 = above(T, x7 * inverseScale);
            out[at + k] = (byte) (s0 | s1 << 1 | s2 << 2 | s3 << 3 | s4 << 4 | s5 << 5 | s6 << 6 | s7 << 7);
            xc0 += x0 * c[s0];
            xc1 += x1 * c[s1];
            xc2 += x2 * c[s2];
            xc3 += x3 * c[s3];
            cc0 += cc[s0];
            cc1 += cc[s1];
            cc2 += cc[s2];
            cc3 += cc[s3];
            xc0 += x4 * c[s4];
            xc1 += x5 * c[s5];
            xc2 += x6 * c[s6];
            xc3 += x7 * c[s7];
            cc0 += cc[s4];
            cc1 += cc[s5];
            cc2 += cc[s6];
            cc3 += cc[s7];
        }
        return LloydMaxStage.scale(unbiased, sq, (xc0 + xc1) + (xc2 + xc3), (cc0 + cc1) + (cc2 + cc3));
    }
}
