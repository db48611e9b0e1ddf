package dev.fl4j.learning.keras;

import dev.fl4j.core.TensorType;
import java.util.List;

/**
 * Reshapes each example, Keras's {@code Reshape}; at most one entry of {@code target_shape} may be
 * -1 (inferred). Used e.g. to turn flat 784-pixel rows into {@code 28×28×1} images.
 */
public record Reshape(List<Integer> targetShape) implements Layer {

    public Reshape {
        targetShape = List.copyOf(targetShape);
        long unknown = targetShape.stream().filter(d -> d == -1).count();
        if (unknown > 1 || targetShape.stream().anyMatch(d -> d == 0 || d < -1)) {
            throw new IllegalArgumentException(
                    "Reshape target_shape needs positive sizes and at most one -1, got " + targetShape);
        }
    }

    public static Reshape of(int... shape) {
        return new Reshape(InputLayer.toList(shape));
    }

    @Override
    public String baseName() {
        return "reshape";
    }

    @Override
    public TensorType outputType(TensorType input) {
        LayerShapes.requireKnownInner(input, "Reshape");
        long n = LayerShapes.elementsPerExample(input, "Reshape");
        long known = 1;
        int unknownAt = -1;
        int[] out = new int[targetShape.size() + 1];
        out[0] = TensorType.UNKNOWN;
        for (int i = 0; i < targetShape.size(); i++) {
            int d = targetShape.get(i);
            out[i + 1] = d;
            if (d == -1) {
                unknownAt = i + 1;
            } else {
                known *= d; // known <= Integer.MAX_VALUE before this step, d < 2^31: no long overflow
                if (known > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("Reshape target_shape " + targetShape + " holds more than "
                            + Integer.MAX_VALUE + " elements per example");
                }
            }
        }
        if (unknownAt >= 0) {
            if (n % known != 0) {
                throw new IllegalArgumentException(
                        "Reshape cannot fit " + n + " elements per example into " + targetShape);
            }
            out[unknownAt] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException("Reshape to " + targetShape + " needs " + known
                    + " elements per example but input " + input + " has " + n);
        }
        return new TensorType(input.dtype(), out);
    }
}
