package dev.fl4j.learning.keras;

import dev.fl4j.core.TensorType;

/**
 * Keras's {@code Dropout}: in training mode each element is kept with probability {@code 1 - rate}
 * and scaled by {@code 1 / (1 - rate)}; in inference mode the identity. The random mask derives from
 * the seed the trainer is given and the step, never from hidden engine state.
 */
public record Dropout(float rate) implements Layer {

    public Dropout {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
        }
    }

    public static Dropout of(float rate) {
        return new Dropout(rate);
    }

    @Override
    public String baseName() {
        return "dropout";
    }

    @Override
    public TensorType outputType(TensorType input) {
        LayerShapes.requireFloat(input, "Dropout");
        return input;
    }
}
