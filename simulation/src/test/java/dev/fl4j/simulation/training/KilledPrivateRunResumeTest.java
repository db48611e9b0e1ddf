package dev.fl4j.simulation.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.PrivacyLedgerFile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a differentially private training process (SIGKILL) after round 4's noised result was
 * released but before round 4 was checkpointed, starts it again, and checks the resumed run counts
 * both releases of round 4: 8 rounds cost 9 noised releases, and ε is reported for 9.
 */
class KilledPrivateRunResumeTest {

    static final int ROUNDS = 8;

    @TempDir
    Path tmp;

    private static Process start(Path dir, int holdRound) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                PrivateResumeChild.class.getName(),
                dir.toString(),
                String.valueOf(ROUNDS),
                String.valueOf(holdRound)));
        return new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static String value(String output, String prefix) {
        return output.lines()
                .filter(l -> l.startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' in " + output))
                .substring(prefix.length());
    }

    @Test
    void aRoundReleasedBeforeTheKillIsSpentAgainWhenTheResumedRunRepeatsIt() throws Exception {
        Path dir = tmp.resolve("ckpt");
        Process first = start(dir, 4);
        boolean released = false;
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals("released 4")) {
                    released = true;
                    first.destroyForcibly();
                    break;
                }
            }
        }
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertTrue(released, "the child released round 4 before it was killed");
        assertEquals(
                "fl4j.privacy_ledger 1\nspent=4\n",
                Files.readString(dir.resolve(PrivacyLedgerFile.FILE_NAME)),
                "round 4 was recorded as spent before its result left the aggregator");
        List<Path> checkpoints = new CheckpointStore(dir).list();
        assertEquals(
                new CheckpointStore(dir).fileFor(3),
                checkpoints.get(checkpoints.size() - 1),
                "round 4 was never checkpointed");

        Process second = start(dir, -1);
        String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(second.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue(), output);
        assertEquals(3, Integer.parseInt(value(output, "resumed from ")), output);
        assertEquals(
                ROUNDS + 1,
                Long.parseLong(value(output, "spent rounds ")),
                "round 4 ran twice with fresh noise: both count");
        assertEquals(
                SmallRun.dp(1e-5, Double.POSITIVE_INFINITY)
                        .epsilonAfter(ROUNDS + 1)
                        .epsilon(),
                Double.parseDouble(value(output, "epsilon ")));
        assertEquals(
                "fl4j.privacy_ledger 1\nspent=" + (ROUNDS + 1) + "\n",
                Files.readString(dir.resolve(PrivacyLedgerFile.FILE_NAME)));
    }
}
