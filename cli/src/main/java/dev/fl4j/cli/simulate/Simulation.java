package dev.fl4j.cli.simulate;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.cli.spec.AggregatorSpec;
import dev.fl4j.cli.spec.AlgorithmChoice;
import dev.fl4j.cli.spec.ModelChoice;
import dev.fl4j.cli.spec.PartitionSpec;
import dev.fl4j.cli.spec.PersonalizationSpec;
import dev.fl4j.cli.spec.ScheduleSpec;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.runtime.RuntimeSpecs;
import dev.fl4j.core.runtime.SecureSumProtocol;
import dev.fl4j.learning.algorithms.ModelEngines;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.LearningRateSchedule;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.templates.DistributionProcess;
import dev.fl4j.learning.templates.EncodedDistribution;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.PrivacyLedgerFile;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.export.ModelExport;
import dev.fl4j.simulation.metrics.CsvMetricsSink;
import dev.fl4j.simulation.metrics.JsonLinesMetricsSink;
import dev.fl4j.simulation.metrics.MetricsHistory;
import dev.fl4j.simulation.metrics.MetricsPlot;
import dev.fl4j.simulation.metrics.MetricsSink;
import dev.fl4j.simulation.metrics.PlotSink;
import dev.fl4j.simulation.metrics.TensorBoardSink;
import dev.fl4j.simulation.provenance.Provenance;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Runs what {@code fl4j simulate} was asked: loads the dataset (printing the partition), builds the
 * model and the algorithm, and trains once per aggregator with the same seed and data, each run
 * with its own TensorBoard sub-directory, CSV/JSON-lines file and checkpoint directory (named after
 * the aggregator), all runs on one PNG chart; then prints a summary per run and, for several runs,
 * a comparison of final accuracy and total bits. Every file a run writes records its {@link Provenance}: this
 * fl4j build, the run's configuration ({@link #runConfig}, the one checkpoints are matched by), seed, JDK and engine.
 */
public final class Simulation {

    /** Clients for centralised and synthetic datasets when {@code --clients} is not given. */
    public static final int DEFAULT_CLIENTS = 100;

    private Simulation() {}

    /** One finished run; a private one releases no bit counts. */
    record RunSummary(
            String name, TrainingResult result, String accuracyMetric, Optional<Double> accuracy, boolean isPrivate) {}

    /**
     * Runs the simulation; {@code progress} receives progress bars (null: none).
     *
     * @throws UsageException for settings that cannot work
     */
    public static List<RunSummary> run(SimulationSettings s, PrintWriter out, PrintStream progress) throws Exception {
        return run(s, "local", out, progress);
    }

    /**
     * Runs the simulation with client work on the runtime {@code runtimeSpec} names ({@code local}, or
     * a registered one such as {@code spark:local[2]}, see {@link RuntimeSpecs}); one runtime serves
     * every run and is closed at the end.
     *
     * @throws UsageException for settings that cannot work, an unknown runtime among them
     */
    public static List<RunSummary> run(SimulationSettings s, String runtimeSpec, PrintWriter out, PrintStream progress)
            throws Exception {
        s.validate();
        if (runtimeSpec.equals("local")) {
            return run(s, null, null, out, progress);
        }
        FederatedRuntime runtime;
        try {
            runtime = RuntimeSpecs.open(runtimeSpec, s.workers());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--runtime " + runtimeSpec + ": " + e.getMessage());
        }
        try (runtime) {
            out.printf("runtime %s (%d clients at once)%n", runtimeSpec, runtime.workers());
            return run(s, runtime, runtimeSpec, out, progress);
        }
    }

