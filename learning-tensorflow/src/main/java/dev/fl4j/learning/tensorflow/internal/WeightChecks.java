package dev.fl4j.learning.tensorflow.internal;

import dev.fl4j.core.StructType;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.learning.model.ModelWeights;

/** Checks weights against a model's weights type, naming the first weight that differs. */
final class WeightChecks {

    private WeightChecks() {}

    static void check(StructType expected, ModelWeights w, String where) {
        StructType actual = w.type();
        if (expected.equals(actual)) {
            return;
        }
        StructType et = (StructType) expected.get("trainable");
        StructType at = (StructType) actual.get("trainable");
        for (int i = 0; i < Math.min(et.size(), at.size()); i++) {
            StructType.Field e = et.fields().get(i);
            StructType.Field a = at.fields().get(i);
            if (e.name() != null && !e.name().equals(a.name())) {
                throw new TypeMismatchException(where + ", trainable weight " + i + ": expected '" + e.name() + "' "
                        + e.type() + " but got '" + a.name() + "' " + a.type());
            }
            if (!e.equals(a)) {
                throw new TypeMismatchException(
                        where + ", trainable weight " + i + " (" + e.name() + ")", e.type(), a.type());
            }
        }
        throw new TypeMismatchException(where + ": model weights", expected, actual);
    }
}
