package dev.fl4j.simulation.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fl4j.simulation.io.AtomicFiles;
import dev.fl4j.simulation.provenance.Provenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Metrics as JSON lines: one object per round, appended as it comes ({@link #flush} forces it to disk),
 * <pre>{"round":3,"metrics":{"client_work/train/loss":2.3061,"client_work/train/accuracy":0.0799}}</pre>
 * Non-finite values, which JSON numbers cannot hold, are written as the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"}.
 *
 * <p>A fresh run replaces an existing file: the first round written truncates it (as Keras's
 * {@code CSVLogger} does by default), so running twice with the same {@code --jsonl} does not list
 * the rounds twice. A run that resumes from a checkpoint ({@link #resumedAfter}, called before any
 * round is written) keeps the file instead and removes only the lines of rounds after the
 * checkpoint, left by the interrupted run (the file is rewritten atomically), then appends; so every
 * round appears once either way. The file is opened (and created) when the sink is made, so a path
 * that cannot be written fails at once rather than after the first round.
 *
 * <p>A sink given a {@link Provenance} starts the file with one line of another kind,
 * <pre>{"provenance":{"fl4j_version":"0.1.0",…}}</pre>
 * ({@link Provenance#toJson()}), which readers of rounds tell apart by its missing {@code round}. A resumed run keeps
 * the provenance line of the file it continues (the run that started it), or writes its own first if the file has none,
 * so the file always holds exactly one.
 */
public final class JsonLinesMetricsSink implements MetricsSink {

    private static final JsonFactory JSON = new JsonFactory();

    /** The name of the one field of a provenance line. */
    public static final String PROVENANCE_FIELD = "provenance";

    private final Path file;
    private final Optional<Provenance> provenance;
    private FileChannel out;
    /** Whether the file holds this run's lines (or the kept lines of the run it resumes), so writes append. */
    private boolean started;

    /** A file of rounds only. */
    public JsonLinesMetricsSink(Path file) {
        this(file, Optional.empty());
    }

    /** A file whose first line records {@code provenance}. */
    public JsonLinesMetricsSink(Path file, Provenance provenance) {
        this(file, Optional.of(provenance));
    }

    private JsonLinesMetricsSink(Path file, Optional<Provenance> provenance) {
        this.file = file;
        this.provenance = provenance;
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            this.out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + " for metrics: " + e.getMessage(), e);
        }
    }

    /**
     * Keeps the file and removes the lines of rounds after {@code round}. A line that is not a
     * metrics object (a line cut short when the interrupted run was killed) is dropped too if it is
     * the last; anywhere else it stops the rewrite with an error naming the line, and the file is
     * left as it was. The first provenance line is kept (any later one is dropped); if there is none
     * and this sink has a provenance, it is written first.
     *
     * @throws IllegalStateException if a round was written already
     */
    @Override
    public void resumedAfter(int round) {
        if (started) {
            throw new IllegalStateException(
                    file + ": resumedAfter(" + round + ") must come before the first round is written");
        }
        try {
            out.close();
            List<String> lines = new ArrayList<>(
                    List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1)));
            if (lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            StringBuilder kept = new StringBuilder();
            boolean hasProvenance = false;
            for (int i = 0; i < lines.size(); i++) {
                if (isProvenance(lines.get(i))) {
                    if (!hasProvenance) {
                        kept.insert(0, lines.get(i) + "\n");
                        hasProvenance = true;
                    }
                    continue;
                }
                Integer r = roundOf(lines.get(i));
                if (r == null) {
                    if (i == lines.size() - 1) {
                        break;
                    }
                    throw new IllegalStateException(
                            file + " line " + (i + 1) + " is not a metrics object with a round: " + lines.get(i));
                }
                if (r <= round) {
                    kept.append(lines.get(i)).append('\n');
                }
            }
            if (!hasProvenance && provenance.isPresent()) {
                kept.insert(0, provenanceLine());
            }
            AtomicFiles.write(file, kept.toString().getBytes(StandardCharsets.UTF_8));
            out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            started = true;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not drop the rounds after " + round + " from " + file + ": " + e.getMessage(), e);
        }
    }

    private static Integer roundOf(String line) {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT
                    || p.nextToken() != JsonToken.FIELD_NAME
                    || !"round".equals(p.currentName())
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

    /** Whether {@code line} is a provenance line: an object whose first field is {@value #PROVENANCE_FIELD}. */
    static boolean isProvenance(String line) {
        try (JsonParser p = JSON.createParser(line)) {
            return p.nextToken() == JsonToken.START_OBJECT
                    && p.nextToken() == JsonToken.FIELD_NAME
                    && PROVENANCE_FIELD.equals(p.currentName());
        } catch (IOException e) {
            return false;
        }
    }

    private String provenanceLine() {
        return "{\"" + PROVENANCE_FIELD + "\":" + provenance.orElseThrow().toJson() + "}\n";
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
            String first = "";
            if (!started) {
                out.truncate(0);
                started = true;
                first = provenance.isPresent() ? provenanceLine() : "";
            }
            ByteBuffer bytes =
                    ByteBuffer.wrap((first + line.toString(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not append metrics to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Forces the lines written so far to disk. */
    @Override
    public void flush() {
        try {
            out.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("could not flush metrics to " + file + ": " + e.getMessage(), e);
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
