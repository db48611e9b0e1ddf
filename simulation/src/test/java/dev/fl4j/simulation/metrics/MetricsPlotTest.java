package dev.fl4j.simulation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.runtime.BitFormat;
import java.awt.Font;
import java.awt.font.FontRenderContext;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChartBuilder;

class MetricsPlotTest {

    @TempDir
    Path dir;

    private static void fill(MetricsSink sink, double bitsPerRound, double lossScale) {
        for (int r = 1; r <= 20; r++) {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("client_work/train/loss", lossScale * 2.3 / r);
            m.put("client_work/train/accuracy", 1 - 0.9 / r);
            m.put("broadcasted_bits", bitsPerRound * r);
            m.put("aggregated_bits", bitsPerRound * r / 4);
            sink.write(r, m);
        }
    }

    @Test
    void severalRunsOnOneValidPngOfTheRequestedSize() throws Exception {
        Map<String, MetricsHistory> runs = new LinkedHashMap<>();
        Path png = dir.resolve("plots/compare.png");
        try (PlotSink mean =
                        new PlotSink(png, "mean", runs, MetricsPlot.standard().size(800, 600));
                PlotSink compressed = new PlotSink(
                        png, "compressed", runs, MetricsPlot.standard().size(800, 600))) {
            fill(mean, 1e9, 1);
            fill(compressed, 1e8, 1.1);
        }
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(800, img.getWidth());
        assertEquals(600, img.getHeight());
        assertTrue(distinctColours(img) > 4, "a chart with several coloured lines, not a blank image");
        byte[] head = Files.readAllBytes(png);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
    }

