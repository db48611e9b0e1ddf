package dev.fl4j.bench;

import dev.fl4j.aggregators.EncodedSumFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.SumFactory;
import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.ValueEncoder;
import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.core.runtime.CommunicationSnapshot;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.algorithms.ModelEngines;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ClientTrainingResult;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.EncodedDistribution;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.datasets.FashionMnist;
import dev.fl4j.simulation.datasets.TrainTest;
import dev.fl4j.simulation.partition.Partition;
import dev.fl4j.simulation.partition.Partitioner;
import dev.fl4j.simulation.training.ClientSampler;
import dev.fl4j.simulation.training.Cohort;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * {@code fl4j bench compression}: what each encoder costs in accuracy and time for what it saves in
 * bits. It runs FedAvg on Fashion-MNIST (the FedAvg CNN by default) for a fixed number of rounds,
 * once without compression and once per encoder, where the encoder compresses the client updates
 * inside the weighted mean ({@code MeanFactory(EncodedSumFactory(encoder), SumFactory)}, as TFF's
 * compression tutorial composes it). The rounds run in simulation's {@link TrainingLoop} (the loop
 * {@code fl4j simulate} uses), whose {@link ClientSampler} and {@link Preprocessing} derive each
 * round's clients and shuffles from the seed, so every run sees the same initial model, the same
 * clients each round and the same shuffles; only the encoder differs.
 *
 * <p>Printed per encoder:
 * <ul>
 *   <li>aggregated bits per round, as the runtime counted them (clients → server: the encoded
 *       updates, the weights and the training metrics), and their ratio to the uncompressed run;</li>
 *   <li>broadcast bits per round (server → clients; {@code --broadcast} encodes that direction with
 *       {@link EncodedDistribution});</li>
 *   <li>final test accuracy on the 10,000 test images and its difference to the uncompressed run,
 *       in percentage points;</li>
 *   <li>encode and decode time of one client update, measured on real updates (clients trained from
 *       the uncompressed run's final model) on one thread, and their sum relative to the time the
 *       same client's local training took on the same thread.</li>
 * </ul>
 * The target is at least 16× fewer aggregated bits than float32, at most 0.5 points below the
 * uncompressed accuracy, with encode+decode under 5% of the client's training time; the last lines
 * say which encoders meet it in this run. A measurement, not a test: nothing is asserted.
 *
 * <p>Encoders with error feedback ({@code topk:F}, {@code topk-uniform:F:B}, {@code randk-ef:F})
 * keep each client's residual in the runtime's client state across rounds; their timing includes
 * adding the residual in and computing the next one.
 */
public final class CompressionBenchmark {

    /** The encoders compared by default, after the uncompressed baseline. */
    public static final List<String> DEFAULT_ENCODERS = List.of(
            "uniform8",
            "uniform:4",
            "uniform:2",
            "nonuniform:2",
            "hadamard-uniform:4",
            "hadamard-uniform:2",
            "entropy-uniform:2",
            "entropy-nonuniform:2",
            "drive",
            "randk:0.05",
            "topk-uniform:0.05:4");

    /**
     * The options; see {@link #defaults()}. The command line's {@code fl4j bench compression} options
     * (picocli, in the CLI) make one of these; encoder names are {@link Encoders} presets.
     */
    public record Options(
            String model,
            int rounds,
            int clients,
            int clientsPerRound,
            Partitioner partition,
            int batch,
            float clientLearningRate,
            float serverLearningRate,
            List<String> encoders,
            String broadcast,
            int workers,
            int trainExamples,
            int testExamples,
            long seed) {
        public Options {
            BenchModels.byName(model);
            positive("rounds", rounds);
            positive("clients", clients);
            positive("clients-per-round", clientsPerRound);
            positive("batch", batch);
            positive("workers", workers);
            if (clientsPerRound > clients) {
                throw new IllegalArgumentException(
                        "clients-per-round (" + clientsPerRound + ") cannot exceed clients (" + clients + ")");
            }
            Objects.requireNonNull(partition, "partition");
            checkRate("client-lr", clientLearningRate);
            checkRate("server-lr", serverLearningRate);
            encoders = List.copyOf(encoders);
            for (String e : encoders) {
                if (e.trim().equals("none")) {
                    throw new IllegalArgumentException(
                            "encoders: 'none' is the baseline and always runs first; list only encoders");
                }
                Encoders.parse(e);
            }
            if (!broadcast.trim().equals(EncodedDistribution.NONE)
                    && !dev.fl4j.learning.templates.DeltaDistribution.isDeltaName(broadcast)) {
                Encoders.parse(broadcast);
            }
            if (trainExamples < 0 || testExamples < 0) {
                throw new IllegalArgumentException("train-examples and test-examples must be >= 0 (0 = all), got "
                        + trainExamples + " and " + testExamples);
            }
        }

        /**
         * FedAvg CNN, 10 rounds, 100 IID clients (600 examples each), 10 per round, batch 20,
         * client SGD 0.02, server SGD 1.0, the {@link #DEFAULT_ENCODERS}, plain broadcast, one
         * worker per core, all data, seed 1.
         */
        public static Options defaults() {
            return new Options(
                    "fedavg_cnn",
                    10,
                    100,
                    10,
                    Partitioner.iid(),
                    20,
                    0.02f,
                    1.0f,
                    DEFAULT_ENCODERS,
                    EncodedDistribution.NONE,
                    Runtime.getRuntime().availableProcessors(),
                    0,
                    0,
                    1L);
        }
    }

    /** One line of the table. Times in milliseconds; accuracy in [0, 1]. */
    public record Row(
            String encoder,
            double aggregatedBitsPerRound,
            double broadcastBitsPerRound,
            double ratio,
            double accuracy,
            double accuracyDifferencePoints,
            double encodeMillis,
            double decodeMillis,
            double clientTrainMillis,
            double inRunClientMillis,
            double seconds) {
        /** (encode + decode) / the client's training time on the thread that timed the encoder. */
        public double relativeCost() {
            return (encodeMillis + decodeMillis) / clientTrainMillis;
        }

        /** (encode + decode) / a client's training time inside the run (on its worker, among the others). */
        public double relativeCostInRun() {
            return (encodeMillis + decodeMillis) / inRunClientMillis;
        }

        /**
         * The target: ≥ 16× fewer bits, at most 0.5 points worse (better is fine), encode+decode
         * under 5% of the client's training time by both measures of it.
         */
        public boolean meetsTarget() {
            return ratio >= 16
                    && accuracyDifferencePoints >= -0.5
                    && Math.max(relativeCost(), relativeCostInRun()) < 0.05;
        }
    }

    /** Examples per batch when the test set is evaluated. */
    private static final int EVALUATION_BATCH = 500;

    private CompressionBenchmark() {}

    /** Runs on Fashion-MNIST, loaded as {@link FashionMnist#load()} finds it. */
    public static List<Row> run(PrintStream out, Options o) {
        return run(out, o, FashionMnist.load());
    }

    /** Runs on {@code data} (train and test examples {@code <x=float32[28,28,1], y=int32>}). */
    public static List<Row> run(PrintStream out, Options o, TrainTest data) {
        ModelSpec spec = BenchModels.byName(o.model());
        Examples train = shapedFor(spec, o.trainExamples() > 0 ? first(data.train(), o.trainExamples()) : data.train());
        Examples test = shapedFor(spec, o.testExamples() > 0 ? first(data.test(), o.testExamples()) : data.test());
        Partition partition = o.partition().partition(train.ints("y"), o.clients(), o.seed());
        ClientData clients = partition.toClientData(train);
        out.printf(
                Locale.ROOT,
                "bench compression: %s on Fashion-MNIST (%d train, %d test examples), %s over %d clients, %d per "
                        + "round, %d rounds,"
                        + " batch %d, client SGD %s, server SGD %s, broadcast %s, %d workers, seed %d%n",
                o.model(),
                train.size(),
                test.size(),
                partition.description(),
                o.clients(),
                o.clientsPerRound(),
                o.rounds(),
                o.batch(),
                o.clientLearningRate(),
                o.serverLearningRate(),
                o.broadcast(),
                o.workers(),
                o.seed());

        List<Run> runs = new ArrayList<>();
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(o.workers()).build()) {
            ModelEvaluation evaluation = ModelEvaluation.builder(spec, Preprocessing.batches(EVALUATION_BATCH))
                    .optCentralTest(test)
                    .build();
            List<String> names = new ArrayList<>();
            names.add("none");
            names.addAll(o.encoders());
            for (String name : names) {
                aggregatorFor(name, o).create(spec.weightsType().get("trainable"), TensorType.scalar(DType.FLOAT32));
            }
            for (String name : names) {
                Run r = train(rt, spec, o, name, clients, evaluation);
                out.printf(
                        Locale.ROOT,
                        "  %-22s %6.1f s, test accuracy %.4f, %s aggregated / round%n",
                        name,
                        r.seconds,
                        r.accuracy,
                        BitFormat.format(Math.round(r.aggregatedBitsPerRound)));
                runs.add(r);
            }
        }

        Cohort lastRound = new ClientSampler(clients.clientIds(), o.clientsPerRound(), 0, o.seed()).sample(o.rounds());
        UpdateTimes times = new UpdateTimes(spec, o, clients, lastRound.reporting(), runs.get(0).finalWeights);
        Run base = runs.get(0);
        List<Row> rows = new ArrayList<>();
        for (Run r : runs) {
            double[] codec =
                    r.name.equals("none") ? new double[] {0, 0} : times.encodeDecodeMillis(Encoders.parse(r.name));
            rows.add(new Row(
                    r.name,
                    r.aggregatedBitsPerRound,
                    r.broadcastBitsPerRound,
                    base.aggregatedBitsPerRound / r.aggregatedBitsPerRound,
                    r.accuracy,
                    100 * (r.accuracy - base.accuracy),
                    codec[0],
                    codec[1],
                    times.trainMillis,
                    base.inRunClientMillis,
                    r.seconds));
        }
        out.println();
        out.print(table(rows));
        out.printf(
                Locale.ROOT,
                "(enc + dec) / client training time: '/train 1t' over %.1f ms, the same clients' training on the "
                        + "thread that timed the"
                        + " encoders; '/train run' over %.1f ms, a client's training loop inside the uncompressed "
                        + "run%n",
                times.trainMillis,
                base.inRunClientMillis);
        List<String> meeting =
                rows.stream().filter(Row::meetsTarget).map(Row::encoder).toList();
        out.println("target (>= 16x fewer aggregated bits, at most 0.5 points worse,"
                + " enc+dec < 5% of training by both measures): "
                + (meeting.isEmpty() ? "met by no encoder in this run" : "met by " + String.join(", ", meeting)));
        return rows;
    }

    /** The table, one row per encoder, columns aligned. */
    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "%-22s %14s %13s %8s %14s %9s %8s %8s %8s %9s %10s%n",
                "encoder",
                "aggregated/rnd",
                "bits",
                "ratio",
                "broadcast/rnd",
                "accuracy",
                "diff pts",
                "enc ms",
                "dec ms",
                "/train 1t",
                "/train run"));
        for (Row r : rows) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-22s %14s %13.0f %7.1fx %14s %9.4f %+8.2f %8.2f %8.2f %8.2f%% %9.2f%%%n",
                    r.encoder(),
                    BitFormat.format(Math.round(r.aggregatedBitsPerRound())),
                    r.aggregatedBitsPerRound(),
                    r.ratio(),
                    BitFormat.format(Math.round(r.broadcastBitsPerRound())),
                    r.accuracy(),
                    r.accuracyDifferencePoints(),
                    r.encodeMillis(),
                    r.decodeMillis(),
                    100 * r.relativeCost(),
                    100 * r.relativeCostInRun()));
        }
        return b.toString();
    }

    /**
     * The weighted mean with {@code encoder} on the client updates ({@code none}: plain). Made for the
     * model's update type before any run starts, so an encoder aggregation cannot take (one with
     * client state) fails at once, not after the runs before it.
     */
    static MeanFactory aggregatorFor(String encoder, Options o) {
        return encoder.equals("none")
                ? new MeanFactory()
                : new MeanFactory(
                        EncodedSumFactory.builder()
                                .setEncoder(Encoders.parse(encoder))
                                .optSeed(o.seed())
                                .build(),
                        new SumFactory());
    }

    /** What one training run produced. */
    private record Run(
            String name,
            double aggregatedBitsPerRound,
            double broadcastBitsPerRound,
            double accuracy,
            double seconds,
            double inRunClientMillis,
            ModelWeights finalWeights) {}

    /**
     * The learning process of one run: FedAvg with {@code encoder} on the client updates and the {@code --broadcast}
     * distributor.
     */
    static LearningProcess process(ModelSpec spec, Options o, String encoder) {
        return process(spec, o, encoder, o.broadcast());
    }

    /** FedAvg with {@code encoder} on the client updates and the {@code broadcast} distributor. */
    static LearningProcess process(ModelSpec spec, Options o, String encoder, String broadcast) {
        return FedAvg.builder(spec)
                .setClientOptimizer(Sgd.of(o.clientLearningRate()))
                .optServerOptimizer(Sgd.of(o.serverLearningRate()))
                .optModelAggregator(aggregatorFor(encoder, o))
                .optDistributor(EncodedDistribution.fromName(broadcast, spec, o.seed(), o.seed()))
                .optSeed(o.seed())
                .build();
    }

    /**
     * The training loop of one run, the same for every encoder but the process: {@link TrainingLoop}
     * samples each round's clients with its {@link ClientSampler} from the run seed (so every encoder
     * sees the same clients and the same shuffles), on {@code rt}, without drop-out. {@code passNanos}
     * receives the time of each client's pass over its batches (its training loop).
     */
    static TrainingLoop.Builder loop(
            LocalRuntime rt, Options o, LearningProcess process, ClientData clients, LongConsumer passNanos) {
        return TrainingLoop.builder()
                .setProcess(process)
                .setTrainingData(clients)
                .setClientsPerRound(o.clientsPerRound())
                .setRounds(o.rounds())
                .setPreprocessing(Preprocessing.builder()
                        .setBatchSize(o.batch())
                        .optBatchMap(d -> d.timingPasses(passNanos))
                        .build())
                .optSeed(o.seed())
                .optRuntime(rt);
    }

    /**
     * Trains with {@code encoder} and evaluates the final model. Bits are the runtime's count over
     * the whole training loop (broadcast and aggregated, all rounds), divided by the rounds; the final
     * model is evaluated after the loop so that evaluation traffic is not counted.
     */
    private static Run train(
            LocalRuntime rt,
            ModelSpec spec,
            Options o,
            String encoder,
            ClientData clients,
            ModelEvaluation evaluation) {
        LongAdder loopNanos = new LongAdder();
        TrainingLoop loop =
                loop(rt, o, process(spec, o, encoder), clients, loopNanos::add).build();
        CommunicationSnapshot before = rt.communication().snapshot();
        TrainingResult result = loop.run();
        CommunicationSnapshot traffic = rt.communication().snapshot().minus(before);
        double seconds = result.wallTime().toNanos() / 1e9;
        double accuracy =
                evaluation.evaluate(rt, result.model()).get(ModelEvaluation.CENTRAL + "/sparse_categorical_accuracy");
        int trainings = o.rounds() * o.clientsPerRound();
        return new Run(
                encoder,
                (double) traffic.aggregatedBits() / o.rounds(),
                (double) traffic.broadcastBits() / o.rounds(),
                accuracy,
                seconds,
                loopNanos.sum() / 1e6 / trainings,
                result.model());
    }

    /**
     * The images with the per-example shape the model takes ({@code [28,28,1]} for the CNN, {@code [784]} for dense
     * models); no copy.
     */
    static Examples shapedFor(ModelSpec spec, Examples e) {
        int[] modelShape = ((dev.fl4j.core.TensorType) spec.inputSpec().get("x")).shape();
        int[] exampleShape = Arrays.copyOfRange(modelShape, 1, modelShape.length);
        Examples.Column x = e.column("x");
        if (Arrays.equals(x.exampleShape(), exampleShape)) {
            return e;
        }
        if (x.dtype() != dev.fl4j.core.DType.FLOAT32
                || Arrays.stream(exampleShape).reduce(1, (a, b) -> a * b) != x.width()) {
            throw new IllegalArgumentException(
                    "model '" + spec.name() + "' takes x of shape " + Arrays.toString(exampleShape)
                            + " per example, but the images are " + x.dtype() + Arrays.toString(x.exampleShape()));
        }
        return Examples.of(e.floats("x"), exampleShape, e.ints("y"));
    }

    static Examples first(Examples e, int n) {
        if (n > e.size()) {
            throw new IllegalArgumentException("asked for the first " + n + " examples but the set has " + e.size());
        }
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        return e.select(rows);
    }

    /**
     * Real client updates and the time to make one: a few clients of the last round train from the
     * uncompressed run's final model on this thread; their updates are what the encoders are timed on.
     */
    static final class UpdateTimes {
        private static final int CLIENTS = 3;
        private static final int REPEATS = 5;
        /** Untimed passes over the updates first, so the JIT has compiled the codec (steady state). */
        private static final int WARMUP_PASSES = 8;

        final List<Struct> updates = new ArrayList<>();
        final double trainMillis;
        /** Process CPU milliseconds per training (all threads, TensorFlow's too), over the same trainings. */
        final double trainCpuMillis;

        UpdateTimes(ModelSpec spec, Options o, ClientData clients, List<String> lastRound, ModelWeights model) {
            try (ClientTrainer trainer =
                    ModelEngines.defaultEngine().newTrainer(TrainingSpec.of(spec, Sgd.of(o.clientLearningRate())))) {
                List<Dataset> data = new ArrayList<>();
                Preprocessing batches = Preprocessing.batches(o.batch());
                for (int c = 0; c < Math.min(CLIENTS, lastRound.size()); c++) {
                    data.add(batches.forTraining(clients.datasetFor(lastRound.get(c)), o.seed()));
                }
                trainer.train(model, data.get(0), o.seed());
                long total = 0;
                long cpuStart = ProcessCpu.selfNanos();
                for (Dataset d : data) {
                    long start = System.nanoTime();
                    ClientTrainingResult r = trainer.train(model, d, o.seed());
                    total += System.nanoTime() - start;
                    Struct delta = model.trainableDelta(r.weights());
                    updates.add(delta);
                }
                long cpuEnd = ProcessCpu.selfNanos();
                trainMillis = total / 1e6 / data.size();
                trainCpuMillis = cpuStart < 0 || cpuEnd < 0 ? Double.NaN : (cpuEnd - cpuStart) / 1e6 / data.size();
            }
        }

        /** Median encode and decode milliseconds of one client update. */
        double[] encodeDecodeMillis(ValueEncoder encoder) {
            double[] enc = new double[REPEATS * updates.size()];
            double[] dec = new double[enc.length];
            Value state = encoder.initialState(updates.get(0).type());
            for (int pass = 0; pass < WARMUP_PASSES; pass++) {
                for (Struct u : updates) {
                    ValueEncoder.Encoding e = encoder.encode(u, 1 + pass, state);
                    state = e.state();
                    encoder.decode(e.value(), u.type());
                }
            }
            int k = 0;
            for (int rep = 0; rep < REPEATS; rep++) {
                for (Struct u : updates) {
                    long t0 = System.nanoTime();
                    ValueEncoder.Encoding e = encoder.encode(u, Seeds.derive(rep, k), state);
                    long t1 = System.nanoTime();
                    state = e.state();
                    encoder.decode(e.value(), u.type());
                    long t2 = System.nanoTime();
                    enc[k] = (t1 - t0) / 1e6;
                    dec[k] = (t2 - t1) / 1e6;
                    k++;
                }
            }
            return new double[] {RoundCodecCost.median(enc), RoundCodecCost.median(dec)};
        }

        /**
         * Process CPU milliseconds of one encode + decode of a client update, over {@code REPEATS} passes over the
         * updates after {@code WARMUP_PASSES} untimed ones.
         */
        double encodeDecodeCpuMillis(ValueEncoder encoder) {
            Value initial = encoder.initialState(updates.get(0).type());
            Value[] state = {initial};
            Runnable pass = () -> {
                for (Struct u : updates) {
                    ValueEncoder.Encoding e = encoder.encode(u, 7, state[0]);
                    state[0] = e.state();
                    encoder.decode(e.value(), u.type());
                }
            };
            for (int i = 0; i < WARMUP_PASSES; i++) {
                pass.run();
            }
            return ProcessCpu.millisPerRun(REPEATS, pass) / updates.size();
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    private static void checkRate(String name, float rate) {
        if (!(rate > 0) || !Float.isFinite(rate)) {
            throw new IllegalArgumentException(name + " must be positive and finite, got " + rate);
        }
    }
}
