package dev.fl4j.learning.keras;

import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.learning.internal.Json;
import dev.fl4j.learning.model.ModelWeights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * The most parameters a model may have: 2^28 (one GiB of float32 weights). Far above the models of
     * the federated literature (the FedAvg CNN has 1,663,370), and far below what would exhaust a
     * JVM that holds a copy per worker; a spec asking for more is refused when it is made, before any
     * weight is allocated.
     */
    public static final long MAX_PARAMETERS = 1L << 28;

    /** The largest model-spec file {@link #read(Path)} reads: 1 MiB (the FedAvg CNN's spec is 1.5 KiB). */
    public static final int MAX_FILE_BYTES = 1 << 20;

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
        if (seq.countParams() > MAX_PARAMETERS) {
            throw new IllegalArgumentException("model '" + name + "' has " + seq.countParams()
                    + " parameters, more than the " + MAX_PARAMETERS + " a model may have");
        }
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

    /** Keras's {@code model.summary()}: each layer's output shape and parameters, and the totals. */
    public ModelSummary summary() {
        return ModelSummary.of(this);
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

    /**
     * Reads a spec written by {@link #toJson()}; rejects other formats and versions.
     *
     * @throws IllegalArgumentException naming the field (a JSON path such as {@code layers[3].filters})
     *     and what was wrong: malformed JSON, an unknown layer or field, a missing field, a value of the
     *     wrong type (nothing is coerced), a layer that does not fit its input, or a model too large
     */
    public static ModelSpec fromJson(String json) {
        return Json.read(json, FORMAT, VERSION, ModelSpec.class);
    }

    /**
     * Reads a model-spec file (the {@code fl4j.model_spec} JSON of {@link #toJson()}), at most
     * {@link #MAX_FILE_BYTES} of UTF-8. Layers are bound from the {@code class_name}s of {@link Layer}'s
     * closed list only: a name in the file is compared with that list and never loaded as a class.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it: missing, not a
     *     regular file, too large, not UTF-8, or any error of {@link #fromJson}
     * @throws IOException if the file cannot be read
     */
    public static ModelSpec read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    "model spec " + file + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("model spec " + file + ": " + size + " bytes, more than the "
                    + MAX_FILE_BYTES + " a model spec may have");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("model spec " + file + ": not UTF-8 text", e);
        }
        try {
            return fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model spec " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes this spec to {@code file} as {@link #toJson()} (UTF-8), replacing it. */
    public void write(Path file) throws IOException {
        Files.writeString(file, toJson() + "\n", StandardCharsets.UTF_8);
    }
}
