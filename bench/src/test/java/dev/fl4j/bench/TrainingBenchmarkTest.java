package dev.fl4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TrainingBenchmarkTest {

    @Test
    void optionsValidate() {
        IllegalArgumentException notMultiple = assertThrows(
                IllegalArgumentException.class,
                () -> new TrainingBenchmark.Options("fedavg_cnn", 20, 10, 50, 3, 2, 200, 0.02f, 1L));
        assertTrue(notMultiple.getMessage().contains("must be a multiple of batch (20)"), notMultiple.getMessage());
        IllegalArgumentException model = assertThrows(
                IllegalArgumentException.class,
                () -> new TrainingBenchmark.Options("resnet", 20, 10, 600, 3, 2, 200, 0.02f, 1L));
        assertTrue(model.getMessage().contains("unknown model 'resnet'"), model.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new TrainingBenchmark.Options("fedavg_cnn", 20, 10, 600, 3, 0, 200, 0.02f, 1L));
        assertEquals(
                Runtime.getRuntime().availableProcessors(),
                TrainingBenchmark.Options.defaults().workers());
    }

    @Test
    void aSmallRealRunReportsConsistentFigures() {
        TrainingBenchmark.Options o =
                new TrainingBenchmark.Options("softmax_regression", 10, 3, 40, 2, 2, 10, 0.1f, 3L);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainingBenchmark.Result r = TrainingBenchmark.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), o);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(
                r.rawExamplesPerSecond() > 0 && r.oneClientExamplesPerSecond() > 0 && r.fedAvgExamplesPerSecond() > 0,
                r.toString());
        assertEquals(2, r.roundSeconds().size());
        assertEquals(r.fedAvgExamplesPerSecond() / (2 * r.rawExamplesPerSecond()), r.efficiency(), 1e-12);
        assertEquals(
                3
                        * 40
                        * 2
                        / r.roundSeconds().stream()
                                .mapToDouble(Double::doubleValue)
                                .sum(),
                r.fedAvgExamplesPerSecond(),
                1e-6);
        assertTrue(r.trainingLoopShare() > 0 && r.trainingLoopShare() <= 1.0001, "share " + r.trainingLoopShare());
        assertTrue(text.contains("efficiency") && text.contains("softmax_regression"), text);
    }

    @Test
    void theRoundMemorySweepIsValidated() {
        assertEquals(
                java.util.List.of(10, 100, 1000),
                TrainingBenchmark.Options.defaults().heapClients());
        assertThrows(
                IllegalArgumentException.class,
                () -> new TrainingBenchmark.Options(
                        "softmax_regression", 10, 3, 40, 1, 2, 10, 0.1f, 3L, java.util.List.of(10, 0), 10));
        IllegalArgumentException examples = assertThrows(
                IllegalArgumentException.class,
                () -> new TrainingBenchmark.Options(
                        "softmax_regression", 20, 3, 40, 1, 2, 10, 0.1f, 3L, java.util.List.of(10), 30));
        assertTrue(
                examples.getMessage().contains("heap-examples (30) must be a multiple of batch (20)"),
                examples.getMessage());
    }

    @Test
    void reportsThroughputAndPeakLiveHeapPerClientsPerRound() {
        TrainingBenchmark.Options o = new TrainingBenchmark.Options(
                "softmax_regression", 10, 3, 40, 1, 2, 10, 0.1f, 3L, java.util.List.of(4, 20), 10);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainingBenchmark.Result r = TrainingBenchmark.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), o);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, r.roundMemory().size());
        assertEquals(20, r.roundMemory().get(1).clients());
        for (RoundMemory.Row row : r.roundMemory()) {
            assertTrue(
                    row.examplesPerSecond() > 0 && row.peakLiveHeapBytes() > 0 && row.idleHeapBytes() > 0,
                    row.toString());
            assertTrue(row.trainingLoopShare() > 0 && row.trainingLoopShare() <= 1.0001, row.toString());
        }
        assertEquals(4, r.roundMemory().get(0).samples(), "every client sampled when there are fewer than 16");
        assertEquals(20, r.roundMemory().get(1).samples());
        assertTrue(text.contains("peak live heap"), text);
    }
}
