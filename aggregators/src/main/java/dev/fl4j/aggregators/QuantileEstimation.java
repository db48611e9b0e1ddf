package dev.fl4j.aggregators;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.templates.EstimationProcess;
import dev.fl4j.privacy.GaussianNoise;
import dev.fl4j.privacy.PrivateQuantileEstimator;
import dev.fl4j.privacy.QuantileEstimator;

/**
 * Quantile estimation as an {@link EstimationProcess}, TFF's {@code PrivateQuantileEstimationProcess}:
 * an online estimate of the γ-quantile of one scalar per client per round (a client's update norm,
 * for adaptive zeroing and clipping), by the geometric update of Andrew, Thakkar, McMahan and
 * Ramaswamy 2019 ({@link QuantileEstimator}): {@code C ← C·exp(-η(b̄ - γ))}, where {@code b̄} is the
 * fraction of this round's values at or below {@code C}.
 *
 * <h2>Processes</h2>
 * <ul>
 *   <li>{@code initialize()} → {@code <estimate=float32>@SERVER}.</li>
 *   <li>{@code next(state, {float32}@CLIENTS)} → the next state. The estimate is broadcast; each
 *       client sends only whether its value is at or below it.</li>
 *   <li>{@code report(state)} → {@code float32@SERVER}: {@code estimate × multiplier + increment}
 *       (the bound a zeroing or clipping factory uses).</li>
 * </ul>
 * {@link #noNoise} releases the exact fraction (by {@code federated_mean}, or with {@code optSecureEstimation(true)}
 * by {@code federated_secure_sum_bitwidth} of 0/1 counts, as TFF's {@code secure_estimation});
 * {@link #gaussian} releases it with Gaussian noise as {@link PrivateQuantileEstimator} defines:
 * clients send {@code b_i - 1/2}, the server adds {@code N(0, σ_b²)} (from {@link GaussianNoise},
 * i.e. {@code SecureRandom}), divides by the expected number of clients and clamps to [0, 1]. A
 * client whose value is NaN counts as above the estimate.
 */
public final class QuantileEstimation {

    static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    static final FederatedType STATE =
            FederatedType.server(StructType.builder().add("estimate", F32).build());

    private QuantileEstimation() {}

    /**
     * {@link #noNoiseBuilder()} with only the required settings: multiplier 1, increment 0, indicators averaged in the
     * clear.
     */
    public static EstimationProcess noNoise(double initialEstimate, double targetQuantile, double learningRate) {
        return noNoiseBuilder()
                .setInitialEstimate(initialEstimate)
                .setTargetQuantile(targetQuantile)
                .setLearningRate(learningRate)
                .build();
    }

    /**
     * Options of TFF's {@code PrivateQuantileEstimationProcess.no_noise(initial_estimate, target_quantile,
     * learning_rate, multiplier=1.0, increment=0.0, secure_estimation=False)}; see {@link NoNoiseBuilder#build()}.
     */
    public static NoNoiseBuilder noNoiseBuilder() {
        return new NoNoiseBuilder();
    }

    /** Settings of a noise-free quantile estimate: three required, three with TFF's defaults. */
    public static final class NoNoiseBuilder {
        private Double initialEstimate;
        private Double targetQuantile;
        private Double learningRate;
        private double multiplier = 1.0;
        private double increment = 0.0;
        private boolean secureEstimation;

        private NoNoiseBuilder() {}

        /** The first estimate, finite and > 0. */
        public NoNoiseBuilder setInitialEstimate(double initialEstimate) {
            this.initialEstimate = initialEstimate;
            return this;
        }

        /** γ in [0, 1]. */
        public NoNoiseBuilder setTargetQuantile(double targetQuantile) {
            this.targetQuantile = targetQuantile;
            return this;
        }

        /** η, finite and >= 0 (TFF's adaptive zeroing uses ln 10). */
        public NoNoiseBuilder setLearningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** The report is {@code estimate × multiplier + increment}; finite, >= 0 (default 1). */
        public NoNoiseBuilder optMultiplier(double multiplier) {
            this.multiplier = multiplier;
            return this;
        }

        /** Added to the scaled estimate; finite, >= 0 (default 0). */
        public NoNoiseBuilder optIncrement(double increment) {
            this.increment = increment;
            return this;
        }

        /**
         * TFF's {@code secure_estimation}: whether the clients' 0/1 indicators are summed with
         * {@code federated_secure_sum_bitwidth} instead of averaged in the clear (default false).
         */
        public NoNoiseBuilder optSecureEstimation(boolean secureEstimation) {
            this.secureEstimation = secureEstimation;
            return this;
        }

