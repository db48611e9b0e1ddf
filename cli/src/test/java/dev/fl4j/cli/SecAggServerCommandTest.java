package dev.fl4j.cli;

import static dev.fl4j.cli.CommandRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code fl4j server --secure-aggregation secagg+:3} with three {@code fl4j client}s, one of them a JVM of its
 * own: the secure core's sums run as SecAgg+ with the clients, and the rounds train as with the plain
 * modular sum (the second round's training loss, which depends on the first round's aggregate, is the same).
 */
class SecAggServerCommandTest {

    private static final String[] DATA = {
        "--dataset", "synthetic", "--clients", "3", "--examples-per-client", "20", "--seed", "4"
    };

    /** Runs the server with {@code extra} options and three plaintext clients, client 2 in its own JVM. */
    private static String serve(String... extra) throws Exception {
        List<String> serverArgs = new ArrayList<>(List.of(
                "server",
                "--insecure",
                "--port",
                "0",
                "--clients-per-round",
                "3",
                "--rounds",
                "2",
                "--batch",
                "5",
                "--aggregator",
                "non-finite+secure"));
        serverArgs.addAll(List.of(extra));
        serverArgs.addAll(List.of(DATA));
        CommandRuns.Server server = CommandRuns.Server.start(serverArgs);
        String address = server.address();
        List<CompletableFuture<Object[]>> clients = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            String[] args = DeployCommandsTest.withData(
                            DATA, "client", "--server", address, "--insecure", "--client-index", String.valueOf(k))
                    .toArray(String[]::new);
            clients.add(CompletableFuture.supplyAsync(() -> run(new StringWriter(), args)));
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                Fl4j.class.getName(),
                "client",
                "--server",
                address,
                "--insecure",
                "--client-index",
                "2"));
        cmd.addAll(List.of(DATA));
        Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<String> jvmOut = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        try {
            String out = server.awaitSuccess(Duration.ofSeconds(240));
            for (CompletableFuture<Object[]> c : clients) {
                Object[] r = c.get(60, TimeUnit.SECONDS);
                assertEquals(0, r[0], (String) r[1]);
            }
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the client JVM ends when the run has");
            assertEquals(0, jvm.exitValue(), jvmOut.get(10, TimeUnit.SECONDS));
            assertTrue(jvmOut.get(10, TimeUnit.SECONDS).contains("run finished: 2 tasks done"), jvmOut.get());
            return out;
        } finally {
            jvm.destroyForcibly();
        }
    }

    private static String round2Training(String out) {
        String line = out.lines()
                .filter(l -> l.startsWith("round  2, "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(out));
        Matcher m = Pattern.compile("loss=[0-9.]+, accuracy=[0-9.]+").matcher(line);
        assertTrue(m.find(), line);
        return m.group();
    }

    @Test
    @Timeout(600)
    void theSecureCoreRunsSecAggPlusWithTheClientsAndTrainsAsThePlainSum() throws Exception {
        String secure = serve("--secure-aggregation", "secagg+:3");
        assertTrue(secure.contains("secure aggregation: secagg+:3 with the clients over the network"), secure);
        assertTrue(secure.contains("rejected messages: none"), secure);
        String plain = serve();
        assertEquals(round2Training(plain), round2Training(secure), secure + "\n---\n" + plain);
    }

    @Test
    void overSelectionAndSecureAggregationConflict() {
        StringWriter out = new StringWriter();
        Object[] r = run(
                out,
                "server",
                "--insecure",
                "--over-selection",
                "0.3",
                "--secure-aggregation",
                "secagg+:3",
                "--aggregator",
                "non-finite+secure",
                "--dataset",
                "synthetic");
        assertEquals(2, r[0], out + "\n" + r[1]);
        assertTrue(
                ((String) r[1]).contains("--over-selection 0.3 and --secure-aggregation secagg+:3 conflict"),
                (String) r[1]);
    }
}
