package dev.fl4j.learning.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.BatchOutput;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.GradientResult;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.model.VariableModel;
import dev.fl4j.learning.optimizers.Sgd;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Layers and losses checked against an independent implementation: each golden file under
 * {@code src/test/resources/golden/layers} holds a tiny model, its weights, a batch, and what PyTorch
 * (float64) computes for them — predictions, mean loss and the loss gradient of every weight. The
 * files and the layout mapping between fl4j (Keras) and PyTorch are made by
 * {@code src/test/golden/make_layer_goldens.py}; this test needs no Python.
 *
 * <p>fl4j's side goes through the engine's public contract only: {@link VariableModel#forwardPass}
 * in inference mode for predictions and loss, {@link ClientTrainer#gradients} (FedSGD's mean
 * gradient over one batch) for the gradients. The gradients with respect to inputs are not part of
 * that contract and are not compared; pooling and padding are checked through the gradient of a
 * convolution in front of them.
 *
 * <p>Tolerance: {@code 1e-5·|expected| + 1e-5·max|expected|} per tensor. The largest error seen
 * when the goldens were made was 2.5% of that (the float32 sums of {@code conv2d_valid}), while a
 * swapped pair of LSTM gate blocks or max pooling computed as average pooling misses by orders of
 * magnitude.
 */
class LayerGoldenTest {

    static final TfEngine ENGINE = new TfEngine();

    /** Relative tolerance for float32 against a float64 reference. */
    static final double RELATIVE = 1e-5;
    /** Absolute tolerance, as a fraction of the largest magnitude in the compared tensor. */
    static final double ABSOLUTE_OF_LARGEST = 1e-5;

    static final List<String> CASES = List.of(
            "dense_relu_mse",
            "dense_tanh_no_bias",
            "conv2d_valid",
            "conv2d_same_stride2",
            "conv2d_same_stride1",
            "max_pooling_valid",
            "max_pooling_same",
            "average_pooling_valid",
            "average_pooling_same",
            "embedding",
            "lstm_sequences",
            "lstm_last_step",
            "embedding_lstm",
            "dropout_inference",
            "softmax_cross_entropy_logits",
            "softmax_cross_entropy_probabilities",
            "dense_softmax_probabilities",
            "binary_cross_entropy_logits",
            "binary_cross_entropy_probabilities",
            "mean_squared_error");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One golden file, read. */
    record Golden(
            String name,
            ModelSpec spec,
            ModelWeights weights,
            Struct batch,
            Tensor predictions,
            float loss,
            Struct gradients) {}

    static Golden read(String name) throws IOException {
        try (InputStream in = LayerGoldenTest.class.getResourceAsStream("/golden/layers/" + name + ".json")) {
            assertNotNull(in, "golden file golden/layers/" + name + ".json is missing");
            JsonNode root = JSON.readTree(in);
            assertEquals("fl4j.layer_golden", root.get("format").asText(), name);
            assertEquals(1, root.get("version").asInt(), name);
            ModelSpec spec = ModelSpec.fromJson(JSON.writeValueAsString(root.get("model")));
            Struct weights = namedTensors(root.get("weights"));
            Struct batch = Struct.named("x", tensor(root.get("x")), "y", tensor(root.get("y")));
            Struct gradients = root.get("gradients").isNull() ? null : namedTensors(root.get("gradients"));
            return new Golden(
                    name,
                    spec,
                    ModelWeights.of(weights, Struct.empty()),
                    batch,
                    tensor(root.get("predictions")),
                    (float) root.get("loss").doubleValue(),
                    gradients);
        }
    }

    static Struct namedTensors(JsonNode list) {
        Struct.Builder b = Struct.builder();
        for (JsonNode n : list) {
            b.add(n.get("name").asText(), Tensor.of(floats(n.get("values")), ints(n.get("shape"))));
        }
        return b.build();
    }

    static Tensor tensor(JsonNode n) {
        int[] shape = ints(n.get("shape"));
        return switch (n.get("dtype").asText()) {
            case "float32" -> Tensor.of(floats(n.get("values")), shape);
            case "int32" -> Tensor.of(ints(n.get("values")), shape);
            default -> throw new IllegalArgumentException("golden tensors are float32 or int32, not " + n.get("dtype"));
        };
    }

    static float[] floats(JsonNode values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values.get(i).doubleValue();
        }
        return out;
    }

    static int[] ints(JsonNode values) {
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).intValue();
        }
        return out;
    }

    /**
     * Every element within {@code RELATIVE·|expected| + ABSOLUTE_OF_LARGEST·max|expected|}; the message
     * names the worst element.
     */
    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.floatData();
        float[] a = actual.floatData();
        double largest = 0;
        for (float v : e) {
            largest = Math.max(largest, Math.abs(v));
        }
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < e.length; i++) {
            double allowed = RELATIVE * Math.abs(e[i]) + ABSOLUTE_OF_LARGEST * largest;
            double error = Math.abs((double) a[i] - e[i]);
            if (!(error <= allowed) && (worst < 0 || error - allowed > worstExcess)) {
                worst = i;
                worstExcess = error - allowed;
            }
        }
        if (worst >= 0) {
            fail(String.format(
                    Locale.ROOT,
                    "%s: element %d is %.9g, PyTorch %.9g (largest |value| %.3g)",
                    what,
                    worst,
                    a[worst],
                    e[worst],
                    largest));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name) throws IOException {
        Golden g = read(name);
        try (VariableModel model = ENGINE.newModel(g.spec(), 0L)) {
            model.assignWeights(g.weights());
            BatchOutput out = model.forwardPass(g.batch());
            assertClose(g.predictions(), out.predictions(), name + " predictions");
            assertClose(Tensor.scalar(g.loss()), out.loss(), name + " loss");
        }
        if (g.gradients() == null) {
            assertTrue(g.spec().hasTrainingOnlyLayers(), name + ": only a model with dropout may leave out gradients");
            return;
        }
        ListSequence data = ListSequence.of(g.spec().inputSpec(), List.of(g.batch()));
        try (ClientTrainer trainer = ENGINE.newTrainer(TrainingSpec.of(g.spec(), Sgd.of(0.1f)))) {
            GradientResult result = trainer.gradients(g.weights(), data, 0L);
            assertEquals(g.gradients().names(), result.meanGradient().names(), name + ": gradient names");
            for (String weight : g.gradients().names()) {
                assertClose(
                        g.gradients().tensor(weight),
                        result.meanGradient().tensor(weight),
                        name + " d loss / d " + weight);
            }
        }
    }

    static Stream<String> cases() {
        return CASES.stream();
    }

    /** The list of cases is exactly the golden files the script wrote, so none is silently skipped. */
    @Test
    void everyGoldenFileIsChecked() throws IOException, URISyntaxException {
        Path dir = Path.of(LayerGoldenTest.class.getResource("/golden/layers").toURI());
        List<String> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(CASES.stream().map(c -> c + ".json").sorted().toList(), files);
        for (String name : CASES) {
            assertEquals(name, read(name).name());
        }
    }

    /**
     * Dropout's golden compares inference only; in training mode the same model must differ, or the case checks
     * nothing.
     */
    @Test
    void dropoutIsActiveInTrainingAndIdentityAtInference() throws IOException {
        Golden g = read("dropout_inference");
        try (VariableModel model = ENGINE.newModel(g.spec(), 0L)) {
            model.assignWeights(g.weights());
            Tensor x = g.batch().tensor("x");
            assertClose(g.predictions(), model.predictOnBatch(x), "dropout inference");
            assertFalse(
                    Arrays.equals(
                            g.predictions().floatData(),
                            model.trainingPredictOnBatch(x, 3L).floatData()),
                    "training-mode dropout changed nothing");
        }
        assertNull(g.gradients());
    }
}
