package dev.fl4j.cli.simulate;

import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.algorithms.FedNova;
import dev.fl4j.learning.algorithms.Scaffold;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code fl4j bench accuracy}: NIID-Bench's label-skew protocol (Li, Diao, Chen and He, "Federated
 * Learning on Non-IID Data Silos: An Experimental Study", ICDE 2022, arXiv:2102.02079) run end to end
 * for FedAvg, FedProx, SCAFFOLD and FedNova, printing each algorithm's final test accuracy and run time.
 *
 * <p>The defaults are the paper's Fashion-MNIST setting as its code runs it: the "simple-cnn"
 * ({@link Models#niidBenchCnn}), 10 parties from a Dirichlet(0.5) label split of the 60,000 training
 * images (the {@code dirichlet:ALPHA} partitioner of {@code simulate}), all parties in every round, 10
 * local epochs of SGD at learning rate 0.01 with momentum 0.9 and batch 64, FedProx's μ = 0.01, 50
 * rounds, server averaging weighted by examples (server SGD at 1.0), accuracy on the 10,000 test images
 * after the last round. Not reproduced: NIID-Bench's weight decay of 1e-5 in local SGD. Each algorithm
 * runs with the same seed, so the same partition and initial model.
 *
 * <p>It runs {@code simulate}'s pieces, not a loop of its own: {@link SimulationData} loads and
 * partitions the data, {@link TrainingLoop} trains, {@link ModelEvaluation} measures. It is a
 * benchmark, not a test: with the defaults one round takes about 37 s on an idle 2-core machine, so the
 * four algorithms' 200 rounds take about two hours; {@code rounds} and {@code algorithms} make a short
 * version, and a checkpoint directory makes it resumable (each algorithm checkpoints every round under
 * its own name and continues from there when run again with the same settings).
 */
public final class AccuracyBenchmark {

    /** The algorithms the protocol compares, in the paper's order. */
    public static final List<String> ALGORITHMS = List.of("fedavg", "fedprox", "scaffold", "fednova");

    private AccuracyBenchmark() {}

    /**
     * The benchmark's settings.
     *
     * @param dataset     a centralised {@code --dataset} of {@code simulate} (fashion-mnist, mnist:DIR)
     * @param algorithms  a non-empty subset of {@link #ALGORITHMS}, run in the order given
     * @param parties     clients, all of which take part in every round
     * @param alpha       the Dirichlet concentration of the label split
     * @param rounds      communication rounds
     * @param epochs      local epochs per round
     * @param batch       examples per local step
     * @param lr          client SGD learning rate
     * @param momentum    client SGD momentum (NIID-Bench's {@code rho})
     * @param mu          FedProx's proximal μ
     * @param seed        seed of the partition, the initial model and the shuffling
     * @param workers     clients trained at once
     */
    public record Options(
            String dataset,
            List<String> algorithms,
            int parties,
            double alpha,
            int rounds,
            int epochs,
            int batch,
            float lr,
            float momentum,
            float mu,
            long seed,
            int workers) {

        /** @throws IllegalArgumentException naming the setting that cannot work */
        public Options {
            algorithms = List.copyOf(algorithms);
            if (algorithms.isEmpty()) {
                throw new IllegalArgumentException(
                        "--algorithms needs at least one of " + String.join(",", ALGORITHMS));
            }
            for (String a : algorithms) {
                if (!ALGORITHMS.contains(a)) {
                    throw new IllegalArgumentException("--algorithms: unknown algorithm '" + a
                            + "'; the protocol compares " + String.join(", ", ALGORITHMS));
                }
            }
            if (algorithms.stream().distinct().count() != algorithms.size()) {
                throw new IllegalArgumentException("--algorithms names an algorithm twice: " + algorithms);
            }
            if (!SimulationData.isCentralised(dataset)) {
                throw new IllegalArgumentException("--dataset must be centralised data to partition by label "
                        + "(fashion-mnist or mnist:DIR), got '" + dataset + "'");
            }
            atLeastOne("--parties", parties);
            atLeastOne("--rounds", rounds);
            atLeastOne("--epochs", epochs);
            atLeastOne("--batch", batch);
            atLeastOne("--workers", workers);
            if (!(alpha > 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("--alpha must be a positive finite number, got " + alpha);
            }
            if (!(lr > 0) || Float.isInfinite(lr)) {
                throw new IllegalArgumentException("--lr must be a positive finite number, got " + lr);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
            }
            if (!(mu >= 0) || Float.isInfinite(mu)) {
                throw new IllegalArgumentException("--mu must be finite and >= 0, got " + mu);
            }
        }

        /** NIID-Bench's Fashion-MNIST setting, with one worker per core. */
        public static Options defaults() {
            return new Options(
                    "fashion-mnist",
                    ALGORITHMS,
                    10,
                    0.5,
                    50,
                    10,
                    64,
                    0.01f,
                    0.9f,
                    0.01f,
                    0,
                    Runtime.getRuntime().availableProcessors());
        }

        private static void atLeastOne(String option, int v) {
            if (v < 1) {
                throw new IllegalArgumentException(option + " must be at least 1, got " + v);
            }
        }
    }

    /** One algorithm's outcome. */
    /**
     * One algorithm's result.
     *
     * @param trainTime the rounds' wall time summed over every invocation that trained them (a resumed run
     *     counts the rounds before the resume too; evaluation and data loading are not included)
     * @param resumedFrom the round the run resumed from, or -1 if it started afresh
     */
    public record Row(String algorithm, int rounds, double testAccuracy, Duration trainTime, int resumedFrom) {}

    /** Runs every algorithm of {@code o} and prints the table to {@code out}; returns its rows. */
    public static List<Row> run(PrintWriter out, Options o) throws Exception {
        return run(out, o, null);
    }

    /**
     * As {@link #run(PrintWriter, Options)}, checkpointing every round under {@code checkpointDir/ALGORITHM}
     * when {@code checkpointDir} is not null, and continuing from there: a run stopped at any point loses at
     * most the round it was in, and asking for more rounds later extends a finished one. A checkpoint of other
     * settings (the options other than rounds and workers) is not resumed.
     */
    public static List<Row> run(PrintWriter out, Options o, Path checkpointDir) throws Exception {
        String partition = String.format(Locale.ROOT, "dirichlet:%s", o.alpha());
        StringBuilder summary = new StringBuilder();
        List<Row> rows = new ArrayList<>();
        try (SimulationData data = SimulationData.load(o.dataset(), partition, o.parties(), 0, o.seed(), summary)) {
            if (data.centralTest() == null) {
                throw new UsageException("--dataset " + o.dataset() + " has no test split to measure accuracy on");
            }
            ModelSpec model = Models.niidBenchCnn(data.classes());
            out.printf(
                    Locale.ROOT,
                    "NIID-Bench label skew on %s: %s (%,d parameters), %d parties from Dirichlet(%s), all in every"
                            + " round, %d rounds of %d local epochs, batch %d, client SGD lr %s momentum %s,"
                            + " FedProx mu %s, seed %d, %d workers%n",
                    data.name(),
                    model.name(),
                    model.countParams(),
                    o.parties(),
                    o.alpha(),
                    o.rounds(),
                    o.epochs(),
                    o.batch(),
                    o.lr(),
                    o.momentum(),
                    o.mu(),
                    o.seed(),
                    o.workers());
            out.print(summary);
            out.flush();
            Preprocessing prep = Preprocessing.builder().setBatchSize(o.batch()).build();
            ModelEvaluation evaluation = ModelEvaluation.builder(model, prep)
                    .optCentralTest(data.centralTest())
                    .build();
            int population = data.train().clientIds().size();
            for (String algorithm : o.algorithms()) {
                TrainingLoop.Builder loop = TrainingLoop.builder()
                        .setProcess(process(algorithm, model, o, population))
                        .setTrainingData(data.train())
                        .setClientsPerRound(population)
                        .setRounds(o.rounds())
                        .setPreprocessing(prep)
                        .optSeed(o.seed())
                        .optWorkers(o.workers())
                        .optEvaluation(evaluation, o.rounds());
                if (checkpointDir != null) {
                    loop.optCheckpoints(
                            new CheckpointStore(checkpointDir.resolve(algorithm)), 1, runConfig(algorithm, o));
                }
                TrainingResult result = loop.build().run();
                String metric = ModelEvaluation.CENTRAL + "/sparse_categorical_accuracy";
                double accuracy = result.last(metric)
                        .orElseThrow(() -> new IllegalStateException("the run recorded no " + metric));
                Row row = new Row(algorithm, result.rounds(), accuracy, trainTime(result), result.resumedFrom());
                rows.add(row);
                out.printf(
                        Locale.ROOT,
                        "%-9s %d rounds%s, final test accuracy %.4f, train time %s%n",
                        algorithm,
                        row.rounds(),
                        row.resumedFrom() < 0 ? "" : " (resumed after round " + row.resumedFrom() + ")",
                        accuracy,
                        Simulation.duration(row.trainTime()));
                out.flush();
            }
        }
        printTable(out, o, rows);
        return rows;
    }

    /**
     * Published test accuracy (%) for this protocol's defaults: Flower's reproduction of NIID-Bench (flwrlabs/flower,
     * baselines/niid_bench/README.md, "Expected Results", row FMNIST, Dirichlet (0.5), seed 42). Not the paper's own
     * table, which the authors report as the mean of three runs.
     */
    /** The settings that decide one algorithm's trajectory: everything but the rounds and the workers. */
    static RunConfig runConfig(String algorithm, Options o) {
        Map<String, String> m = new TreeMap<>();
        m.put("benchmark", "niid-bench-label-skew");
        m.put("algorithm", algorithm);
        m.put("dataset", o.dataset());
        m.put("parties", String.valueOf(o.parties()));
        m.put("alpha", String.valueOf(o.alpha()));
        m.put("epochs", String.valueOf(o.epochs()));
        m.put("batch", String.valueOf(o.batch()));
        m.put("lr", String.valueOf(o.lr()));
        m.put("momentum", String.valueOf(o.momentum()));
        if (algorithm.equals("fedprox")) {
            m.put("mu", String.valueOf(o.mu()));
        }
        m.put("seed", String.valueOf(o.seed()));
        return RunConfig.of(m);
    }

    /** The rounds' wall time recorded in the history, which a checkpoint carries across invocations. */
    static Duration trainTime(TrainingResult result) {
        double seconds = 0;
        for (var r : result.history()) {
            seconds += r.metrics().getOrDefault(TrainingLoop.ROUND_SECONDS, 0.0);
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    static final java.util.Map<String, Double> FLOWER_REPRODUCTION =
            java.util.Map.of("fedavg", 88.4, "scaffold", 88.4, "fedprox", 88.6, "fednova", 88.1);

    static void printTable(PrintWriter out, Options o, List<Row> rows) {
        boolean published = o.dataset().equals("fashion-mnist")
                && o.parties() == 10
                && o.alpha() == 0.5
                && o.rounds() == 50
                && o.epochs() == 10
                && o.batch() == 64;
        out.println();
        out.printf("%-10s %7s %14s %12s %11s%n", "algorithm", "rounds", "test accuracy", "train time", "published");
        for (Row r : rows) {
            out.printf(
                    Locale.ROOT,
                    "%-10s %7d %13.2f%% %12s %11s%n",
                    r.algorithm(),
                    r.rounds(),
                    100 * r.testAccuracy(),
                    Simulation.duration(r.trainTime()),
                    published ? String.format(Locale.ROOT, "%.1f%%", FLOWER_REPRODUCTION.get(r.algorithm())) : "-");
        }
        out.println(
                published
                        ? "published: Flower's NIID-Bench reproduction (flwrlabs/flower baselines/niid_bench, FMNIST,"
                                + " Dirichlet (0.5), seed 42); NIID-Bench's own table: arXiv:2102.02079"
                        : "published: -, the settings differ from NIID-Bench's FMNIST Dirichlet(0.5) protocol"
                                + " (arXiv:2102.02079)");
        out.flush();
    }

    /** The learning process of one algorithm of the protocol. */
    static LearningProcess process(String algorithm, ModelSpec model, Options o, int population) {
        FedAvg.Builder b = switch (algorithm) {
            case "fedavg", "fedprox" -> FedAvg.builder(model);
            case "scaffold" -> Scaffold.builder(model, population);
            case "fednova" -> FedNova.builder(model);
            default -> throw new IllegalArgumentException("unknown algorithm " + algorithm);
        };
        b.setClientOptimizer(Sgd.of(o.lr()).withMomentum(o.momentum()))
                .optEpochs(o.epochs())
                .optServerOptimizer(Sgd.of(1.0f))
                .optSeed(o.seed());
        if (algorithm.equals("fedprox")) {
            b.optProximalMu(o.mu());
        }
        return b.build();
    }
}
