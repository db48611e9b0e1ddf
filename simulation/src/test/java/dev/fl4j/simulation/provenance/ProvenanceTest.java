package dev.fl4j.simulation.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.metrics.CsvMetricsSink;
import dev.fl4j.simulation.metrics.JsonLinesMetricsSink;
import dev.fl4j.simulation.metrics.MetricsHistory;
import dev.fl4j.simulation.metrics.MetricsPlot;
import dev.fl4j.simulation.metrics.PlotSink;
import dev.fl4j.simulation.metrics.TensorBoardSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

class ProvenanceTest {

    @TempDir
    Path dir;

    static Provenance sample(String aggregator) {
        RunConfig config =
                RunConfig.of(Map.of("seed", "42", "aggregator", aggregator, "dataset", "synthetic:1,1 ünïcode"));
        return new Provenance(
                "0.1.0",
                "8d07de2da77fd498961d5bd33a548d014adec926",
                new TreeMap<>(Map.of("command", "simulate", "rounds", "3", "workers", "2", "csv", "runs/m é.csv")),
                config,
                42,
                "17.0.9 (Vendor)",
                "tensorflow 2.16.2",
                Instant.parse("2026-12-01T13:05:00.123Z"));
    }

    static Optional<ProvenanceReader.Found> read(Path file) throws Exception {
        return ProvenanceReader.read(Files.readAllBytes(file), true, file);
    }

    @Test
    void jsonIsOneAsciiLineThatReadsBack() {
        Provenance p = sample("mean");
        String json = p.toJson();
        assertTrue(json.chars().allMatch(c -> c >= 0x20 && c < 0x7F), json);
        assertTrue(json.startsWith("{\"fl4j_version\":\"0.1.0\",\"fl4j_commit\":\"8d07de2"), json);
        assertEquals(p, Provenance.fromJson(json));
        assertTrue(p.describe().contains("seed:     42"), p.describe());
        assertTrue(p.describe().contains("  dataset = synthetic:1,1 ünïcode"), p.describe());
        assertTrue(p.describe().contains("options:  simulate, 3 options as the run was started"), p.describe());
        assertTrue(p.describe().contains("  rounds = 3\n"), p.describe());
        assertTrue(p.describe().contains("  csv = runs/m é.csv\n"), p.describe());
        assertTrue(json.contains("\"options\":{\"command\":\"simulate\",\"csv\":\"runs/m \\u00E9.csv\""), json);
    }

    @Test
    void provenanceWrittenBeforeOptionsReadsWithNone() {
        String json = sample("mean").toJson().replaceAll("\"options\":\\{[^}]*\\},", "");
        assertFalse(json.contains("options"), json);
        Provenance old = Provenance.fromJson(json);
        assertEquals(Map.of(), old.options());
        assertEquals(sample("mean").config(), old.config());
        assertTrue(old.describe().contains("options:  not recorded"), old.describe());
    }

    @Test
    void currentRecordsThisBuildAndThisJdk() {
        Provenance p =
                Provenance.current(Map.of("command", "simulate"), RunConfig.of(Map.of("seed", "3")), 3, "tensorflow x");
        assertEquals(
                "0.1.0-SNAPSHOT", p.fl4jVersion(), "the Maven project version, filtered into fl4j-version.properties");
        assertTrue(
                p.fl4jCommit().matches("[0-9a-f]{40}(-dirty)?")
                        || p.fl4jCommit().equals(Provenance.UNKNOWN),
                p.fl4jCommit());
        assertTrue(p.jdk().startsWith(Runtime.version().toString() + " ("), p.jdk());
        assertEquals(3, p.seed());
    }

    @Test
    void malformedJsonIsRejectedNamingTheField() {
        String good = sample("mean").toJson();
        assertMalformed(
                good.replace("\"seed\":42", "\"seed\":\"42\""), "field 'seed' is VALUE_STRING, expected an integer");
        assertMalformed(good.replace("\"seed\":42", "\"seed\":1e3"), "field 'seed'");
        assertMalformed(good.replace("\"seed\":42,", ""), "has no field 'seed'");
        assertMalformed(good.replace("\"jdk\"", "\"seed\""), "field 'seed' appears twice");
        assertMalformed(good.replace("2026-12-01T13:05:00.123Z", "yesterday"), "'written' is 'yesterday'");
        assertMalformed(good + "x", "not valid JSON");
        assertMalformed(good + "{}", "content after its object");
        assertMalformed("[]", "the provenance is START_ARRAY");
        assertMalformed(" ".repeat(Provenance.MAX_JSON_CHARS + 1), "more than the 65536 allowed");
        assertMalformed(
                good.replace("\"aggregator\":\"mean\"", "\"aggregator\":{\"x\":1}"),
                "'config/aggregator' is START_OBJECT, expected a string");
        assertMalformed(
                good.replace("\"aggregator\":\"mean\"", "\"a=b\":\"mean\""), "field 'config': setting name 'a=b'");
        assertEquals(
                sample("mean"),
                Provenance.fromJson(good.replace("{\"fl4j_version\"", "{\"later\":[1,{\"x\":2}],\"fl4j_version\"")),
                "a field a later fl4j adds is skipped");
    }

