package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.Bound;
import dev.fl4j.aggregators.internal.ValueMath;
import dev.fl4j.aggregators.internal.Wrapping;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.privacy.AdaptiveClippingNoise;
import dev.fl4j.privacy.GaussianNoise;
import dev.fl4j.privacy.PrivacyBudget;
import dev.fl4j.privacy.PrivacyLedger;
import dev.fl4j.privacy.PrivacyLoss;
import dev.fl4j.privacy.RdpAccountant;
import dev.fl4j.privacy.RdpConversion;
import dev.fl4j.privacy.RdpOrders;
import java.util.Objects;

/**
 * TFF's {@code DifferentiallyPrivateFactory} with the Gaussian mechanism: the DP mean of client
 * updates as DP-FedAvg (McMahan et al. 2018) computes it, with Rényi-DP accounting every round.
 *
 * <h2>Mechanism</h2>
 * Each round: every client clips its update to L2 norm {@code C} (a projection, as
 * {@link ClippingFactory}); an inner record-aggregation factory sums the clipped updates
 * ({@link SumFactory} unless {@link Builder#optRecordAggregation}); the server adds independent Gaussian
 * noise of standard deviation {@code z_Δ·C} to every element (drawn from {@link GaussianNoise}, i.e.
 * {@code SecureRandom}) and divides by {@code clientsPerRound} — the <em>expected</em> number of
 * clients, not the actual one, which is itself private (TFF's normalized DP query).
 * <ul>
 *   <li>{@link #gaussianFixed}: {@code C} is fixed, {@code z_Δ = z}.</li>
 *   <li>{@link #gaussianAdaptive}: {@code C} is a private estimate of the {@code targetQuantile} of the
 *       clients' update norms ({@link QuantileEstimation#gaussian}); the count behind it gets noise
 *       {@code σ_b} and the update noise rises to {@code z_Δ} so that the round as a whole is one
 *       Gaussian mechanism of noise multiplier {@code z} ({@link AdaptiveClippingNoise}).</li>
 * </ul>
 *
 * <p><b>Central DP after a secure sum.</b> With a {@link SecureSumFactory} as the record aggregation
 * (TFF's {@code record_aggregation_factory}), the clipped updates are summed by
 * {@code federated_secure_sum_bitwidth} and the noise is added to the unmasked sum by the server. The
 * secure sum needs fixed bounds around 0 ({@code SecureSumFactory.symmetric(C)} holds every element of a
 * clipped update); its quantization moves a client's clipped update by at most
 * {@code r = √d·(upper − lower)/2^(P+1)} in L2 norm ({@code d} elements, {@code P} its precision bits), so
 * the noise is {@code z_Δ·(C + r)}, calibrated to the sensitivity {@code C + r} of what is summed. Under a
 * runtime whose clients mask their own inputs (a deployed server with SecAgg+) the server then learns the
 * sum of the cohort's quantized clipped updates, and nothing about one client beyond it, but it is
 * trusted to add the noise: ε holds for what the server releases, not against the server itself. This
 * is not TFF's distributed DP ({@code DistributedDpSumFactory}, discrete noise added by the clients before
 * the secure sum), which fl4j does not have.
 *
 * <h2>Accounting</h2>
 * Each round is one step of the sampled Gaussian mechanism with noise multiplier {@code z} and
 * sampling rate {@code q = clientsPerRound / population} when a population is given
 * ({@link Builder#optPopulation}); without one {@code q = 1} (no amplification by subsampling is claimed,
 * the conservative choice). ε is reported for δ ({@link Builder#optDelta}, default {@value #DEFAULT_DELTA})
 * with an {@link RdpAccountant} over {@link RdpOrders#dpAccountingDefault()} and
 * {@link RdpConversion#IMPROVED}. The guarantee is user-level (a client's whole update) under
 * add-or-remove adjacency, and holds only if clients really are Poisson-sampled at rate exactly
 * {@code q} (each independently, with randomness nobody can predict): fl4j's {@code TrainingLoop}
 * does so from {@code SecureRandom} when given this factory ({@code optPrivacy}); a fixed-size
 * cohort, or one drawn from a known seed, voids the claim. A Poisson cohort may be empty: the round
 * still runs, the sum of no clients is zero, noise is added, and the result is divided by the
 * expected {@code clientsPerRound} (the fixed denominator of DP-FedAvg), never by the actual count.
 *
 * <p><b>What ε covers.</b> Per round: the noised sum, and every noised count released over the same
 * clients — the below-clip count of adaptive clipping and each count added with
 * {@link Builder#optAccountedCount} (e.g. a private adaptive zeroing bound) — inside the one noise
 * multiplier {@code z} (Andrew et al. 2019: {@code z⁻² = z_Δ⁻² + Σ(2σ_i)⁻²}). The measurements
 * {@code dp_query_metrics} and {@code privacy} are functions of these and of the round count. Not
 * covered: the record aggregation's own measurements ({@code dp}), and anything the surrounding
 * process computes from clients in the clear (training metrics, counts of clients, zeroing counts):
 * a caller that releases those has to noise and account them, or not release them (the training
 * loop suppresses them in a private run).
 *
 * <p><b>Resume.</b> With a {@link PrivacyLedger} ({@link Builder#optLedger}), each round records its
 * count durably before its noised result exists, and counts from the larger of its state and the
 * ledger, so a round re-run after a crash is counted again instead of forgotten.
 *
 * <h2>Budget</h2>
 * With {@link Builder#optEpsilonBudget}, the measurements say whether the <em>next</em> round would still
 * be within the budget, and a round that would exceed it is refused with
 * {@link PrivacyBudgetExceededException} before any client value is touched. Code that must act on
 * the budget asks {@link #exhaustedAfter} for the typed {@link PrivacyBudgetExhausted} signal; the
 * measurements are for people and charts.
 *
 * <h2>Names</h2>
 * Unweighted only (as in TFF: weights would leak). State {@code <clip=.., rounds=int64, inner_agg=..>}.
 * Measurements:
 * <pre>
 * dp_query_metrics = &lt;clip=float32, noise_stddev=float32&gt;@SERVER   (C and z_Δ·C used this round)
 * privacy          = &lt;epsilon=float64, delta=float64, rounds=int64, next_round_epsilon=float64
 *                     [, epsilon_budget=float64, next_round_within_budget=bool]&gt;@SERVER
 * dp               = the record aggregation's measurements
 * </pre>
 * {@code rounds} counts noised rounds spent so far including this one (with a ledger, also rounds a
 * crashed run may have released before it resumed); {@code epsilon} is spent after them.
 */
