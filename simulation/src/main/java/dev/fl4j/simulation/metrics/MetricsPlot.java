package dev.fl4j.simulation.metrics;

import dev.fl4j.simulation.io.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts of metrics per round, drawn with XChart (works headless): a grid of panels, by default
 * accuracy, loss, broadcast bits and aggregated bits, each with one line per run and matching
 * metric, so several runs (say plain mean vs. compression) compare on one image.
 *
 * <p>A panel collects the metrics whose last name part matches it: {@code accuracy} takes names
 * ending in a part containing "accuracy", {@code loss} "loss", {@code broadcast bits} a part
 * containing "broadcast" and "bits", {@code aggregated bits} "aggregat" and "bits". Panels without
 * any matching metric are left out; custom panels can be given with {@link #panel}.
 */
public final class MetricsPlot {

    private record Panel(String title, Predicate<String> matches) {
    }

    private final List<Panel> panels = new ArrayList<>();
    private int width = 1200;
    private int height = 900;

    /** A plot with the default panels. */
    public static MetricsPlot standard() {
        return new MetricsPlot()
                .panel("accuracy", leaf(p -> p.contains("accuracy")))
                .panel("loss", leaf(p -> p.contains("loss")))
                .panel("broadcast bits", leaf(p -> p.contains("broadcast") && p.contains("bits")))
                .panel("aggregated bits", leaf(p -> p.contains("aggregat") && p.contains("bits")));
    }

    /** A plot with no panels; add them with {@link #panel}. */
    public static MetricsPlot empty() {
        return new MetricsPlot();
    }

    private static Predicate<String> leaf(Predicate<String> lastPart) {
        return name -> lastPart.test(name.substring(name.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT));
    }

    /** Adds a panel showing the metrics whose full name satisfies {@code matches}. */
    public MetricsPlot panel(String title, Predicate<String> matches) {
        panels.add(new Panel(title, matches));
        return this;
    }

    /** Size of the whole image in pixels (default 1200 × 900). */
    public MetricsPlot size(int width, int height) {
        if (width < 100 || height < 100) {
            throw new IllegalArgumentException("plot size must be at least 100×100, got " + width + "×" + height);
        }
        this.width = width;
        this.height = height;
        return this;
    }

    /** Renders one run. */
    public BufferedImage render(String runName, MetricsHistory run) {
        Map<String, MetricsHistory> runs = new LinkedHashMap<>();
        runs.put(runName, run);
        return render(runs);
    }

    /**
     * Renders several runs (name → history) into one image.
     *
     * @throws IllegalArgumentException if no panel matches any metric of any run
     */
    public BufferedImage render(Map<String, MetricsHistory> runs) {
        List<XYChart> charts = new ArrayList<>();
        for (Panel p : panels) {
            XYChart chart = null;
            java.util.Set<String> labels = new java.util.HashSet<>();
            for (Map.Entry<String, MetricsHistory> run : runs.entrySet()) {
                for (String name : run.getValue().names()) {
                    if (!p.matches().test(name)) {
                        continue;
                    }
                    double[][] xy = finite(run.getValue().series(name));
                    if (xy[0].length == 0) {
                        continue;
                    }
                    if (chart == null) {
                        chart = new XYChartBuilder().width(100).height(100).title(p.title()).xAxisTitle("round").build();
                        chart.getStyler().setChartBackgroundColor(Color.WHITE);
                        chart.getStyler().setLegendVisible(true);
                        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
                    }
                    String label = runs.size() > 1 ? run.getKey() + ": " + name : name;
                    XYSeries s = chart.addSeries(uniqueLabel(labels, label), xy[0], xy[1]);
                    s.setMarker(xy[0].length > 30 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
                }
            }
            if (chart != null) {
                charts.add(chart);
            }
        }
        if (charts.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: no metric of runs " + runs.keySet() + " matches panels "
                    + panels.stream().map(Panel::title).toList());
        }
        int cols = charts.size() == 1 ? 1 : 2;
        int rows = (charts.size() + cols - 1) / cols;
        int cellW = width / cols;
        int cellH = height / rows;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            for (int i = 0; i < charts.size(); i++) {
                XYChart c = charts.get(i);
                BufferedImage cell = new BufferedImage(cellW, cellH, BufferedImage.TYPE_INT_RGB);
                Graphics2D cg = cell.createGraphics();
                try {
                    c.paint(cg, cellW, cellH);
                } finally {
                    cg.dispose();
                }
                g.drawImage(cell, (i % cols) * cellW, (i / cols) * cellH, null);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static String uniqueLabel(java.util.Set<String> used, String label) {
        String l = label;
        for (int i = 2; !used.add(l); i++) {
            l = label + " (" + i + ")";
        }
        return l;
    }

    private static double[][] finite(double[][] xy) {
        int n = 0;
        for (double v : xy[1]) {
            if (Double.isFinite(v)) {
                n++;
            }
        }
        double[][] out = new double[2][n];
        int j = 0;
        for (int i = 0; i < xy[1].length; i++) {
            if (Double.isFinite(xy[1][i])) {
                out[0][j] = xy[0][i];
                out[1][j] = xy[1][i];
                j++;
            }
        }
        return out;
    }

    /** Renders several runs and writes the PNG atomically. */
    public void writePng(Map<String, MetricsHistory> runs, Path png) throws IOException {
        BufferedImage image = render(runs);
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
