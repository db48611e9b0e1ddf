package dev.fl4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.simulation.checkpoint.RoundRecord;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.datasets.TrainTest;
import dev.fl4j.simulation.partition.Partitioner;
import dev.fl4j.simulation.training.TrainingLoop;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CompressionBenchmarkTest {

    /** Fashion-MNIST-shaped examples whose class lights up one band of rows, plus noise. */
    static Examples images(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 784];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(10);
            for (int p = 0; p < 784; p++) {
                x[i * 784 + p] = (p / 28 / 3 == y[i] ? 0.8f : 0f) + (float) r.nextDouble() * 0.2f;
            }
        }
        return Examples.of(x, new int[] {28, 28, 1}, y);
    }

    @Test
    void optionsRejectBadEncodersAndCounts() {
        CompressionBenchmark.Options d = CompressionBenchmark.Options.defaults();
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> withEncoders(d, List.of("zip")));
        assertTrue(bad.getMessage().contains("unknown encoder 'zip'"), bad.getMessage());
        IllegalArgumentException none =
                assertThrows(IllegalArgumentException.class, () -> withEncoders(d, List.of("none", "drive")));
        assertTrue(none.getMessage().contains("'none' is the baseline"), none.getMessage());
        IllegalArgumentException perRound = assertThrows(
                IllegalArgumentException.class,
                () -> new CompressionBenchmark.Options(
                        d.model(),
                        d.rounds(),
                        5,
                        6,
                        d.partition(),
                        d.batch(),
                        d.clientLearningRate(),
                        d.serverLearningRate(),
                        d.encoders(),
                        d.broadcast(),
                        d.workers(),
                        0,
                        0,
                        d.seed()));
        assertTrue(perRound.getMessage().contains("cannot exceed clients (5)"), perRound.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new CompressionBenchmark.Options(
                        d.model(),
                        d.rounds(),
                        d.clients(),
                        d.clientsPerRound(),
                        d.partition(),
                        d.batch(),
                        d.clientLearningRate(),
                        d.serverLearningRate(),
                        d.encoders(),
                        "uniform:99",
                        d.workers(),
                        0,
                        0,
                        d.seed()));
    }

    private static CompressionBenchmark.Options withEncoders(CompressionBenchmark.Options d, List<String> encoders) {
        return new CompressionBenchmark.Options(
                d.model(),
                d.rounds(),
                d.clients(),
                d.clientsPerRound(),
                d.partition(),
                d.batch(),
                d.clientLearningRate(),
                d.serverLearningRate(),
                encoders,
                d.broadcast(),
                d.workers(),
                d.trainExamples(),
                d.testExamples(),
                d.seed());
    }

    /**
     * The benchmark's bits per round are the runtime's count around its whole loop; a TrainingLoop
     * built the same way and run on its own runtime reports its cumulative bits per round as
     * metrics. The per-round differences of those metrics must add up to the benchmark's figures:
     * the benchmark counts rounds only (not evaluation) and divides by the right number of rounds.
     */
    @Test
    void perRoundBitsEqualWhatTheTrainingLoopReports() {
        CompressionBenchmark.Options o = new CompressionBenchmark.Options(
                "softmax_regression",
                3,
                6,
                2,
                Partitioner.iid(),
                10,
                0.1f,
                1.0f,
                List.of("uniform:4@1000", "topk-uniform:0.2:4@1000"),
                "uniform8@1000",
                2,
                0,
                0,
                7L);
        TrainTest data = new TrainTest(images(120, 3), images(40, 4));
        List<CompressionBenchmark.Row> rows = CompressionBenchmark.run(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), o, data);
        ModelSpec spec = BenchModels.byName(o.model());
        Examples train = CompressionBenchmark.shapedFor(spec, data.train());
        ClientData clients =
                o.partition().partition(train.ints("y"), o.clients(), o.seed()).toClientData(train);
        for (CompressionBenchmark.Row row : rows) {
            List<RoundRecord> history;
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
                history = CompressionBenchmark.loop(
                                rt, o, CompressionBenchmark.process(spec, o, row.encoder()), clients, nanos -> {})
                        .build()
                        .run()
                        .history();
            }
            assertEquals(o.rounds(), history.size(), row.encoder());
            double aggregated = 0;
            double broadcast = 0;
            double aggregatedBefore = 0;
            double broadcastBefore = 0;
            for (RoundRecord r : history) {
                double a = r.metrics().get(TrainingLoop.AGGREGATED_BITS);
                double b = r.metrics().get(TrainingLoop.BROADCASTED_BITS);
                assertTrue(
                        a > aggregatedBefore && b > broadcastBefore,
                        row.encoder() + " round " + r.round() + ": " + r.metrics());
                aggregated += a - aggregatedBefore;
                broadcast += b - broadcastBefore;
                aggregatedBefore = a;
                broadcastBefore = b;
            }
            assertEquals(aggregated / o.rounds(), row.aggregatedBitsPerRound(), row.encoder());
            assertEquals(broadcast / o.rounds(), row.broadcastBitsPerRound(), row.encoder());
        }
        assertTrue(
                rows.get(0).aggregatedBitsPerRound() > rows.get(1).aggregatedBitsPerRound()
                        && rows.get(0).aggregatedBitsPerRound() > rows.get(2).aggregatedBitsPerRound(),
                rows.toString());
    }

    @Test
    void aSmallRealRunCountsTheEncodedBitsExactly() {
        CompressionBenchmark.Options o = new CompressionBenchmark.Options(
                "softmax_regression",
                2,
                4,
                2,
                Partitioner.iid(),
                10,
                0.1f,
                1.0f,
                List.of("uniform8@1000"),
                "uniform8@1000",
                2,
                0,
                0,
                5L);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<CompressionBenchmark.Row> rows = CompressionBenchmark.run(
                new PrintStream(bytes, true, StandardCharsets.UTF_8), o, new TrainTest(images(120, 1), images(40, 2)));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, rows.size());
        CompressionBenchmark.Row none = rows.get(0);
        CompressionBenchmark.Row uniform8 = rows.get(1);
        assertEquals("none", none.encoder());
        assertEquals(1.0, none.ratio());
        assertEquals(0.0, none.accuracyDifferencePoints());
        // the 784x10 kernel crosses as 7,840 bytes + header (4 + 4·2 + 2) + side info 9 instead of 7,840 float32; 2
        // clients a round
        assertEquals(
                2.0 * (7_840 * 32 - (7_840 + 14 + 9) * 8),
                none.aggregatedBitsPerRound() - uniform8.aggregatedBitsPerRound());
        assertEquals(none.aggregatedBitsPerRound() / uniform8.aggregatedBitsPerRound(), uniform8.ratio(), 1e-12);
        // the broadcast is encoded the same way for both runs, plus the encoded sum's round number (64 bits per client)
        assertEquals(2.0 * 64, uniform8.broadcastBitsPerRound() - none.broadcastBitsPerRound());
        assertTrue(
                uniform8.encodeMillis() > 0 && uniform8.decodeMillis() > 0 && uniform8.clientTrainMillis() > 0,
                uniform8.toString());
        assertTrue(text.contains("/train run") && text.contains("uniform8@1000"), text);
        assertTrue(uniform8.inRunClientMillis() > 0, uniform8.toString());
        assertTrue(text.contains("target (>= 16x"), text);
    }
}
