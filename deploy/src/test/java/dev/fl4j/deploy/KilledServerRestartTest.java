package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.server.ServerStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server runs in a JVM of its own and is killed with SIGKILL in the middle of the run (round 2
 * under way, its tasks handed out), with three client JVMs working for it. Started again on the same
 * port from its checkpoint directory and SQLite database, it resumes after the last checkpointed
 * round; the clients, which were never told anything, reconnect on their own, and the run ends with
 * bitwise the model of an uninterrupted run over the same clients (the local runtime's), each round
 * recorded as completed once.
 */
class KilledServerRestartTest {

    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts the server JVM; its output lines go to {@code lines}. */
    private Process server(int port, BlockingQueue<String> lines) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                ServerProcessMain.class.getName(),
                String.valueOf(port),
                dir.toString(),
                String.valueOf(ROUNDS)));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the process was killed
            }
            lines.add("<eof>");
        });
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /** Waits for a line starting with {@code prefix}; returns it. */
    private static String await(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        while (true) {
            String line = lines.poll(120, TimeUnit.SECONDS);
            assertTrue(line != null && !line.equals("<eof>"), "waiting for '" + prefix + "', saw " + seen);
            seen.add(line);
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    @Test
    void aServerKilledMidRunRestartsFromItsStateAndEndsWithTheUninterruptedModel() throws Exception {
        int port = freePort();
        String target = "127.0.0.1:" + port;
        List<Process> clients = new ArrayList<>();
        Process first = null;
        Process second = null;
        try {
            BlockingQueue<String> firstLines = new LinkedBlockingQueue<>();
            first = server(port, firstLines);
            await(firstLines, "listening on " + port);
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                clients.add(DeployFixture.clientProcess(target, k, "normal"));
            }
            await(firstLines, "checkpoint 1");
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye to the clients
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            assertTrue(!Files.exists(dir.resolve("final-model.bin")), "the first server did not finish the run");

            BlockingQueue<String> secondLines = new LinkedBlockingQueue<>();
            second = server(port, secondLines);
            // killed while round 2 ran; had it finished in the moment before the kill, the resume is after it
            int resumedAfter = Integer.parseInt(
                    await(secondLines, "resumed after round ").substring("resumed after round ".length()));
            assertTrue(resumedAfter >= 1 && resumedAfter < ROUNDS, "resumed after round " + resumedAfter);
            await(secondLines, "finished " + ROUNDS);
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, second.exitValue());
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(DeployFixture.CLIENTS, ROUNDS)),
                    Files.readAllBytes(dir.resolve("final-model.bin")),
                    "the restarted run ends with the uninterrupted run's model");
            for (Process c : clients) {
                assertTrue(c.waitFor(60, TimeUnit.SECONDS), "a client exits once the restarted server finishes");
                assertEquals(0, c.exitValue());
            }
        } finally {
            for (Process p : clients) {
                p.destroyForcibly();
            }
            if (first != null) {
                first.destroyForcibly();
            }
            if (second != null) {
                second.destroyForcibly();
            }
        }
        try (ServerStore store = ServerStore.open(dir.resolve("server.db"))) {
            for (int round = 1; round <= ROUNDS; round++) {
                assertEquals(List.of("completed"), store.outcomes(round), "round " + round);
                assertEquals(DeployFixture.data().clientIds(), store.participants(round), "round " + round);
            }
        }
    }
}