    private static void assertMalformed(String json, String fragment) {
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Provenance.fromJson(json));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void csvStartsWithOneProvenanceCommentAlsoAfterResume() throws Exception {
        Path f = dir.resolve("m.csv");
        try (CsvMetricsSink sink = new CsvMetricsSink(f, sample("mean"))) {
            sink.write(1, Map.of("loss", 1.0));
            sink.write(2, Map.of("loss", 2.0, "acc", 0.5));
        }
        List<String> lines = Files.readAllLines(f);
        assertEquals(
                List.of("# fl4j provenance: " + sample("mean").toJson(), "round,loss,acc", "1,1.0,", "2,2.0,0.5"),
                lines);
        Provenance resumed = new Provenance(
                "0.2.0",
                "c0ffee",
                sample("mean").options(),
                sample("mean").config(),
                42,
                "21",
                "tensorflow 2.16.2",
                Instant.EPOCH);
        try (CsvMetricsSink sink = new CsvMetricsSink(f, resumed)) {
            sink.resumedAfter(1);
            sink.write(1, Map.of("loss", 1.0));
            sink.write(2, Map.of("loss", 20.0));
        }
        lines = Files.readAllLines(f);
        assertEquals(List.of("# fl4j provenance: " + resumed.toJson(), "round,loss", "1,1.0", "2,20.0"), lines);
        assertEquals(new ProvenanceReader.Found(ProvenanceReader.Kind.CSV, List.of(resumed)), read(f).orElseThrow());
    }

