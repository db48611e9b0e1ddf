package dev.fl4j.learning.internal;

/**
 * SplitMix64, a small fully specified pseudo-random generator (Steele, Lea and Flood 2014). It is
 * implemented here rather than taken from {@code java.util} so that weight initialisation and other
 * seeded draws are bitwise the same on every JVM, whatever its version.
 */
public final class SplitMix64 {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** A seed derived from {@code seed} and the place of a draw (e.g. layer, weight, purpose). */
    public static long derive(long seed, long... place) {
        long h = mix(seed ^ 0x5DEECE66DL);
        for (long p : place) {
            h = mix(h + GOLDEN_GAMMA * (p + 1));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal by the Box-Muller transform (one draw per call, the partner is discarded). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