    /** Runs on {@code runtime}, named {@code runtimeSpec} (both null: the local runtime). */
    private static List<RunSummary> run(
            SimulationSettings s, FederatedRuntime runtime, String runtimeSpec, PrintWriter out, PrintStream progress)
            throws Exception {
        if (runtime != null
                && SecureAggregationSpec.parse(s.secureAggregation()).isPresent()) {
            throw new UsageException("--secure-aggregation " + s.secureAggregation()
                    + " runs the protocol in this JVM on the local runtime; it cannot be combined with --runtime");
        }
        AlgorithmChoice algorithm = algorithm(s);
        if (algorithm.isKMeans()) {
            return KMeansRun.run(s, algorithm, runtime, out, progress);
        }
        boolean centralised = SimulationData.isCentralised(s.dataset(), s.table());
        boolean federatedFiles =
                !centralised && !SimulationData.name(s.dataset()).equals("synthetic");
        int clients = s.clients() != null ? s.clients() : federatedFiles ? 0 : DEFAULT_CLIENTS;
        float serverLr = serverLr(s, algorithm);
        Optimizers optimizers = optimizers(s, algorithm, serverLr);
        List<PersonalizationSpec> personalization = personalization(s, algorithm);
        LearningRateSchedule clientSchedule =
                schedule("client-lr-schedule", s.clientLrSchedule(), s.clientLrOrDefault());
        LearningRateSchedule serverSchedule = schedule("server-lr-schedule", s.serverLrSchedule(), serverLr);
        parseAggregators(s, 0);
        String partition = centralised ? (s.partition() != null ? s.partition() : "iid") : null;
        if (partition != null) {
            try {
                PartitionSpec.parse(partition); // a bad --partition is refused before any data is loaded
            } catch (IllegalArgumentException e) {
                throw new UsageException("--partition: " + e.getMessage());
            }
        }

        StringBuilder summary = new StringBuilder();
        try (SimulationData data = SimulationData.load(
                s.dataset(), s.table(), partition, clients, s.examplesPerClient(), s.seed(), runtimeSpec, summary)) {
            out.print(summary);
            int population = data.train().clientIds().size();
            if (s.clientsPerRound() > population) {
                throw new UsageException("--clients-per-round " + s.clientsPerRound() + " is more than the "
                        + population + " training clients");
            }
            ModelChoice model = model(s, data);
            ModelWeights initialWeights = initialWeights(s, model, out);
            if (!personalization.isEmpty()) {
                PersonalizationReport.requireClientTestData(data, s.dataset());
            }
            Preprocessing prep = Preprocessing.builder()
                    .setBatchSize(s.batch())
                    .optExamplesCap(s.examplesPerClient())
                    .optBatchMap(model.batchMap())
                    .build();
            ModelEvaluation evaluation = evaluation(data, model, prep, s);
            out.printf(
                    Locale.ROOT,
                    "model %s (%,d parameters), algorithm %s, %d of %d clients per round, batch %d%s%n",
                    model.name(),
                    model.spec().countParams(),
                    describe(s, algorithm, serverLr),
                    s.clientsPerRound(),
                    population,
                    s.batch(),
                    s.examplesPerClient() > 0
                            ? ", at most " + s.examplesPerClient() + " examples per client and round"
                            : "");
            if (clientSchedule != null || serverSchedule != null) {
                out.printf(
                        Locale.ROOT,
                        "learning-rate schedules: client %s, server %s%n",
                        clientSchedule != null ? clientSchedule : "constant",
                        serverSchedule != null ? serverSchedule : "constant");
            }
            out.flush();

            Map<String, MetricsHistory> chart = new LinkedHashMap<>();
            Map<String, Provenance> chartProvenance = new LinkedHashMap<>();
            String engine = ModelEngines.defaultEngine().version();
            List<RunSummary> runs = new ArrayList<>();
            DistributionProcess distributor = distributor(s, model);
            Map<String, String> specs = specsByName(s);
            SortedMap<String, String> options = s.options();
            if (partition != null) {
                options.put("partition", partition);
            }
            options.put("clients", String.valueOf(population));
            options.put("model", model.name());
            if (ModelChoice.isFile(model.name())) {
                options.put("model-spec-sha256", model.specSha256());
            }
            options.put("server-lr", String.valueOf(serverLr));
            for (Map.Entry<String, String> agg : specs.entrySet()) {
                String name = agg.getKey();
                out.printf("%n== run %s: aggregator %s ==%n", name, name);
                out.flush();
                RunConfig config = runConfig(s, data, model, algorithm, serverLr, partition, clients, name);
                Provenance provenance = Provenance.current(options, config, s.seed(), engine);
                CheckpointStore store = s.checkpointDir() != null
                        ? new CheckpointStore(s.checkpointDir().resolve(name)).withProvenance(provenance)
                        : null;
                AggregatorSpec.Settings settings = aggregatorSettings(s, population);
                AggregationFactory factory = parseAggregator(agg.getValue(), settings);
                Optional<DifferentiallyPrivateFactory> dp = DifferentiallyPrivateFactory.find(factory);
                if (dp.isPresent()
                        && SecureAggregationSpec.parse(s.secureAggregation()).isPresent()
                        && !(dp.get().recordAggregation() instanceof dev.fl4j.aggregators.SecureSumFactory)) {
                    throw new UsageException("--secure-aggregation " + s.secureAggregation()
                            + " with the differentially private --aggregator " + agg.getValue() + ": its clipped"
                            + " updates are summed in the clear, so SecAgg+ would protect nothing; use"
                            + " dp-fixed:NOISE_MULTIPLIER:CLIP:secure, which sums them securely before the noise");
                }
                if (dp.isPresent() && store != null) {
                    if (s.checkpointEvery() != 1) {
                        throw new UsageException(
                                "--checkpoint-every " + s.checkpointEvery() + ": a differentially private run (" + name
                                        + ") checkpoints every round, so that a resumed run repeats as few noised "
                                        + "rounds as possible");
                    }
                    factory = parseAggregator(agg.getValue(), settings.withLedger(PrivacyLedgerFile.in(store)));
                    dp = DifferentiallyPrivateFactory.find(factory);
                }
                LearningProcess process;
                try {
                    process = algorithm.build(
                            model.spec(),
                            factory,
                            distributor,
                            optimizers.client(),
                            optimizers.server(),
                            s.epochs(),
                            s.seed(),
                            population,
                            clientSchedule,
                            serverSchedule,
                            initialWeights);
                } catch (IllegalStateException | IllegalArgumentException e) {
                    throw new UsageException("--algorithm " + algorithm.text() + " with --aggregator " + agg.getValue()
                            + ": " + e.getMessage());
                }
                RoundPrinter printer = new RoundPrinter(out, progress, name);
                List<MetricsSink> sinks = new ArrayList<>();
                try {
                    TrainingLoop.Builder loop = trainingLoop(s, process, data, prep, printer, runtime);
                    dp.ifPresent(loop::optPrivacy);
                    if (evaluation != null) {
                        loop.optEvaluation(evaluation, s.evalEvery());
                    }
                    if (store != null) {
                        loop.optCheckpoints(store, s.checkpointEvery(), config);
                    }
                    openSinks(
                            s,
                            name,
                            specs.size() > 1,
                            provenance,
                            chart,
                            chartProvenance,
                            (sink, replay) -> sinks.add(add(loop, sink, replay)));
                    Optional<SecureSumProtocol> secure =
                            SecureAggregationSpec.parse(s.secureAggregation(), s.secaggDropouts(), s.seed());
                    TrainingResult result;
                    if (secure.isPresent()) {
                        try (LocalRuntime rt = LocalRuntime.builder()
                                .optWorkers(s.workers())
                                .optSecureSum(secure.get())
                                .build()) {
                            result = loop.optRuntime(rt).build().run();
                        }
                    } else {
                        result = loop.build().run();
                    }
                    if (s.export() != null) {
                        exportModel(model, result.model(), provenance, exportDir(s.export(), name, specs.size() > 1));
                    }
                    RunSummary run = summarize(name, result, dp.isPresent());
                    runs.add(run);
                    printSummary(out, run);
                    if (!personalization.isEmpty()) {
                        PersonalizationReport.report(
                                out,
                                runtime,
                                s.workers(),
                                model.spec(),
                                result.model(),
                                personalization,
                                data,
                                prep,
                                s);
                    }
                } finally {
                    printer.closeProgress();
                    for (MetricsSink sink : sinks) {
                        sink.close();
                    }
                }
            }
            if (runs.size() > 1) {
                printComparison(out, runs);
            }
            printOutputs(out, s, specs.keySet());
            out.flush();
            return runs;
        }
    }

