package dev.fl4j.cli;

import static dev.fl4j.cli.CommandRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fl4j server} and {@code fl4j client} from the command line: keys from {@code fl4j keys}, a TLS
 * server that prints where it listens and simulate-shaped round lines with the cohort, three clients
 * that train on their shards; and the settings they refuse.
 */
class DeployCommandsTest {

    @TempDir
    Path tmp;

    @Test
    void aTlsServerAndThreeClientsTrainFromTheCommandLine() throws Exception {
        Path keys = tmp.resolve("keys");
        assertEquals(0, run(new StringWriter(), "keys", "--out", keys.toString(), "--clients", "3")[0]);
        String[] data = {"--dataset", "synthetic", "--clients", "3", "--examples-per-client", "20", "--seed", "4"};
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
                "--clients-per-round",
                "2",
                "--min-population",
                "3",
                "--rounds",
                "2",
                "--batch",
                "5",
                "--export",
                tmp.resolve("served").toString()));
        serverArgs.addAll(List.of(data));
        CommandRuns.Served deployed = CommandRuns.serve(
                serverArgs,
                3,
                (address, k) -> withData(
                        data,
                        "client",
                        "--server",
                        address,
                        "--trust",
                        keys.resolve("ca.pem").toString(),
                        "--key",
                        keys.resolve("client-" + k + ".key").toString(),
                        "--client-index",
                        String.valueOf(k)),
                Duration.ofSeconds(180));
        String out = deployed.server();
        assertTrue(
                Pattern.compile("(?m)^round  1, loss=[0-9.]+, accuracy=[0-9.]+, broadcasted_bits=\\S+,"
                                + " aggregated_bits=\\S+, clients=2/2")
                        .matcher(out)
                        .find(),
                out);
        assertTrue(out.contains("round  2, "), out);
        assertTrue(out.contains("rejected messages: none"), out);
        int tasks = 0;
        for (String clientOut : deployed.clients()) {
            Matcher done = Pattern.compile("run finished: (\\d+) tasks done").matcher(clientOut);
            assertTrue(done.find(), clientOut);
            tasks += Integer.parseInt(done.group(1));
        }
        assertEquals(4, tasks, "two clients a round, two rounds");

        // the model the server exported, loaded with TensorFlow's SavedModel loader, scores what round 2 printed
        Path served = tmp.resolve("served");
        assertTrue(out.contains("model: " + served + " (TensorFlow SavedModel"), out);
        List<String> evaluate = new ArrayList<>(
                List.of("evaluate", "--model", served.toString(), "--batch", "5", "--eval-clients", "0"));
        evaluate.addAll(List.of(data));
        StringWriter evalOut = new StringWriter();
        Object[] e = run(evalOut, evaluate.toArray(String[]::new));
        assertEquals(0, e[0], evalOut + "\n" + e[1]);
        Matcher acc = Pattern.compile("federated_eval_accuracy=[0-9.]+").matcher(evalOut.toString());
        assertTrue(acc.find(), evalOut.toString());
        String round2 =
                out.lines().filter(l -> l.startsWith("round  2, ")).findFirst().orElseThrow();
        assertTrue(round2.contains(acc.group()), round2 + " vs " + evalOut);
    }

    /**
     * Runs {@code fl4j server} with {@code serverArgs} and three plaintext {@code fl4j client}s on the
     * synthetic data of {@code data}; returns the server's output after checking every command ended with 0.
     */
    private static String serverWithThreeClients(List<String> serverArgs, String[] data) throws Exception {
        return CommandRuns.serve(
                        serverArgs,
                        3,
                        (address, k) -> withData(
                                data, "client", "--server", address, "--insecure", "--client-index", String.valueOf(k)),
                        Duration.ofSeconds(180))
                .server();
    }

    /** {@code args} followed by the data options. */
    static List<String> withData(String[] data, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(data));
        return all;
    }

    @Test
    void theServerWritesSimulatesOutputsAndResumesFromItsCheckpointDir() throws Exception {
        String[] data = {"--dataset", "synthetic", "--clients", "3", "--examples-per-client", "20", "--seed", "4"};
        Path checkpoints = tmp.resolve("ckpt");
        Path csv = tmp.resolve("metrics.csv");
        Path plot = tmp.resolve("chart.png");
        List<String> args = new ArrayList<>(List.of(
                "server",
                "--insecure",
                "--clients-per-round",
                "3",
                "--batch",
                "5",
                "--checkpoint-dir",
                checkpoints.toString(),
                "--csv",
                csv.toString(),
                "--plot",
                plot.toString()));
        args.addAll(List.of(data));
        List<String> first = new ArrayList<>(args);
        first.addAll(List.of("--rounds", "1"));
        String out1 = serverWithThreeClients(first, data);
        assertTrue(out1.contains("round  1, "), out1);
        assertTrue(out1.contains("chart: " + plot), out1);
        assertTrue(Files.size(plot) > 0, "the chart is drawn");
        assertTrue(
                Files.exists(checkpoints.resolve("server.db")), "the server's SQLite state is in the checkpoint dir");

        List<String> second = new ArrayList<>(args);
        second.addAll(List.of("--rounds", "2"));
        String out2 = serverWithThreeClients(second, data);
        assertTrue(out2.contains("[mean] resuming after round 1 from its checkpoint"), out2);
        assertFalse(out2.contains("round  1, "), "round 1 is not run again: " + out2);
        assertTrue(out2.contains("round  2, "), out2);
        List<String> rows =
                Files.readAllLines(csv).stream().filter(l -> !l.startsWith("#")).toList();
        assertEquals(4, rows.size(), "header, rounds 0 and 1 (replayed from the checkpoint) and round 2: " + rows);
        assertTrue(rows.get(2).startsWith("1,") && rows.get(3).startsWith("2,"), rows.toString());
        try (dev.fl4j.deploy.server.ServerStore store =
                dev.fl4j.deploy.server.ServerStore.open(checkpoints.resolve("server.db"))) {
            assertEquals(List.of("completed"), store.outcomes(1));
            assertEquals(List.of("completed"), store.outcomes(2));
            assertEquals(3, store.participants(2).size());
        }
    }

    /** A delta broadcast from the command line: the clients hold their copies, the second round sends the change. */
    @Test
    void aDeltaBroadcastServerSendsTheChangeOnceEveryClientHoldsTheModel() throws Exception {
        String[] data = {"--dataset", "synthetic", "--clients", "3", "--examples-per-client", "20", "--seed", "4"};
        Path csv = tmp.resolve("delta.csv");
        List<String> args = new ArrayList<>(List.of(
                "server",
                "--insecure",
                "--clients-per-round",
                "3",
                "--broadcast",
                "delta:drive@0",
                "--batch",
                "5",
                "--rounds",
                "2",
                "--csv",
                csv.toString()));
        args.addAll(List.of(data));
        String out = serverWithThreeClients(args, data);
        assertTrue(out.contains("round  2, "), out);
        List<String> rows =
                Files.readAllLines(csv).stream().filter(l -> !l.startsWith("#")).toList();
        List<String> header = List.of(rows.get(0).split(","));
        int full = -1;
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).endsWith("full_model")) {
                full = i;
            }
        }
        assertTrue(full >= 0, "a full_model column: " + header);
        assertEquals(1.0, Double.parseDouble(rows.get(rows.size() - 2).split(",")[full]), "round 1: the full model");
        assertEquals(0.0, Double.parseDouble(rows.get(rows.size() - 1).split(",")[full]), "round 2: the change");
    }

    @Test
    void anOverSelectingServerCompletesEachRoundWithTheFirstResultsAndLogsWhoCounted() throws Exception {
        String[] data = {"--dataset", "synthetic", "--clients", "3", "--examples-per-client", "20", "--seed", "4"};
        Path checkpoints = tmp.resolve("over");
        List<String> args = new ArrayList<>(List.of(
                "server",
                "--insecure",
                "--clients-per-round",
                "2",
                "--over-selection",
                "0.5",
                "--result-buffer-mb",
                "1",
                "--poll-timeout",
                "2.5",
                "--service-threads",
                "3",
                "--min-population",
                "3",
                "--batch",
                "5",
                "--rounds",
                "1",
                "--checkpoint-dir",
                checkpoints.toString()));
        args.addAll(List.of(data));
        String out = serverWithThreeClients(args, data);
        assertTrue(out.contains("2 clients per round of 3 selected (over-selection 0.5)"), out);
        assertTrue(out.contains("pulls held up to 2.5s, 3 service threads"), out);
        assertTrue(Pattern.compile("round  1, .*clients=2/3").matcher(out).find(), out);
        try (dev.fl4j.deploy.server.ServerStore store =
                dev.fl4j.deploy.server.ServerStore.open(checkpoints.resolve("server.db"))) {
            assertEquals(List.of("over-selected", "completed"), store.outcomes(1));
            assertEquals(2, store.participants(1).size());
        }
    }

    /**
     * A model-spec file, client and server optimizers with weight decay and {@code --init} from a simulate
     * checkpoint work on {@code fl4j server} as on simulate; the clients name the same file (for their batches)
     * and rebuild the model from the spec the server's tasks carry.
     */
    @Test
    void aSpecFileModelOptimizersAndInitTrainOnTheServer() throws Exception {
        Path spec = tmp.resolve("mlp.json");
        ModelSpecSimulateTest.mlp().write(spec);
        String[] data = {"--dataset", "synthetic", "--clients", "2", "--examples-per-client", "20", "--seed", "4"};
        List<String> simulate = new ArrayList<>(List.of(
                "simulate",
                "--no-progress",
                "--model",
                spec.toString(),
                "--clients-per-round",
                "2",
                "--rounds",
                "1",
                "--batch",
                "5",
                "--checkpoint-dir",
                tmp.resolve("ckpt").toString()));
        simulate.addAll(List.of(data));
        Object[] sim = run(new StringWriter(), simulate.toArray(String[]::new));
        assertEquals(0, sim[0], (String) sim[1]);
        List<String> serverArgs = new ArrayList<>(List.of(
                "server",
                "--insecure",
                "--port",
                "0",
                "--clients-per-round",
                "2",
                "--min-population",
                "2",
                "--rounds",
                "1",
                "--batch",
                "5",
                "--model",
                spec.toString(),
                "--client-optimizer",
                "sgdm:0.9",
                "--client-weight-decay",
                "0.001",
                "--server-optimizer",
                "adam",
                "--server-weight-decay",
                "0.0001",
                "--init",
                tmp.resolve("ckpt").resolve("mean").toString()));
        serverArgs.addAll(List.of(data));
        String out = CommandRuns.serve(
                        serverArgs,
                        2,
                        (address, k) -> withData(
                                data,
                                "client",
                                "--server",
                                address,
                                "--insecure",
                                "--client-index",
                                String.valueOf(k),
                                "--model",
                                spec.toString()),
                        Duration.ofSeconds(180))
                .server();
        assertTrue(out.contains("initial weights from " + tmp.resolve("ckpt").resolve("mean")), out);
        assertTrue(out.contains("model " + spec + " (1,146 parameters)"), out);
        assertTrue(out.contains("client sgdm:0.9 0.02, weight decay 0.001, server adam lr 0.01"), out);
        assertTrue(
                Pattern.compile("(?m)^round  1, loss=[0-9.]+, accuracy=[0-9.]+, .*clients=2/2")
                        .matcher(out)
                        .find(),
                out);
    }

    @Test
    void theServerRefusesPlaintextOffLoopbackAndTlsWithoutKeys() {
        Object[] offLoopback =
                run(new StringWriter(), "server", "--insecure", "--host", "0.0.0.0", "--dataset", "synthetic");
        assertEquals(2, offLoopback[0]);
        assertTrue(((String) offLoopback[1]).contains("only on a loopback address"), (String) offLoopback[1]);
        Object[] noTls = run(new StringWriter(), "server", "--dataset", "synthetic");
        assertEquals(2, noTls[0]);
        assertTrue(((String) noTls[1]).contains("--authorized-keys"), (String) noTls[1]);
        Object[] twoAggregators = run(
                new StringWriter(), "server", "--insecure", "--aggregator", "mean,robust", "--dataset", "synthetic");
        assertEquals(2, twoAggregators[0]);
        assertTrue(((String) twoAggregators[1]).contains("one aggregator"), (String) twoAggregators[1]);
        Object[] overSelection =
                run(new StringWriter(), "server", "--insecure", "--over-selection", "-0.5", "--dataset", "synthetic");
        assertEquals(2, overSelection[0]);
        assertTrue(((String) overSelection[1]).contains("--over-selection must be a fraction in [0, 9.0]"), (String)
                overSelection[1]);
        for (String poll : List.of("0", "-1", "50.5", "NaN")) {
            Object[] r =
                    run(new StringWriter(), "server", "--insecure", "--poll-timeout", poll, "--dataset", "synthetic");
            assertEquals(2, r[0], poll);
            assertTrue(((String) r[1]).contains("--poll-timeout must be in (0, 50] seconds"), (String) r[1]);
        }
        Object[] threads =
                run(new StringWriter(), "server", "--insecure", "--service-threads", "0", "--dataset", "synthetic");
        assertEquals(2, threads[0]);
        assertTrue(((String) threads[1]).contains("--service-threads must be at least 1, got 0"), (String) threads[1]);
    }

    @Test
    void theClientNeedsTrustOrInsecure() {
        Object[] r = run(new StringWriter(), "client", "--server", "127.0.0.1:1", "--client-index", "0");
        assertEquals(2, r[0]);
        assertTrue(((String) r[1]).contains("--trust"), (String) r[1]);
    }
}
