package dev.fl4j.simulation.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.learning.model.ModelWeights;
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

/** Kills a real training process (SIGKILL) mid-run, starts it again with the same arguments, and compares. */
class KilledRunResumeTest {

    static final int ROUNDS = 8;

    @TempDir
    Path tmp;

    private static Process start(Path dir, Path out, long pause) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ResumeChild.class.getName(),
                dir.toString(),
                String.valueOf(ROUNDS),
                out.toString(),
                String.valueOf(pause)));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    @Test
    void killedAndRestartedRunEndsWithTheUninterruptedModel() throws Exception {
        Path dir = tmp.resolve("ckpt");
        Path out = tmp.resolve("model.fl4v");
        Process first = start(dir, out, 400);
        int lastSaved = -1;
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("saved ")) {
                    lastSaved = Integer.parseInt(line.substring(6));
                    if (lastSaved == 3) {
                        first.destroyForcibly();
                        break;
                    }
                }
            }
        }
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertEquals(3, lastSaved, "the child was killed after saving round 3");
        assertTrue(Files.notExists(out), "the killed child did not finish");

        Process second = start(dir, out, 0);
        String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(second.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue(), output);
        int resumedFrom = Integer.parseInt(output.lines()
                .filter(l -> l.startsWith("resumed from "))
                .findFirst()
                .orElseThrow()
                .substring(13));
        assertTrue(resumedFrom >= 3 && resumedFrom < ROUNDS, "resumed from round " + resumedFrom + ": " + output);

        ModelWeights resumed = ModelWeights.fromStruct(ValueCodec.decode(Files.readAllBytes(out)));
        ModelWeights straight = SmallRun.loop(ROUNDS, 11, 0.2, 1).build().run().model();
        assertEquals(straight, resumed, "bitwise the same model as a run never interrupted");
    }
}
