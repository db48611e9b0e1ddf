package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * {@code fl4j server --algorithm fedrecon:…} with three {@code fl4j client}s that rebuild the
 * reconstruct-then-train work from its descriptor: every client every round, so the round lines' training and
 * reconstructing evaluation figures are {@code fl4j simulate}'s over the same data and seed.
 */
class FedReconServerCommandTest {

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

    /** Each round line's training and evaluation figures, without what only one of the commands prints. */
    private static List<String> figures(String out) {
        List<String> rounds = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^round +(\\d+), (.*)$").matcher(out);
        while (m.find()) {
            List<String> kept = new ArrayList<>();
            for (String part : m.group(2).split(", ")) {
                if (part.startsWith("loss=") || part.startsWith("accuracy=") || part.startsWith("federated_eval_")) {
                    kept.add(part);
                }
            }
            rounds.add(m.group(1) + ": " + String.join(", ", kept));
        }
        return rounds;
    }

    @Test
    void aDeployedFedReconRunPrintsSimulatesRounds() throws Exception {
        Path model = tmp.resolve("mlp.json");
        ModelSpecSimulateTest.mlp().write(model);
        String[] data = {
            "--dataset",
            "synthetic",
            "--clients",
            "3",
            "--examples-per-client",
            "20",
            "--seed",
            "4",
            "--model",
            model.toString()
        };
        List<String> common = List.of(
                "--algorithm", "fedrecon:last:2:0.2", "--clients-per-round", "3", "--rounds", "2", "--batch", "5");
        List<String> serverArgs = new ArrayList<>(List.of("server", "--insecure", "--min-population", "3"));
        serverArgs.addAll(common);
        serverArgs.addAll(List.of(data));
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
                    "client", "--server", listening.group(1), "--insecure", "--client-index", String.valueOf(k)));
            args.addAll(List.of(data));
            clients.add(CompletableFuture.supplyAsync(() -> run(new StringWriter(), args.toArray(String[]::new))));
        }
        Object[] s = server.get(180, TimeUnit.SECONDS);
        String out = serverOut.toString();
        assertEquals(0, s[0], out + "\n" + s[1]);
        for (CompletableFuture<Object[]> c : clients) {
            Object[] r = c.get(60, TimeUnit.SECONDS);
            assertEquals(0, r[0], (String) r[1]);
        }
        assertTrue(Pattern.compile("(?m)^round  2, .*clients=3/3").matcher(out).find(), out);

        List<String> simulate = new ArrayList<>(List.of("simulate", "--no-progress"));
        simulate.addAll(common);
        simulate.addAll(List.of(data));
        StringWriter simOut = new StringWriter();
        Object[] sim = run(simOut, simulate.toArray(String[]::new));
        assertEquals(0, sim[0], simOut + "\n" + sim[1]);
        List<String> served = figures(out);
        assertEquals(3, served.size(), "rounds 0 to 2: " + out);
        assertTrue(served.get(2).contains("loss=") && served.get(2).contains("federated_eval_"), served.get(2));
        assertEquals(figures(simOut.toString()), served, "the server's rounds are simulate's");
    }
}
