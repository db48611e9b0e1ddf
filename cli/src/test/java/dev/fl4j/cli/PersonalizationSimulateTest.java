package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.cli.simulate.SimulationData;
import dev.fl4j.cli.spec.ModelChoice;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.PersonalizationEvaluation;
import dev.fl4j.learning.algorithms.PersonalizationEvaluation.FineTuning;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.training.Preprocessing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fl4j simulate --personalization NAME:EPOCHS:LR[:OPTIMIZER],...}: the before/after table the command prints
 * for its final model holds the figures of the Java API ({@link PersonalizationEvaluation} on the same model, the
 * test clients' own training and test data, the same seed); strategies and data it cannot run are refused.
 */
class PersonalizationSimulateTest {

    @TempDir
    Path tmp;

    @Test
    void tableHoldsTheJavaApisFiguresBeforeAndAfterEachStrategy() throws Exception {
        Path model = tmp.resolve("mlp.json");
        ModelSpecSimulateTest.mlp().write(model);
        Path checkpoints = tmp.resolve("ckpt");
        SimulateCommandTest.Result r = SimulateCommandTest.run(ApiRuns.args(
                model,
                "--rounds",
                "2",
                "--checkpoint-dir",
                checkpoints.toString(),
                "--personalization",
                "sgd_1:1:0.05,adam_2:2:0.01:adam"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(
                r.out()
                        .contains("personalization of the final model on 6 test clients (fine-tuned on each client's"
                                + " training data, evaluated on its test data; metrics over all their test examples):"),
                r.out());

        ModelWeights trained = CheckpointStore.read(CheckpointStore.checkpointsIn(checkpoints.resolve("mean")).stream()
                        .reduce((a, b) -> b)
                        .orElseThrow())
                .modelWeights();
        Map<String, FineTuning> strategies = new LinkedHashMap<>();
        strategies.put("sgd_1", new FineTuning(Sgd.of(0.05f), 1));
        strategies.put("adam_2", new FineTuning(Adam.of(0.01f), 2));
        Struct api;
        try (SimulationData data = SimulationData.load("synthetic", null, 6, 20, ApiRuns.SEED, new StringBuilder());
                LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build()) {
            ModelChoice choice = ModelChoice.of(model.toString(), data);
            Preprocessing prep = Preprocessing.builder()
                    .setBatchSize(5)
                    .optBatchMap(choice.batchMap())
                    .build();
            PersonalizationEvaluation eval = PersonalizationEvaluation.build(choice.spec(), strategies, ApiRuns.SEED);
            StructType member = (StructType)
                    ((FederatedType) ((StructType) eval.computation().type().parameter()).get("data")).member();
            List<String> ids = data.testClients().clientIds();
            List<Value> perClient = new ArrayList<>();
            for (String id : ids) {
                perClient.add(Struct.named(
                        "train_data",
                        prep.forEvaluation(data.train().datasetFor(id)),
                        "test_data",
                        prep.forEvaluation(data.testClients().datasetFor(id))));
            }
            api = eval.evaluate(runtime, trained, ClientValues.of(member, ids, perClient));
        }
        assertEquals(6L, api.tensor("num_clients").getLong(0));
        String baselineRow = row(r, "baseline_metrics");
        assertTrue(baselineRow.contains("none (the global model)"), baselineRow);
        assertFigures(baselineRow, api.struct("baseline_metrics"));
        String sgdRow = row(r, "sgd_1");
        assertTrue(sgdRow.contains("1 epoch of sgd at lr 0.05"), sgdRow);
        assertFigures(sgdRow, api.struct("sgd_1"));
        String adamRow = row(r, "adam_2");
        assertTrue(adamRow.contains("2 epochs of adam at lr 0.01"), adamRow);
        assertFigures(adamRow, api.struct("adam_2"));
        assertNotEquals(
                api.struct("baseline_metrics").tensor("loss").getDouble(0),
                api.struct("adam_2").tensor("loss").getDouble(0),
                "fine-tuning changes the test loss");
    }

    private static String row(SimulateCommandTest.Result r, String name) {
        return r.lines().stream()
                .filter(l -> l.startsWith(name + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name + " in " + r.out()));
    }

    /** Every metric of {@code metrics} appears in {@code row} as the table prints it, in order. */
    private static void assertFigures(String row, Struct metrics) {
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < metrics.size(); i++) {
            Tensor t = metrics.tensor(metrics.nameAt(i));
            String v = t.dtype().isFloating()
                    ? String.format(Locale.ROOT, "%.6f", t.getDouble(0))
                    : String.valueOf(t.getLong(0));
            expected.append(i == 0 ? "" : " ").append(v);
        }
        String[] cells = row.trim().split("\\s{2,}");
        List<String> figures = List.of(cells).subList(2, cells.length);
        assertEquals(expected.toString(), String.join(" ", figures), row);
    }

    @Test
    void strategiesAndDataItCannotRunAreRefused() throws Exception {
        Path model = tmp.resolve("mlp.json");
        ModelSpecSimulateTest.mlp().write(model);
        assertError(
                SimulateCommandTest.run(ApiRuns.args(model, "--rounds", "1", "--personalization", "x")),
                "--personalization: personalization 'x': expected NAME:EPOCHS:LR[:OPTIMIZER]");
        assertError(
                SimulateCommandTest.run(ApiRuns.args(model, "--rounds", "1", "--personalization", "a:1:0.1,a:2:0.1")),
                "personalization strategy 'a' is named twice");
        assertError(
                SimulateCommandTest.run(ApiRuns.args(model, "--rounds", "1", "--personalization", "a:0:0.1")),
                "EPOCHS must be >= 1, got '0'");
        assertError(
                SimulateCommandTest.run(ApiRuns.args(model, "--rounds", "1", "--personalization", "a:1:0.1:bogus")),
                "personalization 'a:1:0.1:bogus': personalization optimizer 'bogus': unknown personalization optimizer"
                        + " 'bogus'; valid forms: sgd, sgdm:MOMENTUM");
        assertError(
                SimulateCommandTest.run(
                        ApiRuns.args(model, "--rounds", "1", "--personalization", "baseline_metrics:1:0.1")),
                "NAME 'baseline_metrics' must be a lower-case identifier");
        assertError(
                SimulateCommandTest.run(ApiRuns.args(
                        model, "--rounds", "1", "--algorithm", "fedrecon:last", "--personalization", "a:1:0.1")),
                "--personalization does not apply to --algorithm fedrecon:last:1:0.1");
        assertError(
                SimulateCommandTest.run(
                        "--dataset",
                        "fashion-mnist",
                        "--clients",
                        "10",
                        "--rounds",
                        "1",
                        "--personalization",
                        "a:1:0.1"),
                "fashion-mnist has no per-client test data");
    }

    private static void assertError(SimulateCommandTest.Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }
}
