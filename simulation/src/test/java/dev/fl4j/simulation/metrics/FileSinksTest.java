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
        assertEquals(List.of("round,client_work/train/loss,broadcasted_bits,eval/accuracy,\"a,\"\"b\"\"\"",
                "1,2.5,1000.0,,", "2,NaN,,0.75,1.0"), Files.readAllLines(f));
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "no temporary files left");
        }
    }

    @Test
    void jsonLinesAppendOneParsableObjectPerRound() throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f)) {
            sink.write(0, m("loss", 2.0));
            sink.write(1, m("loss", 1.25, "accuracy", Double.POSITIVE_INFINITY));
        }
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f)) {
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
