package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fl4j server} with a differentially private {@code --aggregator}: the authorized clients are
 * Poisson-sampled, the round lines release only what ε covers and their ε is {@code fl4j simulate}'s
 * for the same sampling rate, noise and rounds; what would change the sampling is refused.
 */
class PrivateServerCommandTest {

    private static final String[] DATA = {
        "--dataset", "synthetic", "--clients", "3", "--examples-per-client", "20", "--seed", "4"
    };

    @TempDir
    Path tmp;

    private static Object[] run(StringWriter out, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Fl4j.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Object[] {code, err.toString()};
    }

    private static List<String> epsilons(String out) {
        List<String> e = new ArrayList<>();
        Matcher m =
                Pattern.compile("(?m)^round  \\d+, .*(privacy/epsilon=[^,]+)").matcher(out);
        while (m.find()) {
            e.add(m.group(1));
        }
        return e;
    }

    @Test
    void aPrivateServerReleasesOnlyWhatEpsilonCoversAndAccountsAsSimulate() throws Exception {
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
                "dp-fixed:0.3:1.0",
                "--clients-per-round",
                "2",
                "--min-population",
                "3",
                "--rounds",
                "2",
                "--batch",
                "5",
                "--checkpoint-dir",
                tmp.resolve("ckpt").toString()));
        serverArgs.addAll(List.of(DATA));
        StringWriter serverOut = new StringWriter();
        CompletableFuture<Object[]> server =
                CompletableFuture.supplyAsync(() -> run(serverOut, serverArgs.toArray(String[]::new)));
        Matcher listening =
                Pattern.compile("listening on (127\\.0\\.0\\.1:\\d+)").matcher("");
        for (int i = 0; i < 600 && !listening.reset(serverOut.toString()).find(); i++) {
            assertTrue(!server.isDone(), () -> "server ended: " + serverOut + server.join()[1]);
            Thread.sleep(100);
        }
        List<CompletableFuture<Object[]>> clients = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            List<String> args = new ArrayList<>(List.of(
                    "client",
                    "--server",
                    listening.group(1),
                    "--trust",
                    keys.resolve("ca.pem").toString(),
                    "--key",
                    keys.resolve("client-" + k + ".key").toString(),
                    "--client-index",
                    String.valueOf(k)));
            args.addAll(List.of(DATA));
            clients.add(CompletableFuture.supplyAsync(() -> run(new StringWriter(), args.toArray(String[]::new))));
        }
        Object[] s;
        try {
            s = server.get(100, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the server did not finish: " + serverOut, e);
        }
        String out = serverOut.toString();
        assertEquals(0, s[0], out + "\n" + s[1]);
        for (CompletableFuture<Object[]> c : clients) {
            assertEquals(0, c.get(60, TimeUnit.SECONDS)[0]);
        }
        assertTrue(
                out.contains("[dp-fixed-0.3-1.0] privacy: poisson sampling q=0.6666666666666666, noise multiplier 0.3"),
                out);
        assertTrue(out.contains("deployed: Poisson over the 3 authorized clients"), out);
        assertTrue(out.contains("each of the 3 authorized clients sampled with probability q=0.6666666666666666"), out);
        assertTrue(out.contains("rejected messages: not released"), out);
        for (String line : out.lines().filter(l -> l.startsWith("round  ")).toList()) {
            assertFalse(
                    line.contains("loss=") && !line.contains("_loss=")
                            || line.contains("bits=")
                            || line.contains("clients="),
                    line);
        }

        assertEquals(
                2L,
                dev.fl4j.simulation.checkpoint.PrivacyLedgerFile.in(new dev.fl4j.simulation.checkpoint.CheckpointStore(
                                tmp.resolve("ckpt").resolve("dp-fixed-0.3-1.0")))
                        .spent(),
                "both rounds recorded in the privacy ledger next to the run's checkpoints");

        List<String> simulate = new ArrayList<>(List.of(
                "simulate",
                "--no-progress",
                "--aggregator",
                "dp-fixed:0.3:1.0",
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
    void aPrivateServerNeedsAuthorizedKeysAndRefusesOverSelection() throws Exception {
        Object[] noKeys = run(
                new StringWriter(),
                "server",
                "--insecure",
                "--aggregator",
                "dp-fixed:0.3:1.0",
                "--dataset",
                "synthetic");
        assertEquals(2, noKeys[0]);
        assertTrue(((String) noKeys[1]).contains("needs --authorized-keys"), (String) noKeys[1]);

        Path keys = tmp.resolve("keys");
        assertEquals(0, run(new StringWriter(), "keys", "--out", keys.toString(), "--clients", "3")[0]);
        String authorized = keys.resolve("authorized_keys").toString();
        Object[] over = run(
                new StringWriter(),
                "server",
                "--insecure",
                "--authorized-keys",
                authorized,
                "--aggregator",
                "dp-fixed:0.3:1.0",
                "--clients-per-round",
                "2",
                "--over-selection",
                "0.5",
                "--dataset",
                "synthetic");
        assertEquals(2, over[0]);
        assertTrue(
                ((String) over[1])
                        .contains("--over-selection 0.5 and the differentially private --aggregator dp-fixed:0.3:1.0"
                                + " conflict"),
                (String) over[1]);
        Object[] tooMany = run(
                new StringWriter(),
                "server",
                "--insecure",
                "--authorized-keys",
                authorized,
                "--aggregator",
                "dp-fixed:0.3:1.0",
                "--clients-per-round",
                "5",
                "--dataset",
                "synthetic");
        assertEquals(2, tooMany[0]);
        assertTrue(
                ((String) tooMany[1]).contains("--clients-per-round 5 is more than the 3 authorized clients"),
                (String) tooMany[1]);
    }
}
