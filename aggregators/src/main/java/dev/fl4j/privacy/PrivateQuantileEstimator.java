package dev.fl4j.privacy;

/**
 * Differentially private quantile estimation (Andrew et al. 2019, Algorithm 1): the count of
 * values at or below the estimate is released with Gaussian noise before the update of
 * {@link QuantileEstimator}.
 *
 * <h2>Math</h2>
 * Each of the round's records contributes {@code b_i - 1/2} with {@code b_i = [x_i <= C]}, so one
 * record changes the sum by at most 1/2 (sensitivity 1/2 instead of 1). The server adds
 * {@code N(0, σ_b²)}, divides by the <em>expected</em> number of records {@code m} (the actual count
 * is itself private), shifts back and clamps:
 * <pre>  b̃ = clamp((Σ(b_i - 1/2) + σ_b·ξ)/m + 1/2, 0, 1),   ξ ~ N(0, 1)</pre>
 * This mirrors tensorflow_privacy's {@code QuantileEstimatorQuery} (used by TFF's
 * {@code PrivateQuantileEstimationProcess} and adaptive clipping). As a Gaussian mechanism on its
 * own, the count has noise multiplier {@link #countNoiseMultiplier()} {@code = 2σ_b};
 * {@link AdaptiveClippingNoise} shares a total noise multiplier between it and the clipped sum.
 *
 * <p>Immutable; the estimate is the caller's state.
 */
public final class PrivateQuantileEstimator {

    private final QuantileEstimator estimator;
    private final double belowCountStddev;
    private final double expectedRecords;

    /**
     * @param estimator the noise-free update rule
     * @param belowCountStddev σ_b, the standard deviation of the noise on the (shifted) count;
     *     finite, >= 0
     * @param expectedRecords m, the expected number of records per round; finite, > 0
     */
    public PrivateQuantileEstimator(QuantileEstimator estimator, double belowCountStddev, double expectedRecords) {
        if (estimator == null) {
            throw new IllegalArgumentException("private quantile estimator needs an estimator, got null");
        }
        if (!(belowCountStddev >= 0 && belowCountStddev < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(
                    "below-estimate count stddev must be finite and >= 0, got " + belowCountStddev);
        }
        if (!(expectedRecords > 0 && expectedRecords < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(
                    "expected records per round must be finite and > 0, got " + expectedRecords);
        }
        this.estimator = estimator;
        this.belowCountStddev = belowCountStddev;
        this.expectedRecords = expectedRecords;
    }

    public QuantileEstimator estimator() {
        return estimator;
    }

    public double belowCountStddev() {
        return belowCountStddev;
    }

    public double expectedRecords() {
        return expectedRecords;
    }

    /** {@code 2σ_b}: the count's noise standard deviation over its sensitivity 1/2. */
    public double countNoiseMultiplier() {
        return 2 * belowCountStddev;
    }

    /**
     * The released fraction {@code b̃} for a round in which {@code belowCount} of {@code recordCount}
     * records were at or below the estimate, given the standard normal draw {@code xi}. Pure:
     * the caller supplies the randomness (see {@link #noisedBelowFraction(long, long, GaussianNoise)}).
     *
     * @throws IllegalArgumentException unless {@code 0 <= belowCount <= recordCount} and {@code xi}
     *     is finite
     */
    public double noisedBelowFraction(long belowCount, long recordCount, double xi) {
        if (belowCount < 0 || belowCount > recordCount) {
            throw new IllegalArgumentException(
                    "below-estimate count must be in [0, recordCount=" + recordCount + "], got " + belowCount);
        }
        if (!Double.isFinite(xi)) {
            throw new IllegalArgumentException("standard normal draw must be finite, got " + xi);
        }
        double shiftedSum = belowCount - 0.5 * recordCount + belowCountStddev * xi;
        double fraction = shiftedSum / expectedRecords + 0.5;
        return Math.min(1.0, Math.max(0.0, fraction));
    }

    /** The released fraction with noise drawn from {@code noise}. */
    public double noisedBelowFraction(long belowCount, long recordCount, GaussianNoise noise) {
        return noisedBelowFraction(belowCount, recordCount, noise.nextStandardGaussian());
    }

    /** The estimate after one private round. */
    public double next(double estimate, long belowCount, long recordCount, GaussianNoise noise) {
        estimator.checkEstimate(estimate);
        return estimator.next(estimate, noisedBelowFraction(belowCount, recordCount, noise));
    }

    /** The estimate after one private round over {@code values} (e.g. the clients' update norms). */
    public double next(double estimate, float[] values, GaussianNoise noise) {
        estimator.checkEstimate(estimate);
        int below = QuantileEstimator.countAtOrBelow(values, estimate);
        return estimator.next(estimate, noisedBelowFraction(below, values.length, noise));
    }

    @Override
    public String toString() {
        return "PrivateQuantileEstimator[" + estimator + ", σ_b=" + belowCountStddev + ", m=" + expectedRecords + "]";
    }
}