    /** {@code --export DIR}, or {@code DIR/RUN} when there are several runs. */
    static Path exportDir(Path export, String run, boolean many) {
        return many ? export.resolve(run) : export;
    }

    /** Writes the trained model with the run's provenance ({@link ModelExport}). */
    static void exportModel(ModelChoice model, ModelWeights weights, Provenance provenance, Path dir)
            throws IOException {
        try {
            ModelExport.write(ModelEngines.defaultEngine(), model.spec(), weights, provenance, dir);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--export " + e.getMessage());
        }
    }

    private static MetricsSink add(TrainingLoop.Builder loop, MetricsSink sink, boolean replay) {
        if (replay) {
            loop.optReplaySink(sink);
        } else {
            loop.optSink(sink);
        }
        return sink;
    }

    /** Receives each metrics sink {@link #openSinks} opens, and whether it is a replay sink. */
    @FunctionalInterface
    interface SinkConsumer {
        void accept(MetricsSink sink, boolean replay);
    }

    /**
     * Opens the metrics sinks the output options ask for, for the run {@code name} (one of several
     * when {@code many}): TensorBoard under {@code --tensorboard}/NAME, CSV and JSON lines (a file per
     * run when several), and the PNG chart all runs share ({@code chart}, {@code chartProvenance}).
     * Each goes to {@code opened} as soon as it exists (so a caller closes what was opened if a later
     * one fails), marked as a replay sink when it rebuilds its output from the whole history (CSV, the
     * chart) and so must be given a resumed run's recorded rounds first. Shared by {@code fl4j
     * simulate} and {@code fl4j server}.
     */
    static void openSinks(
            SimulationSettings s,
            String name,
            boolean many,
            Provenance provenance,
            Map<String, MetricsHistory> chart,
            Map<String, Provenance> chartProvenance,
            SinkConsumer opened) {
        openSinks(s, name, many, provenance, chart, chartProvenance, MetricsPlot.standard(), opened);
    }

