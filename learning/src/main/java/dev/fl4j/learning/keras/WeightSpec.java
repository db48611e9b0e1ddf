package dev.fl4j.learning.keras;

import dev.fl4j.core.DType;
import dev.fl4j.core.types.TensorType;
import java.util.Arrays;

/**
 * One weight of a layer: its name (e.g. {@code conv2d/kernel}), its shape, the initializer that
 * draws its initial value, and whether training updates it.
 */
public record WeightSpec(String name, int[] shape, Initializer initializer, boolean trainable) {

    public WeightSpec {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public int size() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public TensorType type() {
        return new TensorType(DType.FLOAT32, shape);
    }

    WeightSpec renamed(String prefix) {
        return new WeightSpec(prefix + "/" + name, shape, initializer, trainable);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightSpec w && w.name.equals(name) && Arrays.equals(w.shape, shape)
                && w.initializer.equals(initializer) && w.trainable == trainable;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + ":" + type();
    }
}
