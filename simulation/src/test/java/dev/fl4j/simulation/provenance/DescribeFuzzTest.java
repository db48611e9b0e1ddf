package dev.fl4j.simulation.provenance;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.testing.Fuzz;
import dev.fl4j.simulation.checkpoint.Checkpoint;
import dev.fl4j.simulation.checkpoint.CheckpointFormat;
import dev.fl4j.simulation.metrics.CsvMetricsSink;
import dev.fl4j.simulation.metrics.JsonLinesMetricsSink;
import dev.fl4j.simulation.metrics.MetricsHistory;
import dev.fl4j.simulation.metrics.MetricsPlot;
import dev.fl4j.simulation.metrics.TensorBoardSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code fl4j describe} parses, every kind of artefact with provenance, damaged: only MalformedDataException comes
 * out.
 */
class DescribeFuzzTest {

    private static final Path FILE = Path.of("fuzzed");

    @Test
    void damagedArtefactsEndInMalformedDataException(@TempDir Path dir) throws Exception {
        Provenance p = ProvenanceTest.sample("mean");
        Path csv = dir.resolve("m.csv");
        try (CsvMetricsSink sink = new CsvMetricsSink(csv, p)) {
            sink.write(1, Map.of("loss", 1.0));
        }
        Path jsonl = dir.resolve("m.jsonl");
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(jsonl, p)) {
            sink.write(1, Map.of("loss", 1.0));
        }
        Path tb;
        try (TensorBoardSink sink = new TensorBoardSink(dir.resolve("tb"), () -> 1.0, Optional.of(p))) {
            tb = sink.file();
            sink.write(1, Map.of("loss", 1.0));
        }
        Path png = dir.resolve("c.png");
        MetricsHistory h = new MetricsHistory();
        h.write(1, Map.of("client_work/train/loss", 1.0));
        MetricsPlot.standard().writePng(Map.of("r", h), png, List.of(p));
        byte[] checkpoint = CheckpointFormat.encode(
                new Checkpoint(1, Struct.named("w", Tensor.scalar(1f)), 0, 0, p.config(), List.of()).withProvenance(p));
        Fuzz.named("describe")
                .seed(Files.readAllBytes(csv))
                .seed(Files.readAllBytes(jsonl))
                .seed(Files.readAllBytes(tb))
                .seed(Files.readAllBytes(png))
                .seed(checkpoint)
                .expecting(MalformedDataException.class)
                .inputs(6000)
                .truncations(200)
                .run(bytes -> ProvenanceReader.read(bytes, true, FILE));
    }

    @Test
    void provenanceJsonEndsInMalformedDataException() {
        String good = ProvenanceTest.sample("mean").toJson();
        byte[] deep = Fuzz.nested(
                "[".getBytes(StandardCharsets.US_ASCII),
                "1".getBytes(StandardCharsets.US_ASCII),
                "]".getBytes(StandardCharsets.US_ASCII),
                100_000);
        String deepField = "{\"later\":" + new String(deep, StandardCharsets.US_ASCII) + "," + good.substring(1);
        Fuzz.named("provenance json")
                .seed(good.getBytes(StandardCharsets.UTF_8))
                .seed(deepField.getBytes(StandardCharsets.UTF_8))
                .expecting(MalformedDataException.class)
                .inputs(4000)
                .run(bytes -> Provenance.fromJson(new String(bytes, StandardCharsets.UTF_8)));
    }
}
