package dev.fl4j.core;

/**
 * Derives independent 64-bit seeds from a run seed and the place a random draw belongs to (round,
 * client, purpose), so that every draw is the same whatever the worker count or scheduling.
 * Mixing is SplitMix64's finaliser applied after each part; it is fast and has full avalanche, and
 * is meant for reproducible simulation randomness, not for anything that protects someone (use
 * {@link java.security.SecureRandom} for DP noise and masks).
 */
public final class Seeds {

    private Seeds() {
    }

    /** A seed for {@code parts} (e.g. round, client index, purpose) under {@code seed}. */
    public static long derive(long seed, long... parts) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (long p : parts) {
            h = mix(h + 0x9E3779B97F4A7C15L + p);
        }
        return h;
    }

    /** A stable 64-bit code for a purpose name, to use as a part in {@link #derive}. */
    public static long purpose(String name) {
        long h = 1125899906842597L;
        for (int i = 0; i < name.length(); i++) {
            h = 31 * h + name.charAt(i);
        }
        return mix(h);
    }

    /** SplitMix64's finaliser. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