        /**
         * TFF's {@code PrivateQuantileEstimationProcess.no_noise}: the exact fraction below the estimate each round.
         *
         * @throws IllegalStateException naming the first required setter not called
         * @throws IllegalArgumentException naming the bad parameter
         */
        public EstimationProcess build() {
            if (initialEstimate == null) {
                throw new IllegalStateException("quantile estimation needs setInitialEstimate");
            }
            if (targetQuantile == null) {
                throw new IllegalStateException("quantile estimation needs setTargetQuantile");
            }
            if (learningRate == null) {
                throw new IllegalStateException("quantile estimation needs setLearningRate");
            }
            return noNoise(initialEstimate, targetQuantile, learningRate, multiplier, increment, secureEstimation);
        }
    }

    /**
     * The secure estimate's client step {@code <value, estimate> -> <value below the estimate ? 1 : 0, 1>},
     * described ({@link ClientSteps}), so that under client-side masking it runs on the client and only its
     * masked result leaves it.
     */
    static LocalComputation belowEstimateAndOne() {
        LocalComputation indicator = LocalComputation.of(
                ClientSteps.BELOW_ESTIMATE_AND_ONE,
                StructType.of(F32, F32),
                new TensorType(DType.INT32, 2),
                v -> Tensor.vector(below(v) ? 1 : 0, 1));
        return LocalComputation.described(
                indicator,
                dev.fl4j.core.computation.ComputationDescriptor.of(
                        ClientSteps.Factory.class,
                        ClientSteps.BELOW_ESTIMATE_AND_ONE,
                        Struct.builder().build()));
    }

    private static EstimationProcess noNoise(
            double initialEstimate,
            double targetQuantile,
            double learningRate,
            double multiplier,
            double increment,
            boolean secure) {
        QuantileEstimator estimator = QuantileEstimator.geometric(targetQuantile, learningRate);
        checkInitial(initialEstimate);
        LocalComputation update = LocalComputation.of(
                "quantile_update",
                StructType.of(STATE.member(), F32),
                STATE.member(),
                v -> estimateStruct(estimator.next(
                        estimate(((Struct) v).get(0)), ((Struct) v).tensor(1).doubleValue())));
        FederatedComputation next;
        if (secure) {
            TensorType counts = new TensorType(DType.INT32, 2);
            LocalComputation indicator = belowEstimateAndOne();
            LocalComputation fraction = LocalComputation.of(
                    "below_fraction",
                    counts,
                    F32,
                    v -> Tensor.scalar((float) (((Tensor) v).getDouble(0) / ((Tensor) v).getDouble(1))));
            next = nextComputation(
                    "quantile_secure_next",
                    (ctx, state, clientBelow) -> ctx.federatedMap(
                            update,
                            ctx.federatedZip(Struct.of(
                                    state,
                                    ctx.federatedMap(
                                            fraction,
                                            ctx.federatedSecureSumBitwidth(
                                                    ctx.federatedMap(indicator, clientBelow), 31))))));
        } else {
            LocalComputation indicator = LocalComputation.of(
                    "below_estimate", StructType.of(F32, F32), F32, v -> Tensor.scalar(below(v) ? 1f : 0f));
            next = nextComputation(
                    "quantile_next",
                    (ctx, state, clientBelow) -> ctx.federatedMap(
                            update,
                            ctx.federatedZip(
                                    Struct.of(state, ctx.federatedMean(ctx.federatedMap(indicator, clientBelow))))));
        }
        return affine(new EstimationProcess(initialize(initialEstimate), next, report()), multiplier, increment);
    }