    @Test
    void onlyPanelsWithDataAreDrawnAndEmptyRunIsAnError() {
        MetricsHistory h = new MetricsHistory();
        h.write(1, Map.of("eval/accuracy", 0.5));
        h.write(2, Map.of("eval/accuracy", 0.6));
        BufferedImage one = MetricsPlot.standard().size(400, 300).render("r", h);
        assertEquals(400, one.getWidth());
        MetricsHistory nothing = new MetricsHistory();
        nothing.write(1, Map.of("learning_rate", 0.1));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> MetricsPlot.standard().render("r", nothing));
        assertTrue(e.getMessage().contains("nothing to plot"), e.getMessage());
        BufferedImage custom = MetricsPlot.empty()
                .panel("lr", n -> n.equals("learning_rate"))
                .size(300, 200)
                .render("r", nothing);
        assertNotEquals(1, distinctColours(custom));
    }

    private static final String LONG_RUN_A = "zeroing:l2:5+clip:1+encoded:topk-uniform:0.05:4";
    private static final String LONG_RUN_B = "zeroing:l2:5+clip:1+encoded:topk-uniform:0.05:8";

    /**
     * Two runs with long names that happen to give identical metrics, as two runs differing only where it did not
     * matter.
     */
    private static Map<String, MetricsHistory> twoIdenticalRuns() {
        Map<String, MetricsHistory> runs = new LinkedHashMap<>();
        for (String name : List.of(LONG_RUN_A, LONG_RUN_B)) {
            MetricsHistory h = new MetricsHistory();
            for (int r = 1; r <= 10; r++) {
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("client_work/train/sparse_categorical_accuracy", 1 - 0.9 / r);
                m.put("eval/sparse_categorical_accuracy", 1 - 0.95 / r);
                m.put("client_work/train/loss", 2.3 / r);
                m.put("broadcasted_bits", 532282560.0 * r);
                m.put("aggregated_bits", 133070640.0 * r);
                h.write(r, m);
            }
            runs.put(name, h);
        }
        return runs;
    }

    private static MetricsPlot.PanelLayout panel(List<MetricsPlot.PanelLayout> layout, String title) {
        return layout.stream()
                .filter(p -> p.title().equals(title))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no panel " + title));
    }

    @Test
    void bitsAreLabelledInBinaryUnitsAsTheRoundLinesPrintThem() {
        List<MetricsPlot.PanelLayout> layout = MetricsPlot.standard().layout(twoIdenticalRuns());
        MetricsPlot.PanelLayout broadcast = panel(layout, "broadcast bits");
        assertTrue(broadcast.bits());
        assertEquals("bits", broadcast.yAxisTitle());
        assertEquals(1L << 30, broadcast.unitBits(), "up to 4.96 Gibit: plotted in Gibit, 4 to 8 units");
        assertEquals("2.00Gibit", broadcast.yTickLabel(2.0));
        assertEquals("512.00Mibit", broadcast.yTickLabel(0.5));
        assertEquals(BitFormat.format(532282560L * 3), broadcast.yTickLabel(532282560.0 * 3 / (1L << 30)));
        MetricsPlot.PanelLayout aggregated = panel(layout, "aggregated bits");
        assertEquals(
                1L << 28, aggregated.unitBits(), "up to 1.24 Gibit: plotted in units of 256 Mibit, 4 to 8 of them");
        assertEquals("768.00Mibit", aggregated.yTickLabel(3));
        assertEquals("1.00Gibit", aggregated.yTickLabel(4));
        assertEquals("1.13Gibit", aggregated.yTickLabel(4.5), "1.125 Gibit, rounded as the round lines round");
        assertEquals("1015.25Mibit", aggregated.yTickLabel(1064565120.0 / (1L << 28)));
        MetricsPlot.PanelLayout accuracy = panel(layout, "accuracy");
        assertFalse(accuracy.bits());
        assertThrows(IllegalStateException.class, () -> accuracy.yTickLabel(0.5));
    }

    @Test
    void legendNamesAreWholeAndEachLineFitsWhereXChartWouldCutIt() {
        int width = 1000;
        List<MetricsPlot.PanelLayout> layout =
                MetricsPlot.standard().size(width, 800).layout(twoIdenticalRuns());
        Font font =
                new XYChartBuilder().width(100).height(100).build().getStyler().getLegendFont();
        FontRenderContext frc = new FontRenderContext(null, true, false);
        double xchartCut = 0.45 * (width / 2);
        Set<String> names = new HashSet<>();
        for (MetricsPlot.PanelLayout p : layout) {
            for (MetricsPlot.Line line : p.lines()) {
                assertEquals(line.name(), String.join("", line.legendLines()));
                assertTrue(line.legendLines().size() > 1, "a name this long wraps: " + line.legendLines());
                for (String l : line.legendLines()) {
                    assertTrue(
                            MetricsPlot.textWidth(l, font, frc) <= xchartCut, "'" + l + "' is wider than XChart shows");
                }
                names.add(line.name());
            }
        }
        assertTrue(names.contains(LONG_RUN_A + ": eval/sparse_categorical_accuracy"), names.toString());
        assertTrue(names.contains(LONG_RUN_B + ": broadcasted_bits"), names.toString());
        for (MetricsPlot.PanelLayout p : layout) {
            for (MetricsPlot.Line line : p.lines()) {
                List<String> ls = line.legendLines();
                for (String l : ls.subList(0, ls.size() - 1)) {
                    assertTrue("/:+, ".indexOf(l.charAt(l.length() - 1)) >= 0, "wrapped after a separator: " + ls);
                }
            }
        }
        List<String> unbroken = MetricsPlot.wrap("x".repeat(200), font, 100);
        assertEquals("x".repeat(200), String.join("", unbroken));
        assertTrue(
                unbroken.stream().allMatch(l -> MetricsPlot.textWidth(l, font, frc) <= 100),
                "a part with no separator is cut anywhere");
    }

    @Test
    void coincidingRunsGetLinesThatStayDistinguishable() throws Exception {
        List<MetricsPlot.PanelLayout> layout = MetricsPlot.standard().layout(twoIdenticalRuns());
        for (MetricsPlot.PanelLayout p : layout) {
            List<MetricsPlot.Line> lines = p.lines();
            for (int i = 0; i < lines.size(); i++) {
                for (int j = i + 1; j < lines.size(); j++) {
                    assertNotEquals(lines.get(i).colour(), lines.get(j).colour(), p.title());
                    assertNotEquals(lines.get(i).dash(), lines.get(j).dash(), p.title());
                    assertNotEquals(lines.get(i).marker(), lines.get(j).marker(), p.title());
                    assertTrue(
                            lines.get(i).width() > lines.get(j).width()
                                    || lines.get(j).width() == 1.5f,
                            "a later line is narrower");
                }
            }
        }
        // On the image, the first run's line still shows under the second's (through its dashes and around its
        // markers).
        Path png = dir.resolve("identical.png");
        MetricsPlot.standard().size(1200, 900).writePng(twoIdenticalRuns(), png);
        BufferedImage img = ImageIO.read(png.toFile());
        MetricsPlot.PanelLayout loss = panel(layout, "loss");
        int first = 0;
        int second = 0;
        for (int y = 0;
                y < 900 / 2 / 2;
                y++) { // the upper half of the loss panel (top right): its curve, not its legend
            for (int x = 600; x < 1200; x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                first += rgb == (loss.lines().get(0).colour().getRGB() & 0xFFFFFF) ? 1 : 0;
                second += rgb == (loss.lines().get(1).colour().getRGB() & 0xFFFFFF) ? 1 : 0;
            }
        }
        assertTrue(
                first > 30 && second > 30, "both runs' colours on the curve: " + first + " and " + second + " pixels");
    }

    private static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
