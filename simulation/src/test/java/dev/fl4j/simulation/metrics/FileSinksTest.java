package dev.fl4j.simulation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSinksTest {

    @TempDir
    Path dir;

    private static Map<String, Double> m(Object... kv) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
        }
        return out;
    }

    @Test
    void csvGrowsColumnsForLateMetricsAndStaysComplete() throws Exception {
        Path f = dir.resolve("out/metrics.csv");
        try (CsvMetricsSink sink = new CsvMetricsSink(f)) {
            sink.write(1, m("client_work/train/loss", 2.5, "broadcasted_bits", 1000));
            assertEquals("round,client_work/train/loss,broadcasted_bits\r\n1,2.5,1000.0\r\n", Files.readString(f));
            sink.write(2, m("client_work/train/loss", Double.NaN, "eval/accuracy", 0.75, "a,\"b\"", 1));
        }
        assertEquals(
                List.of(
                        "round,client_work/train/loss,broadcasted_bits,eval/accuracy,\"a,\"\"b\"\"\"",
                        "1,2.5,1000.0,,",
                        "2,NaN,,0.75,1.0"),
                Files.readAllLines(f));
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "no temporary files left");
        }
    }

    @Test
    void jsonLinesWriteOneParsableObjectPerRound() throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f)) {
            sink.write(0, m("loss", 2.0));
            sink.write(1, m("loss", 1.25, "accuracy", Double.POSITIVE_INFINITY));
            sink.write(2, m("loss", 1e-7));
        }
        List<String> lines = Files.readAllLines(f);
        assertEquals(3, lines.size());
        assertEquals("{\"round\":1,\"metrics\":{\"loss\":1.25,\"accuracy\":\"Infinity\"}}", lines.get(1));
        JsonParser p = new JsonFactory().createParser(lines.get(2));
        assertEquals(JsonToken.START_OBJECT, p.nextToken());
        p.nextToken();
        p.nextToken();
        assertEquals(2, p.getIntValue());
        p.nextToken();
        p.nextToken();
        p.nextToken();
        assertEquals("loss", p.currentName());
        p.nextToken();
        assertEquals(1e-7, p.getDoubleValue());
    }

    /** Running again without resuming must not leave the first run's rounds in front of the second's. */
    @Test
    void jsonLinesOfAFreshRunReplaceAnExistingFile() throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f)) {
            for (int r = 0; r <= 3; r++) {
                sink.write(r, m("loss", 1.0 / (r + 1)));
            }
        }
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f)) {
            assertEquals(4, Files.readAllLines(f).size(), "nothing is dropped before the run writes its first round");
            sink.write(0, m("loss", 9.0));
            sink.write(1, m("loss", 8.0));
            sink.flush();
        }
        assertEquals(
                List.of("{\"round\":0,\"metrics\":{\"loss\":9.0}}", "{\"round\":1,\"metrics\":{\"loss\":8.0}}"),
                Files.readAllLines(f));
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f)) {
            sink.write(1, m("loss", 7.0));
            assertThrows(
                    IllegalStateException.class,
                    () -> sink.resumedAfter(0),
                    "resuming is decided before the first round");
        }
    }

    /**
     * A run killed after writing round 5 but checkpointed at round 3 resumes after 3: rounds 4 and 5
     * are dropped from the file before they come again, and so is a line cut short by the kill.
     */
    @Test
    void jsonLinesDropTheRoundsAfterTheCheckpointOnResume() throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f)) {
            for (int r = 0; r <= 5; r++) {
                sink.write(r, m("loss", 1.0 / (r + 1)));
            }
        }
        Files.writeString(f, "{\"round\":6,\"metr", java.nio.file.StandardOpenOption.APPEND);
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f)) {
            sink.resumedAfter(3);
            sink.write(4, m("loss", 0.5));
        }
        List<String> lines = Files.readAllLines(f);
        assertEquals(5, lines.size(), lines.toString());
        for (int r = 0; r <= 4; r++) {
            assertTrue(lines.get(r).startsWith("{\"round\":" + r + ","), lines.get(r));
        }
        assertEquals("{\"round\":4,\"metrics\":{\"loss\":0.5}}", lines.get(4));

        Files.writeString(f, "not json\n" + Files.readString(f));
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f)) {
            byte[] before = Files.readAllBytes(f);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> sink.resumedAfter(2));
            assertTrue(e.getMessage().contains("line 1 is not a metrics object"), e.getMessage());
            assertEquals(List.of(before.length), List.of(Files.readAllBytes(f).length), "the file is left as it was");
        }
    }

    /**
     * Appending is linear: over 300 rounds with a stable set of metrics the file is replaced only
     * when a round brings a new metric (round 1 adds the training loss to round 0's evaluation), which
     * the file's identity (inode) shows, since every atomic rewrite renames a new file over it. The
     * rows appended are exactly the table's rows.
     */
    @Test
    void csvAppendsOneRowPerRoundAndRewritesOnlyForNewColumns() throws Exception {
        Path f = dir.resolve("metrics.csv");
        int rewrites = 0;
        Object lastKey = null;
        StringBuilder expected = new StringBuilder("round,eval/accuracy,bits,loss\r\n0,0.1,0.0,\r\n");
        try (CsvMetricsSink sink = new CsvMetricsSink(f)) {
            for (int r = 0; r <= 300; r++) {
                Map<String, Double> metrics = r == 0
                        ? m("eval/accuracy", 0.1, "bits", 0)
                        : r % 50 == 0
                                ? m("loss", 1.0 / r, "bits", r, "eval/accuracy", 0.5)
                                : m("loss", 1.0 / r, "bits", r);
                sink.write(r, metrics);
                sink.flush();
                Object key = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class)
                        .fileKey();
                org.junit.jupiter.api.Assumptions.assumeTrue(key != null, "this file system reports no file identity");
                if (lastKey != null && !key.equals(lastKey)) {
                    rewrites++;
                }
                lastKey = key;
                if (r > 0) {
                    expected.append(r)
                            .append(',')
                            .append(r % 50 == 0 ? "0.5" : "")
                            .append(',')
                            .append((double) r)
                            .append(',')
                            .append(1.0 / r)
                            .append("\r\n");
                }
            }
        }
        assertEquals(1, rewrites, "one rewrite, when round 1 widened the header");
        assertEquals(expected.toString(), Files.readString(f));
    }

    /**
     * A run killed after writing round 5 but checkpointed at round 3 resumes after 3: the training
     * loop replays rounds 1..3 into the CSV sink, whose first row replaces the interrupted run's
     * table, so rounds 4 and 5 of that run are gone when round 4 comes again.
     */
    @Test
    void csvRebuiltFromTheReplayedHistoryOnResume() throws Exception {
        Path f = dir.resolve("metrics.csv");
        try (CsvMetricsSink sink = new CsvMetricsSink(f)) {
            for (int r = 1; r <= 5; r++) {
                sink.write(r, m("loss", r));
                sink.flush();
            }
        }
        try (CsvMetricsSink sink = new CsvMetricsSink(f)) {
            sink.resumedAfter(3);
            for (int r = 1; r <= 3; r++) {
                sink.write(r, m("loss", r));
            }
            sink.flush();
            sink.write(4, m("loss", 40));
        }
        assertEquals(List.of("round,loss", "1,1.0", "2,2.0", "3,3.0", "4,40.0"), Files.readAllLines(f));
    }

    @Test
    void sinksRejectBadRoundsAndNames() {
        MetricsHistory h = new MetricsHistory();
        assertThrows(IllegalArgumentException.class, () -> h.write(-1, m("loss", 1)));
        assertThrows(IllegalArgumentException.class, () -> h.write(1, m("", 1)));
        CsvMetricsSink csv = new CsvMetricsSink(dir.resolve("x.csv"));
        csv.close();
        assertThrows(IllegalStateException.class, () -> csv.write(1, m("loss", 1)));
    }
}
