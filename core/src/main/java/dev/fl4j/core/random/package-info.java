/**
 * The one source of reproducible randomness in fl4j: {@link dev.fl4j.core.random.SplitMix64}, a
 * small fully specified generator, and {@link dev.fl4j.core.random.Seeds}, which derives the seed
 * of every draw from the run seed and the draw's place (round, client, purpose, layer ...).
 *
 * <h2>What it is for</h2>
 * Everything that only has to be <em>reproducible</em>: client sampling and dropout in simulation,
 * shuffles and partitions, synthetic data, weight initialisation, dropout masks, stochastic rounding
 * and random rotations in compression. A draw's seed depends only on the run seed and its place,
 * never on which worker ran it or when, so a run gives bitwise the same result for any worker count
 * and scheduling, on every JVM (nothing here comes from {@code java.util}, whose algorithms are not
 * pinned across versions).
 *
 * <h2>What it is not for</h2>
 * This package is deterministic and <b>not cryptographic</b>: anyone who knows (or guesses) the run
 * seed, or sees a few outputs, can predict every draw. Randomness that protects someone
 * (differential-privacy noise, secure-aggregation masks, keys, private sampling) must come from
 * {@link java.security.SecureRandom}, never from this package.
 *
 * <h2>Pinned outputs</h2>
 * Results stored or compared across versions (encoded messages, initial models, checkpoints and
 * resumed runs) depend on the exact streams produced here, so the algorithms are frozen: the
 * generator matches the published SplitMix64, and each seed derivation keeps its outputs. Where two
 * parts of fl4j grew different derivations or samplers, both remain, each under a name saying where
 * it is used, rather than changing results that are already pinned.
 */
package dev.fl4j.core.random;