public final class DifferentiallyPrivateFactory implements UnweightedAggregationFactory {

    /** The default δ at which ε is reported. */
    public static final double DEFAULT_DELTA = 1e-5;
    /** TFF's default initial clip of {@code gaussian_adaptive}. */
    public static final double DEFAULT_INITIAL_CLIP = 0.1;
    /** TFF's default target quantile of {@code gaussian_adaptive}. */
    public static final double DEFAULT_TARGET_QUANTILE = 0.5;
    /** TFF's default learning rate of {@code gaussian_adaptive}. */
    public static final double DEFAULT_CLIP_LEARNING_RATE = 0.2;

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final TensorType F64 = TensorType.scalar(DType.FLOAT64);
    private static final TensorType I64 = TensorType.scalar(DType.INT64);
    private static final TensorType BOOL = TensorType.scalar(DType.BOOL);

    private final double noiseMultiplier;
    private final double[] countStddevs;
    private final double valueNoiseMultiplier;
    private final int clientsPerRound;
    private final Bound clip;
    private final String clipDescription;
    private final UnweightedAggregationFactory recordAggregation;
    private final long population;
    private final double delta;
    private final PrivacyBudget budget;
    private final double[] orders;
    private final double[] rdpPerRound;
    private final PrivacyLedger ledger;

