package dev.fl4j.cli;

import static dev.fl4j.cli.CommandRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        String out = CommandRuns.serve(
                        serverArgs,
                        3,
                        (address, k) -> DeployCommandsTest.withData(
                                DATA,
                                "client",
                                "--server",
                                address,
                                "--trust",
                                keys.resolve("ca.pem").toString(),
                                "--key",
                                keys.resolve("client-" + k + ".key").toString(),
                                "--client-index",
                                String.valueOf(k)),
                        Duration.ofSeconds(100))
                .server();
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
