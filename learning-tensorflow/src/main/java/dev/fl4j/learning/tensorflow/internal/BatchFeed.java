package dev.fl4j.learning.tensorflow.internal;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * One batch as TensorFlow tensors, copied straight from the core tensors' primitive arrays (one bulk
 * copy per field, no object per example). Closing releases the native memory.
 */
final class BatchFeed implements AutoCloseable {

    private final org.tensorflow.Tensor x;
    private final org.tensorflow.Tensor y;

    private BatchFeed(org.tensorflow.Tensor x, org.tensorflow.Tensor y) {
        this.x = x;
        this.y = y;
    }

    static BatchFeed of(Struct batch) {
        org.tensorflow.Tensor fx = toTf(batch.tensor("x"));
        try {
            return new BatchFeed(fx, toTf(batch.tensor("y")));
        } catch (RuntimeException e) {
            fx.close();
            throw e;
        }
    }

    org.tensorflow.Tensor x() {
        return x;
    }

    org.tensorflow.Tensor y() {
        return y;
    }

    static org.tensorflow.Tensor toTf(Tensor t) {
        Shape shape = Shape.of(TfModelGraph.longs(t.shape()));
        return switch (t.dtype()) {
            case FLOAT32 -> TFloat32.tensorOf(shape, DataBuffers.of(t.floatData(), true, false));
            case INT32 -> TInt32.tensorOf(shape, DataBuffers.of(t.intData(), true, false));
            case INT64 -> TInt64.tensorOf(shape, DataBuffers.of(t.longData(), true, false));
            case FLOAT64 -> TFloat64.tensorOf(shape, DataBuffers.of(t.doubleData(), true, false));
            default -> throw new IllegalArgumentException("cannot feed a " + t.type() + " tensor");
        };
    }

    /**
     * Checks one dataset element against the input spec and returns its batch size.
     *
     * @param numClasses labels must lie in [0, numClasses) when >= 0
     * @param vocabulary ids in x must lie in [0, vocabulary) when >= 0
     */
    static int check(StructType inputSpec, Value element, int index, int numClasses, int vocabulary) {
        String where = "batch " + index;
        if (!(element instanceof Struct batch) || !batch.has("x") || !batch.has("y") || batch.size() != 2) {
            throw new TypeMismatchException(where, inputSpec, element.type());
        }
        Value xv = batch.get("x");
        Value yv = batch.get("y");
        inputSpec.get("x").checkAssignableFrom(xv.type(), where + ", field x");
        inputSpec.get("y").checkAssignableFrom(yv.type(), where + ", field y");
        Tensor x = (Tensor) xv;
        Tensor y = (Tensor) yv;
        if (x.dim(0) != y.dim(0)) {
            throw new IllegalArgumentException(where + ": x has " + x.dim(0) + " examples but y has " + y.dim(0)
                    + " (x " + x.type() + ", y " + y.type() + ")");
        }
        if (numClasses >= 0) {
            checkRange(y, numClasses, where + ", field y: label", ((TensorType) inputSpec.get("y")).dtype());
        }
        if (vocabulary >= 0) {
            checkRange(x, vocabulary, where + ", field x: id", DType.INT32);
        }
        return x.dim(0);
    }

    private static void checkRange(Tensor t, int bound, String what, DType dtype) {
        if (dtype != DType.INT32) {
            return;
        }
        int[] data = t.intData();
        for (int i = 0; i < data.length; i++) {
            if (data[i] < 0 || data[i] >= bound) {
                throw new IllegalArgumentException(
                        what + " " + data[i] + " at position " + i + " is outside [0, " + bound + ")");
            }
        }
    }

    @Override
    public void close() {
        x.close();
        y.close();
    }
}