    /**
     * The private estimate (TFF's {@code PrivateQuantileEstimationProcess} with a Gaussian
     * {@code QuantileEstimatorQuery}): the count below the estimate is released with noise
     * {@code N(0, belowCountStddev²)}.
     *
     * @param belowCountStddev σ_b, finite and >= 0
     * @param expectedClientsPerRound the divisor m of the noised count, finite and > 0
     * @throws IllegalArgumentException naming the bad parameter
     */
    public static EstimationProcess gaussian(
            double initialEstimate,
            double targetQuantile,
            double learningRate,
            double belowCountStddev,
            double expectedClientsPerRound,
            double multiplier,
            double increment) {
        PrivateQuantileEstimator estimator = new PrivateQuantileEstimator(
                QuantileEstimator.geometric(targetQuantile, learningRate), belowCountStddev, expectedClientsPerRound);
        checkInitial(initialEstimate);
        LocalComputation shifted = LocalComputation.of(
                "below_estimate_shifted", StructType.of(F32, F32), F32, v -> Tensor.scalar(below(v) ? 0.5f : -0.5f));
        LocalComputation update = LocalComputation.of(
                "private_quantile_update", StructType.of(STATE.member(), F32), STATE.member(), v -> {
                    double shiftedSum = ((Struct) v).tensor(1).doubleValue();
                    double noised =
                            shiftedSum + estimator.belowCountStddev() * new GaussianNoise().nextStandardGaussian();
                    double fraction = Math.min(1.0, Math.max(0.0, noised / estimator.expectedRecords() + 0.5));
                    return estimateStruct(estimator.estimator().next(estimate(((Struct) v).get(0)), fraction));
                });
        FederatedComputation next = nextComputation(
                "private_quantile_next",
                (ctx, state, clientBelow) -> ctx.federatedMap(
                        update,
                        ctx.federatedZip(Struct.of(state, ctx.federatedSum(ctx.federatedMap(shifted, clientBelow))))));
        return affine(new EstimationProcess(initialize(initialEstimate), next, report()), multiplier, increment);
    }

    @FunctionalInterface
    private interface Step {
        /** The next state from the state and the clients' {@code <value, estimate>} pairs. */
        FederatedValue apply(
                dev.fl4j.core.computation.FederatedContext ctx,
                FederatedValue state,
                FederatedValue clientValueAndEstimate);
    }

    private static FederatedComputation nextComputation(String name, Step step) {
        LocalComputation select =
                LocalComputation.of("select_estimate", STATE.member(), F32, v -> ((Struct) v).get("estimate"));
        return FederatedComputation.of(
                name,
                StructType.builder()
                        .add("state", STATE)
                        .add("value", FederatedType.clients(F32))
                        .build(),
                STATE,
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue state = (FederatedValue) a.get("state");
                    FederatedValue onClients = ctx.federatedBroadcast(ctx.federatedMap(select, state));
                    return step.apply(ctx, state, ctx.federatedZip(Struct.of(a.get("value"), onClients)));
                });
    }

    private static FederatedComputation initialize(double initialEstimate) {
        return FederatedComputation.noArg(
                "quantile_initialize",
                STATE,
                (ctx, arg) -> ctx.federatedValue(estimateStruct(initialEstimate), Placement.SERVER));
    }

    private static FederatedComputation report() {
        LocalComputation select =
                LocalComputation.of("select_estimate", STATE.member(), F32, v -> ((Struct) v).get("estimate"));
        return FederatedComputation.of(
                "quantile_report",
                STATE,
                FederatedType.server(F32),
                (ctx, state) -> ctx.federatedMap(select, (FederatedValue) state));
    }

    private static EstimationProcess affine(EstimationProcess process, double multiplier, double increment) {
        if (!(multiplier >= 0 && multiplier < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(
                    "quantile estimate multiplier must be finite and >= 0, got " + multiplier);
        }
        if (!(increment >= 0 && increment < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("quantile estimate increment must be finite and >= 0, got " + increment);
        }
        if (multiplier == 1.0 && increment == 0.0) {
            return process;
        }
        return process.map(LocalComputation.of(
                "times_" + multiplier + "_plus_" + increment,
                F32,
                F32,
                v -> Tensor.scalar((float) (((Tensor) v).doubleValue() * multiplier + increment))));
    }

    private static void checkInitial(double initialEstimate) {
        if (!(initialEstimate > 0 && initialEstimate < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(
                    "initial quantile estimate must be finite and > 0, got " + initialEstimate);
        }
    }

    /** Whether the client's value (field 0) is at or below the estimate (field 1); NaN is not. */
    private static boolean below(Value valueAndEstimate) {
        Struct s = (Struct) valueAndEstimate;
        return s.tensor(0).doubleValue() <= s.tensor(1).doubleValue();
    }

    private static double estimate(Value state) {
        return ((Struct) state).tensor("estimate").doubleValue();
    }

    private static Struct estimateStruct(double estimate) {
        return Struct.named("estimate", Tensor.scalar((float) estimate));
    }

    /** The state type of the processes made here, {@code <estimate=float32>@SERVER}. */
    public static Type stateType() {
        return STATE;
    }
}
