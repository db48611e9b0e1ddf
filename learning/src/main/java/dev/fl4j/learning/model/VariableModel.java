package dev.fl4j.learning.model;

import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.learning.keras.MetricFinalizer;
import java.util.Map;

/**
 * The engine-neutral model contract, shaped like TFF's {@code tff.learning.models.VariableModel}.
 * Only core values appear in it, so an engine other than TensorFlow (e.g. DJL) can implement it
 * without touching core or aggregators.
 *
 * <ul>
 *   <li>weights: {@link #weights()} and {@link #assignWeights(ModelWeights)}, trainable and
 *       non-trainable, as {@link ModelWeights};</li>
 *   <li>{@link #inputSpec()}: the type of one batch, e.g. {@code <x=float32[?,28,28,1],y=int32[?]>};</li>
 *   <li>{@link #forwardPass}: loss, predictions and number of examples for a batch, in training mode
 *       (dropout active) or inference mode; every pass also updates the local metrics;</li>
 *   <li>local metrics: {@link #reportLocalUnfinalizedMetrics()} returns sums (e.g. accuracy as
 *       {@code <total,count>}) that are summed across clients and then finalized on the server by
 *       {@link #metricFinalizers()}, TFF's semantics; {@link #resetMetrics()} zeroes them.</li>
 * </ul>
 * A model holds native resources and is used by one thread at a time.
 */
public interface VariableModel extends AutoCloseable {

    /** The type of one batch: {@code <x=..., y=...>} with an unknown batch dimension. */
    StructType inputSpec();

    /** A copy of the current weights. */
    ModelWeights weights();

    /**
     * Replaces the weights.
     *
     * @throws dev.fl4j.core.TypeMismatchException if {@code weights} does not have this model's
     *     weights type, naming the first weight that differs
     */
    void assignWeights(ModelWeights weights);

    /**
     * TFF's {@code forward_pass(batch, training=False)}: runs the model in inference mode (no dropout) on
     * {@code batch} (a {@code <x, y>} structure of the {@link #inputSpec()}) and adds the batch to the local metrics.
     *
     * @throws dev.fl4j.core.TypeMismatchException if the batch does not fit the input spec
     */
    BatchOutput forwardPass(Struct batch);

    /**
     * TFF's {@code forward_pass(batch, training=True)}: as {@link #forwardPass(Struct)} in training mode, with
     * dropout masks derived from {@code seed}.
     *
     * @throws dev.fl4j.core.TypeMismatchException if the batch does not fit the input spec
     */
    BatchOutput trainingForwardPass(Struct batch, long seed);

    /**
     * TFF's {@code predict_on_batch(x, training=False)}: the model's output for features {@code x} (no metrics
     * updated).
     */
    Tensor predictOnBatch(Tensor x);

    /**
     * TFF's {@code predict_on_batch(x, training=True)}: as {@link #predictOnBatch(Tensor)} with dropout masks from
     * {@code seed}.
     */
    Tensor trainingPredictOnBatch(Tensor x, long seed);

    /** {@code <metric_name=state, ...>} of the sums accumulated since the last reset. */
    Struct reportLocalUnfinalizedMetrics();

    /** For each metric name, the function the server applies to the summed states. */
    Map<String, MetricFinalizer> metricFinalizers();

    /** Zeroes the local metrics. */
    void resetMetrics();

    /** Releases the engine's native resources. */
    @Override
    void close();
}
