package dev.fl4j.cli;

import static dev.fl4j.cli.CommandRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * {@code fl4j server --algorithm fedrecon:…} with three {@code fl4j client}s that rebuild the
 * reconstruct-then-train work from its descriptor: every client every round, so the round lines' training and
 * reconstructing evaluation figures are {@code fl4j simulate}'s over the same data and seed.
 */
class FedReconServerCommandTest {

    @TempDir
    Path tmp;

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
        String out = CommandRuns.serve(
                        serverArgs,
                        3,
                        (address, k) -> DeployCommandsTest.withData(
                                data, "client", "--server", address, "--insecure", "--client-index", String.valueOf(k)),
                        Duration.ofSeconds(180))
                .server();
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
