package dev.fl4j.simulation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        try (PlotSink mean = new PlotSink(png, "mean", runs, MetricsPlot.standard().size(800, 600));
             PlotSink compressed = new PlotSink(png, "compressed", runs, MetricsPlot.standard().size(800, 600))) {
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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsPlot.standard().render("r", nothing));
        assertTrue(e.getMessage().contains("nothing to plot"), e.getMessage());
        BufferedImage custom = MetricsPlot.empty().panel("lr", n -> n.equals("learning_rate")).size(300, 200).render("r", nothing);
        assertNotEquals(1, distinctColours(custom));
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
