package dev.fl4j.learning.keras;

import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import java.util.List;

/** Operations over a list of {@link Metric}s' unfinalized states, each a struct named by metric. */
public final class Metrics {

    private Metrics() {}

    /** {@code <metric_name=state, ...>} type of the unfinalized states of {@code metrics}. */
    public static StructType unfinalizedType(List<Metric> metrics) {
        StructType.Builder b = StructType.builder();
        for (Metric m : metrics) {
            b.add(m.metricName(), m.unfinalizedType());
        }
        return b.build();
    }

    /** The states of no examples seen. */
    public static Struct zeros(List<Metric> metrics) {
        Struct.Builder b = Struct.builder();
        for (Metric m : metrics) {
            b.add(m.metricName(), m.zeroState());
        }
        return b.build();
    }

    /** Leaf-wise sum of two unfinalized states (what the federated sum across clients computes). */
    public static Struct sum(Struct a, Struct b) {
        return (Struct) Structures.zip(a, b, Metrics::add);
    }

    private static Tensor add(Tensor x, Tensor y) {
        if (x.dtype() != y.dtype() || x.size() != 1 || y.size() != 1) {
            throw new IllegalArgumentException(
                    "metric states must be matching scalars, got " + x.type() + " and " + y.type());
        }
        return switch (x.dtype()) {
            case FLOAT64 -> Tensor.scalar(x.doubleValue() + y.doubleValue());
            case INT64 -> Tensor.scalar(x.longValue() + y.longValue());
            default -> throw new IllegalArgumentException("metric state leaves are float64 or int64, got " + x.type());
        };
    }

    /** Applies every metric's finalizer: {@code <metric_name=value, ...>}. */
    public static Struct finalizeAll(List<Metric> metrics, Struct unfinalized) {
        unfinalizedType(metrics).checkAssignableFrom(unfinalized.type(), "metric finalization");
        Struct.Builder b = Struct.builder();
        for (Metric m : metrics) {
            b.add(m.metricName(), m.finalize(unfinalized.get(m.metricName())));
        }
        return b.build();
    }

    /** Reads {@code metrics}' states from sums laid out metric after metric, leaf after leaf. */
    public static Struct fromSums(List<Metric> metrics, double[] sums) {
        Struct.Builder b = Struct.builder();
        int at = 0;
        for (Metric m : metrics) {
            double[] part = java.util.Arrays.copyOfRange(sums, at, at + m.stateSize());
            b.add(m.metricName(), m.stateOf(part));
            at += m.stateSize();
        }
        return b.build();
    }

    /** Total number of state leaves of {@code metrics}. */
    public static int stateSize(List<Metric> metrics) {
        int n = 0;
        for (Metric m : metrics) {
            n += m.stateSize();
        }
        return n;
    }
}
