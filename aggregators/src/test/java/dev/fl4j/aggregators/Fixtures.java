package dev.fl4j.aggregators;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import java.util.ArrayList;
import java.util.List;

/** Shared helpers for the factory tests. */
final class Fixtures {

    static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    static final TensorType VEC2 = new TensorType(DType.FLOAT32, 2);

    private Fixtures() {}

    static FederatedValue clients(Value... values) {
        return FederatedValue.clients(List.of(values));
    }

    static FederatedValue weights(float... w) {
        List<Value> out = new ArrayList<>();
        for (float x : w) {
            out.add(Tensor.scalar(x));
        }
        return FederatedValue.clients(out);
    }

    static FederatedValue vectors(float[]... rows) {
        List<Value> out = new ArrayList<>();
        for (float[] r : rows) {
            out.add(Tensor.vector(r.clone()));
        }
        return FederatedValue.clients(out);
    }

    static float[] server(Value v) {
        return ((Tensor) ((ServerValue) v).value()).floatData();
    }

    /** A measurement at {@code path} (names joined by '/') as a double. */
    static double measurement(Value measurements, String path) {
        java.util.Map<String, Double> all = Measurements.flatten(measurements);
        if (!all.containsKey(path)) {
            throw new AssertionError("no measurement " + path + " in " + all.keySet());
        }
        return all.get(path);
    }
}
