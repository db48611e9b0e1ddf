package dev.fl4j.cli.spec;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.core.StructType;
import dev.fl4j.learning.algorithms.ClientWeighting;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.algorithms.FedNova;
import dev.fl4j.learning.algorithms.FedRecon;
import dev.fl4j.learning.algorithms.FedSgd;
import dev.fl4j.learning.algorithms.MimeLite;
import dev.fl4j.learning.algorithms.Scaffold;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Adagrad;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.LearningRateSchedule;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.optimizers.Yogi;
import dev.fl4j.learning.templates.DistributionProcess;
import dev.fl4j.learning.templates.LearningProcess;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An {@code --algorithm}: fedavg, fedavg-unweighted, fedsgd, fedprox:MU, fedadam, fedyogi,
 * fedadagrad, scaffold, fednova, mime-lite[:MOMENTUM], fedrecon:LOCAL[:RECON_EPOCHS[:RECON_LR]] and kmeans:K
 * (federated k-means into K clusters, {@link dev.fl4j.learning.algorithms.FedKMeans}: no model, optimizers or
 * learning rates; the simulation runs it apart, see {@link #isKMeans}), the others each with
 * its server optimizer's default learning rate when {@code --server-lr} is not given (SGD 1.0 for FedAvg,
 * FedProx, SCAFFOLD, FedNova, Mime Lite and FedRecon, SGD 0.1 for FedSGD as in TFF, 0.01 for the adaptive
 * ones). SCAFFOLD's {@code N} is the training population; Mime Lite's base optimizer is SGD at
 * {@code --client-lr} with momentum {@code MOMENTUM}, or without {@code MOMENTUM} the {@code --client-optimizer}
 * (SGD by default; Adam, Adagrad, Yogi, RMSprop, SGD with heavy-ball momentum). FedRecon ({@link FedRecon})
 * keeps the trainable weights {@code LOCAL} names on the clients ({@link Reconstruction}). {@link #parse} reads
 * the text with the shared {@link SpecGrammar}; its errors are {@link SpecException}s
 * ({@code algorithm 'fedprox:x': MU must be a number, got 'x'; valid forms: ...}).
 *
 * @param reconstruction FedRecon's local weights and their reconstruction, null for the other algorithms
 * @param clusters k-means' number of clusters, 0 for the other algorithms
 */
public record AlgorithmChoice(
        String name, float proximalMu, float momentum, Reconstruction reconstruction, int clusters) {

    /** An algorithm other than FedRecon and k-means. */
    public AlgorithmChoice(String name, float proximalMu, float momentum) {
        this(name, proximalMu, momentum, null, 0);
    }

    /** An algorithm other than k-means. */
    public AlgorithmChoice(String name, float proximalMu, float momentum, Reconstruction reconstruction) {
        this(name, proximalMu, momentum, reconstruction, 0);
    }

    /** Federated k-means ({@code kmeans:K}, TFF's {@code build_fed_kmeans}) with {@code clusters} centroids. */
    public static AlgorithmChoice kMeans(int clusters) {
        return new AlgorithmChoice("kmeans", 0f, 0f, null, clusters);
    }

    /**
     * FedRecon's local weights and how each client reconstructs them every round: {@code epochs} passes of SGD
     * at {@code learningRate} over its data with the global weights frozen (TFF's reconstruction optimizer;
     * defaults 1 and 0.1 as in {@link FedRecon}).
     *
     * @param local {@code last} (the trainable weights of the model's last layer that has any) or trainable
     *     weight names joined by {@code +}, e.g. {@code dense_1/kernel+dense_1/bias}
     */
    public record Reconstruction(String local, int epochs, float learningRate) {

        /** The trainable weight names {@link #local} means for {@code model}. */
        public Set<String> localWeights(ModelSpec model) {
            StructType trainable = (StructType) model.weightsType().get("trainable");
            List<String> all = new ArrayList<>();
            trainable.fields().forEach(f -> all.add(f.name()));
            Set<String> names = new LinkedHashSet<>();
            if (local.equals("last")) {
                if (all.isEmpty()) {
                    throw new IllegalArgumentException("model '" + model.name() + "' has no trainable weights");
                }
                String last = all.get(all.size() - 1);
                String layer = last.contains("/") ? last.substring(0, last.lastIndexOf('/') + 1) : last;
                all.stream().filter(n -> n.equals(layer) || n.startsWith(layer)).forEach(names::add);
                return names;
            }
            for (String n : local.split("\\+", -1)) {
                if (!all.contains(n)) {
                    throw new IllegalArgumentException("FedRecon's LOCAL names '" + n + "', not a trainable weight of"
                            + " model '" + model.name() + "'; its trainable weights: " + String.join(", ", all)
                            + " (or use last)");
                }
                names.add(n);
            }
            return names;
        }
    }

    /** The forms {@code --algorithm} accepts. */
    public static final List<String> FORMS = List.of(
            "fedavg",
            "fedavg-unweighted",
            "fedsgd",
            "fedprox:MU",
            "fedadam",
            "fedyogi",
            "fedadagrad",
            "scaffold",
            "fednova",
            "mime-lite[:MOMENTUM]",
            "fedrecon:LOCAL[:RECON_EPOCHS[:RECON_LR]]",
            "kmeans:K");

    private static final SpecGrammar GRAMMAR = new SpecGrammar("algorithm", FORMS);

    /**
     * The algorithm {@code spec} names.
     *
     * @throws SpecException for an unknown name, a wrong parameter count, or a MU that is not a finite number >= 0
     */
    public static AlgorithmChoice parse(String spec) {
        return GRAMMAR.parse(spec, text -> {
            SpecTerm term = GRAMMAR.term(text);
            switch (term.name()) {
                case "fedprox" -> {
                    term.expect(1);
                    double mu = term.number(0, "MU");
                    if (!(mu >= 0) || !Float.isFinite((float) mu)) {
                        throw new IllegalArgumentException("FedProx's MU must be finite and >= 0, got '"
                                + term.params().get(0) + "'");
                    }
                    return new AlgorithmChoice("fedprox", (float) mu, 0f);
                }
                case "mime-lite" -> {
                    if (term.params().isEmpty()) {
                        return new AlgorithmChoice("mime-lite", 0f, Float.NaN);
                    }
                    term.expect(1);
                    float m = (float) term.number(0, "MOMENTUM");
                    if (!(m >= 0 && m < 1)) {
                        throw new IllegalArgumentException("Mime Lite's MOMENTUM must be in [0, 1), got '"
                                + term.params().get(0) + "'");
                    }
                    return new AlgorithmChoice("mime-lite", 0f, m);
                }
                case "fedavg",
                        "fedavg-unweighted",
                        "fedsgd",
                        "fedadam",
                        "fedyogi",
                        "fedadagrad",
                        "scaffold",
                        "fednova" -> {
                    term.expect(0);
                    return new AlgorithmChoice(term.name(), 0f, 0f);
                }
                case "fedrecon" -> {
                    return fedRecon(term);
                }
                case "kmeans" -> {
                    term.expect(1);
                    int k = term.whole(0, "K");
                    if (k < 1) {
                        throw new IllegalArgumentException("k-means' K (clusters) must be >= 1, got '"
                                + term.params().get(0) + "'");
                    }
                    return kMeans(k);
                }
                default -> throw term.unknown();
            }
        });
    }

    private static AlgorithmChoice fedRecon(SpecTerm term) {
        List<String> p = term.params();
        if (p.isEmpty() || p.size() > 3) {
            throw new IllegalArgumentException("'fedrecon' takes 1 to 3 argument(s) ("
                    + "fedrecon:LOCAL[:RECON_EPOCHS[:RECON_LR]]), got " + p.size());
        }
        String local = p.get(0).trim();
        if (local.isEmpty() || local.startsWith("+") || local.endsWith("+") || local.contains("++")) {
            throw new IllegalArgumentException("FedRecon's LOCAL must be 'last' or trainable weight names joined by"
                    + " '+' (e.g. dense_1/kernel+dense_1/bias), got '" + p.get(0) + "'");
        }
        int epochs = 1;
        if (p.size() > 1) {
            epochs = term.whole(1, "RECON_EPOCHS");
            if (epochs < 1) {
                throw new IllegalArgumentException("FedRecon's RECON_EPOCHS must be >= 1, got '" + p.get(1) + "'");
            }
        }
        float lr = 0.1f;
        if (p.size() > 2) {
            lr = (float) term.number(2, "RECON_LR");
            if (!(lr > 0) || !Float.isFinite(lr)) {
                throw new IllegalArgumentException(
                        "FedRecon's RECON_LR must be finite and > 0 (in float32), got '" + p.get(2) + "'");
            }
        }
        return new AlgorithmChoice("fedrecon", 0f, 0f, new Reconstruction(local, epochs, lr));
    }

    /** Whether this is federated k-means, which trains centroids, not a {@code --model}. */
    public boolean isKMeans() {
        return name.equals("kmeans");
    }

    /** Whether this is FedRecon, whose local weights never reach the server. */
    public boolean isReconstruction() {
        return reconstruction != null;
    }

    /**
     * Refuses, for FedRecon, the options whose meaning would be lost: learning-rate schedules, an encoded
     * {@code --broadcast} (only the global weights are broadcast, by FedRecon's own distributor), an
     * {@code --export} (the server's copy of the local weights is never trained) and a client weight decay
     * (it would move the weights each phase freezes).
     *
     * @throws IllegalArgumentException naming the option
     */
    public void requireReconstructionApplicable(
            String clientSchedule, String serverSchedule, String broadcast, boolean export, Float clientWeightDecay) {
        if (!isReconstruction()) {
            return;
        }
        String why = null;
        if (clientSchedule != null) {
            why = "--client-lr-schedule";
        } else if (serverSchedule != null) {
            why = "--server-lr-schedule";
        }
        if (why != null) {
            throw new IllegalArgumentException(why + " is not supported by --algorithm " + text()
                    + ": FedRecon's clients and server run at the constant --client-lr and --server-lr");
        }
        if (broadcast != null && !broadcast.trim().equalsIgnoreCase("none")) {
            throw new IllegalArgumentException("--broadcast " + broadcast + " does not apply to --algorithm " + text()
                    + ": FedRecon broadcasts only the global weights, with its own plain distributor");
        }
        if (export) {
            throw new IllegalArgumentException("--export does not apply to --algorithm " + text()
                    + ": the local weights never reach the server, so its model is not one any client uses;"
                    + " evaluation reconstructs them per client (the round lines' eval metrics)");
        }
        if (clientWeightDecay != null) {
            throw new IllegalArgumentException("--client-weight-decay is not supported by --algorithm " + text()
                    + ": weight decay would move the weights each phase of a FedRecon client holds frozen");
        }
    }

    /** The server learning rate used when none is given. */
    public float defaultServerLearningRate() {
        return switch (name) {
            case "fedsgd" -> 0.1f;
            case "fedadam", "fedyogi", "fedadagrad" -> 0.01f;
            default -> 1.0f;
        };
    }

    /** The canonical text, e.g. {@code fedprox:0.01}. */
    public String text() {
        return switch (name) {
            case "fedprox" -> "fedprox:" + proximalMu;
            case "mime-lite" -> Float.isNaN(momentum) ? "mime-lite" : "mime-lite:" + momentum;
            case "kmeans" -> "kmeans:" + clusters;
            case "fedrecon" ->
                "fedrecon:" + reconstruction.local() + ":" + reconstruction.epochs() + ":"
                        + reconstruction.learningRate();
            default -> name;
        };
    }

    private Optimizer serverOptimizer(float lr) {
        return switch (name) {
            case "fedadam" -> Adam.of(lr);
            case "fedyogi" -> Yogi.of(lr);
            case "fedadagrad" -> Adagrad.of(lr);
            default -> Sgd.of(lr);
        };
    }

    /**
     * Refuses options of local training that this algorithm would ignore: FedSGD's clients take no
     * local steps, so {@code --client-lr} (given at all) and {@code --epochs} other than 1 are errors.
     *
     * @throws IllegalArgumentException naming the option that does not apply
     */
    public void requireApplicable(Float clientLr, int epochs) {
        requireApplicable(clientLr, epochs, null);
    }

    /**
     * As {@link #requireApplicable(Float, int)}, and FedSGD refuses a client learning-rate schedule too.
     *
     * @throws IllegalArgumentException naming the option that does not apply
     */
    public void requireApplicable(Float clientLr, int epochs, String clientLrSchedule) {
        if (!name.equals("fedsgd")) {
            return;
        }
        if (clientLrSchedule != null) {
            throw new IllegalArgumentException("--client-lr-schedule does not apply to --algorithm fedsgd: its clients"
                    + " take no local steps; schedule the server with --server-lr-schedule");
        }
        if (clientLr != null) {
            throw new IllegalArgumentException(
                    "--client-lr does not apply to --algorithm fedsgd: its clients compute one gradient at the "
                            + "received model"
                            + " and take no local steps; the step size is --server-lr");
        }
        if (epochs != 1) {
            throw new IllegalArgumentException("--epochs " + epochs
                    + " does not apply to --algorithm fedsgd: its clients compute one gradient over"
                    + " all their data at the received model");
        }
    }

    /** The run header's description, e.g. {@code fedavg (client SGD 0.02, server lr 1.0, 1 epoch)}. */
    public String describe(float clientLr, float serverLr, int epochs) {
        return describe(clientLr, serverLr, epochs, null, null, null, null);
    }

    /**
     * The run header's description with the optimizer options as given (null: not given), e.g.
     * {@code fedavg (client sgdm:0.9 0.05, weight decay 5.0E-4, server adam lr 0.01, 1 epoch)}.
     */
    public String describe(
            float clientLr,
            float serverLr,
            int epochs,
            String clientOptimizer,
            Float clientWeightDecay,
            String serverOptimizer,
            Float serverWeightDecay) {
        String server = (serverOptimizer == null ? "server lr " : "server " + serverOptimizer.trim() + " lr ")
                + serverLr
                + (serverWeightDecay == null ? "" : ", server weight decay " + serverWeightDecay);
        if (name.equals("fedsgd")) {
            return String.format(
                    Locale.ROOT, "%s (%s, one gradient per client and round, no local steps)", text(), server);
        }
        String extra = switch (name) {
            case "scaffold" -> ", control variates over all training clients";
            case "fednova" -> ", updates normalized by local steps";
            case "mime-lite" ->
                Float.isNaN(momentum)
                        ? ", base optimizer state kept by the server and applied on clients"
                        : ", server momentum " + momentum + " applied on clients";
            case "fedrecon" ->
                String.format(
                        Locale.ROOT,
                        ", local weights %s reconstructed by SGD %s for %d epoch%s each round and never sent",
                        reconstruction.local(),
                        reconstruction.learningRate(),
                        reconstruction.epochs(),
                        reconstruction.epochs() == 1 ? "" : "s");
            default -> "";
        };
        String client = (clientOptimizer == null ? "client SGD " : "client " + clientOptimizer.trim() + " ")
                + clientLr
                + (clientWeightDecay == null ? "" : ", weight decay " + clientWeightDecay);
        return String.format(
                Locale.ROOT,
                "%s (%s, %s, %d epoch%s%s)",
                text(),
                client,
                server,
                epochs,
                epochs == 1 ? "" : "s",
                extra);
    }

    /**
     * The server learning rate used when none is given, with {@code serverOptimizer} (a
     * {@code --server-optimizer} value, or null): 0.01 for an adaptive one (Adam, Adagrad, Yogi,
     * RMSprop, as FedAdam's), else {@link #defaultServerLearningRate()}.
     */
    public float defaultServerLearningRate(String serverOptimizer) {
        if (serverOptimizer != null && !serverOptimizer.isBlank()) {
            String n = OptimizerSpec.name(serverOptimizer);
            if (!n.equals("sgd") && !n.equals("sgdm") && !n.equals("nesterov")) {
                return 0.01f;
            }
        }
        return defaultServerLearningRate();
    }

    /**
     * The client optimizer of this algorithm from {@code --client-optimizer} ({@code spec}, null for
     * SGD) at learning rate {@code lr} with {@code --client-weight-decay} ({@code weightDecay}, null for
     * none); null for FedSGD, whose clients take no steps.
     *
     * @throws IllegalArgumentException naming the option and why this algorithm cannot take it: FedSGD
     *     takes no client optimizer; {@code mime-lite:MOMENTUM}'s is SGD with that momentum, plain
     *     {@code mime-lite}'s any but Nesterov SGD, both without weight decay (the server state is built
     *     from plain gradients); SCAFFOLD's
     *     control variates and FedNova's normalization assume SGD steps (FedNova: heavy-ball momentum at
     *     most); or whatever {@link OptimizerSpec} refuses
     */
    public Optimizer clientOptimizer(String spec, float lr, Float weightDecay) {
        float wd = weightDecay(weightDecay, "client-weight-decay");
        if (name.equals("fedsgd")) {
            if (spec != null) {
                throw new IllegalArgumentException("--client-optimizer does not apply to --algorithm fedsgd: its"
                        + " clients compute one gradient and take no local steps; use --server-optimizer");
            }
            if (weightDecay != null) {
                throw new IllegalArgumentException("--client-weight-decay does not apply to --algorithm fedsgd: its"
                        + " clients take no local steps; use --server-weight-decay");
            }
            return null;
        }
        if (name.equals("mime-lite") && Float.isNaN(momentum)) {
            if (weightDecay != null) {
                throw new IllegalArgumentException("--client-weight-decay is not supported by --algorithm " + text()
                        + ": its server state is updated with the clients' plain full-batch gradients");
            }
            if (spec == null) {
                return Sgd.of(lr);
            }
            if (OptimizerSpec.name(spec).equals("nesterov")) {
                throw new IllegalArgumentException("--client-optimizer " + spec + " does not apply to --algorithm "
                        + text()
                        + ": Mime Lite applies the server's heavy-ball momentum on the clients, not Nesterov's;"
                        + " use sgd, sgdm:MOMENTUM, adam, adagrad, yogi or rmsprop");
            }
            return OptimizerSpec.parse("client-optimizer", spec, lr, 0f);
        }
        if (name.equals("mime-lite")) {
            if (spec != null) {
                throw new IllegalArgumentException("--client-optimizer does not apply to --algorithm " + text()
                        + ": Mime Lite's base optimizer is SGD with the momentum of mime-lite:MOMENTUM, kept by the"
                        + " server and applied on the clients; for another base optimizer use --algorithm mime-lite"
                        + " --client-optimizer " + spec);
            }
            if (weightDecay != null) {
                throw new IllegalArgumentException("--client-weight-decay is not supported by --algorithm " + text()
                        + ": its server momentum is built from the clients' plain full-batch gradients");
            }
            return Sgd.of(lr).withMomentum(momentum);
        }
        Optimizer o = spec == null
                ? (wd == 0f ? Sgd.of(lr) : Sgd.of(lr).withWeightDecay(wd))
                : OptimizerSpec.parse("client-optimizer", spec, lr, wd);
        if (spec != null && (name.equals("scaffold") || name.equals("fednova"))) {
            String n = OptimizerSpec.name(spec);
            boolean ok = n.equals("sgd") || n.equals("sgdm") || (n.equals("nesterov") && name.equals("scaffold"));
            if (!ok) {
                throw new IllegalArgumentException("--client-optimizer " + spec + " does not apply to --algorithm "
                        + name + ": "
                        + (name.equals("scaffold")
                                ? "its control variates assume SGD client steps; use sgd, sgdm:MOMENTUM or"
                                        + " nesterov:MOMENTUM"
                                : "it normalizes SGD steps with at most heavy-ball momentum; use sgd or"
                                        + " sgdm:MOMENTUM"));
            }
        }
        return o;
    }

    /**
     * The server optimizer from {@code --server-optimizer} ({@code spec}, null for this algorithm's own)
     * at learning rate {@code lr} with {@code --server-weight-decay} ({@code weightDecay}, null for none).
     *
     * @throws IllegalArgumentException for a {@code --server-optimizer} with FedAdam, FedYogi or FedAdagrad,
     *     which name their server optimizer themselves, or whatever {@link OptimizerSpec} refuses
     */
    public Optimizer serverOptimizer(String spec, float lr, Float weightDecay) {
        float wd = weightDecay(weightDecay, "server-weight-decay");
        if (spec != null && (name.equals("fedadam") || name.equals("fedyogi") || name.equals("fedadagrad"))) {
            throw new IllegalArgumentException("--server-optimizer does not apply to --algorithm " + name
                    + ", whose server optimizer is " + name.substring(3) + "; for another one use --algorithm fedavg"
                    + " --server-optimizer " + spec);
        }
        Optimizer o = spec == null ? serverOptimizer(lr) : OptimizerSpec.parse("server-optimizer", spec, lr, 0f);
        return wd == 0f ? o : OptimizerSpec.withWeightDecay(o, wd);
    }

    private static float weightDecay(Float wd, String option) {
        if (wd == null) {
            return 0f;
        }
        if (!(wd >= 0f) || Float.isInfinite(wd)) {
            throw new IllegalArgumentException("--" + option + " must be a finite number >= 0, got " + wd);
        }
        return wd;
    }

    /**
     * The learning process with client optimizer {@code clientOptimizer} (null for FedSGD) and server
     * optimizer {@code serverOptimizer}, as {@link #clientOptimizer} and {@link #serverOptimizer} make them,
     * starting from {@code initialWeights} (null: the model's seeded initial weights).
     *
     * @param population the number of training clients (SCAFFOLD's {@code N})
     * @param clientSchedule the client learning rate per round, or null for the client optimizer's throughout
     * @param serverSchedule the server learning rate per round, or null for the server optimizer's throughout
     */
    public LearningProcess build(
            ModelSpec model,
            AggregationFactory aggregator,
            DistributionProcess distributor,
            Optimizer clientOptimizer,
            Optimizer serverOptimizer,
            int epochs,
            long seed,
            int population,
            LearningRateSchedule clientSchedule,
            LearningRateSchedule serverSchedule,
            ModelWeights initialWeights) {
        if (isReconstruction()) {
            FedRecon.Builder r = reconstruction(model, clientOptimizer, serverOptimizer, epochs, seed)
                    .optModelAggregator(aggregator);
            if (initialWeights != null) {
                r.optInitialWeights(initialWeights);
            }
            return r.build();
        }
        FedAvg.Builder b = switch (name) {
            case "fedsgd" -> FedSgd.builder(model);
            case "scaffold" -> Scaffold.builder(model, population);
            case "fednova" -> FedNova.builder(model);
            case "mime-lite" -> MimeLite.builder(model);
            default -> FedAvg.builder(model);
        };
        if (!name.equals("fedsgd")) {
            b.setClientOptimizer(clientOptimizer).optEpochs(epochs);
        }
        if (clientSchedule != null) {
            b.optClientLearningRateSchedule(clientSchedule);
        }
        if (serverSchedule != null) {
            b.optServerLearningRateSchedule(serverSchedule);
        }
        b.optServerOptimizer(serverOptimizer)
                .optModelAggregator(aggregator)
                .optDistributor(distributor)
                .optSeed(seed);
        if (name.equals("fedavg-unweighted")) {
            b.optClientWeighting(ClientWeighting.UNIFORM);
        }
        if (name.equals("fedprox")) {
            b.optProximalMu(proximalMu);
        }
        if (initialWeights != null) {
            b.optInitialWeights(initialWeights);
        }
        return b.build();
    }

    /**
     * FedRecon's builder for {@code model} (this must be {@link #isReconstruction()}): the local weights of
     * {@link Reconstruction#localWeights}, reconstructed with SGD at {@link Reconstruction#learningRate} for
     * {@link Reconstruction#epochs}, the global ones trained with {@code clientOptimizer} for {@code epochs}.
     *
     * @throws IllegalArgumentException for local weight names the model does not have, or all of its weights
     */
    public FedRecon.Builder reconstruction(
            ModelSpec model, Optimizer clientOptimizer, Optimizer serverOptimizer, int epochs, long seed) {
        if (!isReconstruction()) {
            throw new IllegalStateException(name + " is not federated reconstruction");
        }
        return FedRecon.builder(model, reconstruction.localWeights(model))
                .setClientOptimizer(clientOptimizer)
                .optReconstructionOptimizer(Sgd.of(reconstruction.learningRate()))
                .optReconstructionEpochs(reconstruction.epochs())
                .optEpochs(epochs)
                .optServerOptimizer(serverOptimizer)
                .optSeed(seed);
    }

    /**
     * The learning process with client SGD at {@code clientLr} (Mime Lite: with its momentum) and this
     * algorithm's server optimizer at {@code serverLr}.
     */
    public LearningProcess build(
            ModelSpec model,
            AggregationFactory aggregator,
            DistributionProcess distributor,
            float clientLr,
            float serverLr,
            int epochs,
            long seed,
            int population,
            LearningRateSchedule clientSchedule,
            LearningRateSchedule serverSchedule) {
        return build(
                model,
                aggregator,
                distributor,
                clientOptimizer(null, clientLr, null),
                serverOptimizer(null, serverLr, null),
                epochs,
                seed,
                population,
                clientSchedule,
                serverSchedule,
                null);
    }
}
