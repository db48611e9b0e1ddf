package dev.fl4j.learning.keras;

import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.learning.internal.Json;
import dev.fl4j.learning.model.ModelWeights;
import java.util.List;

/**
 * A complete, engine-neutral description of a model: a {@link Sequential} stack of layers, the loss
 * and the metrics. It is everything another JVM needs to rebuild the same model (DESIGN seam 4): it
 * captures no code, and {@link #toJson()} writes it in a documented, versioned format.
 *
 * <h2>JSON format {@code fl4j.model_spec}, version 1</h2>
 * <pre>{@code
 * { "format": "fl4j.model_spec", "version": 1, "name": "fedavg_cnn",
 *   "layers": [ {"class_name": "InputLayer", "shape": [28,28,1], "dtype": "float32"},
 *               {"class_name": "Conv2D", "filters": 32, "kernel_size": [5,5], "strides": [1,1],
 *                "padding": "same", "activation": "relu", "use_bias": true,
 *                "kernel_initializer": {"class_name": "GlorotUniform"},
 *                "bias_initializer": {"class_name": "Zeros"}}, ... ],
 *   "loss": {"class_name": "SparseCategoricalCrossentropy", "from_logits": true},
 *   "metrics": ["sparse_categorical_accuracy", "loss", "num_examples", "num_batches"] }
 * }</pre>
 * Layer configs are Keras's {@code get_config} fields in snake_case with {@code class_name} naming
 * the layer. Every field is required; unknown fields, other formats and other versions are rejected.
 *
 * <p>The input spec ({@link #inputSpec()}) is {@code <x=..., y=...>}: {@code x} from the input layer,
 * {@code y} from the loss and the output shape, each with an unknown batch dimension.
 */
public record ModelSpec(String name, List<Layer> layers, Loss loss, List<Metric> metrics) {

    public static final String FORMAT = "fl4j.model_spec";
    public static final int VERSION = 1;

    public ModelSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a model spec needs a name");
        }
        layers = List.copyOf(layers);
        metrics = List.copyOf(metrics);
        if (metrics.stream().distinct().count() != metrics.size()) {
            throw new IllegalArgumentException("metrics are listed twice: " + metrics);
        }
        Sequential seq = Sequential.of(layers);
        try {
            loss.labelType(seq.outputType());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model '" + name + "': " + e.getMessage(), e);
        }
        if (metrics.contains(Metric.SPARSE_CATEGORICAL_ACCURACY)
                && seq.outputType().rank() < 2) {
            throw new IllegalArgumentException(
                    "sparse_categorical_accuracy needs class scores on the last axis, output is " + seq.outputType());
        }
    }

    public static ModelSpec of(String name, Sequential model, Loss loss, List<Metric> metrics) {
        return new ModelSpec(name, model.layers(), loss, metrics);
    }

    /** The layer stack, with shapes inferred. */
    public Sequential sequential() {
        return Sequential.of(layers);
    }

    /** {@code <x=..., y=...>} of one batch. */
    public StructType inputSpec() {
        Sequential seq = sequential();
        return StructType.builder()
                .add("x", seq.inputType())
                .add("y", labelType())
                .build();
    }

    /** The label type, from the loss and the output type. */
    public TensorType labelType() {
        return loss.labelType(sequential().outputType());
    }

    /** The prediction type (the last layer's output). */
    public TensorType predictionType() {
        return sequential().outputType();
    }

    /** {@code <trainable=<name=float32[...],...>,non_trainable=<>>}. */
    public StructType weightsType() {
        StructType.Builder t = StructType.builder();
        for (WeightSpec w : sequential().weights()) {
            t.add(w.name(), w.type());
        }
        return StructType.builder()
                .add("trainable", t.build())
                .add("non_trainable", StructType.builder().build())
                .build();
    }

    /** Number of weight elements. */
    public long countParams() {
        return sequential().countParams();
    }

    /** Whether any layer behaves differently in training and inference. */
    public boolean hasTrainingOnlyLayers() {
        return layers.stream().anyMatch(l -> l instanceof Dropout d && d.rate() > 0f);
    }

    /**
     * The initial weights drawn from {@code seed}: weight {@code i} uses the seed derived from
     * ({@code seed}, {@code i}), so the result depends on nothing but the spec and the seed.
     */
    public ModelWeights initialWeights(long seed) {
        List<WeightSpec> ws = sequential().weights();
        Struct.Builder trainable = Struct.builder();
        for (int i = 0; i < ws.size(); i++) {
            WeightSpec w = ws.get(i);
            float[] values = w.initializer().sample(w.shape(), Seeds.deriveForModel(seed, i));
            trainable.add(w.name(), Tensor.of(values, w.shape()));
        }
        return ModelWeights.of(trainable.build(), Struct.empty());
    }

    /** This spec in the {@code fl4j.model_spec} version 1 JSON format. */
    public String toJson() {
        return Json.write(FORMAT, VERSION, this);
    }

    /** Reads a spec written by {@link #toJson()}; rejects other formats and versions. */
    public static ModelSpec fromJson(String json) {
        return Json.read(json, FORMAT, VERSION, ModelSpec.class);
    }
}
