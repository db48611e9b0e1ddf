package dev.fl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.runtime.BitFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the tutorial ports for a few rounds on the real Fashion-MNIST files (the test command,
 * {@code scripts/test.sh}, installs Debian's dataset-fashion-mnist first; without it these fail with
 * the loader's message saying how to get it).
 */
class TutorialsTest {

    static String run(Example e, String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(0, e.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), args));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyExampleIsListedOnceByName() {
        List<String> names = Tutorials.all().stream().map(Example::name).toList();
        assertEquals(
                List.of("temperature", "federated-softmax", "image-classification", "compression", "aggregations"),
                names);
    }

    @Test
    void federatedSoftmaxAccuracyRisesRoundOverRound() throws Exception {
        String out = run(new FederatedSoftmaxExample(), "3");
        List<Double> acc = out.lines()
                .filter(l -> l.startsWith("round:"))
                .map(l -> Double.parseDouble(l.replaceAll(".*accuracy: ([0-9.]+).*", "$1")))
                .toList();
        assertEquals(3, acc.size(), out);
        assertTrue(acc.get(2) > acc.get(0), out);
        assertTrue(out.contains("federated evaluation on the clients' test data"), out);
    }

    @Test
    void aggregationsPrintTheirMeasurements() throws Exception {
        String out = run(new RecommendedAggregationsExample(), "1");
        assertTrue(
                out.contains("zeroing_norm=")
                        && out.contains("clipping_norm=")
                        && out.contains("privacy/epsilon=")
                        && out.contains("secure_upper_threshold="),
                out);
    }

    /** A count printed by {@code BitFormat.format} (two decimals, binary prefixes), back in bits. */
    static double bits(String formatted) {
        Matcher m = Pattern.compile("([0-9.]+)(bit|Kibit|Mibit|Gibit)").matcher(formatted.trim());
        assertTrue(m.matches(), "not a bit count: " + formatted);
        int unit = List.of("bit", "Kibit", "Mibit", "Gibit").indexOf(m.group(2));
        return Double.parseDouble(m.group(1)) * Math.pow(1024, unit);
    }

    static double number(String line, String field) {
        Matcher m = Pattern.compile(".*\\b" + field + "=([-0-9.eE]+|NaN|Infinity).*")
                .matcher(line);
        assertTrue(m.matches(), "no " + field + " in: " + line);
        return Double.parseDouble(m.group(1));
    }

    static String field(String line, String name) {
        Matcher m = Pattern.compile(".*\\b" + name + "=([^,\\s]+).*").matcher(line);
        assertTrue(m.matches(), "no " + name + " in: " + line);
        return m.group(1);
    }

    static void assertFiniteFraction(double v, String what) {
        assertTrue(v >= 0 && v <= 1, what + " = " + v);
    }

    /**
     * Two short rounds of 3 clients × 40 examples: every round trains 3 × 40 × 5 epochs and broadcasts the 7,850
     * weights to each client.
     */
    @Test
    void imageClassificationRunsShortRoundsWithFiniteMetricsAndCountedBits() throws Exception {
        String out = run(new ImageClassificationExample(), "2", "3", "40");
        List<String> rounds = out.lines().filter(l -> l.startsWith("round ")).toList();
        assertEquals(2, rounds.size(), out);
        for (int r = 0; r < rounds.size(); r++) {
            String line = rounds.get(r);
            double loss = number(line, "loss");
            assertTrue(Double.isFinite(loss) && loss > 0, line);
            assertFiniteFraction(number(line, "accuracy"), line);
            assertEquals(3 * 40 * ImageClassificationExample.NUM_EPOCHS, (long) number(line, "examples"), line);
            long broadcast = (r + 1) * 3L * (784 * 10 + 10) * 32;
            assertEquals(BitFormat.format(broadcast), field(line, "broadcasted_bits"), line);
            assertTrue(bits(field(line, "aggregated_bits")) >= bits(field(line, "broadcasted_bits")), line);
        }
        String eval = out.lines()
                .filter(l -> l.startsWith("federated evaluation on 10 held-out clients"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(out));
        double loss = number(eval, "loss");
        assertTrue(Double.isFinite(loss) && loss > 0, eval);
        assertFiniteFraction(number(eval, "accuracy"), eval);
    }

    /**
     * One short round of 2 clients × 20 examples per variant: the uncompressed run moves exactly 2 ×
     * 1,663,370 float32 weights each way, 8-bit quantization about a quarter of that in the directions
     * it encodes, top-k with error feedback far less in aggregation.
     */
    @Test
    void compressionRunsShortAndEveryVariantSendsFewerBitsThanPlain() throws Exception {
        String out = run(new CompressionExample(), "1", "2", "20");
        Map<String, String[]> table = new LinkedHashMap<>();
        for (String run : List.of(
                "original", "compression_aggregator", "encoded broadcast + aggregation", "top-k + error feedback")) {
            String row = out.lines()
                    .filter(l -> l.startsWith(run + "  "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no row " + run + ":\n" + out));
            String[] cells = row.substring(run.length()).trim().split("\\s+");
            assertEquals(3, cells.length, row);
            assertFiniteFraction(Double.parseDouble(cells[0]), run + " accuracy");
            table.put(run, cells);
        }
        out.lines().filter(l -> l.startsWith("round ")).forEach(l -> assertTrue(Double.isFinite(number(l, "loss")), l));
        assertEquals(4, out.lines().filter(l -> l.startsWith("round ")).count(), out);

        String plain = BitFormat.format(2L * 1_663_370 * 32);
        assertEquals(plain, table.get("original")[1], out);
        assertEquals(plain, table.get("original")[2], out);
        double plainBits = bits(plain);
        assertEquals(plain, table.get("compression_aggregator")[1], out);
        assertTrue(bits(table.get("compression_aggregator")[2]) < plainBits / 3, out);
        assertTrue(bits(table.get("encoded broadcast + aggregation")[1]) < plainBits / 3, out);
        assertTrue(bits(table.get("encoded broadcast + aggregation")[2]) < plainBits / 3, out);
        assertEquals(plain, table.get("top-k + error feedback")[1], out);
        assertTrue(bits(table.get("top-k + error feedback")[2]) < plainBits / 10, out);
    }

    @Test
    void shortSettingsAreCheckedBeforeAnythingRuns() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> run(new CompressionExample(), "1", "0"));
        assertEquals("compression: CLIENTS_PER_ROUND must be a positive integer, got '0'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run(new ImageClassificationExample(), "two"));
        assertEquals("image-classification: ROUNDS must be a positive integer, got 'two'", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> run(new ImageClassificationExample(), "1", "2", "3", "4"));
        assertEquals(
                "image-classification takes at most 3 arguments [ROUNDS [CLIENTS_PER_ROUND [EXAMPLES_PER_CLIENT]]], "
                        + "got 4: 1 2 3 4",
                e.getMessage());
    }
}
