package dev.fl4j.learning.keras;

import dev.fl4j.core.DType;
import dev.fl4j.core.TensorType;
import java.util.List;

/**
 * The model input, Keras's {@code Input(shape=..., dtype=...)}: the shape of one example (without the
 * batch dimension) and the element type ({@code float32} features, or {@code int32} token ids for
 * an {@link Embedding}).
 */
public record InputLayer(List<Integer> shape, String dtype) implements Layer {

    public InputLayer {
        shape = List.copyOf(shape);
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("InputLayer shape must have positive dimensions, got " + shape);
            }
        }
        DType t = DType.fromName(dtype);
        if (t != DType.FLOAT32 && t != DType.INT32) {
            throw new IllegalArgumentException("InputLayer dtype must be float32 or int32, got " + dtype);
        }
    }

    /** A float32 input of one example's shape. */
    public static InputLayer of(int... shape) {
        return new InputLayer(toList(shape), "float32");
    }

    /** An int32 input (token ids) of one example's shape. */
    public static InputLayer ofIds(int... shape) {
        return new InputLayer(toList(shape), "int32");
    }

    static List<Integer> toList(int... values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    /** The input type with the batch dimension unknown. */
    public TensorType batchType() {
        int[] s = new int[shape.size() + 1];
        s[0] = TensorType.UNKNOWN;
        for (int i = 0; i < shape.size(); i++) {
            s[i + 1] = shape.get(i);
        }
        return new TensorType(DType.fromName(dtype), s);
    }

    @Override
    public String baseName() {
        return "input";
    }

    @Override
    public TensorType outputType(TensorType input) {
        return batchType();
    }
}
