package dev.fl4j.cli.spec;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.aggregators.Aggregators;
import dev.fl4j.aggregators.ClippingFactory;
import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.aggregators.EncodedSumFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.NonFiniteZeroingFactory;
import dev.fl4j.aggregators.Norm;
import dev.fl4j.aggregators.RobustAggregationFactory;
import dev.fl4j.aggregators.SecureSumFactory;
import dev.fl4j.aggregators.SumFactory;
import dev.fl4j.aggregators.ZeroingFactory;
import dev.fl4j.compression.Encoders;
import dev.fl4j.privacy.PrivacyLedger;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the command line's {@code --aggregator} text into a factory.
 *
 * <h2>Grammar</h2>
 * <pre>
 * spec        := preset | composition
 * preset      := 'mean' | 'robust' | 'dp:'Z | 'secure' | 'compression'
 *              | 'median' | 'trimmed-mean:'BETA | 'krum:'F | 'multi-krum:'F':'M
 * composition := (wrapper '+')* core
 * wrapper     := 'non-finite'
 *              | 'zeroing' [':'NORM] [':'BOUND]
 *              | 'clip' [':'BOUND]
 * core        := 'mean' | 'median' | 'trimmed-mean:'BETA | 'krum:'F | 'multi-krum:'F':'M
 *              | 'dp:'Z | 'dp-fixed:'Z':'CLIP [':secure'] | 'secure' | 'compression' | 'encoded:'PRESET
 * NORM        := 'l2' | 'linf'
 * </pre>
 * A spec without {@code +} is a preset, TFF's builder of that name with its defaults:
 * {@code robust} = {@link Aggregators#robustAggregator() robust_aggregator}
 * (adaptive zeroing, adaptive clipping, weighted mean); {@code dp:Z} =
 * {@link Aggregators#dpAggregator() dp_aggregator(Z, clientsPerRound)} (adaptive
 * zeroing, adaptive-clip Gaussian DP, unweighted); {@code secure} and {@code compression} =
 * {@code secure_aggregator} and {@code compression_aggregator} (zeroing, clipping, then the weighted
 * secure or 8-bit-compressed mean); {@code mean} = {@link MeanFactory}; the robust statistics
 * ({@link RobustAggregationFactory}) stand alone.
 *
 * <p>In a composition every stage is exactly what is written, outermost first (the first stage
 * acts first on the clients): {@code zeroing} and {@code clip} without a bound are TFF's adaptive
 * defaults, with a bound they are fixed; {@code zeroing}'s norm defaults to {@code linf}; the cores
 * {@code dp}, {@code secure} and {@code compression} carry no zeroing or clipping of their own;
 * {@code dp-fixed:Z:CLIP} is {@code gaussian_fixed}; {@code dp-fixed:Z:CLIP:secure} sums its clipped
 * updates with {@link SecureSumFactory#symmetric SecureSumFactory.symmetric(CLIP)} before the noise (central
 * DP after a secure sum: with {@code --secure-aggregation secagg+} the server sees only the sum; see
 * {@link DifferentiallyPrivateFactory}); {@code encoded:PRESET} is the weighted mean whose
 * value sum is encoded on the clients with an {@link Encoders} preset ({@code encoded:drive},
 * {@code encoded:hadamard-uniform:2}, {@code encoded:entropy-uniform:2@10000}, …; presets with error
 * feedback such as {@code topk} need per-client state and are refused). It may stand alone.
 *
 * <p>Before a DP core ({@code dp}, {@code dp-fixed}, and in the {@code dp:Z} preset) an adaptive
 * {@code zeroing} bound is estimated privately, its noised count accounted inside the core's noise
 * multiplier ({@link Aggregators.DpBuilder#setMechanism}); an adaptive
 * {@code clip} there is refused, since its bound would be a release ε does not cover.
 *
 * <h2>Examples</h2>
 * <pre>
 * mean                          weighted mean
 * robust                        = zeroing+clip+mean
 * dp:1.0                        = zeroing+dp:1.0
 * zeroing:l2:5+clip:1+mean      zero updates with L2 norm above 5, clip to 1, weighted mean
 * non-finite+median             coordinate-wise median after dropping NaN/Inf updates
 * clip:0.5+trimmed-mean:0.1     clip to 0.5, then trim 10% from each end
 * zeroing+dp-fixed:1.2:0.8      adaptive zeroing, then DP with fixed clip 0.8
 * dp-fixed:1.2:0.8:secure       DP with fixed clip 0.8, the clipped updates summed securely, then noised
 * encoded:drive                 weighted mean of 1-bit DRIVE-encoded client updates
 * zeroing+clip+encoded:randk:0.05  TFF's compression_aggregator order with random-k instead of 8 bits
 * </pre>
 * Whether the resulting factory takes weights: {@link AggregationFactory#isWeighted()}. Errors are
 * {@link SpecException}s of the shared {@link SpecGrammar}: {@code aggregator 'SPEC': WHY; valid forms: ...}.
 */
public final class AggregatorSpec {

    /** The accepted forms, as listed in error messages. */
    public static final List<String> FORMS = List.of(
            "mean",
            "robust",
            "dp:NOISE_MULTIPLIER",
            "secure",
            "compression",
            "median",
            "trimmed-mean:FRACTION",
            "krum:F",
            "multi-krum:F:M",
            "dp-fixed:NOISE_MULTIPLIER:CLIP[:secure]",
            "encoded:ENCODER_PRESET",
            "WRAPPER+...+CORE with WRAPPER one of non-finite, zeroing[:l2|linf][:BOUND], clip[:BOUND]");

    private static final String ENCODED = "encoded:";
    private static final SpecGrammar GRAMMAR = new SpecGrammar("aggregator", FORMS);

    private AggregatorSpec() {}

    /**
     * The factory {@code spec} names.
     *
     * @param clientsPerRound the expected clients per round (for DP's normalization and defaults)
     * @throws SpecException naming the bad part and listing the valid forms
     */
    public static AggregationFactory parse(String spec, int clientsPerRound) {
        return parse(
                spec,
                new Settings(clientsPerRound, 0, DifferentiallyPrivateFactory.DEFAULT_DELTA, Double.POSITIVE_INFINITY));
    }

    /**
     * What a spec is parsed for: the clients per round (DP's normalization and defaults), and for
     * the DP mechanisms the population the clients are sampled from (0: unknown, so the accountant
     * assumes every client takes part in every round), the δ at which ε is reported, and an ε budget
     * ({@code +Infinity}: none) that the training loop stops before exceeding.
     */
    public record Settings(
            int clientsPerRound, long population, double delta, double epsilonBudget, PrivacyLedger ledger) {

        /** Settings whose DP mechanisms keep their spent rounds in their state only (no ledger). */
        public Settings(int clientsPerRound, long population, double delta, double epsilonBudget) {
            this(clientsPerRound, population, delta, epsilonBudget, null);
        }

        /**
         * These settings with DP mechanisms recording their spent rounds in {@code ledger} ({@link
         * DifferentiallyPrivateFactory.Builder#optLedger}): a variant the simulation stamps once it
         * knows its checkpoint directory, not a configuration option.
         */
        public Settings withLedger(PrivacyLedger ledger) {
            return new Settings(clientsPerRound, population, delta, epsilonBudget, ledger);
        }
    }

    /** The factory {@code spec} names, with DP mechanisms configured from {@code settings}. */
    public static AggregationFactory parse(String spec, Settings settings) {
        return GRAMMAR.parse(spec, text -> compose(List.of(text.split("\\+", -1)), settings));
    }

    private static AggregationFactory compose(List<String> stages, Settings settings) {
        if (stages.size() == 1) {
            return preset(GRAMMAR.term(stages.get(0)), settings);
        }
        AggregationFactory factory = core(GRAMMAR.term(stages.get(stages.size() - 1)), settings);
        double zeroingCountStddev = Double.NaN;
        if (factory instanceof DifferentiallyPrivateFactory dp) {
            zeroingCountStddev = Aggregators.zeroingCountStddev(dp);
            for (String wrapper : stages.subList(0, stages.size() - 1)) {
                if (isAdaptive(GRAMMAR.term(wrapper), "clip")) {
                    throw new IllegalArgumentException(
                            "adaptive 'clip' before a DP core would estimate its bound without noise, a release that "
                                    + "epsilon"
                                    + " does not cover; use clip:BOUND, or rely on the DP core's own clipping");
                }
                if (isAdaptive(GRAMMAR.term(wrapper), "zeroing")) {
                    dp = dp.toBuilder().optAccountedCount(zeroingCountStddev).build();
                }
            }
            factory = dp;
        }
        for (int i = stages.size() - 2; i >= 0; i--) {
            factory = wrapper(GRAMMAR.term(stages.get(i)), factory, zeroingCountStddev, settings.clientsPerRound());
        }
        return factory;
    }

    /**
     * The weighted mean whose value sum is encoded on the clients with the {@link Encoders} preset;
     * a preset with error feedback keeps its residual in each client's state.
     */
    private static AggregationFactory encodedMean(String preset) {
        if (preset.isBlank()) {
            throw new IllegalArgumentException(
                    "encoded needs an encoder preset, e.g. encoded:drive or encoded:hadamard-uniform:2@10000");
        }
        return new MeanFactory(EncodedSumFactory.of(Encoders.parse(preset)), new SumFactory());
    }

    private static DifferentiallyPrivateFactory configure(DifferentiallyPrivateFactory dp, Settings settings) {
        DifferentiallyPrivateFactory.Builder out = dp.toBuilder().optDelta(settings.delta());
        if (settings.population() > 0) {
            out.optPopulation(settings.population());
        }
        if (settings.epsilonBudget() < Double.POSITIVE_INFINITY) {
            out.optEpsilonBudget(settings.epsilonBudget());
        }
        if (settings.ledger() != null) {
            out.optLedger(settings.ledger());
        }
        return out.build();
    }

    /**
     * Whether the wrapper {@code stage} is {@code kind} (zeroing or clip) with a bound estimated each round rather than
     * fixed.
     */
    private static boolean isAdaptive(SpecTerm stage, String kind) {
        if (!stage.name().equals(kind)) {
            return false;
        }
        List<String> p = stage.params();
        return kind.equals("clip") ? p.isEmpty() : p.isEmpty() || p.size() == 1 && isNorm(p.get(0));
    }

    private static boolean isNorm(String text) {
        return text.equals("l2") || text.equals("linf");
    }

    private static AggregationFactory preset(SpecTerm stage, Settings settings) {
        int clientsPerRound = settings.clientsPerRound();
        return switch (stage.name()) {
            case "robust" -> {
                stage.expect(0);
                yield Aggregators.robustAggregator().build();
            }
            case "dp" -> {
                stage.expect(1);
                yield Aggregators.dpAggregator()
                        .setMechanism(configure(
                                DifferentiallyPrivateFactory.gaussianAdaptive(
                                        stage.number(0, "NOISE_MULTIPLIER"), clients(clientsPerRound)),
                                settings))
                        .build();
            }
            case "secure" -> {
                stage.expect(0);
                yield Aggregators.secureAggregator().build();
            }
            case "compression" -> {
                stage.expect(0);
                yield Aggregators.compressionAggregator().build();
            }
            default -> core(stage, settings);
        };
    }

    private static AggregationFactory core(SpecTerm stage, Settings settings) {
        int clientsPerRound = settings.clientsPerRound();
        if (stage.text().startsWith(ENCODED)) {
            return encodedMean(stage.rest());
        }
        switch (stage.name()) {
            case "mean" -> {
                stage.expect(0);
                return new MeanFactory();
            }
            case "median" -> {
                stage.expect(0);
                return RobustAggregationFactory.median();
            }
            case "trimmed-mean" -> {
                stage.expect(1);
                return RobustAggregationFactory.trimmedMean(stage.number(0, "FRACTION"));
            }
            case "krum" -> {
                stage.expect(1);
                return RobustAggregationFactory.krum(stage.whole(0, "F"));
            }
            case "multi-krum" -> {
                stage.expect(2);
                return RobustAggregationFactory.multiKrum(stage.whole(0, "F"), stage.whole(1, "M"));
            }
            case "dp" -> {
                stage.expect(1);
                return configure(
                        DifferentiallyPrivateFactory.gaussianAdaptive(
                                stage.number(0, "NOISE_MULTIPLIER"), clients(clientsPerRound)),
                        settings);
            }
            case "dp-fixed" -> {
                boolean secure =
                        stage.params().size() == 3 && stage.params().get(2).equals("secure");
                if (!secure) {
                    stage.expect(2);
                }
                double clip = stage.number(1, "CLIP");
                DifferentiallyPrivateFactory dp = DifferentiallyPrivateFactory.gaussianFixed(
                        stage.number(0, "NOISE_MULTIPLIER"), clients(clientsPerRound), clip);
                if (secure) {
                    // every element of an update clipped to L2 norm CLIP lies in [-CLIP, CLIP]
                    dp = dp.toBuilder()
                            .optRecordAggregation(SecureSumFactory.symmetric(clip))
                            .build();
                }
                return configure(dp, settings);
            }
            case "secure" -> {
                stage.expect(0);
                return Aggregators.secureAggregator()
                        .optZeroing(false)
                        .optClipping(false)
                        .build();
            }
            case "compression" -> {
                stage.expect(0);
                return Aggregators.compressionAggregator()
                        .optZeroing(false)
                        .optClipping(false)
                        .build();
            }
            case "robust", "non-finite", "zeroing", "clip" ->
                throw new IllegalArgumentException("'" + stage.name()
                        + "' cannot be the last stage of a composition;"
                        + " end with a core (mean, median, trimmed-mean, krum, multi-krum, dp, dp-fixed, "
                        + "secure, compression)");
            default -> throw stage.unknown();
        }
    }

    /**
     * {@code stage} around {@code inner}; an adaptive zeroing bound is estimated privately, with count
     * noise {@code privateCountStddev}, when that is a number (the core is DP and accounts it).
     */
    private static AggregationFactory wrapper(
            SpecTerm stage, AggregationFactory inner, double privateCountStddev, int clientsPerRound) {
        switch (stage.name()) {
            case "non-finite" -> {
                stage.expect(0);
                return new NonFiniteZeroingFactory(inner);
            }
            case "clip" -> {
                if (stage.params().isEmpty()) {
                    return Aggregators.withDefaultClipping(inner);
                }
                stage.expect(1);
                return ClippingFactory.fixed(stage.number(0, "BOUND"), inner);
            }
            case "zeroing" -> {
                if (stage.params().size() > 2) {
                    throw new IllegalArgumentException(
                            "'zeroing' takes at most a norm and a bound (zeroing[:l2|linf][:BOUND]), got '"
                                    + stage.text() + "'");
                }
                List<String> rest = new ArrayList<>(stage.params());
                Norm norm = Norm.LINF;
                if (!rest.isEmpty() && isNorm(rest.get(0))) {
                    norm = rest.remove(0).equals("l2") ? Norm.L2 : Norm.LINF;
                }
                if (rest.isEmpty()) {
                    return ZeroingFactory.adaptive(
                            Double.isNaN(privateCountStddev)
                                    ? Aggregators.defaultZeroingNorm()
                                    : Aggregators.privateZeroingNorm(privateCountStddev, clientsPerRound),
                            norm,
                            inner);
                }
                if (rest.size() > 1) {
                    throw new IllegalArgumentException("'zeroing' norm must be l2 or linf, got '" + rest.get(0) + "'");
                }
                return ZeroingFactory.fixed(stage.number(stage.params().size() - 1, "BOUND"), norm, inner);
            }
            default ->
                throw new IllegalArgumentException(
                        "'" + stage.name() + "' is not a wrapper; only the last stage may be a core, wrappers are"
                                + " non-finite, zeroing, clip");
        }
    }

    private static int clients(int clientsPerRound) {
        if (clientsPerRound < 1) {
            throw new IllegalArgumentException(
                    "differential privacy needs the clients per round (>= 1), got " + clientsPerRound);
        }
        return clientsPerRound;
    }
}
