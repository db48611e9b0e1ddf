package dev.fl4j.privacy;

/**
 * Online estimation of a quantile of values that arrive in rounds, without noise (Andrew et al.
 * 2019): each round, the fraction {@code b̄} of that round's values at or below the current
 * estimate {@code C} moves the estimate by {@link QuantileUpdate}. At the fixed point
 * {@code E[b̄] = γ}, i.e. {@code C} is the γ-quantile of the values' distribution. This is the
 * update of tensorflow_privacy's {@code NoPrivacyQuantileEstimatorQuery} (TFF's
 * {@code PrivateQuantileEstimationProcess.no_noise}); {@link PrivateQuantileEstimator} adds the
 * noised count.
 *
 * <p>Immutable; the estimate itself is the caller's state.
 */
public final class QuantileEstimator {

    private final double targetQuantile;
    private final double learningRate;
    private final QuantileUpdate update;

    /**
     * @param targetQuantile γ in [0, 1]
     * @param learningRate η, finite and >= 0
     * @param update how the estimate moves
     * @throws IllegalArgumentException naming the bad parameter
     */
    public QuantileEstimator(double targetQuantile, double learningRate, QuantileUpdate update) {
        if (!(targetQuantile >= 0 && targetQuantile <= 1)) {
            throw new IllegalArgumentException("target quantile must be in [0, 1], got " + targetQuantile);
        }
        if (!(learningRate >= 0 && learningRate < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("quantile learning rate must be finite and >= 0, got " + learningRate);
        }
        if (update == null) {
            throw new IllegalArgumentException("quantile update rule must not be null");
        }
        this.targetQuantile = targetQuantile;
        this.learningRate = learningRate;
        this.update = update;
    }

    /** A geometric estimator: {@code C ← C·exp(-η(b̄ - γ))}. */
    public static QuantileEstimator geometric(double targetQuantile, double learningRate) {
        return new QuantileEstimator(targetQuantile, learningRate, QuantileUpdate.GEOMETRIC);
    }

    /** An arithmetic estimator: {@code C ← C - η(b̄ - γ)}. */
    public static QuantileEstimator arithmetic(double targetQuantile, double learningRate) {
        return new QuantileEstimator(targetQuantile, learningRate, QuantileUpdate.ARITHMETIC);
    }

    public double targetQuantile() {
        return targetQuantile;
    }

    public double learningRate() {
        return learningRate;
    }

    public QuantileUpdate update() {
        return update;
    }

    /**
     * The estimate after one round in which a fraction {@code belowFraction} of values were at or
     * below {@code estimate}.
     *
     * @throws IllegalArgumentException if the estimate is not finite (or not positive for the
     *     geometric rule, which could never leave 0), or the fraction is not in [0, 1]
     */
    public double next(double estimate, double belowFraction) {
        checkEstimate(estimate);
        if (!(belowFraction >= 0 && belowFraction <= 1)) {
            throw new IllegalArgumentException(
                    "fraction of values below the estimate must be in [0, 1], got " + belowFraction);
        }
        return update.step(estimate, learningRate * (belowFraction - targetQuantile));
    }

    /**
     * The estimate after one round over {@code values} (e.g. the clients' update norms).
     *
     * @throws IllegalArgumentException if {@code values} is empty or holds NaN
     */
    public double next(double estimate, float[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("quantile update needs at least one value, got none");
        }
        return next(estimate, (double) countAtOrBelow(values, estimate) / values.length);
    }

    /** As {@link #next(double, float[])} for doubles. */
    public double next(double estimate, double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("quantile update needs at least one value, got none");
        }
        return next(estimate, (double) countAtOrBelow(values, estimate) / values.length);
    }

    /**
     * How many {@code values} are {@code <= threshold}.
     *
     * @throws IllegalArgumentException naming the index of a NaN value
     */
    public static int countAtOrBelow(float[] values, double threshold) {
        int count = 0;
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (v <= threshold) {
                count++;
            } else if (v != v) {
                throw new IllegalArgumentException("value at index " + i + " is NaN; quantiles need comparable values");
            }
        }
        return count;
    }

    /** As {@link #countAtOrBelow(float[], double)} for doubles. */
    public static int countAtOrBelow(double[] values, double threshold) {
        int count = 0;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v <= threshold) {
                count++;
            } else if (v != v) {
                throw new IllegalArgumentException("value at index " + i + " is NaN; quantiles need comparable values");
            }
        }
        return count;
    }

    void checkEstimate(double estimate) {
        if (!Double.isFinite(estimate)) {
            throw new IllegalArgumentException("quantile estimate must be finite, got " + estimate);
        }
        if (update == QuantileUpdate.GEOMETRIC && !(estimate > 0)) {
            throw new IllegalArgumentException("geometric quantile estimate must be > 0, got " + estimate);
        }
    }

    @Override
    public String toString() {
        return "QuantileEstimator[γ=" + targetQuantile + ", η=" + learningRate + ", " + update + "]";
    }
}
