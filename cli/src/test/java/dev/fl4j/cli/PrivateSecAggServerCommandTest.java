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
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fl4j server --aggregator dp-fixed:Z:CLIP:secure --secure-aggregation secagg+:3} with three {@code fl4j
 * client}s over TLS, one of them a JVM of its own: the Poisson-sampled clients' clipped updates are summed by SecAgg+
 * before the server adds the noise, and ε per round is {@code fl4j simulate}'s for the same aggregator, secure
 * aggregation, sampling rate and rounds; a DP aggregator whose sum is in the clear is refused with secure
 * aggregation, by the server and by simulate, and so are stages before the DP core on the server.
 */
class PrivateSecAggServerCommandTest {

    private static final String[] DATA = {
        "--dataset", "synthetic", "--clients", "3", "--examples-per-client", "20", "--seed", "4"
    };
    private static final String AGGREGATOR = "dp-fixed:0.3:1.0:secure";

    @TempDir
    Path tmp;

    private static List<String> epsilons(String out) {
        List<String> e = new ArrayList<>();
        Matcher m =
                Pattern.compile("(?m)^round  \\d+, .*(privacy/epsilon=[^,]+)").matcher(out);
        while (m.find()) {
            e.add(m.group(1));
        }
        return e;
    }

    private List<String> clientArgs(Path keys, String address, int k) {
        return DeployCommandsTest.withData(
                DATA,
                "client",
                "--server",
                address,
                "--trust",
                keys.resolve("ca.pem").toString(),
                "--key",
                keys.resolve("client-" + k + ".key").toString(),
                "--client-index",
                String.valueOf(k));
    }

    @Test
    @Timeout(400)
    void aPrivateServerSumsTheClippedUpdatesWithSecAggPlusAndAccountsAsSimulate() throws Exception {
        Path keys = tmp.resolve("keys");
        assertEquals(0, run(new StringWriter(), "keys", "--out", keys.toString(), "--clients", "3")[0]);
        List<String> serverArgs = new ArrayList<>(List.of(
                "server",
                "--port",
                "0",
                "--tls-cert",
                keys.resolve("server.pem").toString(),
                "--tls-key",
                keys.resolve("server.key").toString(),
                "--authorized-keys",
                keys.resolve("authorized_keys").toString(),
                "--aggregator",
                AGGREGATOR,
                "--secure-aggregation",
                "secagg+:3",
                "--clients-per-round",
                "2",
                "--min-population",
                "3",
                "--rounds",
                "2",
                "--batch",
                "5"));
        serverArgs.addAll(List.of(DATA));
        CommandRuns.Server server = CommandRuns.Server.start(serverArgs);
        List<CompletableFuture<Object[]>> clients = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            String[] args = clientArgs(keys, server.address(), k).toArray(String[]::new);
            clients.add(CompletableFuture.supplyAsync(() -> run(new StringWriter(), args)));
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                Fl4j.class.getName()));
        cmd.addAll(clientArgs(keys, server.address(), 2));
        Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<String> jvmOut = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out;
        try {
            out = server.awaitSuccess(Duration.ofSeconds(300));
            for (CompletableFuture<Object[]> c : clients) {
                Object[] r = c.get(60, TimeUnit.SECONDS);
                assertEquals(0, r[0], (String) r[1]);
            }
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the client JVM ends when the run has");
            assertEquals(0, jvm.exitValue(), jvmOut.get(10, TimeUnit.SECONDS));
        } finally {
            jvm.destroyForcibly();
        }
        assertTrue(out.contains("secure aggregation: secagg+:3 with the clients over the network"), out);
        assertTrue(
                out.contains("privacy: poisson sampling q=0.6666666666666666, noise multiplier 0.3")
                        && out.contains("clipped updates summed by a secure sum"),
                out);

        List<String> simulate = new ArrayList<>(List.of(
                "simulate",
                "--no-progress",
                "--aggregator",
                AGGREGATOR,
                "--secure-aggregation",
                "secagg+:3",
                "--clients-per-round",
                "2",
                "--rounds",
                "2"));
        simulate.addAll(List.of(DATA));

        StringWriter simOut = new StringWriter();
        Object[] sim = run(simOut, simulate.toArray(String[]::new));
        assertEquals(0, sim[0], simOut + "\n" + sim[1]);
        List<String> served = epsilons(out);
        assertEquals(2, served.size(), out);
        assertEquals(epsilons(simOut.toString()), served, "the same epsilon per round as simulate's");
    }

    @Test
    void aDpAggregatorSummingInTheClearIsRefusedWithSecureAggregation() throws Exception {
        Path keys = tmp.resolve("keys");
        assertEquals(0, run(new StringWriter(), "keys", "--out", keys.toString(), "--clients", "3")[0]);
        assertServerRefuses(
                keys,
                "dp-fixed:0.3:1.0",
                "its clipped updates are summed in the clear, so SecAgg+ would protect"
                        + " nothing; use dp-fixed:NOISE_MULTIPLIER:CLIP:secure");

        assertServerRefuses(
                keys,
                "zeroing:l2:5+" + AGGREGATOR,
                "the stages before the DP core (zeroing, non-finite) send each"
                        + " client's norm or flags to the server in the clear");

        StringWriter simOut = new StringWriter();
        Object[] sim = run(
                simOut,
                "simulate",
                "--no-progress",
                "--aggregator",
                "dp-fixed:0.3:1.0",
                "--secure-aggregation",
                "secagg+:3",
                "--clients-per-round",
                "2",
                "--rounds",
                "1",
                "--dataset",
                "synthetic",
                "--clients",
                "3",
                "--examples-per-client",
                "20");
        assertEquals(2, sim[0], simOut + "\n" + sim[1]);
        assertTrue(
                ((String) sim[1])
                        .contains("its clipped updates are summed in the clear, so SecAgg+ would protect" + " nothing"),
                (String) sim[1]);
    }

    /** {@code fl4j server --aggregator AGGREGATOR --secure-aggregation secagg+:3} exits 2 saying {@code message}. */
    private static void assertServerRefuses(Path keys, String aggregator, String message) {
        Object[] r = run(
                new StringWriter(),
                "server",
                "--insecure",
                "--authorized-keys",
                keys.resolve("authorized_keys").toString(),
                "--aggregator",
                aggregator,
                "--secure-aggregation",
                "secagg+:3",
                "--clients-per-round",
                "2",
                "--dataset",
                "synthetic",
                "--clients",
                "3");
        assertEquals(2, r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains(message), (String) r[1]);
    }
}
