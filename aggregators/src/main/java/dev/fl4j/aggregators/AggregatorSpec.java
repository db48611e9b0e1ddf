package dev.fl4j.aggregators;

import dev.fl4j.compression.Encoders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
 *              | 'dp:'Z | 'dp-fixed:'Z':'CLIP | 'secure' | 'compression' | 'encoded:'PRESET
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
 * {@code dp-fixed:Z:CLIP} is {@code gaussian_fixed}; {@code encoded:PRESET} is the weighted mean whose
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
 * encoded:drive                 weighted mean of 1-bit DRIVE-encoded client updates
 * zeroing+clip+encoded:randk:0.05  TFF's compression_aggregator order with random-k instead of 8 bits
 * </pre>
 * Whether the resulting factory takes weights: {@link #isWeighted}.
 */
public final class AggregatorSpec {

    /** The accepted forms, as listed in error messages. */
    public static final List<String> FORMS = List.of("mean", "robust", "dp:NOISE_MULTIPLIER", "secure", "compression", "median",
            "trimmed-mean:FRACTION", "krum:F", "multi-krum:F:M", "dp-fixed:NOISE_MULTIPLIER:CLIP", "encoded:ENCODER_PRESET",
            "WRAPPER+...+CORE with WRAPPER one of non-finite, zeroing[:l2|linf][:BOUND], clip[:BOUND]");

    private static final String ENCODED = "encoded:";

    private AggregatorSpec() {
    }

    /**
     * The factory {@code spec} names.
     *
     * @param clientsPerRound the expected clients per round (for DP's normalization and defaults)
     * @throws IllegalArgumentException naming the bad part and listing the valid forms
     */
    public static AggregationFactory parse(String spec, int clientsPerRound) {
        return parse(spec, new Settings(clientsPerRound, 0, DifferentiallyPrivateFactory.DEFAULT_DELTA, Double.POSITIVE_INFINITY));
    }

    /**
     * What a spec is parsed for: the clients per round (DP's normalization and defaults), and for
     * the DP mechanisms the population the clients are sampled from (0: unknown, so the accountant
     * assumes every client takes part in every round), the δ at which ε is reported, and an ε budget
     * ({@code +Infinity}: none) that the training loop stops before exceeding.
     */
    public record Settings(int clientsPerRound, long population, double delta, double epsilonBudget, dev.fl4j.privacy.PrivacyLedger ledger) {

        /** Settings whose DP mechanisms keep their spent rounds in their state only (no ledger). */
        public Settings(int clientsPerRound, long population, double delta, double epsilonBudget) {
            this(clientsPerRound, population, delta, epsilonBudget, null);
        }

        /** These settings with DP mechanisms recording their spent rounds in {@code ledger} ({@link DifferentiallyPrivateFactory#withLedger}). */
        public Settings withLedger(dev.fl4j.privacy.PrivacyLedger ledger) {
            return new Settings(clientsPerRound, population, delta, epsilonBudget, ledger);
        }
    }

    /** The factory {@code spec} names, with DP mechanisms configured from {@code settings}. */
    public static AggregationFactory parse(String spec, Settings settings) {
        if (spec == null || spec.isBlank()) {
            throw error(String.valueOf(spec), "empty aggregator");
        }
        String text = spec.trim().toLowerCase(Locale.ROOT);
        List<String> stages = List.of(text.split("\\+", -1));
        try {
            if (stages.size() == 1) {
                return preset(stages.get(0), settings);
            }
            AggregationFactory factory = core(stages.get(stages.size() - 1), settings);
            double zeroingCountStddev = Double.NaN;
            if (factory instanceof DifferentiallyPrivateFactory dp) {
                zeroingCountStddev = Aggregators.zeroingCountStddev(dp);
                for (String wrapper : stages.subList(0, stages.size() - 1)) {
                    if (isAdaptive(wrapper, "clip")) {
                        throw new SpecException("adaptive 'clip' before a DP core would estimate its bound without noise, a release that epsilon"
                                + " does not cover; use clip:BOUND, or rely on the DP core's own clipping");
                    }
                    if (isAdaptive(wrapper, "zeroing")) {
                        dp = dp.withAccountedCount(zeroingCountStddev);
                    }
                }
                factory = dp;
            }
            for (int i = stages.size() - 2; i >= 0; i--) {
                factory = wrapper(stages.get(i), factory, zeroingCountStddev, settings.clientsPerRound());
            }
            return factory;
        } catch (SpecException | IllegalArgumentException e) {
            throw error(spec, e.getMessage());
        }
    }

    /**
     * The weighted mean whose value sum is encoded on the clients with the {@link Encoders} preset;
     * a preset with error feedback keeps its residual in each client's state.
     */
    private static AggregationFactory encodedMean(String preset) {
        if (preset.isBlank()) {
            throw new SpecException("encoded needs an encoder preset, e.g. encoded:drive or encoded:hadamard-uniform:2@10000");
        }
        return new MeanFactory(EncodedSumFactory.of(Encoders.parse(preset)), new SumFactory());
    }

    private static DifferentiallyPrivateFactory configure(DifferentiallyPrivateFactory dp, Settings settings) {
        DifferentiallyPrivateFactory out = dp.withDelta(settings.delta());
        if (settings.population() > 0) {
            out = out.withPopulation(settings.population());
        }
        if (settings.epsilonBudget() < Double.POSITIVE_INFINITY) {
            out = out.withEpsilonBudget(settings.epsilonBudget());
        }
        if (settings.ledger() != null) {
            out = out.withLedger(settings.ledger());
        }
        return out;
    }

    /** Whether the wrapper {@code stage} is {@code kind} (zeroing or clip) with a bound estimated each round rather than fixed. */
    private static boolean isAdaptive(String stage, String kind) {
        String[] p = stage.split(":", -1);
        if (!p[0].equals(kind)) {
            return false;
        }
        return kind.equals("clip") ? p.length == 1 : p.length == 1 || p.length == 2 && (p[1].equals("l2") || p[1].equals("linf"));
    }

    /** Whether {@code factory} builds weighted processes (its innermost mechanism does). */
    public static boolean isWeighted(AggregationFactory factory) {
        if (factory instanceof NormBoundFactory n) {
            return isWeighted(n.inner());
        }
        if (factory instanceof NonFiniteZeroingFactory n) {
            return isWeighted(n.inner());
        }
        return factory instanceof WeightedAggregationFactory;
    }

    private static AggregationFactory preset(String stage, Settings settings) {
        int clientsPerRound = settings.clientsPerRound();
        String[] p = stage.split(":", -1);
        return switch (p[0]) {
            case "robust" -> {
                args(p, 0);
                yield Aggregators.robustAggregator().build();
            }
            case "dp" -> {
                args(p, 1);
                yield Aggregators.dpAggregator().setMechanism(configure(DifferentiallyPrivateFactory.gaussianAdaptive(number(p[1], "NOISE_MULTIPLIER"),
                        clients(clientsPerRound)), settings)).build();
            }
            case "secure" -> {
                args(p, 0);
                yield Aggregators.secureAggregator().build();
            }
            case "compression" -> {
                args(p, 0);
                yield Aggregators.compressionAggregator().build();
            }
            default -> core(stage, settings);
        };
    }

    private static AggregationFactory core(String stage, Settings settings) {
        int clientsPerRound = settings.clientsPerRound();
        if (stage.startsWith(ENCODED)) {
            return encodedMean(stage.substring(ENCODED.length()));
        }
        String[] p = stage.split(":", -1);
        switch (p[0]) {
            case "mean" -> {
                args(p, 0);
                return new MeanFactory();
            }
            case "median" -> {
                args(p, 0);
                return RobustAggregationFactory.median();
            }
            case "trimmed-mean" -> {
                args(p, 1);
                return RobustAggregationFactory.trimmedMean(number(p[1], "FRACTION"));
            }
            case "krum" -> {
                args(p, 1);
                return RobustAggregationFactory.krum(whole(p[1], "F"));
            }
            case "multi-krum" -> {
                args(p, 2);
                return RobustAggregationFactory.multiKrum(whole(p[1], "F"), whole(p[2], "M"));
            }
            case "dp" -> {
                args(p, 1);
                return configure(DifferentiallyPrivateFactory.gaussianAdaptive(number(p[1], "NOISE_MULTIPLIER"), clients(clientsPerRound)), settings);
            }
            case "dp-fixed" -> {
                args(p, 2);
                return configure(DifferentiallyPrivateFactory.gaussianFixed(number(p[1], "NOISE_MULTIPLIER"), clients(clientsPerRound),
                        number(p[2], "CLIP")), settings);
            }
            case "secure" -> {
                args(p, 0);
                return Aggregators.secureAggregator().optZeroing(false).optClipping(false).build();
            }
            case "compression" -> {
                args(p, 0);
                return Aggregators.compressionAggregator().optZeroing(false).optClipping(false).build();
            }
            case "robust", "non-finite", "zeroing", "clip" -> throw new SpecException("'" + p[0] + "' cannot be the last stage of a composition;"
                    + " end with a core (mean, median, trimmed-mean, krum, multi-krum, dp, dp-fixed, secure, compression)");
            default -> throw new SpecException("unknown aggregator '" + p[0] + "'");
        }
    }

    /**
     * {@code stage} around {@code inner}; an adaptive zeroing bound is estimated privately, with count
     * noise {@code privateCountStddev}, when that is a number (the core is DP and accounts it).
     */
    private static AggregationFactory wrapper(String stage, AggregationFactory inner, double privateCountStddev, int clientsPerRound) {
        String[] p = stage.split(":", -1);
        switch (p[0]) {
            case "non-finite" -> {
                args(p, 0);
                return new NonFiniteZeroingFactory(inner);
            }
            case "clip" -> {
                if (p.length == 1) {
                    return Aggregators.withDefaultClipping(inner);
                }
                args(p, 1);
                return ClippingFactory.fixed(number(p[1], "BOUND"), inner);
            }
            case "zeroing" -> {
                if (p.length > 3) {
                    throw new SpecException("'zeroing' takes at most a norm and a bound (zeroing[:l2|linf][:BOUND]), got '" + stage + "'");
                }
                List<String> rest = new ArrayList<>(List.of(p).subList(1, p.length));
                Norm norm = Norm.LINF;
                if (!rest.isEmpty() && (rest.get(0).equals("l2") || rest.get(0).equals("linf"))) {
                    norm = Norm.parse(rest.remove(0));
                }
                if (rest.isEmpty()) {
                    return ZeroingFactory.adaptive(Double.isNaN(privateCountStddev) ? Aggregators.defaultZeroingNorm()
                            : Aggregators.privateZeroingNorm(privateCountStddev, clientsPerRound), norm, inner);
                }
                if (rest.size() > 1) {
                    throw new SpecException("'zeroing' norm must be l2 or linf, got '" + rest.get(0) + "'");
                }
                return ZeroingFactory.fixed(number(rest.get(0), "BOUND"), norm, inner);
            }
            default -> throw new SpecException("'" + p[0] + "' is not a wrapper; only the last stage may be a core, wrappers are non-finite,"
                    + " zeroing, clip");
        }
    }

    private static void args(String[] parts, int expected) {
        if (parts.length - 1 != expected) {
            String form = FORMS.stream().filter(f -> f.equals(parts[0]) || f.startsWith(parts[0] + ":")).findFirst().orElse(parts[0]);
            throw new SpecException("'" + parts[0] + "' takes " + expected + " argument(s) (" + form + "), got " + (parts.length - 1));
        }
    }

    private static double number(String text, String what) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new SpecException(what + " must be a number, got '" + text + "'");
        }
    }

    private static int whole(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new SpecException(what + " must be a whole number, got '" + text + "'");
        }
    }

    private static int clients(int clientsPerRound) {
        if (clientsPerRound < 1) {
            throw new SpecException("differential privacy needs the clients per round (>= 1), got " + clientsPerRound);
        }
        return clientsPerRound;
    }

    private static IllegalArgumentException error(String spec, String why) {
        return new IllegalArgumentException("aggregator '" + spec + "': " + why + "; valid forms: " + String.join(", ", FORMS));
    }

    /** A parse problem, reported with the whole spec and the valid forms. */
    private static final class SpecException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SpecException(String message) {
            super(message);
        }
    }
}
