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
    void optionsParseAndValidate() {
        TrainingBenchmark.Options o = TrainingBenchmark.Options.parse("--model", "two_nn", "--batch", "10", "--examples-per-client", "30", "--workers", "3");
        assertEquals("two_nn", o.model());
        assertEquals(10, o.batch());
        assertEquals(30, o.examplesPerClient());
        assertEquals(3, o.workers());
        assertEquals(TrainingBenchmark.Options.defaults().clients(), o.clients());
        IllegalArgumentException notMultiple = assertThrows(IllegalArgumentException.class,
                () -> TrainingBenchmark.Options.parse("--batch", "20", "--examples-per-client", "50"));
        assertTrue(notMultiple.getMessage().contains("must be a multiple of batch (20)"), notMultiple.getMessage());
        IllegalArgumentException model = assertThrows(IllegalArgumentException.class, () -> TrainingBenchmark.Options.parse("--model", "resnet"));
        assertTrue(model.getMessage().contains("unknown model 'resnet'"), model.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainingBenchmark.Options.parse("--workers", "0"));
    }

    @Test
    void aSmallRealRunReportsConsistentFigures() {
        TrainingBenchmark.Options o = new TrainingBenchmark.Options("softmax_regression", 10, 3, 40, 2, 2, 10, 0.1f, 3L);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainingBenchmark.Result r = TrainingBenchmark.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), o);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(r.rawExamplesPerSecond() > 0 && r.oneClientExamplesPerSecond() > 0 && r.fedAvgExamplesPerSecond() > 0, r.toString());
        assertEquals(2, r.roundSeconds().size());
        assertEquals(r.fedAvgExamplesPerSecond() / (2 * r.rawExamplesPerSecond()), r.efficiency(), 1e-12);
        assertEquals(3 * 40 * 2 / r.roundSeconds().stream().mapToDouble(Double::doubleValue).sum(), r.fedAvgExamplesPerSecond(), 1e-6);
        assertTrue(r.trainingLoopShare() > 0 && r.trainingLoopShare() <= 1.0001, "share " + r.trainingLoopShare());
        assertTrue(text.contains("efficiency") && text.contains("softmax_regression"), text);
    }

    @Test
    void readsTheRoundMemorySweep() {
        assertEquals(java.util.List.of(10, 100, 1000), TrainingBenchmark.Options.defaults().heapClients());
        assertEquals(java.util.List.of(), TrainingBenchmark.Options.parse("--heap-clients", "none").heapClients());
        assertEquals(java.util.List.of(3, 30), TrainingBenchmark.Options.parse("--heap-clients", "3, 30").heapClients());
        assertThrows(IllegalArgumentException.class, () -> TrainingBenchmark.Options.parse("--heap-clients", "10,lots"));
        assertThrows(IllegalArgumentException.class, () -> TrainingBenchmark.Options.parse("--heap-clients", "0"));
        assertThrows(IllegalArgumentException.class, () -> TrainingBenchmark.Options.parse("--heap-examples", "30"));
    }

    @Test
    void reportsThroughputAndPeakLiveHeapPerClientsPerRound() {
        TrainingBenchmark.Options o = new TrainingBenchmark.Options("softmax_regression", 10, 3, 40, 1, 2, 10, 0.1f, 3L, java.util.List.of(4, 20), 10);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainingBenchmark.Result r = TrainingBenchmark.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), o);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, r.roundMemory().size());
        assertEquals(20, r.roundMemory().get(1).clients());
        for (RoundMemory.Row row : r.roundMemory()) {
            assertTrue(row.examplesPerSecond() > 0 && row.peakLiveHeapBytes() > 0 && row.idleHeapBytes() > 0, row.toString());
            assertTrue(row.trainingLoopShare() > 0 && row.trainingLoopShare() <= 1.0001, row.toString());
        }
        assertEquals(4, r.roundMemory().get(0).samples(), "every client sampled when there are fewer than 16");
        assertEquals(20, r.roundMemory().get(1).samples());
        assertTrue(text.contains("peak live heap"), text);
    }
}
