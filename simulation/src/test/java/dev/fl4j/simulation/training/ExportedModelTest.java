package dev.fl4j.simulation.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Tensor;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.learning.algorithms.ModelEngines;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ExportedModel;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.export.ModelExport;
import dev.fl4j.simulation.provenance.Provenance;
import dev.fl4j.simulation.provenance.ProvenanceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trained global model exported with {@link ModelExport} and read back through the engine's SavedModel loader
 * reproduces the run's last evaluation exactly, centralised and federated; the export directory's rules and its
 * provenance.
 */
class ExportedModelTest {

    @TempDir
    Path tmp;

    private final ModelEngine engine = ModelEngines.defaultEngine();

    private static final ModelSpec SOFTMAX =
            Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES);

    /** 203 examples (not a multiple of the parts or the batch) labelled by the synthetic clients' own model. */
    private static Examples centralTest() {
        ClientData clients = SmallRun.data();
        SplitMix64 rng = new SplitMix64(17);
        int n = 203;
        float[] x = new float[n * FedProxSynthetic.DIMENSION];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < FedProxSynthetic.DIMENSION; d++) {
                x[i * FedProxSynthetic.DIMENSION + d] = (float) (rng.nextDouble() * 2 - 1);
            }
            y[i] = (int) Math.floorMod(rng.nextLong(), FedProxSynthetic.CLASSES);
        }
        assertTrue(clients.clientIds().size() > 0);
        return Examples.of(x, new int[] {FedProxSynthetic.DIMENSION}, y);
    }

    private static Provenance provenance() {
        Map<String, String> options = new TreeMap<>(Map.of("command", "simulate", "rounds", "3"));
        return Provenance.current(options, SmallRun.config(5, 0), 5, "test engine");
    }

    @Test
    void exportedModelReproducesTheLastCentralisedEvaluationExactly() throws IOException {
        Examples test = centralTest();
        Preprocessing prep = Preprocessing.batches(16);
        ModelEvaluation eval =
                ModelEvaluation.builder(SOFTMAX, prep).optCentralTest(test).build();
        TrainingResult r =
                SmallRun.loop(3, 5, 0, 2).optEvaluation(eval, 1).build().run();
        Path dir = tmp.resolve("model");
        ModelExport.write(engine, SOFTMAX, r.model(), provenance(), dir);

        double accuracy = r.last("eval/sparse_categorical_accuracy").orElseThrow();
        double loss = r.last("eval/loss").orElseThrow();
        try (ExportedModel m = engine.openExported(dir)) {
            Map<String, Double> again = ExportedEvaluation.builder(m, prep)
                    .optCentralTest(test)
                    .build()
                    .evaluate();
            assertEquals(accuracy, again.get("eval/sparse_categorical_accuracy"), "accuracy, exactly");
            assertEquals(loss, again.get("eval/loss"), "loss, exactly");
            assertEquals(203.0, again.get("eval/num_examples"));
            assertEquals(r.last("eval/num_batches").orElseThrow(), again.get("eval/num_batches"));
        }
        assertTrue(accuracy > 0 && accuracy < 1, "a real accuracy, not 0 or 1: " + accuracy);
    }

    @Test
    void exportedModelReproducesTheLastFederatedEvaluationExactly() throws IOException {
        var split = SmallRun.data().trainTestClientSplit(4, 9);
        Preprocessing prep = Preprocessing.batches(16);
        ModelEvaluation eval = ModelEvaluation.builder(SOFTMAX, prep)
                .optFederatedTest(split.test(), 3, 11)
                .build();
        TrainingResult r = TrainingLoop.builder()
                .setProcess(SmallRun.process())
                .setTrainingData(split.train())
                .setClientsPerRound(4)
                .setRounds(3)
                .setPreprocessing(Preprocessing.batches(8))
                .optEvaluation(eval, 1)
                .build()
                .run();
        Path dir = tmp.resolve("federated");
        ModelExport.write(engine, SOFTMAX, r.model(), provenance(), dir);
        try (ExportedModel m = engine.openExported(dir)) {
            ExportedEvaluation again = ExportedEvaluation.builder(m, prep)
                    .optFederatedTest(split.test(), 3, 11)
                    .build();
            assertEquals(3, again.federatedClients());
            Map<String, Double> metrics = again.evaluate();
            assertEquals(
                    r.last("federated_eval/sparse_categorical_accuracy").orElseThrow(),
                    metrics.get("federated_eval/sparse_categorical_accuracy"));
            assertEquals(r.last("federated_eval/loss").orElseThrow(), metrics.get("federated_eval/loss"));
        }
    }

    @Test
    void provenanceAndSpecGoWithTheModel() throws IOException {
        Path dir = tmp.resolve("out/model");
        Provenance p = provenance();
        ModelExport.write(engine, SOFTMAX, SOFTMAX.initialWeights(1), p, dir);
        Optional<ProvenanceReader.Found> found = ModelExport.readProvenance(dir);
        assertEquals(ProvenanceReader.Kind.EXPORTED_MODEL, found.orElseThrow().kind());
        assertEquals(p, found.get().provenance().get(0));
        assertEquals(SOFTMAX, ModelSpec.fromJson(Files.readString(dir.resolve(ModelExport.MODEL_SPEC_FILE))));
        try (var siblings = Files.list(dir.getParent())) {
            assertEquals(1, siblings.count(), "no staging directory left behind");
        }
        assertEquals(Optional.empty(), ModelExport.readProvenance(tmp), "a directory fl4j did not export");

        Files.writeString(dir.resolve(ModelExport.PROVENANCE_FILE), "{\"fl4j_version\": 3}\n");
        MalformedDataException bad = assertThrows(MalformedDataException.class, () -> ModelExport.readProvenance(dir));
        assertTrue(bad.getMessage().contains("fl4j_provenance.json"), bad.getMessage());
    }

    @Test
    void refusesToOverwrite() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        IllegalArgumentException full = assertThrows(
                IllegalArgumentException.class,
                () -> ModelExport.write(engine, SOFTMAX, SOFTMAX.initialWeights(1), provenance(), dir));
        assertTrue(full.getMessage().contains("is not empty; refusing to overwrite"), full.getMessage());
        assertEquals("mine", Files.readString(dir.resolve("notes.txt")));

        Path file = Files.writeString(tmp.resolve("file"), "x");
        IllegalArgumentException notDir =
                assertThrows(IllegalArgumentException.class, () -> ModelExport.checkTarget(file));
        assertTrue(notDir.getMessage().contains("is not a directory"), notDir.getMessage());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        ModelExport.write(engine, SOFTMAX, SOFTMAX.initialWeights(1), provenance(), empty);
        assertTrue(Files.isRegularFile(empty.resolve("saved_model.pb")), "an empty directory is filled");
    }

    @Test
    void dataIsFittedToTheModelInputOrRefused() {
        Tensor flat = Tensor.of(new float[8], 2, 4);
        Tensor square =
                ExportedEvaluation.fit(flat, new dev.fl4j.core.TensorType(dev.fl4j.core.DType.FLOAT32, -1, 2, 2), "x");
        assertEquals(3, square.rank());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ExportedEvaluation.fit(
                        flat, new dev.fl4j.core.TensorType(dev.fl4j.core.DType.FLOAT32, -1, 5), "x"));
        assertTrue(
                e.getMessage().contains("5 values per example")
                        && e.getMessage().contains("4 values per example"),
                e.getMessage());
        assertFalse(e.getMessage().isEmpty());
    }
}
