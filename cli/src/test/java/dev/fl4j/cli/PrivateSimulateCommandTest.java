package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.cli.SimulateCommandTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fl4j simulate} with a differentially private aggregator says what ε assumes and releases nothing else. */
class PrivateSimulateCommandTest {

    @TempDir
    Path tmp;

    private static Result run(String... more) {
        List<String> a = new ArrayList<>(List.of(
                "--dataset",
                "synthetic",
                "--clients",
                "10",
                "--clients-per-round",
                "5",
                "--model",
                "softmax",
                "--examples-per-client",
                "20",
                "--batch",
                "5",
                "--client-lr",
                "0.05",
                "--aggregator",
                "dp:0.3"));
        a.addAll(Arrays.asList(more));
        return SimulateCommandTest.run(a.toArray(String[]::new));
    }

    @Test
    void aDpRunPrintsItsSamplingAndReleasesOnlyWhatEpsilonCovers() throws Exception {
        Path csv = tmp.resolve("m.csv");
        Result r = run("--rounds", "2", "--csv", csv.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("[dp-0.3] privacy: poisson sampling q=0.5, noise multiplier 0.3, delta 1.0E-5"),
                r.out());
        assertTrue(
                r.out()
                        .contains("not released (epsilon does not cover them): training metrics, clients_sampled, "
                                + "clients_reporting"),
                r.out());
        List<String> rounds = r.lines().stream()
                .filter(l -> l.startsWith("round  1") || l.startsWith("round  2"))
                .toList();
        assertEquals(2, rounds.size(), r.out());
        for (String line : rounds) {
            assertFalse(
                    line.contains(", loss=")
                            || line.contains(", accuracy=")
                            || line.contains("bits=")
                            || line.contains("clients="),
                    line);
            assertTrue(line.contains("privacy/epsilon="), line);
        }
        assertTrue(r.out().contains("broadcasted_bits=not released, aggregated_bits=not released"), r.out());
        String header = Files.readAllLines(csv).get(1);
        assertTrue(header.startsWith("round,"), "line 0 is the provenance comment, line 1 the header: " + header);
        for (String hidden : List.of(
                "client_work",
                "clients_sampled",
                "clients_reporting",
                "broadcasted_bits",
                "round_seconds",
                "zeroed_count")) {
            assertFalse(header.contains(hidden), header);
        }
    }

    @Test
    void aDpRunResumesOnlyWithItsPrivacySettingsAndCheckpointsEveryRound() {
        String dir = tmp.resolve("ckpt").toString();
        assertEquals(0, run("--rounds", "1", "--checkpoint-dir", dir).code());
        assertTrue(Files.exists(tmp.resolve("ckpt").resolve("dp-0.3").resolve("privacy_ledger.txt")));
        Result delta = run("--rounds", "2", "--checkpoint-dir", dir, "--dp-delta", "1e-6");
        assertTrue(delta.code() != 0 && delta.err().contains("privacy.delta: 1.0E-5 → 1.0E-6"), delta.err());
        Result budget = run("--rounds", "2", "--checkpoint-dir", dir, "--epsilon-budget", "100");
        assertTrue(budget.code() != 0 && budget.err().contains("privacy.epsilon-budget: none → 100.0"), budget.err());
        Result every = run("--rounds", "2", "--checkpoint-dir", dir, "--checkpoint-every", "2");
        assertTrue(every.code() != 0 && every.err().contains("checkpoints every round"), every.err());
        Result resumed = run("--rounds", "2", "--checkpoint-dir", dir);
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("[dp-0.3] resuming after round 1 from its checkpoint\n"), resumed.out());
    }
}
