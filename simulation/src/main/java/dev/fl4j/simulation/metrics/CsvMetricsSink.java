package dev.fl4j.simulation.metrics;

import dev.fl4j.simulation.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Metrics as a CSV table (RFC 4180): a header {@code round,<metric>,…} and one row per round.
 * Metrics may appear late (evaluation every N rounds), so columns are the union of all names in
 * first-seen order and a round lacking a metric has an empty cell. To keep the header right, the
 * whole file is rewritten atomically after every round: readers always see a complete table.
 * Values are written with {@link Double#toString} ({@code NaN}, {@code Infinity} as such).
 */
public final class CsvMetricsSink implements MetricsSink {

    private final Path file;
    private final Set<String> columns = new LinkedHashSet<>();
    private final List<Integer> rounds = new ArrayList<>();
    private final List<Map<String, Double>> rows = new ArrayList<>();
    private boolean closed;

    public CsvMetricsSink(Path file) {
        this.file = file;
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
        columns.addAll(metrics.keySet());
        rounds.add(round);
        rows.add(new LinkedHashMap<>(metrics));
        try {
            AtomicFiles.write(file, out -> out.write(render().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write metrics to " + file + ": " + e.getMessage(), e);
        }
    }

    private String render() {
        StringBuilder sb = new StringBuilder("round");
        for (String c : columns) {
            sb.append(',').append(quote(c));
        }
        sb.append("\r\n");
        for (int i = 0; i < rows.size(); i++) {
            sb.append(rounds.get(i));
            for (String c : columns) {
                sb.append(',');
                Double v = rows.get(i).get(c);
                if (v != null) {
                    sb.append(v);
                }
            }
            sb.append("\r\n");
        }
        return sb.toString();
    }

    private static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() {
        closed = true;
    }
}
