package dev.fl4j.simulation.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fl4j.simulation.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Metrics as JSON lines: one object per round, appended and flushed as it comes,
 * <pre>{"round":3,"metrics":{"client_work/train/loss":2.3061,"client_work/train/accuracy":0.0799}}</pre>
 * Non-finite values, which JSON numbers cannot hold, are written as the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"}. An existing file is appended to; when a run resumes
 * from a checkpoint ({@link #resumedAfter}), the lines of later rounds, left by the interrupted run,
 * are removed first (the file is rewritten atomically), so every round appears once.
 */
public final class JsonLinesMetricsSink implements MetricsSink {

    private static final JsonFactory JSON = new JsonFactory();

    private final Path file;
    private OutputStream out;

    public JsonLinesMetricsSink(Path file) {
        this.file = file;
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            this.out = open(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + " for metrics: " + e.getMessage(), e);
        }
    }

    private static OutputStream open(Path file) throws IOException {
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /**
     * Removes the lines of rounds after {@code round}. A line that is not a metrics object (a line
     * cut short when the interrupted run was killed) is dropped too if it is the last; anywhere else
     * it stops the rewrite with an error naming the line, and the file is left as it was.
     */
    @Override
    public void resumedAfter(int round) {
        try {
            out.close();
            List<String> lines = new ArrayList<>(List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1)));
            if (lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            StringBuilder kept = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                Integer r = roundOf(lines.get(i));
                if (r == null) {
                    if (i == lines.size() - 1) {
                        break;
                    }
                    throw new IllegalStateException(file + " line " + (i + 1) + " is not a metrics object with a round: " + lines.get(i));
                }
                if (r <= round) {
                    kept.append(lines.get(i)).append('\n');
                }
            }
            AtomicFiles.write(file, kept.toString().getBytes(StandardCharsets.UTF_8));
            out = open(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not drop the rounds after " + round + " from " + file + ": " + e.getMessage(), e);
        }
    }

    private static Integer roundOf(String line) {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME || !"round".equals(p.currentName())
                    || p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                return null;
            }
            int round = p.getIntValue();
            p.skipChildren();
            while (p.nextToken() != null) {
                p.skipChildren();
            }
            return round;
        } catch (IOException e) {
            return null;
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
