package dev.fl4j.learning.keras;

import dev.fl4j.core.DType;
import dev.fl4j.core.TensorType;
import java.util.List;

/**
 * Keras's {@code Embedding}: int32 ids in {@code [0, input_dim)} to rows of an
 * {@code [input_dim, output_dim]} matrix (default initializer uniform in ±0.05, as Keras). Ids out
 * of range are rejected when a batch is fed.
 */
public record Embedding(int inputDim, int outputDim, Initializer embeddingsInitializer) implements Layer {

    public Embedding {
        if (inputDim <= 0 || outputDim <= 0) {
            throw new IllegalArgumentException(
                    "Embedding dimensions must be positive, got input_dim=" + inputDim + ", output_dim=" + outputDim);
        }
    }

    public static Embedding of(int inputDim, int outputDim) {
        return new Embedding(inputDim, outputDim, Initializer.randomUniform(-0.05f, 0.05f));
    }

    @Override
    public String baseName() {
        return "embedding";
    }

    @Override
    public TensorType outputType(TensorType input) {
        if (input.dtype() != DType.INT32) {
            throw new IllegalArgumentException("Embedding expects int32 ids but got " + input);
        }
        LayerShapes.requireMinRank(input, 2, "Embedding");
        LayerShapes.requireKnownInner(input, "Embedding");
        int[] s = input.shape();
        int[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = outputDim;
        return new TensorType(DType.FLOAT32, out);
    }

    @Override
    public List<WeightSpec> weights(TensorType input) {
        return List.of(WeightSpec.trainable("embeddings", new int[] {inputDim, outputDim}, embeddingsInitializer));
    }
}
