package dev.fl4j.learning.keras;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.fl4j.core.DType;
import dev.fl4j.core.TensorType;
import java.util.Arrays;

/**
 * A training loss, as Keras's losses: the mean over the batch (and over time steps, for sequence
 * outputs) of a per-element loss. The loss also fixes the label type a model expects
 * ({@link #labelType}), which makes the model's input spec {@code <x=..., y=...>}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "class_name")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Loss.SparseCategoricalCrossentropy.class, name = "SparseCategoricalCrossentropy"),
    @JsonSubTypes.Type(value = Loss.BinaryCrossentropy.class, name = "BinaryCrossentropy"),
    @JsonSubTypes.Type(value = Loss.MeanSquaredError.class, name = "MeanSquaredError"),
})
public sealed interface Loss {

    /** The label type for predictions of type {@code prediction} (batch dimension first). */
    TensorType labelType(TensorType prediction);

    /**
     * Cross-entropy between int32 class ids {@code y} and the last axis of the predictions, which are
     * logits ({@code from_logits}) or probabilities (clipped to [1e-7, 1 - 1e-7], as Keras does).
     */
    record SparseCategoricalCrossentropy(boolean fromLogits) implements Loss {
        /** This loss over logits (Keras's {@code from_logits=True}) or over probabilities. */
        public SparseCategoricalCrossentropy withFromLogits(boolean fromLogits) {
            return new SparseCategoricalCrossentropy(fromLogits);
        }

        @Override
        public TensorType labelType(TensorType prediction) {
            if (prediction.rank() < 2) {
                throw new IllegalArgumentException(
                        "SparseCategoricalCrossentropy needs predictions of rank >= 2 (classes last), got "
                                + prediction);
            }
            int[] s = prediction.shape();
            return new TensorType(DType.INT32, Arrays.copyOf(s, s.length - 1));
        }
    }

    /** Binary cross-entropy with float32 labels in [0, 1] of the predictions' shape. */
    record BinaryCrossentropy(boolean fromLogits) implements Loss {
        /** This loss over logits (Keras's {@code from_logits=True}) or over probabilities. */
        public BinaryCrossentropy withFromLogits(boolean fromLogits) {
            return new BinaryCrossentropy(fromLogits);
        }

        @Override
        public TensorType labelType(TensorType prediction) {
            return new TensorType(DType.FLOAT32, prediction.shape());
        }
    }

    /** Mean squared error with float32 targets of the predictions' shape. */
    record MeanSquaredError() implements Loss {
        @Override
        public TensorType labelType(TensorType prediction) {
            return new TensorType(DType.FLOAT32, prediction.shape());
        }
    }

    /**
     * Keras's {@code SparseCategoricalCrossentropy()}: over probabilities ({@code from_logits=False}, Keras's
     * default); {@code .withFromLogits(true)} for logits.
     */
    static SparseCategoricalCrossentropy sparseCategoricalCrossentropy() {
        return new SparseCategoricalCrossentropy(false);
    }

    /**
     * Keras's {@code BinaryCrossentropy()}: over probabilities ({@code from_logits=False}, Keras's default);
     * {@code .withFromLogits(true)} for logits.
     */
    static BinaryCrossentropy binaryCrossentropy() {
        return new BinaryCrossentropy(false);
    }

    static Loss meanSquaredError() {
        return new MeanSquaredError();
    }
}