    private DifferentiallyPrivateFactory(
            double noiseMultiplier,
            double[] countStddevs,
            int clientsPerRound,
            Bound clip,
            String clipDescription,
            UnweightedAggregationFactory recordAggregation,
            long population,
            double delta,
            Double epsilonBudget,
            PrivacyLedger ledger) {
        this.noiseMultiplier = noiseMultiplier;
        this.countStddevs = countStddevs.clone();
        this.valueNoiseMultiplier = AdaptiveClippingNoise.valueNoiseMultiplier(noiseMultiplier, countStddevs);
        this.ledger = ledger;
        this.clientsPerRound = clientsPerRound;
        this.clip = clip;
        this.clipDescription = clipDescription;
        this.recordAggregation = Objects.requireNonNull(recordAggregation, "record aggregation factory");
        if (population != 0 && population < clientsPerRound) {
            throw new IllegalArgumentException("optPopulation: population must be >= clients per round ("
                    + clientsPerRound + "), got " + population);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("optDelta: delta must be in (0, 1), got " + delta);
        }
        this.population = population;
        this.delta = delta;
        this.budget = epsilonBudget == null ? null : new PrivacyBudget(delta, epsilonBudget, RdpConversion.IMPROVED);
        this.orders = RdpOrders.dpAccountingDefault();
        this.rdpPerRound = RdpAccountant.rdpOfSampledGaussian(noiseMultiplier, samplingRate(), 1, orders);
    }

