package dev.fl4j.aggregators;

import dev.fl4j.core.templates.EstimationProcess;

/**
 * The recommended compositions of {@code tff.learning} ({@code robust_aggregator},
 * {@code dp_aggregator}, {@code compression_aggregator}, {@code secure_aggregator}), with TFF's order
 * and defaults. Order: zeroing is outermost (first on the clients, on the raw update), then clipping,
 * then the mechanism (mean, DP, compression, secure sum).
 *
 * <h2>Defaults</h2>
 * <ul>
 *   <li>Adaptive zeroing ({@link #defaultZeroingNorm}): L∞ norm, quantile estimate with initial 10,
 *       target quantile 0.98, learning rate ln 10, bound {@code estimate × 2 + 1}.</li>
 *   <li>Adaptive clipping ({@link #defaultClippingNorm}): L2 norm, initial 1, target quantile 0.8,
 *       learning rate 0.2.</li>
 *   <li>Compression: 8-bit uniform quantization of tensors above 20,000 elements.</li>
 *   <li>Secure sum: upper bound from a quantile estimate (initial 50, quantile 0.95, learning rate 1,
 *       multiplier 2) of the clients' largest absolute element; weights summed securely within
 *       [0, 2^20]; norm estimation for zeroing and clipping through secure sums of 0/1 counts.</li>
 * </ul>
 * Weighted builders return factories usable both ways only when their mechanism is; DP is
 * unweighted, as in TFF.
 */
public final class Aggregators {

    private Aggregators() {
    }

    /** TFF's adaptive zeroing norm: initial 10, quantile 0.98, learning rate ln 10, × 2 + 1. */
    public static EstimationProcess defaultZeroingNorm(boolean secureEstimation) {
        return QuantileEstimation.noNoise(10.0, 0.98, Math.log(10.0), 2.0, 1.0, secureEstimation);
    }

    /** TFF's adaptive clipping norm: initial 1, quantile 0.8, learning rate 0.2. */
    public static EstimationProcess defaultClippingNorm(boolean secureEstimation) {
        return QuantileEstimation.noNoise(1.0, 0.8, 0.2, 1.0, 0.0, secureEstimation);
    }

    /** {@code inner} behind TFF's default adaptive zeroing (L∞). */
    public static ZeroingFactory withDefaultZeroing(AggregationFactory inner, boolean secureEstimation) {
        return ZeroingFactory.adaptive(defaultZeroingNorm(secureEstimation), Norm.LINF, inner);
    }

    /** {@code inner} behind TFF's default adaptive L2 clipping. */
    public static ClippingFactory withDefaultClipping(AggregationFactory inner, boolean secureEstimation) {
        return ClippingFactory.adaptive(defaultClippingNorm(secureEstimation), inner);
    }

    /** {@code robust_aggregator(zeroing, clipping)}, weighted: zeroing, clipping, {@link MeanFactory}. */
    public static AggregationFactory robustAggregator(boolean zeroing, boolean clipping) {
        return robustAggregator(zeroing, clipping, true);
    }

    /** {@code robust_aggregator}; unweighted uses {@link UnweightedMeanFactory}. */
    public static AggregationFactory robustAggregator(boolean zeroing, boolean clipping, boolean weighted) {
        AggregationFactory factory = weighted ? new MeanFactory() : new UnweightedMeanFactory();
        return wrap(factory, zeroing, clipping, false);
    }

    /**
     * {@code dp_aggregator(noise_multiplier, clients_per_round, zeroing)}: zeroing, then
     * {@link DifferentiallyPrivateFactory#gaussianAdaptive(double, int)}. Unweighted.
     */
    public static AggregationFactory dpAggregator(double noiseMultiplier, int clientsPerRound, boolean zeroing) {
        return dpAggregator(DifferentiallyPrivateFactory.gaussianAdaptive(noiseMultiplier, clientsPerRound), zeroing);
    }

