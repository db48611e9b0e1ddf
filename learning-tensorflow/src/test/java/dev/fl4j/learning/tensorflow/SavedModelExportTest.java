package dev.fl4j.learning.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.learning.keras.Dense;
import dev.fl4j.learning.keras.InputLayer;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.BatchOutput;
import dev.fl4j.learning.model.ExportedModel;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.zoo.Models;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;

/**
 * The TensorFlow engine's SavedModel export: what TF Java's loader finds in it, and that the model read back through
 * that loader computes bit for bit what the engine's own model computes (outputs, loss, correct predictions).
 */
class SavedModelExportTest {

    private final TfEngine engine = new TfEngine();

    @TempDir
    Path tmp;

    private static Struct images(int size, long seed) {
        return TestData.halvesImages(1, size, seed).get(0);
    }

    /** Exports {@code spec} with {@code weights}, opens it, and compares with the engine's model on {@code batch}. */
    private void roundTrip(ModelSpec spec, ModelWeights weights, Struct batch) throws IOException {
        Path dir = tmp.resolve(spec.name());
        engine.exportModel(spec, weights, dir);
        try (TfModel model = new TfModel(spec, 0L);
                ExportedModel exported = engine.openExported(dir)) {
            model.assignWeights(weights);
            BatchOutput expected = model.forwardPass(batch);
            Tensor x = batch.tensor("x");
            ExportedModel.Prediction p = exported.predict(x);
            assertArrayEquals(expected.predictions().floatData(), p.outputs().floatData(), spec.name() + " outputs");
            assertArrayEquals(expected.predictions().shape(), p.outputs().shape());
            assertEquals(weights, exported.weights(spec.weightsType()), spec.name() + " weights read back");
            ExportedModel.BatchEvaluation e = exported.evaluate(x, batch.tensor("y"));
            assertEquals(expected.loss().floatData()[0], (float) e.loss(), spec.name() + " loss, bit for bit");
            assertEquals(x.dim(0), e.examples());
            Struct metrics = model.reportLocalUnfinalizedMetrics();
            Struct accuracy = metrics.struct(Metric.SPARSE_CATEGORICAL_ACCURACY.metricName());
            assertEquals(accuracy.tensor("total").doubleValue(), e.correct(), "correct predictions");
            assertEquals(accuracy.tensor("count").doubleValue(), e.labels(), "labels compared");
            int classes = spec.predictionType().shape()[spec.predictionType().rank() - 1];
            assertEquals(Optional.of(classes), exported.classes());
            float[] probabilities = p.probabilities().floatData();
            int[] predicted = p.classes().intData();
            float[] outputs = p.outputs().floatData();
            for (int r = 0; r < predicted.length; r++) {
                double sum = 0;
                int best = 0;
                for (int c = 0; c < classes; c++) {
                    sum += probabilities[r * classes + c];
                    if (outputs[r * classes + c] > outputs[r * classes + best]) {
                        best = c;
                    }
                }
                assertEquals(1.0, sum, 1e-5, "probabilities of example " + r);
                assertEquals(best, predicted[r], "class of example " + r);
            }
        }
    }

    @Test
    void cnnReadBackComputesWhatTheEngineComputes() throws IOException {
        ModelSpec cnn = Models.fedAvgCnn(10);
        roundTrip(cnn, cnn.initialWeights(3), images(7, 5));
    }

    @Test
    void softmaxAndLstmReadBackComputeWhatTheEngineComputes() throws IOException {
        ModelSpec softmax = Models.softmaxRegression(6, 3);
        SplitMix64 rng = new SplitMix64(9);
        float[] x = new float[5 * 6];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextFloat() * 4 - 2;
        }
        roundTrip(softmax, softmax.initialWeights(1), TestData.batch(x, new int[] {5, 6}, new int[] {0, 2, 1, 1, 0}));

