package dev.fl4j.learning.keras;

import dev.fl4j.core.DType;
import dev.fl4j.core.TensorType;

/** Flattens every dimension but the batch into one, Keras's {@code Flatten}. */
public record Flatten() implements Layer {

    @Override
    public String baseName() {
        return "flatten";
    }

    @Override
    public TensorType outputType(TensorType input) {
        LayerShapes.requireMinRank(input, 2, "Flatten");
        LayerShapes.requireKnownInner(input, "Flatten");
        return new TensorType(
                input.dtype() == DType.INT32 ? DType.INT32 : DType.FLOAT32,
                TensorType.UNKNOWN,
                LayerShapes.elementsPerExample(input, "Flatten"));
    }
}
