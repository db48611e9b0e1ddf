package dev.fl4j.learning.tensorflow;

import static dev.fl4j.learning.tensorflow.TestData.batch;
import static dev.fl4j.learning.tensorflow.TestData.dataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.learning.keras.Activation;
import dev.fl4j.learning.keras.Dense;
import dev.fl4j.learning.keras.Dropout;
import dev.fl4j.learning.keras.InputLayer;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.keras.Metrics;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.BatchOutput;
import dev.fl4j.learning.model.ClientTrainingResult;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.learning.zoo.SyntheticBatches;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineBehaviourTest {

    private static double loss(TfClientTrainer t, ModelWeights w, ListSequence data) {
        return Metrics.finalizeAll(
                        t.spec().model().metrics(), t.evaluate(w, data).unfinalizedMetrics())
                .tensor("loss")
                .doubleValue();
    }

    @Test
    void fedAvgCnnLearnsAndRepeatsBitwise() {
        ModelSpec cnn = Models.fedAvgCnn(10);
        List<Struct> batches = TestData.halvesImages(3, 8, 11);
        ListSequence data = ListSequence.of(cnn.inputSpec(), batches);
        ListSequence other = ListSequence.of(cnn.inputSpec(), TestData.halvesImages(1, 4, 99));
        ModelWeights w0 = cnn.initialWeights(5);
        TrainingSpec spec = TrainingSpec.builder()
                .setModel(cnn)
                .setClientOptimizer(Sgd.of(0.05f).withMomentum(0.5f))
                .optEpochs(2)
                .build();
        try (TfClientTrainer trainer = new TfClientTrainer(spec)) {
            double before = loss(trainer, w0, data);
            ClientTrainingResult first = trainer.train(w0, data, 7L);
            assertEquals(2L * 3 * 8, first.numExamples());
            assertEquals(6L, first.unfinalizedMetrics().tensor("num_batches").longValue());
            double after = loss(trainer, first.weights(), data);
            assertTrue(after < before * 0.7, "loss " + before + " -> " + after);
            trainer.train(first.weights(), other, 8L);
            ClientTrainingResult again = trainer.train(w0, data, 7L);
            assertEquals(first.weights(), again.weights(), "no state may leak from one client to the next");
            assertEquals(first.unfinalizedMetrics(), again.unfinalizedMetrics());
        }
        try (TfClientTrainer fresh = new TfClientTrainer(TrainingSpec.fromJson(spec.toJson()))) {
            assertEquals(fresh.spec(), spec);
            ClientTrainingResult r = fresh.train(cnn.initialWeights(5), data, 7L);
            try (TfClientTrainer reference = new TfClientTrainer(spec)) {
                assertEquals(
                        reference.train(w0, data, 7L).weights(),
                        r.weights(),
                        "a spec rebuilt from JSON trains bitwise the same");
            }
        }
    }

    @Test
    void wrongInputShapeNamesExpectedAndActual() {
        ModelSpec cnn = Models.fedAvgCnn(10);
        StructType wrong = StructType.builder()
                .add("x", new TensorType(DType.FLOAT32, -1, 27, 27, 1))
                .add("y", new TensorType(DType.INT32, -1))
                .build();
        Struct small = batch(new float[2 * 27 * 27], new int[] {2, 27, 27, 1}, new int[] {0, 1});
        try (TfClientTrainer trainer = new TfClientTrainer(TrainingSpec.of(cnn, Sgd.of(0.1f)));
                TfModel model = new TfModel(cnn, 1)) {
            TypeMismatchException e = assertThrows(
                    TypeMismatchException.class,
                    () -> trainer.train(cnn.initialWeights(1), ListSequence.of(wrong, List.of(small)), 1L));
            assertTrue(
                    e.getMessage().contains("expected <x=float32[?,28,28,1],y=int32[?]>*")
                            && e.getMessage().contains("x=float32[?,27,27,1]"),
                    e.getMessage());
            e = assertThrows(TypeMismatchException.class, () -> model.forwardPass(small));
            assertEquals("batch 0, field x: expected float32[?,28,28,1] but got float32[2,27,27,1]", e.getMessage());
            Struct badLabels = batch(new float[2 * 784], new int[] {2, 28, 28, 1}, new int[] {3, 10});
            IllegalArgumentException l =
                    assertThrows(IllegalArgumentException.class, () -> model.forwardPass(badLabels));
            assertEquals("batch 1, field y: label 10 at position 1 is outside [0, 10)", l.getMessage());
            Struct mismatched =
                    Struct.named("x", Tensor.of(new float[2 * 784], 2, 28, 28, 1), "y", Tensor.vector(1, 2, 3));
            l = assertThrows(IllegalArgumentException.class, () -> model.forwardPass(mismatched));
            assertTrue(l.getMessage().contains("x has 2 examples but y has 3"), l.getMessage());
            ModelWeights wrongWeights = Models.fedAvgCnn(62).initialWeights(1);
            e = assertThrows(TypeMismatchException.class, () -> model.assignWeights(wrongWeights));
            assertTrue(
                    e.getMessage().contains("dense_1/kernel")
                            && e.getMessage().contains("float32[512,10]")
                            && e.getMessage().contains("float32[512,62]"),
                    e.getMessage());
        }
    }

    @Test
    void nanFeaturesPropagateIntoTheWeightsWithoutThrowing() {
        ModelSpec spec = Models.softmaxRegression(3, 2);
        try (TfClientTrainer trainer = new TfClientTrainer(TrainingSpec.of(spec, Sgd.of(0.1f)))) {
            Struct nan = batch(new float[] {1f, Float.NaN, 0f}, new int[] {1, 3}, new int[] {1});
            ClientTrainingResult r = trainer.train(spec.initialWeights(1), dataset(spec, nan), 1L);
            assertFalse(Structures.isFinite(r.weights().trainable()));
            assertTrue(Double.isNaN(Metrics.finalizeAll(spec.metrics(), r.unfinalizedMetrics())
                    .tensor("loss")
                    .doubleValue()));
            Struct fine = batch(new float[] {1f, 2f, 0f}, new int[] {1, 3}, new int[] {1});
            assertTrue(Structures.isFinite(trainer.train(spec.initialWeights(1), dataset(spec, fine), 1L)
                    .weights()
                    .trainable()));
        }
    }

    private static ModelSpec dropoutModel() {
        return new ModelSpec(
                "dropout_mlp",
                List.of(InputLayer.of(6), Dense.of(16, Activation.RELU), Dropout.of(0.5f), Dense.of(3)),
                Loss.sparseCategoricalCrossentropy().withFromLogits(true),
                Models.CLASSIFIER_METRICS);
    }

    private static ListSequence randomRows(ModelSpec spec, int batches, long seed) {
        return ListSequence.of(spec.inputSpec(), SyntheticBatches.of(spec, 5, batches, seed));
    }

    @Test
    void dropoutIsSeededAndOnlyActiveInTraining() {
        ModelSpec spec = dropoutModel();
        ListSequence data = randomRows(spec, 3, 4);
        try (TfClientTrainer a = new TfClientTrainer(TrainingSpec.of(spec, Adam.of(0.01f)));
                TfClientTrainer b = new TfClientTrainer(TrainingSpec.of(spec, Adam.of(0.01f)))) {
            ModelWeights w0 = spec.initialWeights(3);
            ModelWeights r1 = a.train(w0, data, 42L).weights();
            a.train(r1, data, 43L);
            assertEquals(r1, a.train(w0, data, 42L).weights());
            assertEquals(r1, b.train(w0, data, 42L).weights());
            assertNotEquals(r1, b.train(w0, data, 41L).weights());
        }
        try (TfModel model = new TfModel(spec, 3)) {
            Tensor x = ((Struct) data.elements().get(0)).tensor("x");
            Tensor inference = model.predictOnBatch(x);
            assertEquals(inference, model.predictOnBatch(x));
            assertEquals(model.trainingPredictOnBatch(x, 5L), model.trainingPredictOnBatch(x, 5L));
            assertNotEquals(inference, model.trainingPredictOnBatch(x, 5L));
            assertNotEquals(model.trainingPredictOnBatch(x, 5L), model.trainingPredictOnBatch(x, 6L));
        }
    }

    @Test
    void variableModelContract() {
        ModelSpec spec = Models.twoNN(10);
        ListSequence data = randomRows(spec, 2, 8);
        try (TfModel model = new TfModel(spec, 1)) {
            assertEquals("<x=float32[?,784],y=int32[?]>", model.inputSpec().toString());
            assertEquals(spec.initialWeights(1), model.weights());
            Struct b0 = (Struct) data.elements().get(0);
            BatchOutput out = model.forwardPass(b0);
            assertEquals(5L, out.numExamples());
            assertEquals("float32[5,10]", out.predictions().type().toString());
            assertEquals(model.predictOnBatch(b0.tensor("x")), out.predictions());
            model.trainingForwardPass((Struct) data.elements().get(1), 0L);
            Struct metrics = model.reportLocalUnfinalizedMetrics();
            assertEquals(10L, metrics.tensor("num_examples").longValue());
            assertEquals(2L, metrics.tensor("num_batches").longValue());
            assertEquals(
                    List.of("sparse_categorical_accuracy", "loss", "num_examples", "num_batches"),
                    List.copyOf(model.metricFinalizers().keySet()));
            double total = metrics.struct("loss").tensor("total").doubleValue();
            assertTrue(total > 0);
            model.resetMetrics();
            assertEquals(Metrics.zeros(spec.metrics()), model.reportLocalUnfinalizedMetrics());
            ModelWeights other = spec.initialWeights(2);
            model.assignWeights(other);
            assertEquals(other, model.weights());
        }
        // rebuilt from JSON in the same seed: the same weights and bitwise the same predictions
        try (TfModel a = new TfModel(spec, 4);
                TfModel b =
                        new TfEngine().newModel(ModelSpec.fromJson(spec.toJson()), 4) instanceof TfModel m ? m : null) {
            Tensor x = ((Struct) data.elements().get(0)).tensor("x");
            assertEquals(a.weights(), b.weights());
            assertEquals(a.predictOnBatch(x), b.predictOnBatch(x));
        }
    }

    @Test
    void characterLstmLearnsNextCharacters() {
        ModelSpec spec = Models.characterLstm(6, 5, 12, 2);
        List<Struct> batches = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            int[] x = new int[4 * 5];
            int[] y = new int[4 * 5];
            for (int r = 0; r < 4; r++) {
                for (int t = 0; t < 5; t++) {
                    x[r * 5 + t] = (b + r + t) % 6;
                    y[r * 5 + t] = (b + r + t + 1) % 6;
                }
            }
            batches.add(Struct.named("x", Tensor.of(x, 4, 5), "y", Tensor.of(y, 4, 5)));
        }
        ListSequence data = ListSequence.of(spec.inputSpec(), batches);
        try (TfClientTrainer trainer = new TfClientTrainer(TrainingSpec.builder()
                .setModel(spec)
                .setClientOptimizer(Adam.of(0.05f))
                .optEpochs(8)
                .build())) {
            ModelWeights w0 = spec.initialWeights(2);
            double before = loss(trainer, w0, data);
            ClientTrainingResult r = trainer.train(w0, data, 1L);
            double after = loss(trainer, r.weights(), data);
            assertTrue(after < before * 0.5, "loss " + before + " -> " + after);
            Struct m = Metrics.finalizeAll(
                    spec.metrics(), trainer.evaluate(r.weights(), data).unfinalizedMetrics());
            assertEquals(16L, m.tensor("num_examples").longValue());
            Struct badId =
                    Struct.named("x", Tensor.of(new int[] {0, 1, 2, 3, 6}, 1, 5), "y", Tensor.of(new int[5], 1, 5));
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> trainer.evaluate(w0, ListSequence.of(spec.inputSpec(), List.of(badId))));
            assertEquals("batch 0, field x: id 6 at position 4 is outside [0, 6)", e.getMessage());
        }
    }

    @Test
    void binaryCrossEntropyAndMeanSquaredErrorModelsLearn() {
        List<ModelSpec> specs = List.of(
                new ModelSpec(
                        "bce_logits",
                        List.of(InputLayer.of(4), Dense.of(8, Activation.TANH), Dense.of(1)),
                        Loss.binaryCrossentropy().withFromLogits(true),
                        List.of(Metric.LOSS, Metric.NUM_EXAMPLES)),
                new ModelSpec(
                        "bce_probabilities",
                        List.of(InputLayer.of(4), Dense.of(1, Activation.SIGMOID)),
                        Loss.binaryCrossentropy(),
                        List.of(Metric.LOSS)),
                new ModelSpec(
                        "mse", List.of(InputLayer.of(4), Dense.of(2)), Loss.meanSquaredError(), List.of(Metric.LOSS)),
                new ModelSpec(
                        "probabilities",
                        List.of(InputLayer.of(4), Dense.of(3, Activation.SOFTMAX)),
                        Loss.sparseCategoricalCrossentropy(),
                        List.of(Metric.LOSS, Metric.SPARSE_CATEGORICAL_ACCURACY)));
        for (ModelSpec spec : specs) {
            List<Struct> batches = new ArrayList<>();
            dev.fl4j.core.random.SplitMix64 rng = new dev.fl4j.core.random.SplitMix64(3);
            int outputs = spec.predictionType().shape()[1];
            for (int b = 0; b < 4; b++) {
                float[] x = new float[8 * 4];
                for (int i = 0; i < x.length; i++) {
                    x[i] = rng.nextFloat() * 2 - 1;
                }
                Tensor y;
                if (spec.loss() instanceof Loss.SparseCategoricalCrossentropy) {
                    int[] labels = new int[8];
                    for (int r = 0; r < 8; r++) {
                        labels[r] = x[r * 4] > 0.3f ? 2 : x[r * 4] > -0.3f ? 1 : 0;
                    }
                    y = Tensor.of(labels, 8);
                } else {
                    float[] t = new float[8 * outputs];
                    for (int r = 0; r < 8; r++) {
                        for (int o = 0; o < outputs; o++) {
                            t[r * outputs + o] = x[r * 4 + o] + x[r * 4 + 1] > 0 ? 1f : 0f;
                        }
                    }
                    y = Tensor.of(t, 8, outputs);
                }
                batches.add(Struct.named("x", Tensor.of(x, 8, 4), "y", y));
            }
            ListSequence data = ListSequence.of(spec.inputSpec(), batches);
            try (TfClientTrainer trainer = new TfClientTrainer(TrainingSpec.builder()
                    .setModel(spec)
                    .setClientOptimizer(Sgd.of(0.3f))
                    .optEpochs(10)
                    .build())) {
                ModelWeights w0 = spec.initialWeights(4);
                double before = loss(trainer, w0, data);
                double after = loss(trainer, trainer.train(w0, data, 1L).weights(), data);
                assertTrue(after < before * 0.8, spec.name() + ": loss " + before + " -> " + after);
            }
        }
    }
}
