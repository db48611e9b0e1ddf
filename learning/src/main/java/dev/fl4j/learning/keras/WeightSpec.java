package dev.fl4j.learning.keras;

import dev.fl4j.core.DType;
import dev.fl4j.core.TensorType;
import java.util.Arrays;

/**
 * One weight of a layer: its name (e.g. {@code conv2d/kernel}), its shape, the initializer that
 * draws its initial value, and whether training updates it.
 */
public record WeightSpec(String name, int[] shape, Initializer initializer, boolean trainable) {

    /** The most elements one weight may hold: what one Java array can. */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** A weight training updates (Keras's {@code trainable=True}), as every built-in layer's weights are. */
    public static WeightSpec trainable(String name, int[] shape, Initializer initializer) {
        return new WeightSpec(name, shape, initializer, true);
    }

    /**
     * @throws IllegalArgumentException if a dimension is not positive or the weight would hold more
     *     than {@link #MAX_ELEMENTS} values
     */
    public WeightSpec {
        shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException(
                        "weight '" + name + "' has shape " + Arrays.toString(shape) + "; dimensions must be positive");
            }
            n *= d; // n <= MAX_ELEMENTS < 2^31 before this step and d < 2^31: no long overflow
            if (n > MAX_ELEMENTS) {
                throw new IllegalArgumentException("weight '" + name + "' of shape " + Arrays.toString(shape)
                        + " holds more than " + MAX_ELEMENTS + " values, more than one array can hold");
            }
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements (at most {@link #MAX_ELEMENTS}, checked when the spec is made). */
    public int size() {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
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
        return o instanceof WeightSpec w
                && w.name.equals(name)
                && Arrays.equals(w.shape, shape)
                && w.initializer.equals(initializer)
                && w.trainable == trainable;
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