    @Test
    void jsonLinesStartWithOneProvenanceLineKeptOnResume() throws Exception {
        Path f = dir.resolve("m.jsonl");
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f, sample("mean"))) {
            for (int r = 1; r <= 3; r++) {
                sink.write(r, Map.of("loss", (double) r));
            }
        }
        List<String> lines = Files.readAllLines(f);
        assertEquals(4, lines.size());
        assertEquals("{\"provenance\":" + sample("mean").toJson() + "}", lines.get(0));
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f, sample("other"))) {
            sink.resumedAfter(2);
            sink.write(3, Map.of("loss", 30.0));
        }
        lines = Files.readAllLines(f);
        assertEquals(
                List.of(
                        "{\"provenance\":" + sample("mean").toJson() + "}",
                        "{\"round\":1,\"metrics\":{\"loss\":1.0}}",
                        "{\"round\":2,\"metrics\":{\"loss\":2.0}}",
                        "{\"round\":3,\"metrics\":{\"loss\":30.0}}"),
                lines,
                "the resumed file keeps the provenance line of the run that started it, once");
        assertEquals(List.of(sample("mean")), read(f).orElseThrow().provenance());
    }

    @Test
    void aResumedJsonLinesFileWithoutProvenanceGetsOneFirst() throws Exception {
        Path f = dir.resolve("old.jsonl");
        Files.writeString(f, "{\"round\":1,\"metrics\":{\"loss\":1.0}}\n{\"round\":2,\"metrics\":{\"loss\":2.0}}\n");
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(f, sample("mean"))) {
            sink.resumedAfter(1);
            sink.write(2, Map.of("loss", 20.0));
        }
        assertEquals(
                List.of(
                        "{\"provenance\":" + sample("mean").toJson() + "}",
                        "{\"round\":1,\"metrics\":{\"loss\":1.0}}",
                        "{\"round\":2,\"metrics\":{\"loss\":20.0}}"),
                Files.readAllLines(f));
        Files.writeString(f, "{\"round\":1,\"metrics\":{\"loss\":1.0}}\n");
        assertEquals(new ProvenanceReader.Found(ProvenanceReader.Kind.JSON_LINES, List.of()), read(f).orElseThrow());
    }

    /** Decoded with TensorFlow's own Event proto, independent of fl4j's writer and reader. */
    @Test
    void tensorBoardHasATextSummaryAtStepZero() throws Exception {
        Path file;
        try (TensorBoardSink sink =
                new TensorBoardSink(dir.resolve("tb"), () -> 1_700_000_000.0, Optional.of(sample("mean")))) {
            file = sink.file();
            sink.write(1, Map.of("loss", 1.0));
        }
        byte[] bytes = Files.readAllBytes(file);
        List<Event> events = new ArrayList<>();
        for (int at = 0; at < bytes.length; ) {
            int length = (int) java.nio.ByteBuffer.wrap(bytes, at, 8)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .getLong();
            events.add(Event.parseFrom(java.util.Arrays.copyOfRange(bytes, at + 12, at + 12 + length)));
            at += 16 + length;
        }
        assertEquals(3, events.size());
        Event provenance = events.get(1);
        assertEquals(0, provenance.getStep());
        Summary.Value v = provenance.getSummary().getValue(0);
        assertEquals("fl4j/provenance", v.getTag());
        assertEquals("text", v.getMetadata().getPluginData().getPluginName());
        assertEquals(org.tensorflow.proto.DataType.DT_STRING, v.getTensor().getDtype());
        assertEquals(0, v.getTensor().getTensorShape().getDimCount());
        assertEquals(sample("mean").toJson(), v.getTensor().getStringVal(0).toStringUtf8());
        assertEquals(
                new ProvenanceReader.Found(ProvenanceReader.Kind.TENSORBOARD, List.of(sample("mean"))),
                read(file).orElseThrow());
    }

    /** Read with ImageIO's PNG metadata, independent of fl4j's reader: one tEXt chunk per run on the chart. */
    @Test
    void pngChartHoldsATextChunkPerRun() throws Exception {
        Path png = dir.resolve("chart.png");
        Map<String, MetricsHistory> runs = new LinkedHashMap<>();
        Map<String, Provenance> provenance = new LinkedHashMap<>();
        PlotSink a = new PlotSink(png, "mean", runs, MetricsPlot.standard(), provenance, sample("mean"));
        PlotSink b = new PlotSink(png, "median", runs, MetricsPlot.standard(), provenance, sample("median"));
        a.write(1, Map.of("client_work/train/loss", 1.0));
        b.write(1, Map.of("client_work/train/loss", 2.0));
        a.close();
        b.close();
        List<String> texts = new ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            var entries = root.getElementsByTagName("tEXtEntry");
            for (int i = 0; i < entries.getLength(); i++) {
                IIOMetadataNode e = (IIOMetadataNode) entries.item(i);
                assertEquals("fl4j:provenance", e.getAttribute("keyword"));
                texts.add(e.getAttribute("value"));
            }
        }
        assertEquals(List.of(sample("mean").toJson(), sample("median").toJson()), texts);
        assertEquals(
                new ProvenanceReader.Found(ProvenanceReader.Kind.PNG, List.of(sample("mean"), sample("median"))),
                read(png).orElseThrow());
    }

    @Test
    void kindsAreToldByContentAndDamageIsNamed() throws Exception {
        Path csv = dir.resolve("no-extension");
        Files.writeString(csv, "round,loss\r\n1,1.0\r\n");
        assertEquals(
                new ProvenanceReader.Found(ProvenanceReader.Kind.CSV, List.of()),
                read(csv).orElseThrow());
        Path text = dir.resolve("notes.csv");
        Files.writeString(text, "hello\n");
        assertEquals(Optional.empty(), read(text));
        assertEquals(Optional.empty(), ProvenanceReader.read(new byte[0], true, text));
        Path png = dir.resolve("chart.png");
        MetricsPlot.standard().writePng(Map.of("r", history()), png, List.of(sample("x")));
        byte[] bytes = Files.readAllBytes(png);
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 5);
        MalformedDataException e =
                assertThrows(MalformedDataException.class, () -> ProvenanceReader.read(cut, true, png));
        assertTrue(
                e.getMessage().contains("chart.png: PNG chunk at offset")
                        && e.getMessage().contains("truncated"),
                e.getMessage());
        Path badJson = dir.resolve("bad.jsonl");
        Files.write(badJson, "{\"provenance\":{\"seed\":1}}\n".getBytes(StandardCharsets.UTF_8));
        e = assertThrows(MalformedDataException.class, () -> read(badJson));
        assertTrue(e.getMessage().contains("bad.jsonl line 1: provenance has no field"), e.getMessage());
    }

    private static MetricsHistory history() {
        MetricsHistory h = new MetricsHistory();
        h.write(1, Map.of("client_work/train/loss", 1.0));
        return h;
    }
}
