package dev.fl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the tutorial ports for a few rounds on the real Fashion-MNIST files (the test command,
 * {@code scripts/test.sh}, installs Debian's dataset-fashion-mnist first; without it these fail with
 * the loader's message saying how to get it).
 */
class ExamplesTest {

    static String run(Example e, String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(0, e.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), args));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyExampleIsListedOnceByName() {
        List<String> names = Examples.all().stream().map(Example::name).toList();
        assertEquals(List.of("temperature", "federated-softmax", "image-classification", "compression", "aggregations"), names);
    }

    @Test
    void federatedSoftmaxAccuracyRisesRoundOverRound() throws Exception {
        String out = run(new FederatedSoftmaxExample(), "3");
        List<Double> acc = out.lines().filter(l -> l.startsWith("round:"))
                .map(l -> Double.parseDouble(l.replaceAll(".*accuracy: ([0-9.]+).*", "$1"))).toList();
        assertEquals(3, acc.size(), out);
        assertTrue(acc.get(2) > acc.get(0), out);
        assertTrue(out.contains("federated evaluation on the clients' test data"), out);
    }

    @Test
    void aggregationsPrintTheirMeasurements() throws Exception {
        String out = run(new RecommendedAggregationsExample(), "1");
        assertTrue(out.contains("zeroing_norm=") && out.contains("clipping_norm=") && out.contains("privacy/epsilon=")
                && out.contains("secure_upper_threshold="), out);
    }
}