    /**
     * As {@link #dpAggregator(double, int, boolean)} for a configured DP factory (population, δ,
     * budget, ledger). Unlike TFF, whose adaptive zeroing bound here is estimated without noise (a
     * release ε does not cover), the zeroing bound is a private estimate ({@link #privateZeroingNorm})
     * whose noised count is accounted inside the DP factory's noise multiplier
     * ({@link DifferentiallyPrivateFactory#withAccountedCount}).
     */
    public static AggregationFactory dpAggregator(DifferentiallyPrivateFactory dp, boolean zeroing) {
        if (!zeroing) {
            return dp;
        }
        double countStddev = zeroingCountStddev(dp);
        return ZeroingFactory.adaptive(privateZeroingNorm(countStddev, dp.clientsPerRound()), Norm.LINF, dp.withAccountedCount(countStddev));
    }

    /**
     * TFF's adaptive zeroing norm (initial 10, quantile 0.98, learning rate ln 10, × 2 + 1) estimated
     * privately: the below-bound count gets noise {@code N(0, countStddev²)}
     * ({@link QuantileEstimation#gaussian}). Private only together with a DP factory that accounts
     * the count ({@link DifferentiallyPrivateFactory#withAccountedCount(double)}).
     */
    public static EstimationProcess privateZeroingNorm(double countStddev, int expectedClientsPerRound) {
        return QuantileEstimation.gaussian(10.0, 0.98, Math.log(10.0), countStddev, expectedClientsPerRound, 2.0, 1.0);
    }

    /** The count noise of a private zeroing bound beside {@code dp}: TFF's default 0.05 × clients per round (0 without noise). */
    public static double zeroingCountStddev(DifferentiallyPrivateFactory dp) {
        return dp.noiseMultiplier() > 0 ? dev.fl4j.privacy.AdaptiveClippingNoise.DEFAULT_COUNT_STDDEV_PER_CLIENT * dp.clientsPerRound() : 0.0;
    }

    /** {@code compression_aggregator(zeroing, clipping)}, weighted: zeroing, clipping, mean of 8-bit encoded sums. */
    public static AggregationFactory compressionAggregator(boolean zeroing, boolean clipping) {
        return compressionAggregator(zeroing, clipping, true);
    }

    /** {@code compression_aggregator}; the value sum is {@link EncodedSumFactory#quantizeAboveThreshold}(8, 20000). */
    public static AggregationFactory compressionAggregator(boolean zeroing, boolean clipping, boolean weighted) {
        EncodedSumFactory encoded = EncodedSumFactory.quantizeAboveThreshold(EncodedSumFactory.DEFAULT_BITS,
                dev.fl4j.compression.ValueEncoder.TFF_DEFAULT_THRESHOLD);
        AggregationFactory factory = weighted ? new MeanFactory(encoded, new SumFactory()) : new UnweightedMeanFactory(encoded, new SumFactory());
        return wrap(factory, zeroing, clipping, false);
    }

    /** {@code secure_aggregator(zeroing, clipping)}, weighted: zeroing, clipping, mean of secure sums. */
    public static AggregationFactory secureAggregator(boolean zeroing, boolean clipping) {
        return secureAggregator(zeroing, clipping, true);
    }

    /** {@code secure_aggregator}; unweighted counts clients with a secure sum in [0, 1]. */
    public static AggregationFactory secureAggregator(boolean zeroing, boolean clipping, boolean weighted) {
        SecureSumFactory values = SecureSumFactory.adaptive(QuantileEstimation.noNoise(50.0, 0.95, 1.0, 2.0, 0.0, true));
        AggregationFactory factory = weighted ? new MeanFactory(values, SecureSumFactory.bounds(0, 1 << 20))
                : new UnweightedMeanFactory(values, SecureSumFactory.bounds(0, 1));
        return wrap(factory, zeroing, clipping, true);
    }

    private static AggregationFactory wrap(AggregationFactory factory, boolean zeroing, boolean clipping, boolean secureEstimation) {
        if (clipping) {
            factory = withDefaultClipping(factory, secureEstimation);
        }
        if (zeroing) {
            factory = withDefaultZeroing(factory, secureEstimation);
        }
        return factory;
    }
}
