package dev.fl4j.simulation.metrics;

import dev.fl4j.simulation.provenance.Provenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sink that records a run and draws it as a PNG ({@link MetricsPlot#standard()}) when flushed
 * and when closed. Several runs can share one chart: give each sink the same {@code runs} map and
 * its own run name, and the image shows every run recorded so far. Sinks given a {@link Provenance} (and a map,
 * shared like {@code runs}, of the provenance of each run on the chart) write each run's provenance into the PNG
 * ({@link MetricsPlot#PROVENANCE_KEYWORD} {@code tEXt} chunks).
 */
public final class PlotSink implements MetricsSink {

    private final Path png;
    private final MetricsPlot plot;
    private final Map<String, MetricsHistory> runs;
    private final Map<String, Provenance> provenance;
    private final MetricsHistory history = new MetricsHistory();

    /** A single-run chart. */
    public PlotSink(Path png) {
        this(png, "run", new LinkedHashMap<>(), MetricsPlot.standard());
    }

    /** Run {@code runName} on a chart shared through {@code runs} (name → history). */
    public PlotSink(Path png, String runName, Map<String, MetricsHistory> runs, MetricsPlot plot) {
        this(png, runName, runs, plot, new LinkedHashMap<>(), null);
    }

    /**
     * Run {@code runName} on a chart shared through {@code runs} (name → history) and {@code provenanceByRun}
     * (name → provenance), recording {@code provenance} (null: none) for this run.
     */
    public PlotSink(
            Path png,
            String runName,
            Map<String, MetricsHistory> runs,
            MetricsPlot plot,
            Map<String, Provenance> provenanceByRun,
            Provenance provenance) {
        this.png = png;
        this.provenance = provenanceByRun;
        this.plot = plot;
        this.runs = runs;
        if (runs.containsKey(runName)) {
            throw new IllegalArgumentException("a run named '" + runName + "' is already on this chart");
        }
        runs.put(runName, history);
        if (provenance != null) {
            provenanceByRun.put(runName, provenance);
        }
    }

    @Override
    public void write(int round, Map<String, Double> metrics) {
        history.write(round, metrics);
    }

    @Override
    public void flush() {
        if (history.size() == 0) {
            return;
        }
        try {
            plot.writePng(runs, png, provenance.values());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write plot " + png + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        flush();
    }
}
