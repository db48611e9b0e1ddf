package dev.fl4j.learning.keras;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;

/**
 * A training metric with TFF's sum-then-finalize semantics. Each client reports its metric's
 * <em>unfinalized</em> state, a structure of sums ({@link #unfinalizedType()}); the states of all
 * clients are summed leaf by leaf (a federated sum), and the server applies {@link #finalize(Value)}
 * once. This is why accuracy is reported as {@code <total, count>} and not as a ratio: the mean of
 * clients' ratios is not the ratio over all examples.
 *
 * <p>Sums are float64 (exact for counts up to 2^53); counts of examples and batches are int64. A mean
 * over zero examples finalizes to 0, as Keras's {@code Mean}.
 */
public enum Metric implements MetricFinalizer {
    /** Fraction of examples (tokens, for sequences) whose arg-max prediction equals the label. */
    @JsonProperty("sparse_categorical_accuracy")
    SPARSE_CATEGORICAL_ACCURACY("sparse_categorical_accuracy"),
    /** The mean of the model's loss over examples, each batch's mean loss weighted by its batch size. */
    @JsonProperty("loss")
    LOSS("loss"),
    /** Number of examples (batch rows) seen. */
    @JsonProperty("num_examples")
    NUM_EXAMPLES("num_examples"),
    /** Number of batches seen. */
    @JsonProperty("num_batches")
    NUM_BATCHES("num_batches");

    private static final StructType MEAN_STATE = StructType.builder()
            .add("total", TensorType.scalar(DType.FLOAT64))
            .add("count", TensorType.scalar(DType.FLOAT64))
            .build();

    private final String metricName;

    Metric(String metricName) {
        this.metricName = metricName;
    }

    /** The name under which the metric is reported, as in TFF. */
    public String metricName() {
        return metricName;
    }

    /** Whether the state is a mean's {@code <total, count>} (else one int64 count). */
    public boolean isMean() {
        return this == SPARSE_CATEGORICAL_ACCURACY || this == LOSS;
    }

    /** The type of this metric's unfinalized state. */
    public Type unfinalizedType() {
        return isMean() ? MEAN_STATE : TensorType.scalar(DType.INT64);
    }

    /** The zero state (no examples seen). */
    public Value zeroState() {
        return isMean() ? Struct.named("total", Tensor.scalar(0.0), "count", Tensor.scalar(0.0)) : Tensor.scalar(0L);
    }

    /**
     * Builds the unfinalized state from accumulated sums in the order of the state's leaves:
     * {@code [total, count]} for means, {@code [count]} for counts.
     */
    public Value stateOf(double[] sums) {
        if (isMean()) {
            return Struct.named("total", Tensor.scalar(sums[0]), "count", Tensor.scalar(sums[1]));
        }
        return Tensor.scalar((long) sums[0]);
    }

    /** Number of leaves of the unfinalized state. */
    public int stateSize() {
        return isMean() ? 2 : 1;
    }

    @Override
    public Value finalize(Value unfinalized) {
        unfinalizedType().checkAssignableFrom(unfinalized.type(), "finalizer of metric " + metricName);
        if (isMean()) {
            Struct s = (Struct) unfinalized;
            double total = s.tensor("total").doubleValue();
            double count = s.tensor("count").doubleValue();
            return Tensor.scalar(count == 0 ? 0.0 : total / count);
        }
        return unfinalized;
    }

    /** The metric reported under {@code name}. */
    public static Metric byName(String name) {
        for (Metric m : values()) {
            if (m.metricName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric '" + name
                + "', expected one of sparse_categorical_accuracy, loss, num_examples, num_batches");
    }
}
