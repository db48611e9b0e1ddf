package dev.fl4j.compression.internal;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, seedable generator for reproducible
 * simulation randomness such as stochastic rounding and random rotations. Not for anything that
 * protects someone. Not thread-safe; make one per tensor and stage.
 */
public final class SplitMix64 {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** SplitMix64's finaliser: a bijective 64-bit mixer with full avalanche. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A seed for {@code part} under {@code seed}, independent of other parts. */
    public static long derive(long seed, long part) {
        return mix(mix(seed + GOLDEN) + GOLDEN * (part + 1));
    }

    public long nextLong() {
        state += GOLDEN;
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

    /** Uniform in [0, bound) for bound > 0 (multiply-shift; bias below 2^-32 for bounds below 2^31). */
    public int nextInt(int bound) {
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }
}