    /** As above, the chart drawing {@code plot}'s panels. */
    static void openSinks(
            SimulationSettings s,
            String name,
            boolean many,
            Provenance provenance,
            Map<String, MetricsHistory> chart,
            Map<String, Provenance> chartProvenance,
            MetricsPlot plot,
            SinkConsumer opened) {
        if (s.tensorboard() != null) {
            opened.accept(new TensorBoardSink(s.tensorboard().resolve(name), provenance), false);
        }
        if (s.csv() != null) {
            opened.accept(new CsvMetricsSink(perRun(s.csv(), name, many), provenance), true);
        }
        if (s.jsonl() != null) {
            opened.accept(new JsonLinesMetricsSink(perRun(s.jsonl(), name, many), provenance), false);
        }
        if (s.plot() != null) {
            opened.accept(new PlotSink(s.plot(), name, chart, plot, chartProvenance, provenance), true);
        }
    }

    static ModelEvaluation evaluation(
            SimulationData data, ModelChoice model, Preprocessing prep, SimulationSettings s) {
        if (data.centralTest() == null && data.testClients() == null) {
            return null;
        }
        ModelEvaluation.Builder b = ModelEvaluation.builder(model.spec(), prep);
        AlgorithmChoice algorithm = algorithm(s);
        if (algorithm.isReconstruction()) {
            Optimizers o = optimizers(s, algorithm, serverLr(s, algorithm));
            try {
                b.optReconstruction(algorithm
                        .reconstruction(model.spec(), o.client(), o.server(), s.epochs(), s.seed())
                        .buildEvaluation());
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw new UsageException("--algorithm " + algorithm.text() + ": " + e.getMessage());
            }
        }
        if (data.centralTest() != null) {
            b.optCentralTest(data.centralTest());
        }
        if (data.testClients() != null) {
            b.optFederatedTest(data.testClients(), s.evalClients(), s.seed());
        }
        return b.build();
    }

    /**
     * The {@code --aggregator} specs by run name; DP mechanisms account for sampling
     * {@code clientsPerRound} of {@code population} clients (0: not yet known).
     */
    static Map<String, AggregationFactory> parseAggregators(SimulationSettings s, long population) {
        Map<String, AggregationFactory> aggregators = new LinkedHashMap<>();
        AggregatorSpec.Settings settings = aggregatorSettings(s, population);
        specsByName(s).forEach((name, spec) -> aggregators.put(name, parseAggregator(spec, settings)));
        return aggregators;
    }

    /** The {@code --aggregator} specs by run name. */
    static Map<String, String> specsByName(SimulationSettings s) {
        Map<String, String> specs = new LinkedHashMap<>();
        for (String spec : s.aggregators()) {
            specs.put(runName(spec, specs.keySet()), spec);
        }
        return specs;
    }

    static AggregatorSpec.Settings aggregatorSettings(SimulationSettings s, long population) {
        return new AggregatorSpec.Settings(
                s.clientsPerRound(),
                population,
                s.dpDelta(),
                s.epsilonBudget() != null ? s.epsilonBudget() : Double.POSITIVE_INFINITY);
    }

