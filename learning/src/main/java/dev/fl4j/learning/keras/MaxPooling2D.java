package dev.fl4j.learning.keras;

import dev.fl4j.core.TensorType;
import java.util.List;

/** Max pooling over NHWC input, Keras's {@code MaxPooling2D}; strides default to the pool size. */
public record MaxPooling2D(List<Integer> poolSize, List<Integer> strides, Padding padding) implements Layer {

    public MaxPooling2D {
        poolSize = List.copyOf(poolSize);
        strides = List.copyOf(strides);
        LayerShapes.pair(poolSize, "pool_size", "MaxPooling2D");
        LayerShapes.pair(strides, "strides", "MaxPooling2D");
    }

    /** A {@code pool × pool} window moved by {@code pool}, valid padding. */
    public static MaxPooling2D of(int pool) {
        return new MaxPooling2D(List.of(pool, pool), List.of(pool, pool), Padding.VALID);
    }

    public MaxPooling2D withPadding(Padding p) {
        return new MaxPooling2D(poolSize, strides, p);
    }

    @Override
    public String baseName() {
        return "max_pooling2d";
    }

    @Override
    public TensorType outputType(TensorType input) {
        LayerShapes.requireRank(input, 4, "MaxPooling2D");
        LayerShapes.requireFloat(input, "MaxPooling2D");
        LayerShapes.requireKnownInner(input, "MaxPooling2D");
        return LayerShapes.spatial(
                input,
                LayerShapes.pair(poolSize, "pool_size", "MaxPooling2D"),
                LayerShapes.pair(strides, "strides", "MaxPooling2D"),
                padding,
                input.shape()[3],
                "MaxPooling2D");
    }
}
