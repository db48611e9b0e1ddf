package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.FedRecon;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.simulation.training.TrainingResult;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fl4j simulate --algorithm fedrecon:LOCAL[:RECON_EPOCHS[:RECON_LR]]}: the command's rounds, training and
 * reconstructing evaluation, are bitwise those of the Java API ({@link FedRecon} in a {@link TrainingLoop} with
 * {@link ModelEvaluation#builder}'s reconstruction) on the same data and seed; options FedRecon cannot honour are
 * refused by name.
 */
class FedReconSimulateTest {

    @TempDir
    Path tmp;

    private static String[] run(Path model, String... more) {
        return ApiRuns.args(model, more);
    }

    private Path mlp() throws Exception {
        Path f = tmp.resolve("mlp.json");
        ModelSpecSimulateTest.mlp().write(f);
        return f;
    }

    @Test
    void commandRoundsAreTheJavaApisBitForBit() throws Exception {
        Path model = mlp();
        Path jsonl = tmp.resolve("recon.jsonl");
        SimulateCommandTest.Result r = SimulateCommandTest.run(
                run(model, "--rounds", "2", "--algorithm", "fedrecon:last:2:0.2", "--jsonl", jsonl.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        String header = r.lines().stream()
                .filter(l -> l.startsWith("model "))
                .findFirst()
                .orElseThrow();
        assertTrue(
                header.contains("algorithm fedrecon:last:2:0.2 (client SGD 0.05, server lr 1.0, 1 epoch, local weights"
                        + " last reconstructed by SGD 0.2 for 2 epochs each round and never sent)"),
                header);

        ModelSpec spec = ModelSpecSimulateTest.mlp();
        FedRecon.Builder recon = FedRecon.builder(spec, Set.of("dense_1/kernel", "dense_1/bias"))
                .setClientOptimizer(Sgd.of(0.05f))
                .optReconstructionOptimizer(Sgd.of(0.2f))
                .optReconstructionEpochs(2)
                .optSeed(ApiRuns.SEED);
        LearningProcess process = recon.build();
        Map<String, Double> plain = new TreeMap<>();
        TrainingResult api = ApiRuns.run(model, process, recon.buildEvaluation(), 2, (data, prep) -> {
            try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(1).build()) {
                // the server's initial model evaluated without reconstruction (its local weights are never trained)
                plain.putAll(ApiRuns.evaluation(data, spec, prep, null)
                        .evaluate(runtime, process.getModelWeights(process.initialize(runtime))));
            }
        });
        ApiRuns.assertSameRounds(jsonl, api, 2);
        Map<String, Double> initial = api.history().get(0).metrics();
        String loss = plain.keySet().stream()
                .filter(k -> k.endsWith("/loss"))
                .findFirst()
                .orElseThrow();
        assertNotEquals(plain.get(loss), initial.get(loss), loss + ": reconstruction changes the evaluation");
    }

    @Test
    void optionsFedReconCannotHonourAreRefusedByName() throws Exception {
        Path model = mlp();
        assertError(
                SimulateCommandTest.run(run(model, "--rounds", "1", "--algorithm", "fedrecon:dense_9/kernel")),
                "FedRecon's LOCAL names 'dense_9/kernel', not a trainable weight of model 'synthetic_mlp'; its"
                        + " trainable weights: dense/kernel, dense/bias, dense_1/kernel, dense_1/bias");
        assertError(
                SimulateCommandTest.run(run(model, "--rounds", "1", "--algorithm", "fedrecon:last:0")),
                "FedRecon's RECON_EPOCHS must be >= 1, got '0'");
        assertError(
                SimulateCommandTest.run(run(model, "--rounds", "1", "--algorithm", "fedrecon:last:1:-1")),
                "FedRecon's RECON_LR must be finite and > 0, got '-1'");
        assertError(
                SimulateCommandTest.run(run(
                        model,
                        "--rounds",
                        "1",
                        "--algorithm",
                        "fedrecon:dense/kernel+dense/bias+dense_1/kernel+dense_1/bias")),
                "every trainable weight of model 'synthetic_mlp' is local");
        assertError(
                SimulateCommandTest.run(run(
                        model,
                        "--rounds",
                        "1",
                        "--algorithm",
                        "fedrecon:last",
                        "--export",
                        tmp.resolve("x").toString())),
                "--export does not apply to --algorithm fedrecon:last:1:0.1: the local weights never reach the"
                        + " server");
        assertError(
                SimulateCommandTest.run(run(
                        model, "--rounds", "1", "--algorithm", "fedrecon:last", "--client-lr-schedule", "cosine:5")),
                "--client-lr-schedule is not supported by --algorithm fedrecon:last:1:0.1");
        assertError(
                SimulateCommandTest.run(
                        run(model, "--rounds", "1", "--algorithm", "fedrecon:last", "--client-weight-decay", "0.01")),
                "--client-weight-decay is not supported by --algorithm fedrecon:last:1:0.1");
        assertError(
                SimulateCommandTest.run(
                        run(model, "--rounds", "1", "--algorithm", "fedrecon:last", "--broadcast", "uniform8")),
                "--broadcast uniform8 does not apply to --algorithm fedrecon:last:1:0.1");
    }

    private static void assertError(SimulateCommandTest.Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }
}
