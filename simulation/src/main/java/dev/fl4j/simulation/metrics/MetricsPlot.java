package dev.fl4j.simulation.metrics;

import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.simulation.io.AtomicFiles;
import dev.fl4j.simulation.provenance.Provenance;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.font.FontRenderContext;
import java.awt.font.TextLayout;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
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
 *
 * <p>What is drawn is decided first, in a {@link PanelLayout} per panel ({@link #layout}), then painted:
 * <ul>
 *   <li>A panel of bit counts labels its axis as the round lines print bits ({@link BitFormat}: {@code 507.62Mibit},
 *       {@code 1.25Gibit}); its values are plotted in a power-of-two unit, so that the round tick values XChart picks
 *       are round binary sizes ({@code 256.00Mibit}, {@code 512.00Mibit}, {@code 768.00Mibit}, {@code 1.00Gibit}).
 *   <li>Every line has its own colour, dash pattern, width and marker (markers up to 30 points), so runs that coincide
 *       stay distinguishable: a narrower dashed line over a wider solid one, a cross over a circle.
 *   <li>Legend names are shown whole: a name wider than its panel wraps at {@code /}, {@code :}, {@code +}, {@code ,}
 *       or a space (or anywhere, if a part is wider than the panel), never cut short.
 * </ul>
 */
public final class MetricsPlot {

    private record Panel(String title, Predicate<String> matches, boolean bits) {}

    /**
     * One line of a panel as it will be drawn.
     *
     * @param name the full legend name ({@code run: metric} with several runs, else the metric)
     * @param legendLines {@code name} wrapped to the panel's width; joined, they are {@code name}
     * @param colour the line's colour
     * @param width the line's width in pixels: narrower for later lines, so a line drawn over an equal one leaves its
     *              edges showing
     * @param dash the dash pattern (lengths on, off, … in pixels); empty for a solid line
     * @param marker the marker's shape ({@code circle}, {@code cross}, {@code triangle}, {@code plus}, {@code diamond},
     *               or {@code none} for lines of more than 30 points)
     */
    public record Line(
            String name, List<String> legendLines, Color colour, float width, List<Float> dash, String marker) {}

    /**
     * One panel as it will be drawn.
     *
     * @param title the panel's title
     * @param yAxisTitle the y axis title ({@code bits} for a panel of bit counts, else empty)
     * @param unitBits for a panel of bit counts, the bits per plotted unit: a power of two that the largest value holds
     *                 4 to 8 times, so that XChart's round ticks (1, 2, 0.5 units) are round binary sizes
     *                 ({@code 256.00Mibit}, {@code 1.25Gibit}); 0 for other panels, whose values are plotted as they
     *                 are and labelled by XChart
     * @param lines the lines, in drawing order
     */
    public record PanelLayout(String title, String yAxisTitle, long unitBits, List<Line> lines) {

        /** Whether this panel shows bit counts. */
        public boolean bits() {
            return unitBits > 0;
        }

        /**
         * The text of a y axis tick at {@code value} (in plotted units) of a panel of bit counts, as the round lines
         * print bits: {@code 300.00Mibit}.
         *
         * @throws IllegalStateException if this panel does not show bit counts
         */
        public String yTickLabel(double value) {
            if (!bits()) {
                throw new IllegalStateException(
                        "panel '" + title + "' does not show bit counts; XChart labels its axis");
            }
            return BitFormat.format(Math.round(value * unitBits));
        }
    }

    private static final Color[] COLOURS = {
        new Color(31, 119, 180),
        new Color(255, 127, 14),
        new Color(44, 160, 44),
        new Color(214, 39, 40),
        new Color(148, 103, 189),
        new Color(140, 86, 75),
        new Color(227, 119, 194),
        new Color(23, 190, 207)
    };
    private static final List<List<Float>> DASHES =
            List.of(List.of(), List.of(9f, 5f), List.of(2f, 4f), List.of(9f, 4f, 2f, 4f));
    private static final List<String> MARKERS = List.of("circle", "cross", "triangle", "plus", "diamond");
    private static final int MAX_MARKED_POINTS = 30;
    /**
     * XChart cuts a legend line wider than this share of its chart's width short with "…"; lines are wrapped below it.
     */
    private static final double LEGEND_LINE_SHARE = 0.45;

    private final List<Panel> panels = new ArrayList<>();
    private int width = 1200;
    private int height = 900;

    /** A plot with the default panels. */
    public static MetricsPlot standard() {
        return new MetricsPlot()
                .panel("accuracy", leaf(p -> p.contains("accuracy")))
                .panel("loss", leaf(p -> p.contains("loss")))
                .bitsPanel("broadcast bits", leaf(p -> p.contains("broadcast") && p.contains("bits")))
                .bitsPanel("aggregated bits", leaf(p -> p.contains("aggregat") && p.contains("bits")));
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
        panels.add(new Panel(title, matches, false));
        return this;
    }

    /**
     * Adds a panel of bit counts (labelled in binary units, as the round lines print them) for the metrics {@code
     * matches} takes.
     */
    public MetricsPlot bitsPanel(String title, Predicate<String> matches) {
        panels.add(new Panel(title, matches, true));
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

    private record Series(Line line, double[] x, double[] y) {}

    private record Drawn(PanelLayout layout, List<Series> series) {}

    /**
     * What {@link #render} draws for these runs: the panels that have data, with their lines, styles, wrapped legend
     * names and axis labelling.
     *
     * @throws IllegalArgumentException if no panel matches any metric of any run
     */
    public List<PanelLayout> layout(Map<String, MetricsHistory> runs) {
        return plan(runs).stream().map(Drawn::layout).toList();
    }

    private List<Drawn> plan(Map<String, MetricsHistory> runs) {
        List<Drawn> drawn = new ArrayList<>();
        int cellWidth = width / (columns(countPanelsWithData(runs)));
        Font legendFont = legendFont();
        for (Panel p : panels) {
            List<String> names = new ArrayList<>();
            List<double[][]> data = new ArrayList<>();
            for (Map.Entry<String, MetricsHistory> run : runs.entrySet()) {
                for (String name : run.getValue().names()) {
                    if (p.matches().test(name)) {
                        double[][] xy = finite(run.getValue().series(name));
                        if (xy[0].length > 0) {
                            names.add(runs.size() > 1 ? run.getKey() + ": " + name : name);
                            data.add(xy);
                        }
                    }
                }
            }
            if (names.isEmpty()) {
                continue;
            }
            long unit = p.bits() ? binaryUnit(data) : 0;
            List<Series> series = new ArrayList<>();
            Set<String> used = new HashSet<>();
            for (int i = 0; i < names.size(); i++) {
                String name = uniqueLabel(used, names.get(i));
                double[][] xy = data.get(i);
                String marker = xy[0].length > MAX_MARKED_POINTS ? "none" : MARKERS.get(i % MARKERS.size());
                Line line = new Line(
                        name,
                        wrap(name, legendFont, Math.max(20, LEGEND_LINE_SHARE * cellWidth - 2)),
                        COLOURS[i % COLOURS.length],
                        Math.max(1.5f, 3.5f - i),
                        DASHES.get(i % DASHES.size()),
                        marker);
                double[] y = xy[1].clone();
                for (int j = 0; j < y.length && unit > 0; j++) {
                    y[j] /= unit;
                }
                series.add(new Series(line, xy[0], y));
            }
            drawn.add(new Drawn(
                    new PanelLayout(
                            p.title(),
                            p.bits() ? "bits" : "",
                            unit,
                            series.stream().map(Series::line).toList()),
                    series));
        }
        if (drawn.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: no metric of runs " + runs.keySet()
                    + " matches panels " + panels.stream().map(Panel::title).toList());
        }
        return drawn;
    }

    private int countPanelsWithData(Map<String, MetricsHistory> runs) {
        int n = 0;
        for (Panel p : panels) {
            boolean any = runs.values().stream()
                    .anyMatch(h -> h.names().stream()
                            .anyMatch(name -> p.matches().test(name) && finite(h.series(name))[0].length > 0));
            n += any ? 1 : 0;
        }
        return n;
    }

    private static int columns(int panelCount) {
        return panelCount <= 1 ? 1 : 2;
    }

    /** The largest power of two (in bits) that the largest value holds at least 4 times (1 below 4 bits). */
    private static long binaryUnit(List<double[][]> data) {
        double max = 0;
        for (double[][] xy : data) {
            for (double v : xy[1]) {
                max = Math.max(max, Math.abs(v));
            }
        }
        long unit = 1;
        while (max / unit >= 8 && unit < (1L << 62)) {
            unit *= 2;
        }
        return unit;
    }

    /** The legend font XChart uses by default (the chart's own styler decides; a fresh chart's styler tells). */
    private static Font legendFont() {
        return new XYChartBuilder().width(100).height(100).build().getStyler().getLegendFont();
    }

    /**
     * {@code text} cut into lines no wider than {@code maxWidth} pixels in {@code font}: after a {@code /}, {@code :},
     * {@code +}, {@code ,} or space where possible, anywhere otherwise. Joined, the lines are {@code text}.
     */
    static List<String> wrap(String text, Font font, double maxWidth) {
        FontRenderContext frc = new FontRenderContext(null, true, false);
        Function<String, Double> widthOf = s -> textWidth(s, font, frc);
        List<String> lines = new ArrayList<>();
        String rest = text;
        while (widthOf.apply(rest) > maxWidth && rest.length() > 1) {
            int fit = 1;
            while (fit < rest.length() && widthOf.apply(rest.substring(0, fit + 1)) <= maxWidth) {
                fit++;
            }
            int cut = fit;
            for (int i = fit; i > 0; i--) {
                if ("/:+, ".indexOf(rest.charAt(i - 1)) >= 0) {
                    cut = i;
                    break;
                }
            }
            lines.add(rest.substring(0, cut));
            rest = rest.substring(cut);
        }
        lines.add(rest);
        return List.copyOf(lines);
    }

    /** The width of {@code s} as XChart measures a legend line (the outline of its text layout). */
    static double textWidth(String s, Font font, FontRenderContext frc) {
        return s.isEmpty()
                ? 0
                : new TextLayout(s, font, frc).getOutline(null).getBounds2D().getWidth();
    }

    /**
     * Renders several runs (name → history) into one image.
     *
     * @throws IllegalArgumentException if no panel matches any metric of any run
     */
    public BufferedImage render(Map<String, MetricsHistory> runs) {
        List<Drawn> drawn = plan(runs);
        List<XYChart> charts = new ArrayList<>();
        for (Drawn d : drawn) {
            PanelLayout layout = d.layout();
            XYChart chart = new XYChartBuilder()
                    .width(100)
                    .height(100)
                    .title(layout.title())
                    .xAxisTitle("round")
                    .yAxisTitle(layout.yAxisTitle())
                    .build();
            chart.getStyler().setChartBackgroundColor(Color.WHITE);
            chart.getStyler().setLegendVisible(true);
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
            chart.getStyler().setLegendSeriesLineLength(24);
            if (layout.bits()) {
                chart.getStyler().setYAxisTickLabelsFormattingFunction(layout::yTickLabel);
            }
            for (Series s : d.series()) {
                Line line = s.line();
                XYSeries xy = chart.addSeries(String.join("\n", line.legendLines()), s.x(), s.y());
                xy.setLineColor(line.colour());
                xy.setMarkerColor(line.colour());
                xy.setLineStyle(stroke(line.width(), line.dash()));
                xy.setMarker(marker(line.marker()));
            }
            charts.add(chart);
        }
        int cols = columns(charts.size());
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

    private static BasicStroke stroke(float width, List<Float> dash) {
        if (dash.isEmpty()) {
            return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND);
        }
        float[] pattern = new float[dash.size()];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = dash.get(i);
        }
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, pattern, 0f);
    }

    private static Marker marker(String name) {
        return switch (name) {
            case "circle" -> SeriesMarkers.CIRCLE;
            case "cross" -> SeriesMarkers.CROSS;
            case "triangle" -> SeriesMarkers.TRIANGLE_UP;
            case "plus" -> SeriesMarkers.PLUS;
            case "diamond" -> SeriesMarkers.DIAMOND;
            default -> SeriesMarkers.NONE;
        };
    }

    private static String uniqueLabel(Set<String> used, String label) {
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
        writePng(runs, png, List.of());
    }

    /**
     * Renders several runs and writes the PNG atomically, with one {@code tEXt} chunk of keyword {@value
     * #PROVENANCE_KEYWORD} per element of {@code provenance} holding its {@link Provenance#toJson()} (ASCII, as {@code
     * tEXt} requires Latin-1).
     */
    public void writePng(Map<String, MetricsHistory> runs, Path png, Collection<Provenance> provenance)
            throws IOException {
        BufferedImage image = render(runs);
        AtomicFiles.write(png, out -> {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
            if (!writers.hasNext()) {
                throw new IOException("no PNG writer available");
            }
            ImageWriter writer = writers.next();
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                ImageWriteParam param = writer.getDefaultWriteParam();
                IIOMetadata metadata =
                        writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
                if (!provenance.isEmpty()) {
                    IIOMetadataNode text = new IIOMetadataNode("tEXt");
                    for (Provenance p : provenance) {
                        IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                        entry.setAttribute("keyword", PROVENANCE_KEYWORD);
                        entry.setAttribute("value", p.toJson());
                        text.appendChild(entry);
                    }
                    IIOMetadataNode root = new IIOMetadataNode(PNG_METADATA_FORMAT);
                    root.appendChild(text);
                    metadata.mergeTree(PNG_METADATA_FORMAT, root);
                }
                writer.setOutput(ios);
                writer.write(null, new IIOImage(image, null, metadata), param);
            } finally {
                writer.dispose();
            }
        });
    }

    /** The keyword of the PNG {@code tEXt} chunks that hold a chart's provenance. */
    public static final String PROVENANCE_KEYWORD = "fl4j:provenance";

    private static final String PNG_METADATA_FORMAT = "javax_imageio_png_1.0";
}
