package dev.fl4j.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The accuracy benchmark's table: the published figures appear only next to a run of the published protocol. */
class AccuracyBenchmarkTableTest {

    private static String table(AccuracyBenchmark.Options o) {
        StringWriter text = new StringWriter();
        AccuracyBenchmark.printTable(
                new PrintWriter(text),
                o,
                List.of(
                        new AccuracyBenchmark.Row("fedavg", o.rounds(), 0.8812, Duration.ofSeconds(61), -1),
                        new AccuracyBenchmark.Row("fednova", o.rounds(), 0.875, Duration.ofSeconds(3), 20)));
        return text.toString();
    }

    @Test
    void theDefaultProtocolShowsFlowersReproducedFigures() {
        String t = table(AccuracyBenchmark.Options.defaults());
        List<String> lines = t.lines().toList();
        assertTrue(lines.get(1).matches("algorithm\\s+rounds\\s+test accuracy\\s+train time\\s+published"), t);
        assertTrue(lines.get(2).matches("fedavg\\s+50\\s+88\\.12%\\s+\\S.*\\s88\\.4%"), t);
        assertTrue(lines.get(3).matches("fednova\\s+50\\s+87\\.50%\\s+\\S.*\\s88\\.1%"), t);
        assertTrue(lines.get(4).startsWith("published: Flower's NIID-Bench reproduction"), t);
    }

    @Test
    void aShortenedRunShowsNone() {
        AccuracyBenchmark.Options d = AccuracyBenchmark.Options.defaults();
        AccuracyBenchmark.Options shortened = new AccuracyBenchmark.Options(
                d.dataset(),
                d.algorithms(),
                d.parties(),
                d.alpha(),
                2,
                d.epochs(),
                d.batch(),
                d.lr(),
                d.momentum(),
                d.mu(),
                d.seed(),
                d.workers());
        String t = table(shortened);
        assertTrue(t.lines().toList().get(2).endsWith(" -"), t);
        assertTrue(t.contains("published: -, the settings differ"), t);
        assertEquals(4, AccuracyBenchmark.FLOWER_REPRODUCTION.size());
    }
}
