package dev.fl4j.cli.simulate;

import dev.fl4j.aggregators.SumFactory;
import dev.fl4j.cli.spec.AlgorithmChoice;
import dev.fl4j.cli.spec.PartitionSpec;
import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.learning.algorithms.FedKMeans;
import dev.fl4j.learning.algorithms.ModelEngines;
import dev.fl4j.learning.templates.DistributionProcess;
import dev.fl4j.learning.templates.EncodedDistribution;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.metrics.MetricsHistory;
import dev.fl4j.simulation.metrics.MetricsPlot;
import dev.fl4j.simulation.metrics.MetricsSink;
import dev.fl4j.simulation.provenance.Provenance;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
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
 * {@code fl4j simulate --algorithm kmeans:K}: federated k-means ({@link FedKMeans}, TFF's {@code build_fed_kmeans})
 * on the dataset's examples' {@code x} as points, one unbatched point per example: each round's clients get the
 * centroids (over {@code --broadcast}), assign their points (at most {@code --examples-per-client} of them, in the
 * seeded shuffle of other algorithms) and the cluster sums and counts are added with a plain sum, TFF's default
 * {@code sum_aggregator}. Evaluation ({@link FedKMeans#buildEvaluation}) reports, on the test set or test clients as
 * for other algorithms, the inertia, the mean squared distance to the nearest centroid, and the cluster sizes; the
 * round lines, TensorBoard, CSV, JSON lines, chart and checkpoints are those of other runs. Options of model
 * training ({@link #NOT_APPLICABLE}) are refused by name.
 */
public final class KMeansRun {

    /** The one aggregator k-means takes, TFF's default {@code sum_aggregator}: a plain sum. */
    public static final String SUM = "sum";

    /** The simulate options that mean nothing to k-means, with why. */
    static final Map<String, String> NOT_APPLICABLE = notApplicable();

    private KMeansRun() {}

    private static Map<String, String> notApplicable() {
        Map<String, String> m = new LinkedHashMap<>();
        String noModel = "k-means trains centroids of the data's points, not a model";
        String noSteps = "k-means clients assign each point to its nearest centroid once a round; they take no"
                + " optimizer steps";
        m.put("model", noModel);
        m.put("init", noModel + " (its centroids start from standard normal draws of --seed)");
        m.put("export", "k-means centroids are not a TensorFlow SavedModel; --checkpoint-dir keeps them");
        m.put("batch", "k-means clients take their points one at a time, unbatched");
        m.put("epochs", "k-means clients assign their points once a round");
        m.put("client-lr", noSteps);
        m.put("client-lr-schedule", noSteps);
        m.put("client-optimizer", noSteps);
        m.put("client-weight-decay", noSteps);
        String server = "the k-means server moves each centroid to the running mean of the points it absorbed (TFF's"
                + " _update_centroids); it has no optimizer or learning rate";
        m.put("server-lr", server);
        m.put("server-lr-schedule", server);
        m.put("server-optimizer", server);
        m.put("server-weight-decay", server);
        String noDp = "k-means adds cluster sums and counts with a plain sum (--aggregator " + SUM
                + "), with no differentially private or secure aggregator";
        m.put("dp-delta", noDp);
        m.put("epsilon-budget", noDp);
        m.put("secure-aggregation", noDp);
        m.put("secagg-dropouts", noDp);
        m.put("personalization", "k-means has no model to fine-tune");
        return m;
    }

    /**
     * Refuses the options in {@code given} (long names without dashes) that mean nothing to k-means, and any
     * {@code --aggregator} other than {@value #SUM}.
     *
     * @throws UsageException naming the first such option
     */
    public static void refuseInapplicable(AlgorithmChoice algorithm, Set<String> given, List<String> aggregators) {
        for (Map.Entry<String, String> e : NOT_APPLICABLE.entrySet()) {
            if (given.contains(e.getKey())) {
                throw new UsageException(
                        "--" + e.getKey() + " does not apply to --algorithm " + algorithm.text() + ": " + e.getValue());
            }
        }
        if (given.contains("aggregator") && !aggregators.equals(List.of(SUM))) {
            throw new UsageException("--aggregator " + String.join(",", aggregators) + " does not apply to --algorithm "
                    + algorithm.text() + ": k-means adds its clients' cluster sums and counts with a plain sum,"
                    + " TFF's default sum_aggregator; leave --aggregator out or give --aggregator " + SUM);
        }
    }

    /** The options of {@code s} that differ from their defaults, as {@link #refuseInapplicable} takes them. */
    static Set<String> givenIn(SimulationSettings s) {
        Set<String> given = new LinkedHashSet<>();
        TrainingOptions t = s.training();
        add(given, "model", s.model() != null);
        add(given, "init", t.init() != null);
        add(given, "export", s.export() != null);
        add(given, "epochs", s.epochs() != 1);
        add(given, "client-lr", s.clientLr() != null);
        add(given, "client-lr-schedule", s.clientLrSchedule() != null);
        add(given, "client-optimizer", t.clientOptimizer() != null);
        add(given, "client-weight-decay", t.clientWeightDecay() != null);
        add(given, "server-lr", s.serverLr() != null);
        add(given, "server-lr-schedule", s.serverLrSchedule() != null);
        add(given, "server-optimizer", t.serverOptimizer() != null);
        add(given, "server-weight-decay", t.serverWeightDecay() != null);
        add(given, "epsilon-budget", s.epsilonBudget() != null);
        add(
                given,
                "secure-aggregation",
                s.secureAggregation() != null && !s.secureAggregation().trim().equals("plain"));
        add(given, "secagg-dropouts", s.secaggDropouts() != null);
        add(given, "aggregator", !s.aggregators().equals(List.of("mean")));
        add(given, "personalization", !s.personalization().isEmpty());
        return given;
    }

    private static void add(Set<String> given, String option, boolean isGiven) {
        if (isGiven) {
            given.add(option);
        }
    }

    /**
     * Runs k-means as {@code s} asks (the caller has validated {@code s} and opened {@code runtime}, or null: the
     * local runtime).
     */
    static List<Simulation.RunSummary> run(
            SimulationSettings s,
            AlgorithmChoice algorithm,
            FederatedRuntime runtime,
            PrintWriter out,
            PrintStream progress)
            throws Exception {
        refuseInapplicable(algorithm, givenIn(s), s.aggregators());
        boolean centralised = SimulationData.isCentralised(s.dataset(), s.table());
        boolean federatedFiles =
                !centralised && !SimulationData.name(s.dataset()).equals("synthetic");
        int clients = s.clients() != null ? s.clients() : federatedFiles ? 0 : Simulation.DEFAULT_CLIENTS;
        String partition = centralised ? (s.partition() != null ? s.partition() : "iid") : null;
        if (partition != null) {
            try {
                PartitionSpec.parse(partition);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--partition: " + e.getMessage());
            }
        }
        int k = algorithm.clusters();
        StringBuilder summary = new StringBuilder();
        try (SimulationData data = SimulationData.load(
                s.dataset(), s.table(), partition, clients, s.examplesPerClient(), s.seed(), summary)) {
            out.print(summary);
            int population = data.train().clientIds().size();
            if (s.clientsPerRound() > population) {
                throw new UsageException("--clients-per-round " + s.clientsPerRound() + " is more than the "
                        + population + " training clients");
            }
            TensorType point = data.exampleX();
            if (point.dtype() != DType.FLOAT32 || point.rank() == 0) {
                throw new UsageException("--algorithm " + algorithm.text() + " clusters float32 points of rank >= 1;"
                        + " the examples' x of " + data.name() + " are " + point);
            }
            int[] shape = point.shape();
            StructType weightsType = FedKMeans.weightsType(k, shape);
            DistributionProcess distributor;
            try {
                distributor = EncodedDistribution.fromName(
                        s.broadcast(), weightsType, Seeds.derive(s.seed(), Seeds.purpose("cli/broadcast")));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--broadcast " + s.broadcast() + ": " + e.getMessage());
            }
            LearningProcess process = FedKMeans.build(k, shape, s.seed(), distributor, new SumFactory());
            Preprocessing prep = points(s.examplesPerClient(), point);
            ModelEvaluation evaluation = evaluation(data, k, shape, prep, s);
            long parameters = (long) k * Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b);
            out.printf(
                    Locale.ROOT,
                    "model k-means (%d centroids of %s, %,d parameters), algorithm %s (TFF build_fed_kmeans: mini-batch"
                            + " k-means, cluster sums and counts added with a plain sum), %d of %d clients per round,"
                            + " unbatched points%s%n",
                    k,
                    point,
                    parameters,
                    algorithm.text(),
                    s.clientsPerRound(),
                    population,
                    s.examplesPerClient() > 0
                            ? ", at most " + s.examplesPerClient() + " points per client and round"
                            : "");
            out.flush();

            String name = SUM;
            SortedMap<String, String> options = s.options();
            options.remove("batch");
            options.remove("epochs");
            options.remove("client-lr");
            if (partition != null) {
                options.put("partition", partition);
            }
            options.put("clients", String.valueOf(population));
            options.put("aggregator", SUM);
            RunConfig config = runConfig(s, algorithm, partition, clients);
            Provenance provenance = Provenance.current(
                    options, config, s.seed(), ModelEngines.defaultEngine().version());
            CheckpointStore store = s.checkpointDir() != null
                    ? new CheckpointStore(s.checkpointDir().resolve(name)).withProvenance(provenance)
                    : null;
            out.printf("%n== run %s: k-means with aggregator %s ==%n", name, name);
            out.flush();
            Map<String, MetricsHistory> chart = new LinkedHashMap<>();
            Map<String, Provenance> chartProvenance = new LinkedHashMap<>();
            RoundPrinter printer = new RoundPrinter(out, progress, name);
            List<MetricsSink> sinks = new ArrayList<>();
            try {
                TrainingLoop.Builder loop = Simulation.trainingLoop(s, process, data, prep, printer, runtime);
                if (evaluation != null) {
                    loop.optEvaluation(evaluation, s.evalEvery());
                }
                if (store != null) {
                    loop.optCheckpoints(store, s.checkpointEvery(), config);
                }
                Simulation.openSinks(s, name, false, provenance, chart, chartProvenance, plot(), (sink, replay) -> {
                    if (replay) {
                        loop.optReplaySink(sink);
                    } else {
                        loop.optSink(sink);
                    }
                    sinks.add(sink);
                });
                TrainingResult result = loop.build().run();
                Simulation.RunSummary run = summarize(name, result);
                printSummary(out, run);
                Simulation.printOutputs(out, s, Set.of(name));
                out.flush();
                return List.of(run);
            } finally {
                printer.closeProgress();
                for (MetricsSink sink : sinks) {
                    sink.close();
                }
            }
        }
    }

    /**
     * The points of a k-means run: each example's {@code x}, unbatched, in the training loop's seeded shuffle with at
     * most {@code examplesCap} per client and round (0: all); in order for evaluation.
     */
    public static Preprocessing points(int examplesCap, TensorType point) {
        return Preprocessing.unbatched(examplesCap, d -> d.map(point, v -> ((Struct) v).get("x")));
    }

    /** k-means evaluation on the dataset's central test set and/or test clients, null without test data. */
    static ModelEvaluation evaluation(
            SimulationData data, int k, int[] shape, Preprocessing prep, SimulationSettings s) {
        if (data.centralTest() == null && data.testClients() == null) {
            return null;
        }
        ModelEvaluation.Builder b = ModelEvaluation.builder(FedKMeans.buildEvaluation(k, shape), prep);
        if (data.centralTest() != null) {
            b.optCentralTest(data.centralTest());
        }
        if (data.testClients() != null) {
            b.optFederatedTest(data.testClients(), s.evalClients(), s.seed());
        }
        return b.build();
    }

    /** The chart of a k-means run: mean squared distance to the nearest centroid, and the bits. */
    private static MetricsPlot plot() {
        return MetricsPlot.empty()
                .panel("mean squared distance", n -> n.endsWith("/mean_squared_distance"))
                .bitsPanel("broadcast bits", n -> n.equals(TrainingLoop.BROADCASTED_BITS))
                .bitsPanel("aggregated bits", n -> n.equals(TrainingLoop.AGGREGATED_BITS));
    }

    /** The settings that decide a k-means run's trajectory, what its checkpoints are matched by. */
    private static RunConfig runConfig(SimulationSettings s, AlgorithmChoice algorithm, String partition, int clients) {
        Map<String, String> m = new TreeMap<>();
        m.put("dataset", s.dataset());
        m.put("partition", partition == null ? "(none)" : partition);
        m.put("clients", String.valueOf(clients));
        m.put("clients-per-round", String.valueOf(s.clientsPerRound()));
        m.put("algorithm", algorithm.text());
        m.put("aggregator", SUM);
        m.put("broadcast", s.broadcast());
        m.put("seed", String.valueOf(s.seed()));
        m.put("dropout", String.valueOf(s.dropout()));
        m.put("examples-per-client", String.valueOf(s.examplesPerClient()));
        return RunConfig.of(m);
    }

    private static Simulation.RunSummary summarize(String name, TrainingResult r) {
        for (String prefix : List.of(ModelEvaluation.CENTRAL, ModelEvaluation.FEDERATED)) {
            String metric = prefix + "/mean_squared_distance";
            Optional<Double> v = r.last(metric);
            if (v.isPresent()) {
                return new Simulation.RunSummary(name, r, metric, v, false);
            }
        }
        return new Simulation.RunSummary(name, r, "mean_squared_distance", Optional.empty(), false);
    }

    private static void printSummary(PrintWriter out, Simulation.RunSummary run) {
        TrainingResult r = run.result();
        String prefix = run.accuracyMetric().contains("/")
                ? run.accuracyMetric().substring(0, run.accuracyMetric().indexOf('/'))
                : null;
        String evaluated = run.accuracy()
                .map(v -> String.format(
                        Locale.ROOT,
                        "final %s mean squared distance %.4f (inertia %.6g, cluster sizes %s)",
                        prefix.equals(ModelEvaluation.CENTRAL) ? "test" : "federated test",
                        v,
                        r.last(prefix + "/inertia").orElse(Double.NaN),
                        RoundPrinter.clusterSizes(
                                r.history().get(r.history().size() - 1).metrics(), prefix)))
                .orElse("no test data evaluated");
        out.printf(
                Locale.ROOT,
                "summary %s: %d rounds%s, %s, wall time %s, broadcasted_bits=%s, aggregated_bits=%s, total_bits=%s%n",
                run.name(),
                r.rounds(),
                r.resumedFrom() >= 0 ? " (resumed after round " + r.resumedFrom() + ")" : "",
                evaluated,
                Simulation.duration(r.wallTime()),
                BitFormat.format(r.communication().broadcastBits()),
                BitFormat.format(r.communication().aggregatedBits()),
                BitFormat.format(
                        r.communication().broadcastBits() + r.communication().aggregatedBits()));
    }
}
