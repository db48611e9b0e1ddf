package dev.fl4j.learning.keras;

import dev.fl4j.core.TensorType;

/** Softmax over the last axis, Keras's {@code Softmax} layer. */
public record Softmax() implements Layer {

    @Override
    public String baseName() {
        return "softmax";
    }

    @Override
    public TensorType outputType(TensorType input) {
        LayerShapes.requireFloat(input, "Softmax");
        LayerShapes.requireMinRank(input, 2, "Softmax");
        return input;
    }
}
