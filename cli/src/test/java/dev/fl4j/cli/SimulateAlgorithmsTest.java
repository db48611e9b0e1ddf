package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code simulate --algorithm scaffold|fednova|mime-lite:M} and the learning-rate schedule options, end to end. */
class SimulateAlgorithmsTest {

    @TempDir
    Path tmp;

    private static String[] tiny(String... more) {
        List<String> a = new ArrayList<>(List.of(
                "--dataset",
                "synthetic",
                "--clients",
                "6",
                "--clients-per-round",
                "6",
                "--model",
                "softmax",
                "--examples-per-client",
                "20",
                "--batch",
                "5",
                "--client-lr",
                "0.05"));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    private static String line(SimulateCommandTest.Result r, String prefix) {
        return r.lines().stream()
                .filter(l -> l.startsWith(prefix))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no line '" + prefix + "' in " + r.out() + r.err()));
    }

    @Test
    void eachAlgorithmRunsAndSaysWhatItIs() {
        SimulateCommandTest.Result fedavg = SimulateCommandTest.run(tiny("--rounds", "2"));
        for (String[] alg : new String[][] {
            {
                "scaffold",
                "scaffold (client SGD 0.05, server lr 1.0, 1 epoch, control variates over all training clients)"
            },
            {"fednova", "fednova (client SGD 0.05, server lr 1.0, 1 epoch, updates normalized by local steps)"},
            {
                "mime-lite:0.9",
                "mime-lite:0.9 (client SGD 0.05, server lr 1.0, 1 epoch, server momentum 0.9 applied on clients)"
            }
        }) {
            SimulateCommandTest.Result r = SimulateCommandTest.run(tiny("--rounds", "2", "--algorithm", alg[0]));
            assertEquals(0, r.code(), r.err());
            assertTrue(line(r, "model softmax").contains("algorithm " + alg[1]), line(r, "model softmax"));
            assertTrue(line(r, "round  2").contains("loss="), line(r, "round  2"));
        }
        // every client takes 4 equal steps, so FedNova's round is FedAvg's, up to rounding
        SimulateCommandTest.Result nova = SimulateCommandTest.run(tiny("--rounds", "2", "--algorithm", "fednova"));
        assertEquals(loss(line(fedavg, "round  2")), loss(line(nova, "round  2")), 1e-4);
        // SCAFFOLD's second round has control variates, so it leaves FedAvg's path
        SimulateCommandTest.Result scaffold = SimulateCommandTest.run(tiny("--rounds", "3", "--algorithm", "scaffold"));
        SimulateCommandTest.Result fedavg3 = SimulateCommandTest.run(tiny("--rounds", "3"));
        assertNotEquals(line(fedavg3, "round  3"), line(scaffold, "round  3"));
    }

    private static double loss(String roundLine) {
        int at = roundLine.indexOf("loss=") + 5;
        int end = roundLine.indexOf(',', at);
        return Double.parseDouble(roundLine.substring(at, end));
    }

    @Test
    void scaffoldResumedFromCheckpointsKeepsClientControlVariates() {
        String dir = tmp.resolve("ckpt").toString();
        SimulateCommandTest.Result whole = SimulateCommandTest.run(tiny("--rounds", "4", "--algorithm", "scaffold"));
        SimulateCommandTest.Result first =
                SimulateCommandTest.run(tiny("--rounds", "2", "--algorithm", "scaffold", "--checkpoint-dir", dir));
        assertEquals(0, first.code(), first.err());
        SimulateCommandTest.Result resumed =
                SimulateCommandTest.run(tiny("--rounds", "4", "--algorithm", "scaffold", "--checkpoint-dir", dir));
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(line(whole, "round  4"), line(resumed, "round  4"));
    }

    @Test
    void schedulesAreShownAndBadOnesRefused() {
        SimulateCommandTest.Result r = SimulateCommandTest.run(tiny(
                "--rounds", "1", "--client-lr-schedule", "exponential:0.5:1", "--server-lr-schedule", "cosine:10"));
        assertEquals(0, r.code(), r.err());
        assertTrue(
                line(r, "learning-rate schedules")
                        .equals("learning-rate schedules: client exponential(0.05, rate 0.5 every 1 rounds),"
                                + " server cosine(1.0, 10 rounds, alpha 0.0)"),
                line(r, "learning-rate schedules"));
        assertError(
                SimulateCommandTest.run(tiny("--rounds", "1", "--client-lr-schedule", "exponential:0.5")),
                "--client-lr-schedule: client-lr-schedule 'exponential:0.5': 'exponential' takes 2 argument(s)"
                        + " (exponential:RATE:ROUNDS), got 1");
        assertError(
                SimulateCommandTest.run(tiny("--rounds", "1", "--server-lr-schedule", "cosine:0")),
                "cosine decay's DECAY_ROUNDS must be >= 1, got 0");
        assertError(
                SimulateCommandTest.run(tiny("--rounds", "1", "--client-lr-schedule", "linear")),
                "unknown client-lr-schedule 'linear'");
        assertError(
                SimulateCommandTest.run(tiny("--rounds", "1", "--algorithm", "mime-lite:1.5")),
                "Mime Lite's MOMENTUM must be in [0, 1), got '1.5'");
        assertError(
                SimulateCommandTest.run(
                        tiny("--rounds", "1", "--algorithm", "mime-lite:0.9", "--aggregator", "dp-fixed:1.0:1.0")),
                "--algorithm mime-lite:0.9 with --aggregator dp-fixed:1.0:1.0:"
                        + " Mime Lite cannot run with a differentially private aggregator");
        assertError(
                SimulateCommandTest.run(
                        tiny("--rounds", "1", "--algorithm", "fednova", "--aggregator", "clip:1.0+mean")),
                "--algorithm fednova with --aggregator clip:1.0+mean: FedNova cannot run with a norm-bounded"
                        + " aggregator");
        assertError(
                SimulateCommandTest.run(tiny("--rounds", "1", "--algorithm", "kmeans:3")),
                "--model does not apply to --algorithm kmeans:3: k-means trains centroids of the data's points, not a"
                        + " model");
        assertError(
                SimulateCommandTest.run(tiny("--rounds", "1", "--algorithm", "fedrecon:last")),
                "every trainable weight of model 'softmax_regression' is local");
        assertError(
                SimulateCommandTest.run(tiny("--rounds", "1", "--algorithm", "scaffold:2")),
                "'scaffold' takes 0 argument(s) (scaffold), got 1");
    }

    private static void assertError(SimulateCommandTest.Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }
}