        ModelSpec lstm = Models.characterLstm(7, 4, 5, 1);
        int[] ids = {1, 2, 3, 4, 6, 5, 0, 1, 2, 2, 2, 3};
        int[] next = {2, 3, 4, 6, 5, 0, 1, 1, 2, 2, 3, 3};
        Struct batch = Struct.named("x", Tensor.of(ids, 3, 4), "y", Tensor.of(next, 3, 4));
        roundTrip(lstm, lstm.initialWeights(2), batch);
    }

    @Test
    void savedModelHoldsTheDocumentedSignatures() throws IOException {
        ModelSpec cnn = Models.fedAvgCnn(10);
        Path dir = tmp.resolve("cnn");
        engine.exportModel(cnn, cnn.initialWeights(1), dir);
        assertTrue(Files.isRegularFile(dir.resolve("saved_model.pb")));
        assertTrue(Files.isRegularFile(dir.resolve("variables/variables.index")));
        try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve")) {
            Set<String> keys = new TreeSet<>();
            b.signatures().forEach(s -> keys.add(s.key()));
            assertEquals(Set.of("evaluate", "serving_default"), keys);
            Signature serving = b.function("serving_default").signature();
            assertEquals("tensorflow/serving/predict", serving.methodName());
            Map<String, Signature.TensorDescription> in = serving.getInputs();
            assertEquals(Set.of("x"), in.keySet());
            assertEquals("x:0", in.get("x").name);
            assertEquals("DT_FLOAT", in.get("x").dataType.name());
            assertArrayEquals(new long[] {-1, 28, 28, 1}, in.get("x").shape.asArray());
            Map<String, Signature.TensorDescription> out = serving.getOutputs();
            assertEquals(Set.of("classes", "outputs", "probabilities"), out.keySet());
            assertEquals("probabilities:0", out.get("probabilities").name);
            assertEquals("DT_INT32", out.get("classes").dataType.name());
            assertArrayEquals(
                    new long[] {-1, 10}, out.get("probabilities").shape.asArray());
            Signature eval = b.function("evaluate").signature();
            assertEquals(Set.of("x", "y"), eval.getInputs().keySet());
            assertEquals("DT_INT32", eval.getInputs().get("y").dataType.name());
            assertEquals(
                    Set.of("correct", "examples", "labels", "loss"),
                    eval.getOutputs().keySet());
        }
    }

    @Test
    void regressionModelHasNoClassesAndStillEvaluates() throws IOException {
        ModelSpec mse = new ModelSpec(
                "regression",
                List.of(InputLayer.of(3), Dense.of(2)),
                Loss.meanSquaredError(),
                List.of(Metric.LOSS, Metric.NUM_EXAMPLES));
        Path dir = tmp.resolve("mse");
        ModelWeights w = mse.initialWeights(4);
        engine.exportModel(mse, w, dir);
        float[] x = {1, 2, 3, -1, 0, 1};
        Tensor y = Tensor.of(new float[] {0.5f, 1, -1, 2}, 2, 2);
        try (TfModel model = new TfModel(mse, 0L);
                ExportedModel exported = engine.openExported(dir)) {
            model.assignWeights(w);
            BatchOutput expected = model.forwardPass(Struct.named("x", Tensor.of(x, 2, 3), "y", y));
            assertEquals(Optional.empty(), exported.classes());
            assertEquals(new TensorType(DType.FLOAT32, -1, 2), exported.labelType());
            ExportedModel.Prediction p = exported.predict(Tensor.of(x, 2, 3));
            assertNull(p.probabilities());
            assertNull(p.classes());
            assertArrayEquals(expected.predictions().floatData(), p.outputs().floatData());
            ExportedModel.BatchEvaluation e = exported.evaluate(Tensor.of(x, 2, 3), y);
            assertEquals(expected.loss().floatData()[0], (float) e.loss());
            assertEquals(0, e.labels());
        }
    }

    @Test
    void refusesWhatIsNotAnExportedModel() throws IOException {
        IllegalArgumentException missing =
                assertThrows(IllegalArgumentException.class, () -> engine.openExported(tmp.resolve("nope")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        Path file = Files.writeString(tmp.resolve("model.txt"), "hello");
        IllegalArgumentException notDir = assertThrows(IllegalArgumentException.class, () -> engine.openExported(file));
        assertTrue(notDir.getMessage().contains("is not a directory"), notDir.getMessage());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        IllegalArgumentException noPb = assertThrows(IllegalArgumentException.class, () -> engine.openExported(empty));
        assertTrue(noPb.getMessage().contains("no saved_model.pb"), noPb.getMessage());

        Path garbage = Files.createDirectories(tmp.resolve("garbage"));
        Files.write(garbage.resolve("saved_model.pb"), new byte[] {0x0a, 0x7f, 1, 2, 3});
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> engine.openExported(garbage));
        assertTrue(bad.getMessage().contains("is not a SavedModel TensorFlow can load"), bad.getMessage());
    }

    @Test
    void refusesBadInputsWithTheirPlace() throws IOException {
        ModelSpec softmax = Models.softmaxRegression(4, 3);
        Path dir = tmp.resolve("softmax");
        engine.exportModel(softmax, softmax.initialWeights(2), dir);
        try (ExportedModel m = engine.openExported(dir)) {
            IllegalArgumentException otherModel = assertThrows(
                    IllegalArgumentException.class,
                    () -> m.weights(Models.softmaxRegression(5, 3).weightsType()));
            assertTrue(otherModel.getMessage().contains("dense/kernel"), otherModel.getMessage());
            IllegalArgumentException width = assertThrows(
                    IllegalArgumentException.class, () -> m.predict(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)));
            assertTrue(width.getMessage().contains("features x"), width.getMessage());

            float[] x = {1, 2, 3, 4, 5, 6, Float.NaN, 8};
            IllegalArgumentException nan =
                    assertThrows(IllegalArgumentException.class, () -> m.predict(Tensor.of(x, 2, 4)));
            assertTrue(nan.getMessage().contains("example 1, feature 2 is NaN"), nan.getMessage());
            x[6] = Float.POSITIVE_INFINITY;
            IllegalArgumentException inf = assertThrows(
                    IllegalArgumentException.class,
                    () -> m.evaluate(Tensor.of(x, 2, 4), Tensor.of(new int[] {0, 1}, 2)));
            assertTrue(inf.getMessage().contains("feature 2 is Infinity"), inf.getMessage());

            x[6] = 7;
            IllegalArgumentException label = assertThrows(
                    IllegalArgumentException.class,
                    () -> m.evaluate(Tensor.of(x, 2, 4), Tensor.of(new int[] {0, 3}, 2)));
            assertTrue(label.getMessage().contains("label 3 at position 1 is not a class"), label.getMessage());
            IllegalArgumentException count = assertThrows(
                    IllegalArgumentException.class, () -> m.evaluate(Tensor.of(x, 2, 4), Tensor.of(new int[] {0}, 1)));
            assertTrue(count.getMessage().contains("x has 2 examples but y has 1"), count.getMessage());
        }
    }

    @Test
    void theGraphItselfRefusesNanFeaturesAndOutOfRangeLabels() throws IOException {
        ModelSpec softmax = Models.softmaxRegression(2, 2);
        Path dir = tmp.resolve("asserts");
        engine.exportModel(softmax, softmax.initialWeights(2), dir);
        try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve");
                org.tensorflow.types.TFloat32 x = org.tensorflow.types.TFloat32.tensorOf(
                        org.tensorflow.ndarray.Shape.of(1, 2),
                        org.tensorflow.ndarray.buffer.DataBuffers.of(new float[] {1, Float.NaN}))) {
            Exception e = assertThrows(
                    Exception.class,
                    () -> b.function("serving_default").call(Map.of("x", x)).close());
            assertTrue(e.getMessage().contains("a feature x is NaN or infinite"), e.getMessage());
        }
    }
}
