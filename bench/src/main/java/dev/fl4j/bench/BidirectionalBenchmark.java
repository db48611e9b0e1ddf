package dev.fl4j.bench;

import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.ValueEncoder;
import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.core.runtime.CommunicationSnapshot;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.templates.DeltaDistribution;
import dev.fl4j.learning.templates.EncodedDistribution;
import dev.fl4j.learning.templates.FromInitDistribution;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.datasets.FashionMnist;
import dev.fl4j.simulation.datasets.TrainTest;
import dev.fl4j.simulation.partition.Partition;
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

/**
 * {@code fl4j bench compression --pairs BROADCAST|AGGREGATOR,...}: both directions of a round. For
 * the uncompressed baseline ({@code none|none}) and each (broadcast, aggregation) pair it runs FedAvg
 * in the same {@link TrainingLoop} as {@link CompressionBenchmark} (same clients, shuffles and
 * initial model for every pair) and prints, per round: broadcast bits, aggregated bits, their total
 * and its ratio to the baseline's total; final test accuracy and its difference in points; and the
 * encode+decode time per client relative to a client's training time on the same thread. The
 * aggregation's part is the encoder timed on real client updates (as {@link CompressionBenchmark});
 * the broadcast's part is one encode and one decode of the final model with the broadcast's encoder
 * (for {@code delta:ENCODER} the delta encoder, whose cost is the same on a change of the model's
 * shape; the server encodes once a round, each client decodes once), plus a bitwise-free float32 add.
 *
 * <p>The target is the issue's: total bits at least 20× fewer than the baseline with partial
 * participation, 32× with every client in every round ({@code clients-per-round == clients}),
 * accuracy at most 0.5 points worse (better is fine: the check is one-sided), and encode+decode
 * under 5% of the client's training time. A measurement, not a test: nothing is asserted.
 */
public final class BidirectionalBenchmark {

    /** One (broadcast, aggregation) pair. */
    public record Pair(String broadcast, String aggregator) {
        /** Parses {@code BROADCAST|AGGREGATOR}, e.g. {@code delta:drive|drive}. */
        public static Pair parse(String spec) {
            int bar = spec.indexOf('|');
            if (bar < 0) {
                throw new IllegalArgumentException(
                        "a pair is BROADCAST|AGGREGATOR (e.g. 'delta:drive|drive'), got '" + spec + "'");
            }
            String b = spec.substring(0, bar).trim();
            String a = spec.substring(bar + 1).trim();
            if (b.isEmpty() || a.isEmpty()) {
                throw new IllegalArgumentException("pair '" + spec + "': both sides must be named ('none' for plain)");
            }
            if (!a.equals("none")) {
                Encoders.parse(a);
            }
            return new Pair(b, a);
        }

        @Override
        public String toString() {
            return broadcast + "|" + aggregator;
        }
    }

    /** One line of the table; bits per round, times in milliseconds, accuracy in [0, 1]. */
    public record Row(
            Pair pair,
            double broadcastBitsPerRound,
            double aggregatedBitsPerRound,
            double totalRatio,
            double accuracy,
            double accuracyDifferencePoints,
            double aggregationCodecMillis,
            double broadcastCodecMillis,
            double clientTrainMillis,
            double seconds,
            double aggregationCodecCpuMillis,
            double broadcastCodecCpuMillis,
            double clientTrainCpuMillis) {

        /** A row without process CPU figures (NaN). */
        public Row(
                Pair pair,
                double broadcastBitsPerRound,
                double aggregatedBitsPerRound,
                double totalRatio,
                double accuracy,
                double accuracyDifferencePoints,
                double aggregationCodecMillis,
                double broadcastCodecMillis,
                double clientTrainMillis,
                double seconds) {
            this(
                    pair,
                    broadcastBitsPerRound,
                    aggregatedBitsPerRound,
                    totalRatio,
                    accuracy,
                    accuracyDifferencePoints,
                    aggregationCodecMillis,
                    broadcastCodecMillis,
                    clientTrainMillis,
                    seconds,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN);
        }

        public double totalBitsPerRound() {
            return broadcastBitsPerRound + aggregatedBitsPerRound;
        }

        /** Both directions' encode + decode over the client's training time. */
        public double relativeCost() {
            return (aggregationCodecMillis + broadcastCodecMillis) / clientTrainMillis;
        }

        /**
         * Both directions' encode + decode over the client's training in process CPU time (all threads), which other
         * processes on a shared machine disturb far less than wall time; NaN where it could not be read.
         */
        public double relativeCpuCost() {
            return (aggregationCodecCpuMillis + broadcastCodecCpuMillis) / clientTrainCpuMillis;
        }

        /** The target, one-sided in accuracy; {@code minRatio} 20 or 32 (full participation). */
        public boolean meets(double minRatio) {
            return totalRatio >= minRatio && accuracyDifferencePoints >= -0.5 && relativeCost() < 0.05;
        }
    }

