package dev.fl4j.compression.internal;

/**
 * {@link LloydMaxStage}'s quantize-and-pack of one block at 1 or 2 bits, the widths of the model broadcast, in one
 * loop: the symbol counts the one or three thresholds below {@code v} held in locals instead of searching the
 * threshold table, and goes straight into its packed byte instead of an array of symbols packed in a second pass.
 * Same symbols, same sums in the same order, so the same scale and bytes as the general path (FastPathEquivalenceTest).
 */
final class LloydMaxFewBits {

    private final float[] levels;
    private final float[] thresholds;
    private final boolean unbiased;

    /** The stage's ascending levels (2 or 4) and the thresholds between them. */
    LloydMaxFewBits(float[] levels, float[] thresholds, boolean unbiased) {
        if (levels.length != 2 && levels.length != 4) {
            throw new IllegalArgumentException("1 or 2 bits only, got " + levels.length + " levels");
        }
        this.levels = levels;
        this.thresholds = thresholds;
        this.unbiased = unbiased;
    }

    /**
     * Quantizes {@code x[start, start + count)} ({@code count} a multiple of 8) with the block's sum of squares
     * {@code sq} and {@code inverseScale = 1/rms}, {@code rms > 0}; writes the packed symbols to {@code out} from byte
     * {@code at} and returns the block's scale.
     */
    float quantize(float[] x, int start, int count, double sq, float inverseScale, byte[] out, int at) {
        return levels.length == 2
                ? oneBit(x, start, start + count, sq, inverseScale, out, at)
                : twoBits(x, start, start + count, sq, inverseScale, out, at);
    }

    /**
     * 1 if {@code t < v}, else 0, as {@link LloydMaxStage#level} decides it: by the sign bit of {@code t - v}, so that
     * {@code v = t} and both zeros count as not above, and a NaN (a zero times an infinite inverse scale) falls
     * wherever its sign puts it, the same for every threshold.
     */
    private static int above(float t, float v) {
        return Float.floatToRawIntBits(t - v) >>> 31;
    }

    private float twoBits(float[] x, int start, int end, double sq, float inverseScale, byte[] out, int at) {
        float[] c = levels;
        float t0 = thresholds[0];
        float t1 = thresholds[1];
        float t2 = thresholds[2];
        double xc0 = 0;
        double xc1 = 0;
        double xc2 = 0;
        double xc3 = 0;
        double cc0 = 0;
        double cc1 = 0;
        double cc2 = 0;
        double cc3 = 0;
        int pos = at;
        for (int i = start; i < end; i += 4) {
            float x0 = x[i];
            float x1 = x[i + 1];
            float x2 = x[i + 2];
            float x3 = x[i + 3];
            float v0 = x0 * inverseScale;
            float v1 = x1 * inverseScale;
            float v2 = x2 * inverseScale;
            float v3 = x3 * inverseScale;
            int s0 = above(t0, v0) + above(t1, v0) + above(t2, v0);
            int s1 = above(t0, v1) + above(t1, v1) + above(t2, v1);
            int s2 = above(t0, v2) + above(t1, v2) + above(t2, v2);
            int s3 = above(t0, v3) + above(t1, v3) + above(t2, v3);
            out[pos++] = (byte) (s0 | s1 << 2 | s2 << 4 | s3 << 6);
            double c0 = c[s0];
            double c1 = c[s1];
            double c2 = c[s2];
            double c3 = c[s3];
            xc0 += x0 * c0;
            xc1 += x1 * c1;
            xc2 += x2 * c2;
            xc3 += x3 * c3;
            cc0 += c0 * c0;
            cc1 += c1 * c1;
            cc2 += c2 * c2;
            cc3 += c3 * c3;
        }
        return LloydMaxStage.scale(unbiased, sq, (xc0 + xc1) + (xc2 + xc3), (cc0 + cc1) + (cc2 + cc3));
    }

    private float oneBit(float[] x, int start, int end, double sq, float inverseScale, byte[] out, int at) {
        float[] c = levels;
        float t0 = thresholds[0];
        double xc0 = 0;
        double xc1 = 0;
        double xc2 = 0;
        double xc3 = 0;
        double cc0 = 0;
        double cc1 = 0;
        double cc2 = 0;
        double cc3 = 0;
        int pos = at;
        for (int i = start; i < end; i += 8) {
            float x0 = x[i];
            float x1 = x[i + 1];
            float x2 = x[i + 2];
            float x3 = x[i + 3];
            float x4 = x[i + 4];
            float x5 = x[i + 5];
            float x6 = x[i + 6];
            float x7 = x[i + 7];
            int s0 = above(t0, x0 * inverseScale);
            int s1 = above(t0, x1 * inverseScale);
            int s2 = above(t0, x2 * inverseScale);
            int s3 = above(t0, x3 * inverseScale);
            int s4 = above(t0, x4 * inverseScale);
            int s5 = above(t0, x5 * inverseScale);
            int s6 = above(t0, x6 * inverseScale);
            int s7 = above(t0, x7 * inverseScale);
            out[pos++] = (byte) (s0 | s1 << 1 | s2 << 2 | s3 << 3 | s4 << 4 | s5 << 5 | s6 << 6 | s7 << 7);
            double c0 = c[s0];
            double c1 = c[s1];
            double c2 = c[s2];
            double c3 = c[s3];
            double c4 = c[s4];
            double c5 = c[s5];
            double c6 = c[s6];
            double c7 = c[s7];
            xc0 += x0 * c0;
            xc1 += x1 * c1;
            xc2 += x2 * c2;
            xc3 += x3 * c3;
            cc0 += c0 * c0;
            cc1 += c1 * c1;
            cc2 += c2 * c2;
            cc3 += c3 * c3;
            xc0 += x4 * c4;
            xc1 += x5 * c5;
            xc2 += x6 * c6;
            xc3 += x7 * c7;
            cc0 += c4 * c4;
            cc1 += c5 * c5;
            cc2 += c6 * c6;
            cc3 += c7 * c7;
        }
        return LloydMaxStage.scale(unbiased, sq, (xc0 + xc1) + (xc2 + xc3), (cc0 + cc1) + (cc2 + cc3));
    }
}