    /**
     * A {@code --client-lr-schedule} or {@code --server-lr-schedule} from base rate {@code lr}, or null
     * when not given.
     */
    static LearningRateSchedule schedule(String option, String spec, float lr) {
        if (spec == null) {
            return null;
        }
        try {
            return ScheduleSpec.parse(option, spec, lr);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + option + ": " + e.getMessage());
        }
    }

    /** The {@code --algorithm}, refused when options of local training would not apply to it. */
    static AlgorithmChoice algorithm(SimulationSettings s) {
        try {
            AlgorithmChoice algorithm = AlgorithmChoice.parse(s.algorithm());
            algorithm.requireApplicable(s.clientLr(), s.epochs(), s.clientLrSchedule());
            algorithm.requireReconstructionApplicable(
                    s.clientLrSchedule(),
                    s.serverLrSchedule(),
                    s.broadcast(),
                    s.export() != null,
                    s.training().clientWeightDecay());
            return algorithm;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--algorithm: " + e.getMessage());
        }
    }

    /**
     * The {@code --personalization} strategies (none when not given), refused for FedRecon, whose local weights the
     * server never holds.
     */
    static List<PersonalizationSpec> personalization(SimulationSettings s, AlgorithmChoice algorithm) {
        if (s.personalization().isEmpty()) {
            return List.of();
        }
        if (algorithm.isReconstruction()) {
            throw new UsageException("--personalization does not apply to --algorithm " + algorithm.text()
                    + ": its local weights never reach the server, so there is no whole model to fine-tune"
                    + " (its evaluation already reconstructs them on each client)");
        }
        try {
            return PersonalizationSpec.parseAll(s.personalization());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--personalization: " + e.getMessage());
        }
    }

    /** The weights of {@code --init}, checked against the model, or null (the seeded initial weights). */
    static ModelWeights initialWeights(SimulationSettings s, ModelChoice model, PrintWriter out) {
        Path init = s.training().init();
        if (init == null) {
            return null;
        }
        ModelWeights w = InitialWeights.read(init, model.spec().weightsType());
        out.printf(Locale.ROOT, "initial weights from %s (%,d parameters)%n", init, w.numParameters());
        return w;
    }

    /** The client optimizer (null for FedSGD) and the server optimizer of a run. */
    record Optimizers(Optimizer client, Optimizer server) {}

    /** {@code --server-lr}, or the default of the algorithm with the {@code --server-optimizer}. */
    static float serverLr(SimulationSettings s, AlgorithmChoice algorithm) {
        return s.serverLr() != null
                ? s.serverLr()
                : algorithm.defaultServerLearningRate(s.training().serverOptimizer());
    }

    /**
     * The optimizers of {@code --client-optimizer}, {@code --client-weight-decay}, {@code --server-optimizer}
     * and {@code --server-weight-decay}, refused when the algorithm cannot take them.
     */
    static Optimizers optimizers(SimulationSettings s, AlgorithmChoice algorithm, float serverLr) {
        TrainingOptions t = s.training();
        Optimizer client;
        try {
            client = algorithm.clientOptimizer(t.clientOptimizer(), s.clientLrOrDefault(), t.clientWeightDecay());
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    e.getMessage().startsWith("--") ? e.getMessage() : "--client-optimizer: " + e.getMessage());
        }
        try {
            return new Optimizers(
                    client, algorithm.serverOptimizer(t.serverOptimizer(), serverLr, t.serverWeightDecay()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    e.getMessage().startsWith("--") ? e.getMessage() : "--server-optimizer: " + e.getMessage());
        }
    }

    /** The algorithm as the run header shows it, with the optimizer options given. */
    static String describe(SimulationSettings s, AlgorithmChoice algorithm, float serverLr) {
        TrainingOptions t = s.training();
        return algorithm.describe(
                s.clientLrOrDefault(),
                serverLr,
                s.epochs(),
                t.clientOptimizer(),
                t.clientWeightDecay(),
                t.serverOptimizer(),
                t.serverWeightDecay());
    }

    /** The {@code --model}, or the dataset's default one. */
    /**
     * The training loop every simulate run shares: {@code process} over the training clients with the
     * settings' cohort, rounds, seed, dropout and workers, rounds reported to {@code printer}, on
     * {@code runtime} when one is given (otherwise the loop's own local runtime).
     */
    static TrainingLoop.Builder trainingLoop(
            SimulationSettings s,
            LearningProcess process,
            SimulationData data,
            Preprocessing prep,
            RoundPrinter printer,
            FederatedRuntime runtime) {
        TrainingLoop.Builder loop = TrainingLoop.builder()
                .setProcess(process)
                .setTrainingData(data.train())
                .setClientsPerRound(s.clientsPerRound())
                .setRounds(s.rounds())
                .setPreprocessing(prep)
                .optSeed(s.seed())
                .optDropoutRate(s.dropout())
                .optWorkers(s.workers())
                .optListener(printer);
        if (runtime != null) {
            loop.optRuntime(runtime);
        }
        return loop;
    }

    static ModelChoice model(SimulationSettings s, SimulationData data) {
        try {
            return ModelChoice.of(s.model() != null ? s.model() : ModelChoice.defaultFor(data), data);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--model: " + e.getMessage());
        }
    }

    static AggregationFactory parseAggregator(String spec, AggregatorSpec.Settings settings) {
        try {
            return AggregatorSpec.parse(spec, settings);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--aggregator: " + e.getMessage());
        }
    }

    /**
     * The model's distributor: a plain broadcast, or one encoded with the {@code --broadcast} preset; a
     * {@code from-init:} broadcast's reference is the initial weights of {@code --seed}, the algorithms' seed.
     */
    static DistributionProcess distributor(SimulationSettings s, ModelChoice model) {
        try {
            return EncodedDistribution.fromName(
                    s.broadcast(), model.spec(), s.seed(), Seeds.derive(s.seed(), Seeds.purpose("cli/broadcast")));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--broadcast " + s.broadcast() + ": " + e.getMessage());
        }
    }

    /** The settings that decide the trajectory of one run; rounds, workers, evaluation and outputs are left out. */
    static RunConfig runConfig(
            SimulationSettings s,
            SimulationData data,
            ModelChoice model,
            AlgorithmChoice algorithm,
            float serverLr,
            String partition,
            int clients,
            String aggregator) {
        Map<String, String> m = new TreeMap<>();
        m.put("dataset", s.dataset());
        m.put("partition", partition == null ? "(none)" : partition);
        m.put("clients", String.valueOf(clients));
        m.put("clients-per-round", String.valueOf(s.clientsPerRound()));
        m.put("epochs", String.valueOf(s.epochs()));
        m.put("batch", String.valueOf(s.batch()));
        m.put("model", model.name());
        if (ModelChoice.isFile(model.name())) {
            m.put("model-spec-sha256", model.specSha256());
        }
        m.put("algorithm", algorithm.text());
        m.put("client-lr", String.valueOf(s.clientLrOrDefault()));
        m.put("server-lr", String.valueOf(serverLr));
        if (s.clientLrSchedule() != null) {
            m.put("client-lr-schedule", s.clientLrSchedule());
        }
        if (s.serverLrSchedule() != null) {
            m.put("server-lr-schedule", s.serverLrSchedule());
        }
        m.put("aggregator", aggregator);
        s.training().putGiven(m);
        m.put("broadcast", s.broadcast());
        m.put("seed", String.valueOf(s.seed()));
        m.put("dropout", String.valueOf(s.dropout()));
        m.put("examples-per-client", String.valueOf(s.examplesPerClient()));
        if (!"plain".equals(s.secureAggregation().trim())) {
            m.put("secure-aggregation", s.secureAggregation().trim());
        }
        if (s.secaggDropouts() != null && !s.secaggDropouts().isBlank()) {
            m.put("secagg-dropouts", s.secaggDropouts().trim());
        }
        return RunConfig.of(m);
    }

    static String runName(String spec, Set<String> taken) {
        String base = spec.trim()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9._+:-]", "_")
                .replace(':', '-')
                .replace('+', '_');
        String name = base;
        for (int i = 2; taken.contains(name); i++) {
            name = base + "-" + i;
        }
        return name;
    }

    /** {@code runs/metrics.csv} → {@code runs/metrics-compression.csv} when there are several runs. */
    static Path perRun(Path file, String run, boolean many) {
        if (!many) {
            return file;
        }
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String named = dot > 0 ? n.substring(0, dot) + "-" + run + n.substring(dot) : n + "-" + run;
        return file.resolveSibling(named);
    }

    private static RunSummary summarize(String name, TrainingResult r, boolean isPrivate) {
        for (String metric : List.of(
                ModelEvaluation.CENTRAL + "/sparse_categorical_accuracy",
                ModelEvaluation.FEDERATED + "/sparse_categorical_accuracy",
                RoundPrinter.TRAIN_ACCURACY)) {
            Optional<Double> v = r.last(metric);
            if (v.isPresent()) {
                return new RunSummary(name, r, metric, v, isPrivate);
            }
        }
        return new RunSummary(name, r, "accuracy", Optional.empty(), isPrivate);
    }

    /** Both directions of a run's training rounds. */
    private static long totalBits(TrainingResult r) {
        return r.communication().broadcastBits() + r.communication().aggregatedBits();
    }

    /** A run's bit count for the summary: not released in a private run. */
    private static String bits(RunSummary run, long bits) {
        return run.isPrivate() ? "not released" : BitFormat.format(bits);
    }

    private static String accuracyLabel(String metric) {
        return metric.startsWith(ModelEvaluation.CENTRAL + "/")
                ? "test accuracy"
                : metric.startsWith(ModelEvaluation.FEDERATED + "/") ? "federated test accuracy" : "training accuracy";
    }

    private static void printSummary(PrintWriter out, RunSummary run) {
        TrainingResult r = run.result();
        out.printf(
                Locale.ROOT,
                "summary %s: %d rounds%s, final %s %s, wall time %s, "
                        + "broadcasted_bits=%s, aggregated_bits=%s, total_bits=%s%n",
                run.name(),
                r.rounds(),
                r.resumedFrom() >= 0 ? " (resumed after round " + r.resumedFrom() + ")" : "",
                accuracyLabel(run.accuracyMetric()),
                run.accuracy().map(a -> String.format(Locale.ROOT, "%.4f", a)).orElse("n/a"),
                duration(r.wallTime()),
                bits(run, r.communication().broadcastBits()),
                bits(run, r.communication().aggregatedBits()),
                bits(run, totalBits(r)));
        out.flush();
    }

    private static void printComparison(PrintWriter out, List<RunSummary> runs) {
        int width = Math.max(
                10, runs.stream().mapToInt(r -> r.name().length()).max().orElse(0));
        out.println();
        out.printf(
                Locale.ROOT,
                "%-" + width + "s  %-9s  %-16s  %-16s  %-16s  %s%n",
                "aggregator",
                "accuracy",
                "broadcasted_bits",
                "aggregated_bits",
                "total_bits",
                "wall time");
        for (RunSummary r : runs) {
            out.printf(
                    Locale.ROOT,
                    "%-" + width + "s  %-9s  %-16s  %-16s  %-16s  %s%n",
                    r.name(),
                    r.accuracy().map(a -> String.format(Locale.ROOT, "%.4f", a)).orElse("n/a"),
                    bits(r, r.result().communication().broadcastBits()),
                    bits(r, r.result().communication().aggregatedBits()),
                    bits(r, totalBits(r.result())),
                    duration(r.result().wallTime()));
        }
        out.printf("(accuracy: %s)%n", accuracyLabel(runs.get(0).accuracyMetric()));
    }

    static void printOutputs(PrintWriter out, SimulationSettings s, Set<String> runs) {
        Set<String> lines = new LinkedHashSet<>();
        if (s.tensorboard() != null) {
            lines.add("TensorBoard logs: " + s.tensorboard() + " (tensorboard --logdir " + s.tensorboard() + ")");
        }
        if (s.plot() != null) {
            lines.add("chart: " + s.plot());
        }
        for (String run : runs) {
            if (s.csv() != null) {
                lines.add("CSV: " + perRun(s.csv(), run, runs.size() > 1));
            }
            if (s.jsonl() != null) {
                lines.add("JSON lines: " + perRun(s.jsonl(), run, runs.size() > 1));
            }
        }
        if (s.checkpointDir() != null) {
            lines.add("checkpoints: " + s.checkpointDir());
        }
        if (s.export() != null) {
            for (String run : runs) {
                lines.add("model: " + exportDir(s.export(), run, runs.size() > 1)
                        + " (TensorFlow SavedModel; fl4j evaluate --model DIR, fl4j predict --model DIR)");
            }
        }
        lines.forEach(out::println);
    }

    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        return String.format(Locale.ROOT, "%dm %04.1fs", ms / 60_000, (ms % 60_000) / 1000.0);
    }
}