    private BidirectionalBenchmark() {}

    /** The minimum ratio of total bits the issue asks for in this setting. */
    public static double targetRatio(CompressionBenchmark.Options o) {
        return o.clientsPerRound() == o.clients() ? 32 : 20;
    }

    /** Runs on Fashion-MNIST as {@link FashionMnist#load()} finds it. */
    public static List<Row> run(PrintStream out, CompressionBenchmark.Options o, List<Pair> pairs) {
        return run(out, o, pairs, FashionMnist.load());
    }

    /** Runs the baseline and each pair on {@code data}. */
    public static List<Row> run(PrintStream out, CompressionBenchmark.Options o, List<Pair> pairs, TrainTest data) {
        ModelSpec spec = BenchModels.byName(o.model());
        Examples train = CompressionBenchmark.shapedFor(
                spec,
                o.trainExamples() > 0 ? CompressionBenchmark.first(data.train(), o.trainExamples()) : data.train());
        Examples test = CompressionBenchmark.shapedFor(
                spec, o.testExamples() > 0 ? CompressionBenchmark.first(data.test(), o.testExamples()) : data.test());
        Partition partition = o.partition().partition(train.ints("y"), o.clients(), o.seed());
        ClientData clients = partition.toClientData(train);
        List<Pair> all = new ArrayList<>();
        all.add(new Pair("none", "none"));
        all.addAll(pairs);
        for (Pair p : all) { // every pair must build before any run starts
            CompressionBenchmark.aggregatorFor(p.aggregator(), o)
                    .create(spec.weightsType().get("trainable"), TensorType.scalar(DType.FLOAT32));
            EncodedDistribution.fromName(p.broadcast(), spec, o.seed(), o.seed());
        }
        out.printf(
                Locale.ROOT,
                "bench compression (both directions): %s on Fashion-MNIST (%d train, %d test examples), %s"
                        + " over %d clients,"
                        + " %d per round, %d rounds, batch %d, client SGD %s, server SGD %s, %d workers, seed %d%n",
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
                o.workers(),
                o.seed());
        List<double[]> runs = new ArrayList<>();
        ModelWeights finalBaseline = null;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(o.workers()).build()) {
            ModelEvaluation evaluation = ModelEvaluation.builder(spec, Preprocessing.batches(500))
                    .optCentralTest(test)
                    .build();
            for (Pair p : all) {
                TrainingLoop loop = CompressionBenchmark.loop(
                                rt,
                                o,
                                CompressionBenchmark.process(spec, o, p.aggregator(), p.broadcast()),
                                clients,
                                n -> {})
                        .build();
                CommunicationSnapshot before = rt.communication().snapshot();
                TrainingResult result = loop.run();
                CommunicationSnapshot traffic = rt.communication().snapshot().minus(before);
                double accuracy = evaluation
                        .evaluate(rt, result.model())
                        .get(ModelEvaluation.CENTRAL + "/sparse_categorical_accuracy");
                double seconds = result.wallTime().toNanos() / 1e9;
                runs.add(new double[] {
                    (double) traffic.broadcastBits() / o.rounds(),
                    (double) traffic.aggregatedBits() / o.rounds(),
                    accuracy,
                    seconds
                });
                if (finalBaseline == null) {
                    finalBaseline = result.model();
                }
                out.printf(
                        Locale.ROOT,
                        "  %-40s %6.1f s, test accuracy %.4f, %s total / round%n",
                        p,
                        seconds,
                        accuracy,
                        BitFormat.format(Math.round(runs.get(runs.size() - 1)[0] + runs.get(runs.size() - 1)[1])));
            }
        }
        Cohort lastRound = new ClientSampler(clients.clientIds(), o.clientsPerRound(), 0, o.seed()).sample(o.rounds());
        CompressionBenchmark.UpdateTimes times =
                new CompressionBenchmark.UpdateTimes(spec, o, clients, lastRound.reporting(), finalBaseline);
        double[] base = runs.get(0);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Pair p = all.get(i);
            double[] r = runs.get(i);
            double agg =
                    p.aggregator().equals("none") ? 0 : sum(times.encodeDecodeMillis(Encoders.parse(p.aggregator())));
            double aggCpu =
                    p.aggregator().equals("none") ? 0 : times.encodeDecodeCpuMillis(Encoders.parse(p.aggregator()));
            double bcast = broadcastCodecMillis(p.broadcast(), finalBaseline.asStruct());
            double bcastCpu = broadcastCodecCpuMillis(p.broadcast(), finalBaseline.asStruct());
            rows.add(new Row(
                    p,
                    r[0],
                    r[1],
                    (base[0] + base[1]) / (r[0] + r[1]),
                    r[2],
                    100 * (r[2] - base[2]),
                    agg,
                    bcast,
                    times.trainMillis,
                    r[3],
                    aggCpu,
                    bcastCpu,
                    times.trainCpuMillis));
        }
        out.println();
        out.print(table(rows));
        double target = targetRatio(o);
        out.printf(
                Locale.ROOT,
                "(enc + dec) / client training time: both directions' encode + decode over %.1f ms,"
                        + " a client's training on"
                        + " the thread that timed the encoders%n",
                times.trainMillis);
        out.printf(
                Locale.ROOT,
                "(enc + dec) / client training CPU: the same over %.1f ms, in process CPU time (all threads), which"
                        + " other processes disturb far less than wall time%n",
                times.trainCpuMillis);
        List<String> meeting = rows.stream()
                .filter(r -> r.meets(target))
                .map(r -> r.pair().toString())
                .toList();
        out.printf(
                Locale.ROOT,
                "target (>= %.0fx fewer total bits, at most 0.5 points worse, enc+dec < 5%% of training): %s%n",
                target,
                meeting.isEmpty() ? "met by no pair in this run" : "met by " + String.join(", ", meeting));
        return rows;
    }

    /** The table, one row per pair. */
    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        String head = "%-40s %14s %14s %14s %8s %9s %8s %9s %9s %9s %10s%n";
        b.append(String.format(
                Locale.ROOT,
                head,
                "broadcast|aggregation",
                "broadcast/rnd",
                "aggregated/rnd",
                "total/rnd",
                "ratio",
                "accuracy",
                "diff pts",
                "agg ms",
                "bcast ms",
                "/train",
                "/train cpu"));
        for (Row r : rows) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-40s %14s %14s %14s %7.1fx %9.4f %+8.2f %9.2f %9.2f %8.2f%% %9.2f%%%n",
                    r.pair(),
                    BitFormat.format(Math.round(r.broadcastBitsPerRound())),
                    BitFormat.format(Math.round(r.aggregatedBitsPerRound())),
                    BitFormat.format(Math.round(r.totalBitsPerRound())),
                    r.totalRatio(),
                    r.accuracy(),
                    r.accuracyDifferencePoints(),
                    r.aggregationCodecMillis(),
                    r.broadcastCodecMillis(),
                    100 * r.relativeCost(),
                    100 * r.relativeCpuCost()));
        }
        return b.toString();
    }

    /** Encodes + decodes of the model before timing, so the JIT has compiled the codec (steady state). */
    static final int BROADCAST_WARMUPS = 20;

    /**
     * Median of 9 encode + decode of the model with the broadcast's encoder, after {@link #BROADCAST_WARMUPS}
     * untimed ones; 0 for a plain broadcast.
     */
    static double broadcastCodecMillis(String broadcast, Struct model) {
        ValueEncoder encoder = timedEncoder(broadcast);
        if (encoder == null) {
            return 0;
        }
        Value state = encoder.initialState(model.type());
        for (int i = 0; i < BROADCAST_WARMUPS; i++) {
            encoder.decode(encoder.encode(model, -1 - i, state).value(), model.type());
        }
        double[] ms = new double[9];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            encoder.decode(encoder.encode(model, i + 1, state).value(), model.type());
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    /**
     * Process CPU milliseconds of one encode + decode of the model with the broadcast's encoder, over 9 runs after
     * {@link #BROADCAST_WARMUPS} untimed ones; 0 for a plain broadcast.
     */
    static double broadcastCodecCpuMillis(String broadcast, Struct model) {
        ValueEncoder encoder = timedEncoder(broadcast);
        if (encoder == null) {
            return 0;
        }
        Value state = encoder.initialState(model.type());
        for (int i = 0; i < BROADCAST_WARMUPS; i++) {
            encoder.decode(encoder.encode(model, -1 - i, state).value(), model.type());
        }
        long[] seed = {0};
        return ProcessCpu.millisPerRun(
                9, () -> encoder.decode(encoder.encode(model, ++seed[0], state).value(), model.type()));
    }

    /**
     * The encoder whose calls a broadcast costs each round: the broadcast's own, or for {@code delta:} the change's
     * (the full model crosses only when a client needs it), for {@code from-init:} the change's encoder (the
     * subtraction and addition of the initial weights are not timed); null for a plain broadcast.
     */
    private static ValueEncoder timedEncoder(String broadcast) {
        String name = broadcast.trim();
        if (name.equals(EncodedDistribution.NONE)) {
            return null;
        }
        if (DeltaDistribution.isDeltaName(name)) {
            String spec = name.substring(DeltaDistribution.PREFIX.length());
            int slash = spec.indexOf('/');
            name = slash >= 0 ? spec.substring(0, slash) : spec;
        } else if (FromInitDistribution.isFromInitName(name)) {
            name = name.substring(FromInitDistribution.PREFIX.length());
        }
        return Encoders.parse(name);
    }

    private static double sum(double[] v) {
        return v[0] + v[1];
    }
}
