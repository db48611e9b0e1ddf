package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.learning.algorithms.MimeLite;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.simulation.training.TrainingResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fl4j simulate --algorithm mime-lite --client-optimizer adam}: Mime Lite with Adam as base optimizer, its
 * rounds bitwise those of {@link MimeLite} with {@link Adam} in a {@code TrainingLoop} on the same data and seed;
 * the options it cannot take are refused by name.
 */
class MimeLiteAdamSimulateTest {

    @TempDir
    Path tmp;

    private Path mlp() throws Exception {
        Path f = tmp.resolve("mlp.json");
        ModelSpecSimulateTest.mlp().write(f);
        return f;
    }

    @Test
    void commandRoundsAreTheJavaApisBitForBit() throws Exception {
        Path model = mlp();
        Path jsonl = tmp.resolve("mime.jsonl");
        SimulateCommandTest.Result r = SimulateCommandTest.run(ApiRuns.args(
                model,
                "--rounds",
                "2",
                "--algorithm",
                "mime-lite",
                "--client-optimizer",
                "adam",
                "--jsonl",
                jsonl.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        String header = r.lines().stream()
                .filter(l -> l.startsWith("model "))
                .findFirst()
                .orElseThrow();
        assertTrue(
                header.contains("algorithm mime-lite (client adam 0.05, server lr 1.0, 1 epoch, base optimizer state"
                        + " kept by the server and applied on clients)"),
                header);
        TrainingResult api = ApiRuns.run(
                model,
                MimeLite.builder(ModelSpecSimulateTest.mlp())
                        .setClientOptimizer(Adam.of(0.05f))
                        .optSeed(ApiRuns.SEED)
                        .build(),
                null,
                2,
                null);
        ApiRuns.assertSameRounds(jsonl, api, 2);
    }

    @Test
    void optionsMimeLiteCannotTakeAreRefusedByName() throws Exception {
        Path model = mlp();
        assertError(
                SimulateCommandTest.run(ApiRuns.args(
                        model, "--rounds", "1", "--algorithm", "mime-lite", "--client-optimizer", "nesterov:0.9")),
                "--client-optimizer nesterov:0.9 does not apply to --algorithm mime-lite: Mime Lite applies the"
                        + " server's heavy-ball momentum on the clients, not Nesterov's");
        assertError(
                SimulateCommandTest.run(ApiRuns.args(
                        model,
                        "--rounds",
                        "1",
                        "--algorithm",
                        "mime-lite",
                        "--client-optimizer",
                        "adam",
                        "--client-weight-decay",
                        "0.01")),
                "--client-weight-decay is not supported by --algorithm mime-lite");
        assertError(
                SimulateCommandTest.run(ApiRuns.args(
                        model, "--rounds", "1", "--algorithm", "mime-lite:0.9", "--client-optimizer", "adam")),
                "for another base optimizer use --algorithm mime-lite --client-optimizer adam");
    }

    private static void assertError(SimulateCommandTest.Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }
}
