package dev.fl4j.core.random;

/**
 * Derives independent 64-bit seeds from a run seed and the place a random draw belongs to (round,
 * client, purpose, ...), so that every draw is the same whatever the worker count or scheduling.
 *
 * <p><b>The derivation.</b> {@link #derive} is the one to use: {@code derive(seed, round, client,
 * purpose("x"))} names a place by its coordinates, and distinct places give unrelated seeds. The
 * parts are mixed in order with SplitMix64's finaliser ({@link SplitMix64#mix}), a bijection with
 * full avalanche, so {@code (round 1, client 2)} and {@code (round 2, client 1)} differ, and a seed
 * derived for one place cannot be recovered from another's. Give every kind of draw its own
 * {@link #purpose} so two purposes never share a stream.
 *
 * <p><b>Two older derivations</b> keep their outputs because results are pinned to them:
 * {@link #deriveForEncoding} (the seeds of compression stages and leaves, fixed by the encoded
 * format) and {@link #deriveForModel} (weight initialisation and dropout seeds, fixed by every
 * initial model a seed produces). New code uses {@link #derive}.
 *
 * <p>Not for anything that protects someone: see the {@linkplain dev.fl4j.core.random package}
 * documentation and use {@link java.security.SecureRandom} for DP noise, masks and keys.
 */
public final class Seeds {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private Seeds() {}

    /**
     * The seed of the draw at {@code place} (e.g. round, client index, {@link #purpose} code) under
     * the run seed {@code seed}; a pure function of its arguments. {@code derive(seed)} with no place
     * is a whitened copy of {@code seed}, not {@code seed} itself.
     */
    public static long derive(long seed, long... place) {
        long h = SplitMix64.mix(seed ^ GOLDEN_GAMMA);
        for (long p : place) {
            h = SplitMix64.mix(h + GOLDEN_GAMMA + p);
        }
        return h;
    }

    /**
     * A stable 64-bit code for a purpose name (the same on every JVM), to use as a part of a place in {@link #derive}.
     */
    public static long purpose(String name) {
        long h = 1125899906842597L;
        for (int i = 0; i < name.length(); i++) {
            h = 31 * h + name.charAt(i);
        }
        return SplitMix64.mix(h);
    }

    /**
     * The seed compression derives for stage {@code index} of a tensor encoder and for leaf
     * {@code index} of a value encoder from the seed the caller passes. Encoded messages depend on it
     * bit for bit (a decoder regenerates rotations and rounding from it), so it is kept as it was;
     * new code uses {@link #derive}.
     */
    public static long deriveForEncoding(long seed, long index) {
        return weightedPlaces(SplitMix64.mix(seed + GOLDEN_GAMMA), index);
    }

    /**
     * The seed model building and training derive for a place such as (weight index), (step, dropout
     * layer) or (step, dropout layer, 1). Initial weights and dropout masks depend on it bit for bit,
     * so it is kept as it was; new code uses {@link #derive}.
     */
    public static long deriveForModel(long seed, long... place) {
        return weightedPlaces(SplitMix64.mix(seed ^ 0x5DEECE66DL), place);
    }

    private static long weightedPlaces(long h, long... place) {
        for (long p : place) {
            h = SplitMix64.mix(h + GOLDEN_GAMMA * (p + 1));
        }
        return h;
    }
}
