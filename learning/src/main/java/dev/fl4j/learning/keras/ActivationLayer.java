package dev.fl4j.learning.keras;

import dev.fl4j.core.TensorType;

/** An activation applied as its own layer, Keras's {@code Activation}. */
public record ActivationLayer(Activation activation) implements Layer {

    public static ActivationLayer of(Activation a) {
        return new ActivationLayer(a);
    }

    @Override
    public String baseName() {
        return "activation";
    }

    @Override
    public TensorType outputType(TensorType input) {
        LayerShapes.requireFloat(input, "Activation");
        return input;
    }
}
