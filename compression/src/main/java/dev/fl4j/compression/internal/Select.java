package dev.fl4j.compression.internal;

/** Selection of the k-th largest magnitude of a float array in two linear passes. */
final class Select {

    private static final int HIGH_BITS = 16;
    private static final int LOW_BITS = 31 - HIGH_BITS;
    private static final int LOW_MASK = (1 << LOW_BITS) - 1;

    private Select() {}

    /**
     * The k-th largest (1-based) of {@code |v[i]|}, exactly; {@code 1 <= k <= v.length}, {@code v}
     * unchanged. The bits of a non-negative float order as the float does, so a radix selection
     * finds it: one pass counts the top 16 of the 31 magnitude bits and locates the bucket that
     * holds the k-th largest, a second pass counts the low 15 bits inside that bucket. Two
     * sequential, branch-light passes instead of quickselect's data-dependent partitioning.
     */
    static float kthLargestMagnitude(float[] v, int k) {
        if (k < 1 || k > v.length) {
            throw new IllegalArgumentException("k must be in 1.." + v.length + ", got " + k);
        }
        int[] high = new int[1 << HIGH_BITS];
        for (float f : v) {
            high[(Float.floatToRawIntBits(f) & 0x7fffffff) >>> LOW_BITS]++;
        }
        int remaining = k;
        int bucket = high.length - 1;
        while (high[bucket] < remaining) {
            remaining -= high[bucket];
            bucket--;
        }
        int[] low = new int[1 << LOW_BITS];
        for (float f : v) {
            int bits = Float.floatToRawIntBits(f) & 0x7fffffff;
            if (bits >>> LOW_BITS == bucket) {
                low[bits & LOW_MASK]++;
            }
        }
        int rest = low.length - 1;
        while (low[rest] < remaining) {
            remaining -= low[rest];
            rest--;
        }
        return Float.intBitsToFloat(bucket << LOW_BITS | rest);
    }
}
