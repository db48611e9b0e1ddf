package dev.fl4j.simulation.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sink that records a run and draws it as a PNG ({@link MetricsPlot#standard()}) when flushed
 * and when closed. Several runs can share one chart: give each sink the same {@code runs} map and
 * its own run name, and the image shows every run recorded so far.
 */
public final class PlotSink implements MetricsSink {

    private final Path png;
    private final MetricsPlot plot;
    private final Map<String, MetricsHistory> runs;
    private final MetricsHistory history = new MetricsHistory();

    /** A single-run chart. */
    public PlotSink(Path png) {
        this(png, "run", new LinkedHashMap<>(), MetricsPlot.standard());
    }

    /** Run {@code runName} on a chart shared through {@code runs} (name → history). */
    public PlotSink(Path png, String runName, Map<String, MetricsHistory> runs, MetricsPlot plot) {
        this.png = png;
        this.plot = plot;
        this.runs = runs;
        if (runs.containsKey(runName)) {
            throw new IllegalArgumentException("a run named '" + runName + "' is already on this chart");
        }
        runs.put(runName, history);
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
            plot.writePng(runs, png);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write plot " + png + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        flush();
    }
}
