package dev.fl4j.learning.keras;

import dev.fl4j.core.DType;
import dev.fl4j.core.TensorType;
import java.util.List;

/** Shape checks shared by the layers. */
final class LayerShapes {

    private LayerShapes() {}

    static void requireRank(TensorType input, int rank, String what) {
        if (input.rank() != rank) {
            throw new IllegalArgumentException(what + " expects an input of rank " + rank + " but got " + input);
        }
    }

    static void requireMinRank(TensorType input, int rank, String what) {
        if (input.rank() < rank) {
            throw new IllegalArgumentException(what + " expects an input of rank >= " + rank + " but got " + input);
        }
    }

    static void requireFloat(TensorType input, String what) {
        if (input.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(what + " expects float32 input but got " + input);
        }
    }

    static void requireKnownInner(TensorType input, String what) {
        int[] s = input.shape();
        for (int i = 1; i < s.length; i++) {
            if (s[i] == TensorType.UNKNOWN) {
                throw new IllegalArgumentException(what + " needs every dimension but the batch known, got " + input);
            }
        }
    }

    /**
     * The number of elements in one example of {@code input} (all dimensions after the batch),
     * computed exactly; more than fit an int dimension is an error naming the layer.
     */
    static int elementsPerExample(TensorType input, String what) {
        int[] s = input.shape();
        long n = 1;
        for (int i = 1; i < s.length; i++) {
            n *= s[i]; // n <= Integer.MAX_VALUE before this step, s[i] < 2^31: no long overflow
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " of input " + input + " yields more than "
                        + Integer.MAX_VALUE + " elements per example");
            }
        }
        return (int) n;
    }

    static int[] pair(List<Integer> values, String field, String what) {
        if (values == null || values.size() != 2) {
            throw new IllegalArgumentException(what + " " + field + " must have 2 entries, got " + values);
        }
        int a = values.get(0);
        int b = values.get(1);
        if (a <= 0 || b <= 0) {
            throw new IllegalArgumentException(what + " " + field + " must be positive, got " + values);
        }
        return new int[] {a, b};
    }

    static TensorType withLast(TensorType input, int last) {
        int[] s = input.shape();
        s[s.length - 1] = last;
        return new TensorType(DType.FLOAT32, s);
    }

    static TensorType spatial(
            TensorType input, int[] window, int[] strides, Padding padding, int channels, String what) {
        int[] s = input.shape();
        int h = padding.outputLength(s[1], window[0], strides[0]);
        int w = padding.outputLength(s[2], window[1], strides[1]);
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException(what + " with window " + window[0] + "x" + window[1] + " and "
                    + padding.tfName() + " padding leaves no output for input " + input);
        }
        return new TensorType(DType.FLOAT32, TensorType.UNKNOWN, h, w, channels);
    }
}