    /**
     * TFF's {@code gaussian_fixed}: clip to {@code clip}, noise {@code noiseMultiplier × clip}.
     *
     * @param noiseMultiplier z, finite and >= 0 (0 adds no noise: ε is infinite)
     * @param clientsPerRound the expected number of clients per round, the divisor; >= 1
     * @param clip the L2 clip C, finite and > 0
     */
    public static DifferentiallyPrivateFactory gaussianFixed(double noiseMultiplier, int clientsPerRound, double clip) {
        checkNoise(noiseMultiplier);
        checkClients(clientsPerRound);
        if (!(clip > 0 && clip < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("DP clip must be finite and > 0, got " + clip);
        }
        return new DifferentiallyPrivateFactory(
                noiseMultiplier,
                new double[0],
                clientsPerRound,
                Bound.constant(clip, "DP clip"),
                Double.toString(clip),
                new SumFactory(),
                0,
                DEFAULT_DELTA,
                null,
                null);
    }

    /**
     * TFF's {@code gaussian_adaptive} with its defaults: initial clip {@value #DEFAULT_INITIAL_CLIP},
     * target quantile {@value #DEFAULT_TARGET_QUANTILE}, learning rate
     * {@value #DEFAULT_CLIP_LEARNING_RATE}, count noise {@code 0.05 × clientsPerRound}.
     */
    public static DifferentiallyPrivateFactory gaussianAdaptive(double noiseMultiplier, int clientsPerRound) {
        return gaussianAdaptive(
                noiseMultiplier,
                clientsPerRound,
                DEFAULT_INITIAL_CLIP,
                DEFAULT_TARGET_QUANTILE,
                DEFAULT_CLIP_LEARNING_RATE,
                AdaptiveClippingNoise.DEFAULT_COUNT_STDDEV_PER_CLIENT * clientsPerRound);
    }

    /**
     * TFF's {@code gaussian_adaptive}.
     *
     * @param clippedCountStddev σ_b, the noise on the count of unclipped clients; needs
     *     {@code noiseMultiplier < 2σ_b} (when {@code noiseMultiplier > 0})
     * @throws IllegalArgumentException naming the bad parameter
     */
    public static DifferentiallyPrivateFactory gaussianAdaptive(
            double noiseMultiplier,
            int clientsPerRound,
            double initialClip,
            double targetQuantile,
            double learningRate,
            double clippedCountStddev) {
        checkNoise(noiseMultiplier);
        checkClients(clientsPerRound);
        AdaptiveClippingNoise split = AdaptiveClippingNoise.split(
                noiseMultiplier, clientsPerRound, noiseMultiplier == 0 ? 0 : clippedCountStddev);
        Bound clip = Bound.adaptive(
                QuantileEstimation.gaussian(
                        initialClip,
                        targetQuantile,
                        learningRate,
                        split.clippedCountStddev(),
                        clientsPerRound,
                        1.0,
                        0.0),
                "DP clip");
        return new DifferentiallyPrivateFactory(
                noiseMultiplier,
                new double[] {split.clippedCountStddev()},
                clientsPerRound,
                clip,
                "adaptive(initial " + initialClip + ", quantile " + targetQuantile + ")",
                new SumFactory(),
                0,
                DEFAULT_DELTA,
                null,
                null);
    }

    /**
     * A builder starting from this mechanism and its options, to refine them: e.g.
     * {@code gaussianAdaptive(0.3, 10).toBuilder().optPopulation(1000).optDelta(1e-6).build()}.
     * This factory is unchanged.
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Options of a DP mechanism ({@link #gaussianFixed}, {@link #gaussianAdaptive}) reached through
     * {@link #toBuilder()}: every option has a default, and {@link #build()} checks them together.
     */
    public static final class Builder {
        private final DifferentiallyPrivateFactory mechanism;
        private final java.util.List<Double> accountedCounts = new java.util.ArrayList<>();
        private UnweightedAggregationFactory recordAggregation;
        private long population;
        private boolean populationSet;
        private double delta;
        private Double epsilonBudget;
        private PrivacyLedger ledger;

        private Builder(DifferentiallyPrivateFactory mechanism) {
            this.mechanism = mechanism;
            this.recordAggregation = mechanism.recordAggregation;
            this.population = mechanism.population;
            this.delta = mechanism.delta;
            this.epsilonBudget = mechanism.maxEpsilon();
            this.ledger = mechanism.ledger;
        }

        /**
         * ε accounted at sampling rate {@code clientsPerRound / population} (default: none, q = 1);
         * {@link #build()} requires {@code population >= clientsPerRound}.
         */
        public Builder optPopulation(long population) {
            this.population = population;
            this.populationSet = true;
            return this;
        }

        /** δ at which ε is reported, in (0, 1) (default {@value DifferentiallyPrivateFactory#DEFAULT_DELTA}). */
        public Builder optDelta(double delta) {
            this.delta = delta;
            return this;
        }

        /** Rounds that would take ε above {@code maxEpsilon} (finite, > 0) are refused (default: no budget). */
        public Builder optEpsilonBudget(double maxEpsilon) {
            this.epsilonBudget = maxEpsilon;
            return this;
        }

        /** Clipped updates summed with {@code factory}, e.g. a {@link SecureSumFactory} (default {@link SumFactory}).
         */
        public Builder optRecordAggregation(UnweightedAggregationFactory factory) {
            this.recordAggregation =
                    Objects.requireNonNull(factory, "optRecordAggregation: record aggregation factory");
            return this;
        }

        /**
         * One more noised count accounted per round over the same clients (each call adds one): a count
         * of sensitivity 1/2 released with noise {@code N(0, countStddev²)}, such as the below-bound
         * count of a private adaptive zeroing bound around this factory
         * ({@link Aggregators.DpBuilder#setMechanism}). The noise on the updates rises so that the
         * round, counts included, stays one Gaussian mechanism of noise multiplier {@code z}
         * ({@link AdaptiveClippingNoise#valueNoiseMultiplier(double, double...)}), which is what ε is
         * computed for; {@link #build()} refuses counts that would leave no noise for the updates.
         *
         * @param countStddev σ, finite and > 0 (any value when {@code z = 0})
         */
        public Builder optAccountedCount(double countStddev) {
            accountedCounts.add(countStddev);
            return this;
        }

        /**
         * Spent rounds recorded in {@code ledger} before each noised release, counting from
         * {@code max(state, ledger)}: a run resumed from a checkpoint older than its last release
         * counts every release ({@link PrivacyLedger}). Every process the factory creates shares the
         * ledger (default: none, the state's count alone).
         */
        public Builder optLedger(PrivacyLedger ledger) {
            this.ledger = Objects.requireNonNull(ledger, "optLedger: ledger");
            return this;
        }

        /**
         * The factory.
         *
         * @throws IllegalArgumentException naming the option if the population is below 1 or below the
         *     clients per round, δ is not in (0, 1), the ε budget is not finite and positive, or the
         *     accounted counts leave no noise for the updates
         */
        public DifferentiallyPrivateFactory build() {
            if (populationSet && population < 1) {
                throw new IllegalArgumentException("optPopulation: population must be >= 1, got " + population);
            }
            if (epsilonBudget != null && !(epsilonBudget > 0 && epsilonBudget < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException(
                        "optEpsilonBudget: epsilon budget must be finite and > 0, got " + epsilonBudget);
            }
            double[] counts = java.util.Arrays.copyOf(
                    mechanism.countStddevs, mechanism.countStddevs.length + accountedCounts.size());
            for (int i = 0; i < accountedCounts.size(); i++) {
                counts[mechanism.countStddevs.length + i] = accountedCounts.get(i);
            }
            return new DifferentiallyPrivateFactory(
                    mechanism.noiseMultiplier,
                    counts,
                    mechanism.clientsPerRound,
                    mechanism.clip,
                    mechanism.clipDescription,
                    recordAggregation,
                    population,
                    delta,
                    epsilonBudget,
                    ledger);
        }
    }

    private Double maxEpsilon() {
        return budget == null ? null : budget.maxEpsilon();
    }

    /** The ledger rounds are recorded in before their release, or null (the state's count alone). */
    public PrivacyLedger ledger() {
        return ledger;
    }

    /** The population q is accounted with, or 0 when none was given (q = 1). */
    public long population() {
        return population;
    }

    /** The ε budget, or empty without one. */
    public java.util.OptionalDouble epsilonBudget() {
        return budget == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(budget.maxEpsilon());
    }

    /** The standard deviations of the noised counts released with each round's sum (adaptive clip, private zeroing). */
    public double[] countStddevs() {
        return countStddevs.clone();
    }

    /**
     * What ε assumes, in one line, e.g. {@code poisson sampling q=0.1, noise multiplier 0.5, delta 1e-05,
     * clip adaptive(initial 0.1, quantile 0.5), 2 noised counts per round}.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(population == 0 ? "every client every round (q=1)" : "poisson sampling q=" + samplingRate())
                .append(", noise multiplier ")
                .append(noiseMultiplier)
                .append(", delta ")
                .append(delta)
                .append(", clip ")
                .append(clipDescription);
        if (countStddevs.length > 0) {
            sb.append(", ")
                    .append(countStddevs.length)
                    .append(" noised count")
                    .append(countStddevs.length == 1 ? "" : "s")
                    .append(" per round inside z (update noise multiplier ")
                    .append(String.format(java.util.Locale.ROOT, "%.6g", valueNoiseMultiplier))
                    .append(')');
        }
        if (budget != null) {
            sb.append(", epsilon budget ").append(budget.maxEpsilon());
        }
        if (recordAggregation instanceof SecureSumFactory) {
            sb.append(", clipped updates summed by a secure sum (noise on the clip plus its quantization bound)");
        }
        return sb.toString();
    }

    /**
     * The DP mechanism at the core of {@code factory}, looking through the wrappers that pass every
     * client value on to one inner factory (zeroing, clipping, non-finite zeroing).
     */
    public static java.util.Optional<DifferentiallyPrivateFactory> find(AggregationFactory factory) {
        if (factory instanceof DifferentiallyPrivateFactory dp) {
            return java.util.Optional.of(dp);
        }
        if (factory instanceof NormBoundFactory n) {
            return find(n.inner());
        }
        if (factory instanceof NonFiniteZeroingFactory n) {
            return find(n.inner());
        }
        return java.util.Optional.empty();
    }

    /** What sums the clipped updates before the noise ({@link Builder#optRecordAggregation}, default a sum). */
    public UnweightedAggregationFactory recordAggregation() {
        return recordAggregation;
    }

    /** Whether the clip is estimated every round ({@link #gaussianAdaptive}) rather than fixed. */
    public boolean hasAdaptiveClip() {
        return clip.isAdaptive();
    }

    /** z, the noise multiplier the rounds are accounted with. */
    public double noiseMultiplier() {
        return noiseMultiplier;
    }

    /** z_Δ, the noise on the summed updates over C (equal to z for fixed clipping). */
    public double valueNoiseMultiplier() {
        return valueNoiseMultiplier;
    }

    public int clientsPerRound() {
        return clientsPerRound;
    }

    /** q: {@code clientsPerRound / population}, or 1 without a population. */
    public double samplingRate() {
        return population == 0 ? 1.0 : (double) clientsPerRound / population;
    }

    public double delta() {
        return delta;
    }

    /** ε spent after {@code rounds} rounds, at {@link #delta()}. */
    public PrivacyLoss epsilonAfter(long rounds) {
        if (rounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
        }
        double[] total = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            total[i] = rounds == 0 ? 0.0 : rounds * rdpPerRound[i];
        }
        return RdpAccountant.epsilonFromRdp(orders, total, delta, RdpConversion.IMPROVED);
    }

    /** Whether round {@code rounds + 1} fits the budget (always true without one). */
    public boolean allowsRound(long roundsDone) {
        return budget == null || epsilonAfter(roundsDone + 1).epsilon() <= budget.maxEpsilon();
    }

    /**
     * The typed budget signal: empty while round {@code roundsDone + 1} fits the budget (always
     * without one), else what exhausted it. A process of this factory refuses exactly the rounds
     * for which this is present ({@link PrivacyBudgetExceededException}); a training loop that
     * counts the rounds spent as the process does (its {@link #ledger()}'s total when it has one)
     * stops after the last allowed round by asking this, not by reading the
     * {@code next_round_within_budget} measurement.
     *
     * @throws IllegalArgumentException if {@code roundsDone} is negative
     */
    public java.util.Optional<PrivacyBudgetExhausted> exhaustedAfter(long roundsDone) {
        if (roundsDone < 0) {
            throw new IllegalArgumentException("rounds done must be >= 0, got " + roundsDone);
        }
        if (allowsRound(roundsDone)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new PrivacyBudgetExhausted(
                roundsDone,
                epsilonAfter(roundsDone).epsilon(),
                epsilonAfter(roundsDone + 1).epsilon(),
                delta,
                budget.maxEpsilon()));
    }

    /** The largest number of rounds from the start that fits the budget ({@link Long#MAX_VALUE} without one). */
    public long roundsWithinBudget() {
        if (budget == null) {
            return Long.MAX_VALUE;
        }
        return budget.remainingSteps(RdpAccountant.create(), noiseMultiplier, samplingRate());
    }

    @Override
    public AggregationProcess create(Type valueType) {
        ValueMath.requireFloatStructure(valueType, "DifferentiallyPrivateFactory");
        AggregationProcess sum = recordAggregation.create(valueType);
        if (!FederatedType.server(valueType).isAssignableFrom(sum.resultType())) {
            throw new dev.fl4j.core.TypeMismatchException(
                    "DifferentiallyPrivateFactory: record aggregation " + recordAggregation + " returns "
                            + sum.resultType() + ", expected " + FederatedType.server(valueType));
        }
        Type state = StructType.builder()
                .add("clip", clip.stateType())
                .add("rounds", FederatedType.server(I64))
                .add("inner_agg", sum.stateType())
                .build();
        StructType.Builder privacyType = StructType.builder()
                .add("epsilon", F64)
                .add("delta", F64)
                .add("rounds", I64)
                .add("next_round_epsilon", F64);
        if (budget != null) {
            privacyType.add("epsilon_budget", F64).add("next_round_within_budget", BOOL);
        }
        StructType queryMetrics =
                StructType.builder().add("clip", F32).add("noise_stddev", F32).build();
        Type measurements = StructType.builder()
                .add("dp_query_metrics", FederatedType.server(queryMetrics))
                .add("privacy", FederatedType.server(privacyType.build()))
                .add("dp", sum.measurementsType())
                .build();
        FederatedComputation init = FederatedComputation.noArg(
                "dp_initialize",
                state,
                (ctx, arg) -> Struct.named(
                        "clip",
                        clip.initialize(ctx),
                        "rounds",
                        ctx.federatedValue(Tensor.scalar(0L), Placement.SERVER),
                        "inner_agg",
                        ctx.invoke(sum.initializeComputation(), null)));
        LocalComputation startRound = LocalComputation.of("dp_start_round", I64, I64, v -> {
            long done = ledger == null ? ((Tensor) v).longValue() : Math.max(((Tensor) v).longValue(), ledger.spent());
            java.util.Optional<PrivacyBudgetExhausted> exhausted = exhaustedAfter(done);
            if (exhausted.isPresent()) {
                throw new PrivacyBudgetExceededException(exhausted.get());
            }
            if (ledger != null) {
                ledger.record(done + 1);
            }
            return Tensor.scalar(done + 1);
        });
        LocalComputation clipClient = clientClip(valueType);
        double rounding = recordAggregation instanceof SecureSumFactory secure ? secureRounding(secure, valueType) : 0;
        LocalComputation noiseAndNormalize = LocalComputation.of(
                "dp_noise_and_normalize",
                StructType.of(valueType, F32),
                valueType,
                v -> normalize(addNoise(
                        ((Struct) v).get(0),
                        valueNoiseMultiplier * (((Struct) v).tensor(1).doubleValue() + rounding))));
        LocalComputation metrics = LocalComputation.of(
                "dp_query_metrics",
                F32,
                queryMetrics,
                v -> Struct.named("clip", v, "noise_stddev", Tensor.scalar((float)
                        (valueNoiseMultiplier * (((Tensor) v).doubleValue() + rounding)))));
        LocalComputation privacy = LocalComputation.of(
                "dp_privacy", I64, privacyType.build(), v -> privacyMeasurements(((Tensor) v).longValue()));
        return Wrapping.process("dp", init, valueType, null, measurements, (ctx, s, value, weight) -> {
            FederatedValue rounds = ctx.federatedMap(startRound, (FederatedValue) s.get("rounds"));
            FederatedValue c = clip.current(ctx, s.get("clip"));
            FederatedValue clipped =
                    ctx.federatedMap(clipClient, ctx.federatedZip(Struct.of(value, ctx.federatedBroadcast(c))));
            MeasuredProcessOutput summed =
                    Wrapping.nextInner(ctx, sum, s.get("inner_agg"), ctx.federatedField(clipped, "value"), null);
            FederatedValue mean = ctx.federatedMap(noiseAndNormalize, ctx.federatedZip(Struct.of(summed.result(), c)));
            Value nextClip = clip.update(ctx, s.get("clip"), ctx.federatedField(clipped, "norm"));
            return new MeasuredProcessOutput(
                    Struct.named("clip", nextClip, "rounds", rounds, "inner_agg", summed.state()),
                    mean,
                    Struct.named(
                            "dp_query_metrics",
                            ctx.federatedMap(metrics, c),
                            "privacy",
                            ctx.federatedMap(privacy, rounds),
                            "dp",
                            summed.measurements()));
        });
    }

    private Struct privacyMeasurements(long rounds) {
        double next = epsilonAfter(rounds + 1).epsilon();
        Struct.Builder b = Struct.builder()
                .add("epsilon", Tensor.scalar(epsilonAfter(rounds).epsilon()))
                .add("delta", Tensor.scalar(delta))
                .add("rounds", Tensor.scalar(rounds))
                .add("next_round_epsilon", Tensor.scalar(next));
        if (budget != null) {
            b.add("epsilon_budget", Tensor.scalar(budget.maxEpsilon()))
                    .add("next_round_within_budget", Tensor.scalar(next <= budget.maxEpsilon()));
        }
        return b.build();
    }

    /**
     * The clients' step {@code <value, clip> -> <value, norm>}: the value clipped to L2 norm at most
     * {@code clip} ({@link #clipWithin}) and its norm before clipping. Described ({@link ClientSteps}),
     * so it runs where the client's update is computed: under a secure record aggregation whose clients
     * mask their own inputs, the clipped update goes from there into the client's secure-sum encoding
     * and never reaches the server unmasked.
     */
    static LocalComputation clientClip(Type valueType) {
        Type clientOut =
                StructType.builder().add("value", valueType).add("norm", F32).build();
        LocalComputation clip = LocalComputation.of("dp_clip", StructType.of(valueType, F32), clientOut, v -> {
            Value value = ((Struct) v).get(0);
            double norm = ValueMath.l2Norm(value);
            return Struct.named(
                    "value",
                    clipWithin(value, norm, ((Struct) v).tensor(1).doubleValue()),
                    "norm",
                    Tensor.scalar((float) norm));
        });
        return LocalComputation.described(clip, ClientSteps.dpClipDescriptor(valueType));
    }

    /**
     * How far, in L2 norm, {@code secure}'s quantization can move one client's clipped update of type
     * {@code valueType}: what the noise is calibrated to on top of the clip. Only fixed bounds around 0
     * keep the sensitivity bound: an adaptive bound is estimated from the clients' largest elements
     * without noise (a release ε does not cover), and bounds that exclude 0 could move a clipped update
     * farther from zero than the clip.
     */
    private static double secureRounding(SecureSumFactory secure, Type valueType) {
        if (!secure.hasFixedBounds()) {
            throw new IllegalArgumentException("DifferentiallyPrivateFactory: record aggregation " + secure
                    + " has an adaptive bound, estimated each round from the clients' largest elements without"
                    + " noise, a release epsilon does not cover; give it fixed bounds, e.g."
                    + " SecureSumFactory.symmetric(clip)");
        }
        if (!(secure.lowerBound() <= 0 && secure.upperBound() >= 0)) {
            throw new IllegalArgumentException("DifferentiallyPrivateFactory: record aggregation " + secure
                    + " has bounds [" + secure.lowerBound() + ", " + secure.upperBound() + "] that exclude 0, so"
                    + " clipping an element to them could move a client's update farther than the DP clip;"
                    + " give it bounds around 0, e.g. SecureSumFactory.symmetric(clip)");
        }
        return secure.roundingL2Bound(valueType);
    }

    /**
     * {@code value} clipped to L2 norm at most {@code clip}, measured on the stored elements: the
     * sensitivity the noise is calibrated to. Scaling float elements by {@code clip / norm} rounds,
     * and can land a few ulps above {@code clip}; such a result is scaled down again by a margin
     * (10⁻⁶ relative) far above the rounding error.
     */
    static Value clipWithin(Value value, double norm, double clip) {
        Value clipped = ValueMath.clipL2(value, norm, clip);
        for (int attempt = 0; attempt < 4; attempt++) {
            double after = ValueMath.l2Norm(clipped);
            if (after <= clip) {
                return clipped;
            }
            clipped = ValueMath.scale(clipped, clip / after * (1 - 1e-6));
        }
        throw new IllegalStateException("could not clip an update of norm " + norm + " to " + clip);
    }

    private static Value addNoise(Value sum, double stddev) {
        GaussianNoise noise = new GaussianNoise();
        return Structures.map(sum, t -> {
            if (t.dtype() == DType.FLOAT32) {
                float[] data = t.floatData().clone();
                noise.addTo(data, stddev);
                return Tensor.of(data, t.shape());
            }
            double[] data = t.doubleData().clone();
            noise.addTo(data, stddev);
            return Tensor.of(data, t.shape());
        });
    }

    private Value normalize(Value noisedSum) {
        return ValueMath.divideNoNan(noisedSum, clientsPerRound);
    }

    private static void checkNoise(double noiseMultiplier) {
        if (!(noiseMultiplier >= 0 && noiseMultiplier < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noise multiplier must be finite and >= 0, got " + noiseMultiplier);
        }
    }

    private static void checkClients(int clientsPerRound) {
        if (clientsPerRound < 1) {
            throw new IllegalArgumentException("clients per round must be >= 1, got " + clientsPerRound);
        }
    }

    @Override
    public String toString() {
        return "dp_gaussian(z=" + noiseMultiplier + ", clients/round=" + clientsPerRound + ", clip=" + clipDescription
                + (recordAggregation instanceof SumFactory ? "" : ", records=" + recordAggregation) + ")";
    }
}
