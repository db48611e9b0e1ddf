package dev.fl4j.learning.optimizers;

import java.util.Locale;

/**
 * A learning rate as a function of the round, TFF's {@code client_learning_rate_fn} of
 * {@code build_weighted_fed_avg_with_optimizer_schedule}: round {@code 0} is the first round a
 * learning process runs. The built-in schedules follow Keras's formulas with rounds as steps, computed
 * in double and rounded once to float32, so a schedule gives bitwise the same rate wherever it runs.
 *
 * <p>A schedule runs at the server (the rate is computed there each round and broadcast to the clients
 * as one float32, or applied there to the server optimizer); any Java function of the round works, and
 * {@link #rateAt} checks what it returns.
 */
@FunctionalInterface
public interface LearningRateSchedule {

    /** The learning rate of round {@code round} (0-based). */
    float learningRate(int round);

    /**
     * {@link #learningRate} checked: finite and {@code >= 0}.
     *
     * @throws IllegalArgumentException naming the round and the rate otherwise
     */
    default float rateAt(int round) {
        float lr = learningRate(round);
        if (!(lr >= 0f) || Float.isInfinite(lr)) {
            throw new IllegalArgumentException("learning-rate schedule " + this + " gave " + lr + " for round " + round
                    + "; rates must be finite and >= 0");
        }
        return lr;
    }

    /** The same rate every round. */
    static LearningRateSchedule constant(float lr) {
        return new Constant(checkBase(lr));
    }

    /**
     * Keras {@code ExponentialDecay}: {@code lr · rate^(round / decayRounds)}, the exponent floored when
     * {@code staircase}.
     */
    static LearningRateSchedule exponentialDecay(float lr, double rate, int decayRounds, boolean staircase) {
        checkBase(lr);
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("exponential decay's DECAY_RATE must be finite and > 0, got " + rate);
        }
        checkRounds("exponential decay", decayRounds);
        return new ExponentialDecay(lr, rate, decayRounds, staircase);
    }

    /** Keras {@code InverseTimeDecay}: {@code lr / (1 + rate · round / decayRounds)}. */
    static LearningRateSchedule inverseTimeDecay(float lr, double rate, int decayRounds) {
        checkBase(lr);
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("inverse-time decay's DECAY_RATE must be finite and >= 0, got " + rate);
        }
        checkRounds("inverse-time decay", decayRounds);
        return new InverseTimeDecay(lr, rate, decayRounds);
    }

    /**
     * Keras {@code CosineDecay}: {@code lr · ((1 − alpha)·½(1 + cos(π·min(round, decayRounds)/decayRounds)) + alpha)},
     * from {@code lr} down to {@code alpha·lr} at round {@code decayRounds} and after.
     */
    static LearningRateSchedule cosineDecay(float lr, int decayRounds, double alpha) {
        checkBase(lr);
        checkRounds("cosine decay", decayRounds);
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("cosine decay's ALPHA must be in [0, 1], got " + alpha);
        }
        return new CosineDecay(lr, decayRounds, alpha);
    }

    private static float checkBase(float lr) {
        if (!(lr >= 0f) || Float.isInfinite(lr)) {
            throw new IllegalArgumentException("a schedule's base learning rate must be finite and >= 0, got " + lr);
        }
        return lr;
    }

    private static void checkRounds(String what, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException(what + "'s DECAY_ROUNDS must be >= 1, got " + rounds);
        }
    }

    /** See {@link #constant}. */
    record Constant(float lr) implements LearningRateSchedule {
        @Override
        public float learningRate(int round) {
            return lr;
        }

        @Override
        public String toString() {
            return "constant(" + lr + ")";
        }
    }

    /** See {@link #exponentialDecay}. */
    record ExponentialDecay(float lr, double rate, int decayRounds, boolean staircase) implements LearningRateSchedule {
        @Override
        public float learningRate(int round) {
            double p = (double) round / decayRounds;
            return (float) (lr * Math.pow(rate, staircase ? Math.floor(p) : p));
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%s(%s, rate %s every %d rounds)",
                    staircase ? "staircase" : "exponential",
                    lr,
                    rate,
                    decayRounds);
        }
    }

    /** See {@link #inverseTimeDecay}. */
    record InverseTimeDecay(float lr, double rate, int decayRounds) implements LearningRateSchedule {
        @Override
        public float learningRate(int round) {
            return (float) (lr / (1 + rate * round / decayRounds));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "inverse-time(%s, rate %s, %d rounds)", lr, rate, decayRounds);
        }
    }

    /** See {@link #cosineDecay}. */
    record CosineDecay(float lr, int decayRounds, double alpha) implements LearningRateSchedule {
        @Override
        public float learningRate(int round) {
            double progress = (double) Math.min(round, decayRounds) / decayRounds;
            double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
            return (float) (lr * ((1 - alpha) * cosine + alpha));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "cosine(%s, %d rounds, alpha %s)", lr, decayRounds, alpha);
        }
    }
}
