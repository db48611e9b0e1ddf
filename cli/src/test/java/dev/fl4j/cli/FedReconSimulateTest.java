package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fl4j.cli.simulate.SimulationData;
import dev.fl4j.cli.spec.ModelChoice;
import dev.fl4j.learning.algorithms.FedRecon;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.simulation.checkpoint.RoundRecord;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    private String[] run(Path model, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "--dataset",
                "synthetic",
                "--clients",
                "6",
                "--clients-per-round",
                "4",
                "--model",
                model.toString(),
                "--examples-per-client",
                "20",
                "--batch",
                "5",
                "--client-lr",
                "0.05",
                "--seed",
                "7"));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
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
        TrainingResult api;
        try (SimulationData data = SimulationData.load("synthetic", null, 6, 20, 7, new StringBuilder())) {
            ModelChoice choice = ModelChoice.of(model.toString(), data);
            Preprocessing prep = Preprocessing.builder()
                    .setBatchSize(5)
                    .optExamplesCap(20)
                    .optBatchMap(choice.batchMap())
                    .build();
            FedRecon.Builder recon = FedRecon.builder(spec, Set.of("dense_1/kernel", "dense_1/bias"))
                    .setClientOptimizer(Sgd.of(0.05f))
                    .optReconstructionOptimizer(Sgd.of(0.2f))
                    .optReconstructionEpochs(2)
                    .optSeed(7);
            ModelEvaluation.Builder evaluation =
                    ModelEvaluation.builder(spec, prep).optReconstruction(recon.buildEvaluation());
            if (data.centralTest() != null) {
                evaluation.optCentralTest(data.centralTest());
            }
            if (data.testClients() != null) {
                evaluation.optFederatedTest(data.testClients(), 0, 7);
            }
            api = TrainingLoop.builder()
                    .setProcess(recon.build())
                    .setTrainingData(data.train())
                    .setClientsPerRound(4)
                    .setRounds(2)
                    .setPreprocessing(prep)
                    .optSeed(7)
                    .optWorkers(2)
                    .optEvaluation(evaluation.build(), 1)
                    .build()
                    .run();

            // the reconstructing evaluation is not the plain one of the server's model (its local weights are the
            // never-trained initial ones)
            ModelEvaluation.Builder plain = ModelEvaluation.builder(spec, prep);
            if (data.testClients() != null) {
                plain.optFederatedTest(data.testClients(), 0, 7);
            }
            if (data.centralTest() != null) {
                plain.optCentralTest(data.centralTest());
            }
            try (var runtime =
                    dev.fl4j.core.runtime.LocalRuntime.builder().optWorkers(1).build()) {
                Map<String, Double> plainMetrics = plain.build().evaluate(runtime, api.model());
                Map<String, Double> last =
                        api.history().get(api.history().size() - 1).metrics();
                String loss = plainMetrics.keySet().stream()
                        .filter(k -> k.endsWith("/loss"))
                        .findFirst()
                        .orElseThrow();
                assertNotEquals(plainMetrics.get(loss), last.get(loss), loss);
            }
        }

        List<String> lines = Files.readAllLines(jsonl);
        ObjectMapper json = new ObjectMapper();
        int compared = 0;
        for (String line : lines) {
            JsonNode n = json.readTree(line);
            if (!n.has("round")) {
                continue;
            }
            RoundRecord record = api.history().get(n.get("round").asInt());
            assertEquals(n.get("round").asInt(), record.round());
            Map<String, Double> fromCommand = comparable(n.get("metrics"));
            Map<String, Double> fromApi = new TreeMap<>();
            record.metrics().forEach((k, v) -> {
                if (isComparable(k)) {
                    fromApi.put(k, v);
                }
            });
            assertTrue(fromApi.keySet().stream().anyMatch(k -> k.contains("eval/")), fromApi.toString());
            assertEquals(fromApi, fromCommand, "round " + record.round());
            compared++;
        }
        assertEquals(3, compared, "rounds 0 (initial evaluation), 1 and 2 in " + lines);
    }

    private static boolean isComparable(String metric) {
        return metric.contains("eval/") || metric.startsWith("client_work/");
    }

    private static Map<String, Double> comparable(JsonNode metrics) {
        Map<String, Double> out = new TreeMap<>();
        metrics.fields().forEachRemaining(e -> {
            if (isComparable(e.getKey())) {
                out.put(e.getKey(), e.getValue().asDouble());
            }
        });
        return out;
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
