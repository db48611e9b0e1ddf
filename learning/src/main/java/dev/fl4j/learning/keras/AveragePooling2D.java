package dev.fl4j.learning.keras;

import dev.fl4j.core.TensorType;
import java.util.List;

/** Average pooling over NHWC input, Keras's {@code AveragePooling2D}; strides default to the pool size. */
public record AveragePooling2D(List<Integer> poolSize, List<Integer> strides, Padding padding) implements Layer {

    public AveragePooling2D {
        poolSize = List.copyOf(poolSize);
        strides = List.copyOf(strides);
        LayerShapes.pair(poolSize, "pool_size", "AveragePooling2D");
        LayerShapes.pair(strides, "strides", "AveragePooling2D");
    }

    /** A {@code pool × pool} window moved by {@code pool}, valid padding. */
    public static AveragePooling2D of(int pool) {
        return new AveragePooling2D(List.of(pool, pool), List.of(pool, pool), Padding.VALID);
    }

    public AveragePooling2D withPadding(Padding p) {
        return new AveragePooling2D(poolSize, strides, p);
    }

    @Override
    public String baseName() {
        return "average_pooling2d";
    }

    @Override
    public TensorType outputType(TensorType input) {
        LayerShapes.requireRank(input, 4, "AveragePooling2D");
        LayerShapes.requireFloat(input, "AveragePooling2D");
        LayerShapes.requireKnownInner(input, "AveragePooling2D");
        return LayerShapes.spatial(
                input,
                LayerShapes.pair(poolSize, "pool_size", "AveragePooling2D"),
                LayerShapes.pair(strides, "strides", "AveragePooling2D"),
                padding,
                input.shape()[3],
                "AveragePooling2D");
    }
}
