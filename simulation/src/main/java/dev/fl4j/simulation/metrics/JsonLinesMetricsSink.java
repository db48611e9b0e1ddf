package dev.fl4j.simulation.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Metrics as JSON lines: one object per round, appended and flushed as it comes,
 * <pre>{"round":3,"metrics":{"client_work/train/loss":2.3061,"client_work/train/accuracy":0.0799}}</pre>
 * Non-finite values, which JSON numbers cannot hold, are written as the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"}. An existing file is appended to.
 */
public final class JsonLinesMetricsSink implements MetricsSink {

    private static final JsonFactory JSON = new JsonFactory();

    private final Path file;
    private final OutputStream out;

    public JsonLinesMetricsSink(Path file) {
        this.file = file;
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + " for metrics: " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void write(int round, Map<String, Double> metrics) {
        MetricsSink.check(round, metrics);
        try {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            try (JsonGenerator g = JSON.createGenerator(line)) {
                g.writeStartObject();
                g.writeNumberField("round", round);
                g.writeObjectFieldStart("metrics");
                for (Map.Entry<String, Double> e : metrics.entrySet()) {
                    g.writeNumberField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            line.write('\n');
            out.write(line.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not append metrics to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close " + file + ": " + e.getMessage(), e);
        }
    }
}
