package dev.fl4j.learning.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.learning.zoo.Models;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

    static ModelSpec everyLayer() {
        return new ModelSpec(
                "every_layer",
                List.of(
                        InputLayer.of(784),
                        Reshape.of(28, 28, 1),
                        Conv2D.of(4, 3).withStrides(2, 2).withActivation(Activation.TANH),
                        AveragePooling2D.of(2).withPadding(Padding.SAME),
                        MaxPooling2D.of(2),
                        new Flatten(),
                        Dropout.of(0.25f),
                        Dense.of(6, Activation.SIGMOID).withKernelInitializer(Initializer.randomNormal(0f, 0.1f)),
                        ActivationLayer.of(Activation.RELU),
                        Dense.of(3).withBiasInitializer(Initializer.constant(0.5f)),
                        new Softmax()),
                Loss.sparseCategoricalCrossentropy(),
                List.of(Metric.SPARSE_CATEGORICAL_ACCURACY, Metric.LOSS));
    }

    @Test
    void shapesAreInferredAsKerasDoes() {
        Sequential s = everyLayer().sequential();
        assertEquals("float32[?,13,13,4]", s.outputTypes().get(2).toString());
        assertEquals("float32[?,7,7,4]", s.outputTypes().get(3).toString());
        assertEquals("float32[?,3,3,4]", s.outputTypes().get(4).toString());
        assertEquals("float32[?,36]", s.outputTypes().get(5).toString());
        assertEquals(
                List.of(
                        "input",
                        "reshape",
                        "conv2d",
                        "average_pooling2d",
                        "max_pooling2d",
                        "flatten",
                        "dropout",
                        "dense",
                        "activation",
                        "dense_1",
                        "softmax"),
                s.layerNames());
        assertEquals(
                "<trainable=<conv2d/kernel=float32[3,3,1,4],conv2d/bias=float32[4],dense/kernel=float32[36,6],"
                        + "dense/bias=float32[6],dense_1/kernel=float32[6,3],dense_1/bias=float32[3]>,"
                        + "non_trainable=<>>",
                everyLayer().weightsType().toString());
    }

    @Test
    void specToJsonToSpecIsTheSameSpecAndTheSameWeights() {
        for (ModelSpec spec : List.of(
                everyLayer(),
                Models.fedAvgCnn(10),
                Models.characterLstm(20, 6, 8, 2),
                new ModelSpec(
                        "bce",
                        List.of(InputLayer.of(3), Dense.of(1)),
                        Loss.binaryCrossentropy().withFromLogits(true),
                        List.of(Metric.LOSS)),
                new ModelSpec(
                        "mse",
                        List.of(InputLayer.of(3), Dense.of(2)),
                        Loss.meanSquaredError(),
                        List.of(Metric.NUM_EXAMPLES)))) {
            String json = spec.toJson();
            ModelSpec back = ModelSpec.fromJson(json);
            assertEquals(spec, back, json);
            assertEquals(json, back.toJson());
            assertEquals(spec.initialWeights(7), back.initialWeights(7));
        }
        String json = Models.fedAvgCnn(10).toJson();
        assertTrue(
                json.contains("\"class_name\" : \"Conv2D\"")
                        && json.contains("\"kernel_size\" : [ 5, 5 ]")
                        && json.contains("\"padding\" : \"same\"")
                        && json.contains("\"format\" : \"fl4j.model_spec\""),
                json);
    }

    @Test
    void badDocumentsAreRejectedClearly() {
        String json = Models.twoNN(10).toJson();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ModelSpec.fromJson(json.replace("\"version\" : 1", "\"version\" : 9")));
        assertTrue(
                e.getMessage().contains("expected version 1") && e.getMessage().contains("9"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> ModelSpec.fromJson(json.replace("fl4j.model_spec", "keras")));
        assertTrue(e.getMessage().contains("expected format 'fl4j.model_spec'"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ModelSpec.fromJson(json.replace("\"units\" : 200", "\"units\" : 200, \"unitz\" : 1")));
        assertTrue(e.getMessage().contains("unitz") && e.getMessage().contains("layers[1]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> ModelSpec.fromJson(json.replace("\"Dense\"", "\"Dense3D\"")));
        assertTrue(e.getMessage().contains("Dense3D"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> ModelSpec.fromJson(json.substring(0, json.length() / 2)));
        assertTrue(e.getMessage().contains("not a valid fl4j.model_spec"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> ModelSpec.fromJson(json.replace("\"units\" : 200,", "")));
        assertTrue(e.getMessage().contains("units") && e.getMessage().contains("layers[1]"), e.getMessage());
    }

    @Test
    void stacksThatDoNotFitNameTheLayer() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Sequential.of(InputLayer.of(784), Conv2D.of(4, 3)));
        assertTrue(
                e.getMessage().contains("layer 1 (conv2d)")
                        && e.getMessage().contains("rank 4")
                        && e.getMessage().contains("float32[?,784]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sequential.of(InputLayer.of(4, 4, 1), Conv2D.of(4, 5)));
        assertTrue(e.getMessage().contains("leaves no output"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sequential.of(Dense.of(3)));
        assertTrue(e.getMessage().contains("starts with an InputLayer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sequential.of(InputLayer.of(10), Embedding.of(5, 2)));
        assertTrue(e.getMessage().contains("int32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dropout.of(1f));
        assertThrows(IllegalArgumentException.class, () -> Reshape.of(-1, -1));
    }

    @Test
    void initializersAreSeededAndFollowKeras() {
        int[] shape = {5, 5, 1, 32};
        float[] a = Initializer.glorotUniform().sample(shape, 3);
        assertEquals(a.length, 800);
        double limit = Math.sqrt(6.0 / (25 + 800));
        double sum = 0;
        for (float v : a) {
            assertTrue(Math.abs(v) <= limit, "glorot value " + v + " outside ±" + limit);
            sum += v;
        }
        assertTrue(Math.abs(sum / a.length) < limit / 5);
        assertEquals(
                java.util.Arrays.toString(a),
                java.util.Arrays.toString(Initializer.glorotUniform().sample(shape, 3)));
        assertNotEquals(
                java.util.Arrays.toString(a),
                java.util.Arrays.toString(Initializer.glorotUniform().sample(shape, 4)));
        float[] q = Initializer.orthogonal().sample(new int[] {6, 4}, 9);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double dot = 0;
                for (int r = 0; r < 6; r++) {
                    dot += q[r * 4 + i] * q[r * 4 + j];
                }
                assertEquals(i == j ? 1.0 : 0.0, dot, 1e-5);
            }
        }
        float[] bias = new Initializer.UnitForgetBias(2).sample(new int[] {8}, 0);
        assertEquals("[0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]", java.util.Arrays.toString(bias));
    }

    /**
     * Sizes read from a spec are multiplied exactly: a 65536 × 65536 kernel (2^32 values, which an
     * int product wraps to 0), an LSTM whose 4 × units gates wrap, and a flattened example past the
     * int range are refused, naming the layer.
     */
    @Test
    void sizesPastWhatAnArrayHoldsAreRefused() {
        String dense = new ModelSpec(
                        "big", List.of(InputLayer.of(3), Dense.of(7)), Loss.meanSquaredError(), List.of(Metric.LOSS))
                .toJson();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ModelSpec.fromJson(dense.replace("\"shape\" : [ 3 ]", "\"shape\" : [ 65536 ]")
                        .replace("\"units\" : 7", "\"units\" : 65536")));
        assertTrue(
                e.getMessage()
                        .contains("layer 1 (dense): weight 'kernel' of shape [65536, 65536] holds more than 2147483639 "
                                + "values"),
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Lstm.of(1 << 30));
        assertTrue(e.getMessage().contains("LSTM units must be in 1..536870911"), e.getMessage());

        e = assertThrows(
                IllegalArgumentException.class,
                () -> new ModelSpec(
                        "wide",
                        List.of(InputLayer.of(65536, 65536, 2), new Flatten(), Dense.of(1)),
                        Loss.meanSquaredError(),
                        List.of(Metric.LOSS)));
        assertTrue(
                e.getMessage()
                        .contains("layer 1 (flatten): Flatten of input float32[?,65536,65536,2] yields more than "
                                + "2147483647 elements per example"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Sequential.of(InputLayer.of(4), Reshape.of(65536, 65536, -1)));
        assertTrue(
                e.getMessage()
                        .contains("Reshape target_shape [65536, 65536, -1] holds more than 2147483647 elements per "
                                + "example"),
                e.getMessage());
    }

    /** Jackson keeps the last of two equal keys; a spec with a key given twice is refused instead. */
    @Test
    void keysGivenTwiceAreRefused() {
        String json = Models.twoNN(10).toJson();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ModelSpec.fromJson(json.replace("\"units\" : 200,", "\"units\" : 200, \"units\" : 100,")));
        assertTrue(e.getMessage().contains("Duplicate field 'units'"), e.getMessage());
    }

    @Test
    void flagsAreNamedAtTheCallSiteWithKerasDefaults() {
        assertEquals(
                new Loss.SparseCategoricalCrossentropy(false),
                Loss.sparseCategoricalCrossentropy(),
                "Keras: from_logits=False");
        assertEquals(
                new Loss.SparseCategoricalCrossentropy(true),
                Loss.sparseCategoricalCrossentropy().withFromLogits(true));
        assertEquals(
                new Loss.BinaryCrossentropy(true), Loss.binaryCrossentropy().withFromLogits(true));
        dev.fl4j.core.TensorType input = new dev.fl4j.core.TensorType(dev.fl4j.core.DType.FLOAT32, -1, 5, 3);
        assertEquals(2, Lstm.of(4).outputType(input).rank(), "Keras: return_sequences=False");
        Lstm sequences = Lstm.of(4).withReturnSequences(true);
        assertEquals(3, sequences.outputType(input).rank());
        assertTrue(sequences.unitForgetBias());
        assertTrue(WeightSpec.trainable("k", new int[] {2}, Initializer.zeros()).trainable());
        assertTrue(Dense.of(3).weights(new dev.fl4j.core.TensorType(dev.fl4j.core.DType.FLOAT32, -1, 2)).stream()
                .allMatch(WeightSpec::trainable));
    }
}
