package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.simulation.datasets.DatasetFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fl4j bench accuracy} in a tiny version (one round of one epoch on a generated MNIST-format dataset): the
 * table has one row per algorithm asked for, in order, each of which trained its rounds and measured a test accuracy;
 * options it cannot run are usage errors. The accuracy itself is the benchmark's business, not this test's.
 */
class BenchAccuracyCommandTest {

    private static final Pattern ROW =
            Pattern.compile("^(\\S+)\\s+(\\d+)\\s+(\\d+\\.\\d\\d)%\\s+\\S.*$", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Fl4j.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    private String[] tiny(String... more) throws Exception {
        return tiny(1, more);
    }

    private String[] tiny(int rounds, String... more) throws Exception {
        Path dir = tmp.resolve("mnist-idx");
        DatasetFixtures.writeDataset(dir, 120, 30, true);
        List<String> args = new java.util.ArrayList<>(List.of(
                "bench",
                "accuracy",
                "--dataset",
                "mnist:" + dir,
                "--parties",
                "3",
                "--rounds",
                String.valueOf(rounds),
                "--epochs",
                "1",
                "--batch",
                "10",
                "--workers",
                "1"));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    @Test
    void everyAlgorithmOfTheProtocolRunsAndHasARow() throws Exception {
        String[] r = tiny();
        assertEquals("0", r[0], r[1] + r[2]);
        String out = r[1];
        assertTrue(out.contains("niid_bench_cnn (44,426 parameters), 3 parties from Dirichlet(0.5)"), out);
        assertTrue(out.contains("client SGD lr 0.01 momentum 0.9, FedProx mu 0.01"), out);
        Matcher m = ROW.matcher(out.substring(out.indexOf("algorithm ")));
        List<String> algorithms = new java.util.ArrayList<>();
        while (m.find()) {
            algorithms.add(m.group(1));
            assertEquals("1", m.group(2), m.group());
            double percent = Double.parseDouble(m.group(3));
            assertTrue(percent >= 0 && percent <= 100, m.group());
        }
        assertEquals(List.of("fedavg", "fedprox", "scaffold", "fednova"), algorithms, out);
        // a shortened run is not the published protocol, so it shows no published figure to compare with
        assertTrue(out.contains("published: -, the settings differ from NIID-Bench's FMNIST Dirichlet(0.5)"), out);
    }

    @Test
    void algorithmsAndRoundsShortenTheRun() throws Exception {
        String[] r = tiny(2, "--algorithms", "fednova,fedavg");
        assertEquals("0", r[0], r[1] + r[2]);
        Matcher m = ROW.matcher(r[1].substring(r[1].indexOf("algorithm ")));
        assertTrue(m.find(), r[1]);
        assertEquals("fednova 2", m.group(1) + " " + m.group(2));
        assertTrue(m.find(), r[1]);
        assertEquals("fedavg 2", m.group(1) + " " + m.group(2));
        assertTrue(!m.find(), r[1]);
    }

    @Test
    void aCheckpointedRunContinuesWhereItStoppedAndEndsAsAnUninterruptedOne() throws Exception {
        Path checkpoints = tmp.resolve("checkpoints");
        String[] first = tiny(1, "--algorithms", "fedprox", "--checkpoint-dir", checkpoints.toString());
        assertEquals("0", first[0], first[1] + first[2]);
        assertTrue(first[1].contains("fedprox   1 rounds, final test accuracy"), first[1]);
        String[] resumed = tiny(2, "--algorithms", "fedprox", "--checkpoint-dir", checkpoints.toString());
        assertEquals("0", resumed[0], resumed[1] + resumed[2]);
        assertTrue(resumed[1].contains("fedprox   2 rounds (resumed after round 1), final test accuracy"), resumed[1]);
        String[] uninterrupted = tiny(2, "--algorithms", "fedprox");
        assertEquals("0", uninterrupted[0], uninterrupted[1] + uninterrupted[2]);
        assertEquals(finalAccuracy(uninterrupted[1]), finalAccuracy(resumed[1]));

        String[] otherSettings =
                tiny(3, "--algorithms", "fedprox", "--mu", "0.5", "--checkpoint-dir", checkpoints.toString());
        assertEquals("1", otherSettings[0], otherSettings[1] + otherSettings[2]);
        assertTrue(otherSettings[2].contains("was written by a run with other settings"), otherSettings[2]);
        assertTrue(otherSettings[2].contains("mu"), otherSettings[2]);
    }

    private static String finalAccuracy(String out) {
        Matcher m = Pattern.compile("final test accuracy (\\d\\.\\d{4})").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    @Test
    void refusesWhatTheProtocolCannotRun() {
        assertUsageError(
                run("bench", "accuracy", "--algorithms", "fedavg,fedadam"),
                "--algorithms: unknown algorithm 'fedadam'; the protocol compares fedavg, fedprox, scaffold, fednova");
        assertUsageError(
                run("bench", "accuracy", "--dataset", "synthetic"),
                "--dataset must be centralised data to partition by label");
        assertUsageError(run("bench", "accuracy", "--rounds", "0"), "--rounds must be at least 1, got 0");
        assertUsageError(run("bench", "accuracy", "--momentum", "1"), "--momentum must be in [0, 1), got 1.0");
        assertUsageError(
                run("bench", "accuracy", "--algorithms", "fedavg,fedavg"), "--algorithms names an algorithm twice");
    }

    private static void assertUsageError(String[] r, String expected) {
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains(expected), "expected '" + expected + "' in: " + r[2]);
    }
}
