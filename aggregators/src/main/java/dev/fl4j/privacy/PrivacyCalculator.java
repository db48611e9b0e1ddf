package dev.fl4j.privacy;

/**
 * One-call privacy calculations for the sampled Gaussian mechanism, as tensorflow_privacy's
 * calculators offer them ({@code compute_dp_sgd_privacy}, {@code compute_noise}): ε for a
 * training configuration, and the noise multiplier needed for a target ε.
 */
public final class PrivacyCalculator {

    private PrivacyCalculator() {}

    /**
     * ε after {@code steps} steps of noise multiplier {@code noiseMultiplier} at sampling rate
     * {@code samplingRate}, at {@code delta}, over {@link RdpOrders#dpAccountingDefault()} with
     * {@link RdpConversion#IMPROVED}. This is what {@code fl4j privacy epsilon} prints.
     */
    public static PrivacyLoss epsilon(double noiseMultiplier, double samplingRate, long steps, double delta) {
        return RdpAccountant.create()
                .compose(noiseMultiplier, samplingRate, steps)
                .epsilon(delta);
    }

    /**
     * tensorflow_privacy's {@code compute_dp_sgd_privacy}: sampling rate {@code batchSize/n}, steps
     * {@code ceil(epochs·n/batchSize)}, orders {@link RdpOrders#dpSgdCalculator()}.
     *
     * @throws IllegalArgumentException if {@code n < 1}, {@code batchSize} is not in [1, n], or
     *     {@code epochs} is negative or not finite
     */
    public static PrivacyLoss dpSgdEpsilon(
            long n, long batchSize, double noiseMultiplier, double epochs, double delta, RdpConversion conversion) {
        if (n < 1) {
            throw new IllegalArgumentException("dataset size n must be >= 1, got " + n);
        }
        if (batchSize < 1 || batchSize > n) {
            throw new IllegalArgumentException("batch size must be in [1, n=" + n + "], got " + batchSize);
        }
        if (!(epochs >= 0 && epochs < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("epochs must be finite and >= 0, got " + epochs);
        }
        double q = (double) batchSize / n;
        long steps = (long) Math.ceil(epochs * n / batchSize);
        return RdpAccountant.withOrders(RdpOrders.dpSgdCalculator())
                .compose(noiseMultiplier, q, steps)
                .epsilon(delta, conversion);
    }

    /**
     * The smallest noise multiplier (to relative precision 1e-6, rounded up so the guarantee holds)
     * for which {@code steps} steps at {@code samplingRate} stay within {@code targetEpsilon} at
     * {@code delta}, over {@link RdpOrders#dpAccountingDefault()} with
     * {@link RdpConversion#IMPROVED}. ε decreases monotonically in the noise multiplier, so this is
     * a bisection.
     *
     * @throws IllegalArgumentException if the target is not finite and positive, or no noise
     *     multiplier up to 1e6 reaches it
     */
    public static double noiseMultiplierFor(double targetEpsilon, double delta, double samplingRate, long steps) {
        if (!(targetEpsilon > 0 && targetEpsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("target epsilon must be finite and > 0, got " + targetEpsilon);
        }
        if (steps == 0 || samplingRate == 0) {
            return 0.0;
        }
        double low = 0.0;
        double high = 1.0;
        while (epsilon(high, samplingRate, steps, delta).epsilon() > targetEpsilon) {
            low = high;
            high *= 2;
            if (high > 1e6) {
                throw new IllegalArgumentException("no noise multiplier up to 1e6 reaches epsilon " + targetEpsilon
                        + " at delta " + delta + " for " + steps + " steps at sampling rate " + samplingRate);
            }
        }
        while (high - low > 1e-6 * high) {
            double mid = 0.5 * (low + high);
            if (epsilon(mid, samplingRate, steps, delta).epsilon() > targetEpsilon) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return high;
    }
}
