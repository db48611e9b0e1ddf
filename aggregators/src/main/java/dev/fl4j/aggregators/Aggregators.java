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

    private Aggregators() {}

    /**
     * TFF's adaptive zeroing norm: initial 10, quantile 0.98, learning rate ln 10, × 2 + 1; the indicators averaged in
     * the clear.
     */
    public static EstimationProcess defaultZeroingNorm() {
        return defaultZeroingNorm(false);
    }

    /**
     * TFF's adaptive clipping norm: initial 1, quantile 0.8, learning rate 0.2; the indicators averaged in the clear.
     */
    public static EstimationProcess defaultClippingNorm() {
        return defaultClippingNorm(false);
    }

    /** {@code inner} behind TFF's default adaptive zeroing (L∞), estimated in the clear. */
    public static ZeroingFactory withDefaultZeroing(AggregationFactory inner) {
        return withDefaultZeroing(inner, false);
    }

    /** {@code inner} behind TFF's default adaptive L2 clipping, estimated in the clear. */
    public static ClippingFactory withDefaultClipping(AggregationFactory inner) {
        return withDefaultClipping(inner, false);
    }

    private static EstimationProcess defaultZeroingNorm(boolean secureEstimation) {
        return QuantileEstimation.noNoiseBuilder()
                .setInitialEstimate(10.0)
                .setTargetQuantile(0.98)
                .setLearningRate(Math.log(10.0))
                .optMultiplier(2.0)
                .optIncrement(1.0)
                .optSecureEstimation(secureEstimation)
                .build();
    }

    private static EstimationProcess defaultClippingNorm(boolean secureEstimation) {
        return QuantileEstimation.noNoiseBuilder()
                .setInitialEstimate(1.0)
                .setTargetQuantile(0.8)
                .setLearningRate(0.2)
                .optSecureEstimation(secureEstimation)
                .build();
    }

    private static ZeroingFactory withDefaultZeroing(AggregationFactory inner, boolean secureEstimation) {
        return ZeroingFactory.adaptive(defaultZeroingNorm(secureEstimation), Norm.LINF, inner);
    }

    private static ClippingFactory withDefaultClipping(AggregationFactory inner, boolean secureEstimation) {
        return ClippingFactory.adaptive(defaultClippingNorm(secureEstimation), inner);
    }

    /**
     * TFF's {@code robust_aggregator(zeroing=True, clipping=True, weighted=True)}: adaptive zeroing, then
     * adaptive clipping, then {@link MeanFactory} ({@link UnweightedMeanFactory} with {@code optWeighted(false)}).
     * {@code Aggregators.robustAggregator().build()} is TFF's default call.
     */
    public static Builder robustAggregator() {
        return new Builder("robust_aggregator", Mechanism.MEAN);
    }

    /**
     * TFF's {@code compression_aggregator(zeroing=True, clipping=True, weighted=True)}: adaptive zeroing, adaptive
     * clipping, then the mean of sums whose values cross encoded by
     * {@link EncodedSumFactory#quantizeAboveThreshold}(8, 20000).
     */
    public static Builder compressionAggregator() {
        return new Builder("compression_aggregator", Mechanism.COMPRESSION);
    }

    /**
     * TFF's {@code secure_aggregator(zeroing=True, clipping=True, weighted=True)}: adaptive zeroing and clipping whose
     * norms are estimated through secure sums, then the mean of secure sums; unweighted counts clients with a secure
     * sum in [0, 1].
     */
    public static Builder secureAggregator() {
        return new Builder("secure_aggregator", Mechanism.SECURE);
    }

    /**
     * TFF's {@code dp_aggregator(noise_multiplier, clients_per_round, zeroing=True)}: adaptive zeroing, then
     * {@link DifferentiallyPrivateFactory#gaussianAdaptive(double, int)}. Unweighted. Give either
     * {@link DpBuilder#setNoiseMultiplier} and {@link DpBuilder#setClientsPerRound}, or a configured DP factory with
     * {@link DpBuilder#setMechanism}. Unlike TFF, whose adaptive zeroing bound here is estimated without noise (a
     * release ε does not cover), the zeroing bound is a private estimate ({@link #privateZeroingNorm}) whose noised
     * count is accounted inside the DP factory's noise multiplier ({@link
     * DifferentiallyPrivateFactory.Builder#optAccountedCount}).
     */
    public static DpBuilder dpAggregator() {
        return new DpBuilder();
    }

    private enum Mechanism {
        MEAN,
        COMPRESSION,
        SECURE
    }

    /**
     * Options of {@link #robustAggregator()}, {@link #compressionAggregator()} and {@link #secureAggregator()}, with
     * TFF's defaults: zeroing, clipping and weighting on. Zeroing is outermost, then clipping, then the mechanism.
     */
    public static final class Builder {
        private final String name;
        private final Mechanism mechanism;
        private boolean zeroing = true;
        private boolean clipping = true;
        private boolean weighted = true;

        private Builder(String name, Mechanism mechanism) {
            this.name = name;
            this.mechanism = mechanism;
        }

        /** TFF's {@code zeroing}: adaptive zeroing of updates above the L∞ bound (default true). */
        public Builder optZeroing(boolean zeroing) {
            this.zeroing = zeroing;
            return this;
        }

        /** TFF's {@code clipping}: adaptive L2 clipping (default true). */
        public Builder optClipping(boolean clipping) {
            this.clipping = clipping;
            return this;
        }

        /** TFF's {@code weighted}: a weighted mean (default true) or an unweighted one. */
        public Builder optWeighted(boolean weighted) {
            this.weighted = weighted;
            return this;
        }

        /** A fresh factory for these options; {@code toString} names the composition. */
        public AggregationFactory build() {
            AggregationFactory factory = switch (mechanism) {
                case MEAN -> weighted ? new MeanFactory() : new UnweightedMeanFactory();
                case COMPRESSION -> {
                    EncodedSumFactory encoded = EncodedSumFactory.quantizeAboveThreshold(
                            EncodedSumFactory.DEFAULT_BITS, dev.fl4j.compression.ValueEncoder.TFF_DEFAULT_THRESHOLD);
                    yield weighted
                            ? new MeanFactory(encoded, new SumFactory())
                            : new UnweightedMeanFactory(encoded, new SumFactory());
                }
                case SECURE -> {
                    SecureSumFactory values = SecureSumFactory.adaptive(QuantileEstimation.noNoiseBuilder()
                            .setInitialEstimate(50.0)
                            .setTargetQuantile(0.95)
                            .setLearningRate(1.0)
                            .optMultiplier(2.0)
                            .optSecureEstimation(true)
                            .build());
                    yield weighted
                            ? new MeanFactory(values, SecureSumFactory.bounds(0, 1 << 20))
                            : new UnweightedMeanFactory(values, SecureSumFactory.bounds(0, 1));
                }
            };
            return wrap(factory, zeroing, clipping, mechanism == Mechanism.SECURE);
        }

        @Override
        public String toString() {
            return name + "(zeroing=" + zeroing + ", clipping=" + clipping + ", weighted=" + weighted + ")";
        }
    }

    /**
     * Options of {@link #dpAggregator()}: the mechanism (noise multiplier and clients per round, or a configured
     * {@link DifferentiallyPrivateFactory}) and TFF's {@code zeroing} (default true).
     */
    public static final class DpBuilder {
        private Double noiseMultiplier;
        private Integer clientsPerRound;
        private DifferentiallyPrivateFactory mechanism;
        private boolean zeroing = true;

        private DpBuilder() {}

        /** TFF's {@code noise_multiplier}: the Gaussian noise's standard deviation over the clipping norm. */
        public DpBuilder setNoiseMultiplier(double noiseMultiplier) {
            this.noiseMultiplier = noiseMultiplier;
            return this;
        }

        /** TFF's {@code clients_per_round}: the expected number of clients whose updates are averaged. */
        public DpBuilder setClientsPerRound(int clientsPerRound) {
            this.clientsPerRound = clientsPerRound;
            return this;
        }

        /**
         * A configured DP factory (population, δ, budget, ledger) instead of a noise multiplier and clients per round.
         */
        public DpBuilder setMechanism(DifferentiallyPrivateFactory mechanism) {
            this.mechanism = java.util.Objects.requireNonNull(mechanism, "dp_aggregator mechanism");
            return this;
        }

        /** TFF's {@code zeroing}: adaptive zeroing of updates above the L∞ bound before DP (default true). */
        public DpBuilder optZeroing(boolean zeroing) {
            this.zeroing = zeroing;
            return this;
        }

        /**
         * A fresh factory for these options.
         *
         * @throws IllegalStateException when neither or both of {@code setMechanism} and the pair
         *     {@code setNoiseMultiplier}/{@code setClientsPerRound} were given, or only half of the pair
         * @throws IllegalArgumentException from {@link DifferentiallyPrivateFactory#gaussianAdaptive} for a bad
         *     noise multiplier or clients per round
         */
        public AggregationFactory build() {
            DifferentiallyPrivateFactory dp;
            if (mechanism != null) {
                if (noiseMultiplier != null || clientsPerRound != null) {
                    throw new IllegalStateException(
                            "dp_aggregator: setMechanism(" + mechanism + ") already fixes the noise; do not also call "
                                    + (noiseMultiplier != null ? "setNoiseMultiplier" : "setClientsPerRound"));
                }
                dp = mechanism;
            } else if (noiseMultiplier == null || clientsPerRound == null) {
                throw new IllegalStateException(
                        "dp_aggregator needs " + (noiseMultiplier == null ? "setNoiseMultiplier" : "setClientsPerRound")
                                + (noiseMultiplier == null && clientsPerRound == null ? " and setClientsPerRound" : "")
                                + ", or setMechanism");
            } else {
                dp = DifferentiallyPrivateFactory.gaussianAdaptive(noiseMultiplier, clientsPerRound);
            }
            if (!zeroing) {
                return dp;
            }
            double countStddev = zeroingCountStddev(dp);
            return ZeroingFactory.adaptive(
                    privateZeroingNorm(countStddev, dp.clientsPerRound()),
                    Norm.LINF,
                    dp.toBuilder().optAccountedCount(countStddev).build());
        }
    }

    /**
     * TFF's adaptive zeroing norm (initial 10, quantile 0.98, learning rate ln 10, × 2 + 1) estimated
     * privately: the below-bound count gets noise {@code N(0, countStddev²)}
     * ({@link QuantileEstimation#gaussian}). Private only together with a DP factory that accounts
     * the count ({@link DifferentiallyPrivateFactory.Builder#optAccountedCount(double)}).
     */
    public static EstimationProcess privateZeroingNorm(double countStddev, int expectedClientsPerRound) {
        return QuantileEstimation.gaussian(10.0, 0.98, Math.log(10.0), countStddev, expectedClientsPerRound, 2.0, 1.0);
    }

    /**
     * The count noise of a private zeroing bound beside {@code dp}: TFF's default 0.05 × clients per round (0 without
     * noise).
     */
    public static double zeroingCountStddev(DifferentiallyPrivateFactory dp) {
        return dp.noiseMultiplier() > 0
                ? dev.fl4j.privacy.AdaptiveClippingNoise.DEFAULT_COUNT_STDDEV_PER_CLIENT * dp.clientsPerRound()
                : 0.0;
    }

    private static AggregationFactory wrap(
            AggregationFactory factory, boolean zeroing, boolean clipping, boolean secureEstimation) {
        if (clipping) {
            factory = withDefaultClipping(factory, secureEstimation);
        }
        if (zeroing) {
            factory = withDefaultZeroing(factory, secureEstimation);
        }
        return factory;
    }
}
