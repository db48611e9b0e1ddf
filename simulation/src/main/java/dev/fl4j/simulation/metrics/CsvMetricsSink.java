package dev.fl4j.simulation.metrics;

import dev.fl4j.simulation.io.AtomicFiles;
import dev.fl4j.simulation.provenance.Provenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Metrics as a CSV table (RFC 4180): a header {@code round,<metric>,…} and one row per round.
 * Metrics may appear late (evaluation every N rounds), so columns are the union of all names in
 * first-seen order and a round lacking a metric has an empty cell. Values are written with
 * {@link Double#toString} ({@code NaN}, {@code Infinity} as such).
 *
 * <p>The first round written replaces any existing file (atomically, header and row together): a
 * fresh run starts a new table, and a resumed run rebuilds it from the history the training loop
 * replays (this is a {@linkplain dev.fl4j.simulation.training.TrainingLoop.Builder#optReplaySink replay
 * sink}), which drops the rows the interrupted run wrote after its last checkpoint. Every later round
 * appends its one row, and {@link #flush} forces it to disk, so writing R rounds costs bytes linear in
 * R. Only a round that brings a metric not seen before, which widens the header, rewrites the whole
 * table (atomically); that happens once per new metric name, not once per round. A reader may see the
 * last row while it is being appended.
 *
 * <p>A sink given a {@link Provenance} writes it as the first line, a comment before the header:
 * {@code # fl4j provenance: {json}} ({@value #PROVENANCE_PREFIX} and {@link Provenance#toJson()}); CSV readers that
 * take {@code #} as a comment marker (pandas' {@code comment='#'}, R's {@code comment.char}) skip it. A resumed run
 * rebuilds the table, so the file keeps exactly one such line, the resumed run's.
 */
public final class CsvMetricsSink implements MetricsSink {

    /** What starts the provenance line of a CSV file fl4j writes. */
    public static final String PROVENANCE_PREFIX = "# fl4j provenance: ";

    private final Path file;
    private final Optional<Provenance> provenance;
    private final Set<String> columns = new LinkedHashSet<>();
    private final List<Integer> rounds = new ArrayList<>();
    private final List<Map<String, Double>> rows = new ArrayList<>();
    /** Appends to the current table; null until the first round is written. */
    private FileChannel channel;

    private boolean closed;

    /** A table without a provenance line. */
    public CsvMetricsSink(Path file) {
        this.file = file;
        this.provenance = Optional.empty();
    }

    /** A table whose first line records {@code provenance}. */
    public CsvMetricsSink(Path file, Provenance provenance) {
        this.file = file;
        this.provenance = Optional.of(provenance);
    }

    public Path file() {
        return file;
    }

    @Override
    public void write(int round, Map<String, Double> metrics) {
        if (closed) {
            throw new IllegalStateException("CSV sink for " + file + " is closed");
        }
        MetricsSink.check(round, metrics);
        boolean widened = columns.addAll(metrics.keySet());
        rounds.add(round);
        rows.add(new LinkedHashMap<>(metrics));
        try {
            if (channel == null || widened) {
                rewrite();
            } else {
                ByteBuffer row = ByteBuffer.wrap(row(rows.size() - 1).getBytes(StandardCharsets.UTF_8));
                while (row.hasRemaining()) {
                    channel.write(row);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write metrics to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Replaces the file with the whole table and reopens it for appending. */
    private void rewrite() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        AtomicFiles.write(file, out -> {
            if (provenance.isPresent()) {
                out.write((PROVENANCE_PREFIX + provenance.get().toJson() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            out.write(header().getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < rows.size(); i++) {
                out.write(row(i).getBytes(StandardCharsets.UTF_8));
            }
        });
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private String header() {
        StringBuilder sb = new StringBuilder("round");
        for (String c : columns) {
            sb.append(',').append(quote(c));
        }
        return sb.append("\r\n").toString();
    }

    private String row(int i) {
        StringBuilder sb = new StringBuilder().append(rounds.get(i));
        for (String c : columns) {
            sb.append(',');
            Double v = rows.get(i).get(c);
            if (v != null) {
                sb.append(v);
            }
        }
        return sb.append("\r\n").toString();
    }

    private static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Forces the rows appended so far to disk. */
    @Override
    public void flush() {
        if (channel == null) {
            return;
        }
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("could not flush metrics to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (channel != null) {
            try (FileChannel c = channel) {
                c.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("could not close " + file + ": " + e.getMessage(), e);
            } finally {
                channel = null;
            }
        }
    }
}
