package dev.fl4j.cli;

import dev.fl4j.bench.BenchModels;
import dev.fl4j.bench.CompressionBenchmark;
import dev.fl4j.bench.DeployBenchmark;
import dev.fl4j.bench.RawThroughput;
import dev.fl4j.bench.RuntimeComparison;
import dev.fl4j.bench.SecAggBenchmark;
import dev.fl4j.bench.TrainingBenchmark;
import dev.fl4j.cli.simulate.AccuracyBenchmark;
import dev.fl4j.cli.simulate.UsageException;
import dev.fl4j.cli.spec.PartitionSpec;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.secagg.SecAggPlusServer;
import dev.fl4j.simulation.partition.Partitioner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fl4j bench}: the end-to-end benchmarks of the bench module. Each subcommand's options are
 * picocli options that make the benchmark's typed {@code Options}; their defaults are the
 * benchmark's {@code Options.defaults()}, and a value the benchmark refuses is a usage error naming
 * it. (The JMH micro-benchmarks are not here: they run with their own class path, see bench/README.md.)
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks (measurements, not tests).",
        subcommands = {
            BenchCommand.Training.class,
            BenchCommand.Raw.class,
            BenchCommand.Compression.class,
            BenchCommand.SecAgg.class,
            BenchCommand.Spark.class,
            BenchCommand.Deploy.class,
            BenchCommand.Accuracy.class
        })
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A benchmark's options object, or a usage error with the benchmark's reason when it refuses the values. */
    private static <T> T options(CommandSpec spec, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), spec.qualifiedName() + ": " + e.getMessage());
        }
    }

    @Command(
            name = "training",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Raw engine throughput, FedAvg round throughput on all workers, and efficiency = fedavg / (raw x "
                        + "workers);",
                "then examples/s and peak live heap of rounds of 10, 100 and 1,000 clients (--heap-clients "
                        + "LIST|none, --heap-examples N)."
            })
    static final class Training implements Runnable {
        private static final TrainingBenchmark.Options D = TrainingBenchmark.Options.defaults();

        @Spec
        CommandSpec spec;

        @Option(
                names = "--model",
                paramLabel = "NAME",
                description =
                        "Model: fedavg_cnn, two_nn, softmax_regression, character_lstm. Default: ${DEFAULT-VALUE}.")
        String model = D.model();

        @Option(
                names = "--batch",
                paramLabel = "N",
                description = "Examples per training step. Default: ${DEFAULT-VALUE}.")
        int batch = D.batch();

        @Option(
                names = "--clients",
                paramLabel = "N",
                description = "Clients per FedAvg round. Default: ${DEFAULT-VALUE}.")
        int clients = D.clients();

        @Option(
                names = "--examples-per-client",
                paramLabel = "N",
                description = "Synthetic examples per client, a multiple of --batch. Default: ${DEFAULT-VALUE}.")
        int examplesPerClient = D.examplesPerClient();

        @Option(
                names = "--rounds",
                paramLabel = "N",
                description = "Timed FedAvg rounds (after one untimed warm-up round). Default: ${DEFAULT-VALUE}.")
        int rounds = D.rounds();

        @Option(
                names = "--workers",
                paramLabel = "N",
                description = "Runtime workers. Default: one per core (${DEFAULT-VALUE}).")
        int workers = D.workers();

        @Option(
                names = "--raw-steps",
                paramLabel = "N",
                description = "Steps of the raw single-thread training loop. Default: ${DEFAULT-VALUE}.")
        int rawSteps = D.rawSteps();

        @Option(
                names = "--client-lr",
                paramLabel = "LR",
                description = "Client SGD learning rate. Default: ${DEFAULT-VALUE}.")
        float clientLr = D.clientLearningRate();

        @Option(
                names = "--seed",
                paramLabel = "N",
                description = "Seed of the model and the synthetic data. Default: ${DEFAULT-VALUE}.")
        long seed = D.seed();

        @Option(
                names = "--heap-clients",
                paramLabel = "N,...|none",
                description =
                        "Clients per round of the round-memory sweep, comma-separated, or none to skip it. Default: "
                                + "${DEFAULT-VALUE}.")
        String heapClients = D.heapClients().stream().map(String::valueOf).collect(Collectors.joining(","));

        @Option(
                names = "--heap-examples",
                paramLabel = "N",
                description = "Examples per client in the round-memory sweep, a multiple of --batch."
                        + " Default: ${DEFAULT-VALUE}.")
        int heapExamples = D.heapExamplesPerClient();

        /** The benchmark's options from these. */
        TrainingBenchmark.Options options() {
            return BenchCommand.options(
                    spec,
                    () -> new TrainingBenchmark.Options(
                            model,
                            batch,
                            clients,
                            examplesPerClient,
                            rounds,
                            workers,
                            rawSteps,
                            clientLr,
                            seed,
                            counts(heapClients),
                            heapExamples));
        }

        /** {@code --heap-clients}: whole numbers separated by commas, or {@code none}. */
        private static List<Integer> counts(String text) {
            if (text.trim().equals("none")) {
                return List.of();
            }
            List<Integer> out = new ArrayList<>();
            for (String part : text.split(",", -1)) {
                try {
                    out.add(Integer.parseInt(part.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "--heap-clients must be whole numbers separated by commas, or none; got '" + part.trim()
                                    + "' in '" + text + "'");
                }
            }
            return out;
        }

        @Override
        public void run() {
            TrainingBenchmark.run(System.out, options());
        }
    }

    @Command(
            name = "secagg",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description =
                    "One SecAgg+ round with in-process clients per setting: per-client and server compute, bytes per"
                            + " client and the expansion over the plain modular sum.")
    static final class SecAgg implements Runnable {
        private static final SecAggBenchmark.Options D = SecAggBenchmark.Options.defaults();

        @Spec
        CommandSpec spec;

        @Option(
                names = "--clients",
                paramLabel = "N,...",
                split = ",",
                description = "Clients per round, one block of rows each. Default: 100.")
        List<Integer> clients = new ArrayList<>(D.clients());

        @Option(names = "--length", paramLabel = "N", description = "Elements per vector. Default: ${DEFAULT-VALUE}.")
        int length = D.length();

        @Option(
                names = "--bitwidth",
                paramLabel = "B",
                description =
                        "The modulus is 2^B (32: the secure aggregator on float values). Default: ${DEFAULT-VALUE}.")
        int bitwidth = D.bitwidth();

        @Option(
                names = "--num-shares",
                paramLabel = "K|F",
                description = "num_shares: a count K (odd; capped at the clients) or, with a decimal point, Flower's"
                        + " fraction F of the clients. Default: 11.")
        String numShares = String.valueOf(D.numShares());

        @Option(
                names = "--threshold",
                paramLabel = "T|F",
                description = "reconstruction_threshold: a count T (0: a majority of num_shares) or, with a decimal"
                        + " point, Flower's fraction F of num_shares (above 0.5). Default: 0.")
        String threshold = "0";

        @Option(
                names = "--dropouts",
                paramLabel = "F,...",
                split = ",",
                description = "Fractions of clients that drop out (stop answering at --dropout-stage), one row each."
                        + " Default: 0,0.1,0.3.")
        List<Double> dropouts = new ArrayList<>(D.dropouts());

        @Option(
                names = "--dropout-stage",
                paramLabel = "STAGE",
                description = "The stage at which the dropping clients stop answering: advertise-keys, share-keys,"
                        + " masked-input (they shared keys, so the server removes their pairwise masks) or unmasking"
                        + " (they still count). Default: masked-input.")
        String dropoutStage = "masked-input";

        SecAggBenchmark.Options options() {
            return BenchCommand.options(spec, () -> {
                boolean sharesFraction = numShares.contains(".");
                boolean thresholdFraction = threshold.contains(".");
                return new SecAggBenchmark.Options(
                        clients,
                        length,
                        bitwidth,
                        sharesFraction ? 0 : whole("--num-shares", numShares),
                        sharesFraction ? number("--num-shares", numShares) : 0,
                        thresholdFraction ? 0 : whole("--threshold", threshold),
                        thresholdFraction ? number("--threshold", threshold) : 0,
                        dropouts,
                        stage(dropoutStage));
            });
        }

        private static int whole(String option, String text) {
            try {
                return Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        option + " must be a whole number or a fraction with a decimal point, got '" + text + "'");
            }
        }

        private static double number(String option, String text) {
            try {
                return Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        option + " must be a whole number or a fraction with a decimal point, got '" + text + "'");
            }
        }

        private static SecAggPlusServer.Stage stage(String name) {
            for (SecAggPlusServer.Stage s : List.of(
                    SecAggPlusServer.Stage.ADVERTISE_KEYS,
                    SecAggPlusServer.Stage.SHARE_KEYS,
                    SecAggPlusServer.Stage.MASKED_INPUT,
                    SecAggPlusServer.Stage.UNMASKING)) {
                if (SecAggBenchmark.stageName(s).equals(name.trim())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("--dropout-stage must be advertise-keys, share-keys, masked-input or"
                    + " unmasking, got '" + name + "'");
        }

        @Override
        public void run() {
            SecAggBenchmark.run(System.out, options());
        }
    }

    @Command(
            name = "raw",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description =
                    "The TensorFlow engine's raw single-thread training throughput of one model at one batch size "
                            + "(synthetic data).")
    static final class Raw implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--model",
                paramLabel = "NAME",
                description =
                        "Model: fedavg_cnn, two_nn, softmax_regression, character_lstm. Default: ${DEFAULT-VALUE}.")
        String model = "fedavg_cnn";

        @Option(
                names = "--batch",
                paramLabel = "N",
                description = "Examples per training step. Default: ${DEFAULT-VALUE}.")
        int batch = 20;

        @Option(
                names = "--steps",
                paramLabel = "N",
                description = "Timed steps (after min(20, N) untimed ones). Default: ${DEFAULT-VALUE}.")
        int steps = 200;

        /** The model to measure, once the options are checked. */
        ModelSpec modelSpec() {
            return options(spec, () -> {
                if (batch < 1 || steps < 1) {
                    throw new IllegalArgumentException(
                            "--batch and --steps must be at least 1, got " + batch + " and " + steps);
                }
                return BenchModels.byName(model);
            });
        }

        @Override
        public void run() {
            System.out.println(RawThroughput.measure(modelSpec(), batch, Math.min(20, steps), steps, 1L));
        }
    }

    @Command(
            name = "compression",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description =
                    "FedAvg on Fashion-MNIST uncompressed and with each encoder: bits, accuracy, encode/decode cost.")
    static final class Compression implements Runnable {
        private static final CompressionBenchmark.Options D = CompressionBenchmark.Options.defaults();

        @Spec
        CommandSpec spec;

        @Option(names = "--rounds", paramLabel = "N", description = "FedAvg rounds per run. Default: ${DEFAULT-VALUE}.")
        int rounds = D.rounds();

        @Option(
                names = "--clients",
                paramLabel = "N",
                description = "Clients the training set is split over. Default: ${DEFAULT-VALUE}.")
        int clients = D.clients();

        @Option(
                names = "--clients-per-round",
                paramLabel = "N",
                description = "Clients sampled each round (the same in every run). Default: ${DEFAULT-VALUE}.")
        int clientsPerRound = D.clientsPerRound();

        @Option(
                names = "--partition",
                paramLabel = "SPEC",
                defaultValue = "iid",
                converter = PartitionConverter.class,
                description = "How the training set is split: iid, dirichlet:ALPHA, shards:K, quantity:ALPHA. Default: "
                        + "${DEFAULT-VALUE}.")
        Partitioner partition;

        @Option(
                names = "--batch",
                paramLabel = "N",
                description = "Examples per training step. Default: ${DEFAULT-VALUE}.")
        int batch = D.batch();

        @Option(
                names = "--client-lr",
                paramLabel = "LR",
                description = "Client SGD learning rate. Default: ${DEFAULT-VALUE}.")
        float clientLr = D.clientLearningRate();

        @Option(
                names = "--server-lr",
                paramLabel = "LR",
                description = "Server SGD learning rate. Default: ${DEFAULT-VALUE}.")
        float serverLr = D.serverLearningRate();

        @Option(
                names = "--encoders",
                paramLabel = "PRESET,...",
                description = "Encoder presets compared with the uncompressed run, comma-separated (PRESET@THRESHOLD "
                        + "changes the 20,000-element threshold)."
                        + " Default: ${DEFAULT-VALUE}.")
        String encoders = String.join(",", D.encoders());

        @Option(
                names = "--broadcast",
                paramLabel = "none|PRESET",
                description =
                        "Encoder preset of the broadcast (server to clients), or none." + " Default: ${DEFAULT-VALUE}.")
        String broadcast = D.broadcast();

        @Option(
                names = "--pairs",
                paramLabel = "BROADCAST|AGGREGATOR,...",
                description = "Compare both directions instead: (broadcast, aggregation) pairs, e.g. "
                        + "'delta:drive|drive,hadamard-uniform:4|drive',"
                        + " each against none|none: bits per round each way and in total, accuracy,"
                        + " encode+decode time"
                        + " (--encoders and --broadcast are then not used).")
        String pairs;

        @Option(
                names = "--workers",
                paramLabel = "N",
                description = "Runtime workers. Default: one per core (${DEFAULT-VALUE}).")
        int workers = D.workers();

        @Option(
                names = "--model",
                paramLabel = "NAME",
                description = "Model: fedavg_cnn, two_nn, softmax_regression. Default: ${DEFAULT-VALUE}.")
        String model = D.model();

        @Option(
                names = "--train-examples",
                paramLabel = "N",
                description = "Use only the first N training examples (0: all). Default: ${DEFAULT-VALUE}.")
        int trainExamples = D.trainExamples();

        @Option(
                names = "--test-examples",
                paramLabel = "N",
                description = "Use only the first N test examples (0: all). Default: ${DEFAULT-VALUE}.")
        int testExamples = D.testExamples();

        @Option(
                names = "--seed",
                paramLabel = "N",
                description =
                        "Seed of the partition, the model, the sampling and the encoders. Default: ${DEFAULT-VALUE}.")
        long seed = D.seed();

        /** The benchmark's options from these. */
        CompressionBenchmark.Options options() {
            List<String> list = Arrays.stream(encoders.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .toList();
            return BenchCommand.options(
                    spec,
                    () -> new CompressionBenchmark.Options(
                            model,
                            rounds,
                            clients,
                            clientsPerRound,
                            partition,
                            batch,
                            clientLr,
                            serverLr,
                            list,
                            broadcast,
                            workers,
                            trainExamples,
                            testExamples,
                            seed));
        }

        @Override
        public void run() {
            if (pairs != null) {
                List<dev.fl4j.bench.BidirectionalBenchmark.Pair> list = BenchCommand.options(
                        spec,
                        () -> Arrays.stream(pairs.split(","))
                                .map(String::trim)
                                .filter(s -> !s.isEmpty())
                                .map(dev.fl4j.bench.BidirectionalBenchmark.Pair::parse)
                                .toList());
                dev.fl4j.bench.BidirectionalBenchmark.run(System.out, options(), list);
                return;
            }
            CompressionBenchmark.run(System.out, options());
        }
    }

    /** {@code --partition} through the command line's partition grammar. */
    static final class PartitionConverter implements ITypeConverter<Partitioner> {
        @Override
        public Partitioner convert(String value) {
            try {
                return PartitionSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Command(
            name = "spark",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "FedAvg round time on the Spark runtime against the local runtime with as many workers, in one run;",
                "efficiency = local round time / spark round time (medians); the final models must be bitwise equal.",
                "With --population: a population of clients in Parquet, read in the executors (see --population)."
            })
    static final class Spark implements Runnable {
        private static final RuntimeComparison.Options D = RuntimeComparison.Options.defaults();
        private static final dev.fl4j.bench.PopulationBenchmark.Options P =
                dev.fl4j.bench.PopulationBenchmark.Options.defaults();

        @Spec
        CommandSpec spec;

        @Option(
                names = "--model",
                paramLabel = "NAME",
                description =
                        "Model: fedavg_cnn, two_nn, softmax_regression, character_lstm. Default: ${DEFAULT-VALUE}.")
        String model = D.model();

        @Option(
                names = "--runtime",
                paramLabel = "SPEC",
                description = "The runtime to compare: spark[:MASTER]. Default: ${DEFAULT-VALUE}.")
        String runtime = D.runtime();

        @Option(
                names = "--workers",
                paramLabel = "N",
                description =
                        "Workers of the local runtime (match the Spark master's cores). Default: ${DEFAULT-VALUE}.")
        int workers = D.workers();

        @Option(names = "--clients", paramLabel = "N", description = "Clients per round. Default: ${DEFAULT-VALUE}.")
        int clients = D.clients();

        @Option(
                names = "--examples-per-client",
                paramLabel = "N",
                description = "Synthetic examples per client. Default: ${DEFAULT-VALUE}.")
        int examplesPerClient = D.examplesPerClient();

        @Option(names = "--batch", paramLabel = "N", description = "Batch size. Default: ${DEFAULT-VALUE}.")
        int batch = D.batch();

        @Option(
                names = "--rounds",
                paramLabel = "N",
                description = "Timed rounds per runtime (after the warm-up rounds). Default: ${DEFAULT-VALUE}.")
        int rounds = D.rounds();

        @Option(
                names = "--warmup-rounds",
                paramLabel = "N",
                description = "Untimed rounds per runtime before the timed ones (the JVM compiles Spark's and"
                        + " fl4j's code through the first rounds). Default: ${DEFAULT-VALUE}.")
        int warmupRounds = D.warmupRounds();

        @Option(names = "--seed", paramLabel = "N", description = "Seed. Default: ${DEFAULT-VALUE}.")
        long seed = D.seed();

        @Option(
                names = "--population",
                description = "Instead: the population benchmark. N synthetic clients (--population-size) with a few"
                        + " examples each in Parquet files (written once to --population-dir, reused), --cohort per"
                        + " round, softmax model, client data read in the executors: round time, clients trained/s"
                        + " (target >= 2,000) and driver heap (target <= 1 GiB). --runtime, --workers, --rounds,"
                        + " --warmup-rounds and --seed apply.")
        boolean population;

        @Option(
                names = "--population-size",
                paramLabel = "N",
                description = "Clients in the population. Default: ${DEFAULT-VALUE}.")
        int populationSize = P.population();

        @Option(names = "--cohort", paramLabel = "N", description = "Clients per round. Default: ${DEFAULT-VALUE}.")
        int cohort = P.perRound();

        @Option(
                names = "--population-examples",
                paramLabel = "N",
                description = "Examples per synthetic client. Default: ${DEFAULT-VALUE}.")
        int populationExamples = P.examples();

        @Option(
                names = "--population-dir",
                paramLabel = "DIR",
                description = "Where the population's Parquet files are (written if absent). Default: a directory"
                        + " under java.io.tmpdir named after the size and examples.")
        Path populationDir;

        @Override
        public void run() {
            if (population) {
                Path dir = populationDir != null
                        ? populationDir
                        : Path.of(
                                System.getProperty("java.io.tmpdir"),
                                "fl4j-bench-population-" + populationSize + "x" + populationExamples);
                try {
                    dev.fl4j.bench.PopulationBenchmark.run(
                            System.out,
                            new dev.fl4j.bench.PopulationBenchmark.Options(
                                    runtime,
                                    workers,
                                    populationSize,
                                    cohort,
                                    populationExamples,
                                    rounds,
                                    warmupRounds,
                                    dir,
                                    seed));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "bench spark: " + e.getMessage());
                }
                return;
            }
            RuntimeComparison.Options o = options(
                    spec,
                    () -> new RuntimeComparison.Options(
                            model, runtime, workers, clients, examplesPerClient, batch, rounds, warmupRounds, seed));
            try {
                RuntimeComparison.run(System.out, o);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "bench spark: " + e.getMessage());
            }
        }
    }

    @Command(
            name = "deploy",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "FedAvg CNN over N clients on the local runtime, then the same clients in client JVMs of a TLS",
                "server on 127.0.0.1 (the final models must be bitwise equal): round-time ratio (target <= 1.10) and",
                "wire bytes over accounted bits (target <= 1.01); then the peak live heap of a softmax server JVM",
                "with 1,000 connected lightweight clients (target <= 512 MiB). Prints a table with the targets."
            })
    static final class Deploy implements Runnable {
        private static final DeployBenchmark.Options D = DeployBenchmark.Options.defaults();

        @Spec
        CommandSpec spec;

        @Option(
                names = "--clients",
                paramLabel = "N",
                description = "CNN clients, all selected every round. Default: ${DEFAULT-VALUE}.")
        int clients = D.clients();

        @Option(
                names = "--client-jvms",
                paramLabel = "N",
                description = "JVMs the CNN clients are spread over (at most --clients); with several clients in a JVM"
                        + " they share its training slots, the JVM's share of the cores. Default: as many as the"
                        + " local runtime's workers (the cores), at most --clients.")
        Integer clientJvms;

        @Option(
                names = "--examples-per-client",
                paramLabel = "N",
                description = "Synthetic images per CNN client. Default: ${DEFAULT-VALUE}.")
        int examplesPerClient = D.examplesPerClient();

        @Option(names = "--batch", paramLabel = "N", description = "Batch size. Default: ${DEFAULT-VALUE}.")
        int batch = D.batch();

        @Option(
                names = "--rounds",
                paramLabel = "N",
                description = "Timed rounds on each side (after the warm-up rounds). Default: ${DEFAULT-VALUE}.")
        int rounds = D.rounds();

        @Option(
                names = "--warmup-rounds",
                paramLabel = "N",
                description = "Untimed rounds on each side first (the client JVMs start cold). Default:"
                        + " ${DEFAULT-VALUE}.")
        int warmupRounds = D.warmupRounds();

        @Option(
                names = "--lightweight-clients",
                paramLabel = "N",
                description = "Connected clients of the server-heap part (0: skip it). Default: ${DEFAULT-VALUE}.")
        int lightweightClients = D.lightweightClients();

        @Option(
                names = "--lightweight-jvms",
                paramLabel = "N",
                description = "JVMs the lightweight clients are spread over. Default: ${DEFAULT-VALUE}.")
        int lightweightJvms = D.lightweightJvms();

        @Option(
                names = "--lightweight-rounds",
                paramLabel = "N",
                description = "Rounds of the server-heap part, every client selected. Default: ${DEFAULT-VALUE}.")
        int lightweightRounds = D.lightweightRounds();

        @Option(names = "--seed", paramLabel = "N", description = "Seed. Default: ${DEFAULT-VALUE}.")
        long seed = D.seed();

        @Option(
                names = "--client-jvm-option",
                paramLabel = "OPTION",
                description = "An option of the CNN client JVMs' java launcher, -X..., -D... or -agentpath:... (a"
                        + " profiler; repeatable; write --client-jvm-option=-XX:TieredStopAtLevel=1). The client JVMs"
                        + " run on the parallel collector, as fl4j client does, unless an option names one"
                        + " (-XX:+UseG1GC). Default: none.")
        List<String> clientJvmOptions = new ArrayList<>(D.clientJvmOptions());

        @Option(
                names = "--server-jvm-option",
                paramLabel = "OPTION",
                description = "An option of the CNN server JVM's java launcher, -X..., -D... or -agentpath:..."
                        + " (repeatable). Default: none.")
        List<String> serverJvmOptions = new ArrayList<>(D.serverJvmOptions());

        @Override
        public void run() {
            DeployBenchmark.Options o = options(
                    spec,
                    () -> new DeployBenchmark.Options(
                            clients,
                            clientJvms != null
                                    ? clientJvms
                                    : Math.min(clients, Runtime.getRuntime().availableProcessors()),
                            examplesPerClient,
                            batch,
                            rounds,
                            warmupRounds,
                            lightweightClients,
                            lightweightJvms,
                            lightweightRounds,
                            seed,
                            clientJvmOptions,
                            serverJvmOptions));
            try {
                DeployBenchmark.run(System.out, o);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    @Command(
            name = "accuracy",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = "NIID-Bench's label-skew protocol (Li et al., ICDE 2022) end to end: final test accuracy"
                    + " and run time of FedAvg, FedProx, SCAFFOLD and FedNova. The defaults are its Fashion-MNIST"
                    + " setting (simple CNN, 10 parties, Dirichlet(0.5), all parties every round, 10 local epochs,"
                    + " 50 rounds; about two hours on an idle 2-core machine, resumable with --checkpoint-dir).")
    static final class Accuracy implements java.util.concurrent.Callable<Integer> {
        private static final AccuracyBenchmark.Options D = AccuracyBenchmark.Options.defaults();

        @Spec
        CommandSpec spec;

        @Option(
                names = "--algorithms",
                paramLabel = "A,...",
                split = ",",
                description = "Algorithms to run, in order: fedavg, fedprox, scaffold, fednova. Default: all four.")
        List<String> algorithms = new ArrayList<>(D.algorithms());

        @Option(names = "--rounds", paramLabel = "N", description = "Communication rounds. Default: ${DEFAULT-VALUE}.")
        int rounds = D.rounds();

        @Option(
                names = "--dataset",
                paramLabel = "SPEC",
                description = "fashion-mnist or mnist:DIR (as simulate's --dataset). Default: ${DEFAULT-VALUE}.")
        String dataset = D.dataset();

        @Option(names = "--parties", paramLabel = "N", description = "Parties (clients). Default: ${DEFAULT-VALUE}.")
        int parties = D.parties();

        @Option(
                names = "--alpha",
                paramLabel = "A",
                description = "Dirichlet concentration of the label split. Default: ${DEFAULT-VALUE}.")
        double alpha = D.alpha();

        @Option(
                names = "--epochs",
                paramLabel = "N",
                description = "Local epochs per round. Default: ${DEFAULT-VALUE}.")
        int epochs = D.epochs();

        @Option(names = "--batch", paramLabel = "N", description = "Batch size. Default: ${DEFAULT-VALUE}.")
        int batch = D.batch();

        @Option(names = "--lr", paramLabel = "LR", description = "Client SGD learning rate. Default: ${DEFAULT-VALUE}.")
        float lr = D.lr();

        @Option(names = "--momentum", paramLabel = "M", description = "Client SGD momentum. Default: ${DEFAULT-VALUE}.")
        float momentum = D.momentum();

        @Option(names = "--mu", paramLabel = "MU", description = "FedProx's proximal mu. Default: ${DEFAULT-VALUE}.")
        float mu = D.mu();

        @Option(names = "--seed", paramLabel = "N", description = "Seed. Default: ${DEFAULT-VALUE}.")
        long seed = D.seed();

        @Option(
                names = "--workers",
                paramLabel = "N",
                description = "Clients trained at once. Default: one per core (${DEFAULT-VALUE}).")
        int workers = D.workers();

        @Option(
                names = "--checkpoint-dir",
                paramLabel = "DIR",
                description = "Checkpoint every round under DIR/ALGORITHM and continue from there when run again"
                        + " with the same settings (more --rounds extend a finished run).")
        java.nio.file.Path checkpointDir;

        /** The benchmark's options from these. */
        AccuracyBenchmark.Options options() {
            return BenchCommand.options(
                    spec,
                    () -> new AccuracyBenchmark.Options(
                            dataset,
                            algorithms,
                            parties,
                            alpha,
                            rounds,
                            epochs,
                            batch,
                            lr,
                            momentum,
                            mu,
                            seed,
                            workers));
        }

        @Override
        public Integer call() throws Exception {
            AccuracyBenchmark.Options o = options();
            try {
                AccuracyBenchmark.run(spec.commandLine().getOut(), o, checkpointDir);
            } catch (UsageException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "bench accuracy: " + e.getMessage());
            } catch (dev.fl4j.simulation.checkpoint.CheckpointException e) {
                spec.commandLine().getOut().flush();
                spec.commandLine().getErr().println("fl4j bench accuracy: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 1;
            }
            return 0;
        }
    }
}
