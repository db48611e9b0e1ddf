package dev.fl4j.learning.tensorflow;

import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.keras.MetricFinalizer;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.BatchOutput;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.VariableModel;
import dev.fl4j.learning.tensorflow.internal.TfModelGraph;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link VariableModel} on TensorFlow Java: the spec's forward passes (training and inference
 * mode) and metric sums in one graph with a single-threaded session. Weights start from
 * {@link ModelSpec#initialWeights(long)}.
 */
public final class TfModel implements VariableModel {

    private final TfModelGraph graph;
    private int batches;

    public TfModel(ModelSpec spec, long seed) {
        this.graph = new TfModelGraph(spec, TfModelGraph.Options.inferenceOnly());
        graph.assign(spec.initialWeights(seed), "initial weights of model '" + spec.name() + "'");
    }

    public ModelSpec spec() {
        return graph.spec();
    }

    @Override
    public StructType inputSpec() {
        return graph.inputSpec();
    }

    @Override
    public ModelWeights weights() {
        return graph.readWeights();
    }

    /** Replaces the weights and, as for every assignment in this engine, zeroes the local metrics. */
    @Override
    public void assignWeights(ModelWeights weights) {
        graph.assign(weights, "assign_weights of model '" + graph.spec().name() + "'");
    }

    @Override
    public BatchOutput forwardPass(Struct batch) {
        return forwardPass(TfModelGraph.Mode.FORWARD_INFERENCE, batch, 0L);
    }

    @Override
    public BatchOutput trainingForwardPass(Struct batch, long seed) {
        return forwardPass(TfModelGraph.Mode.FORWARD_TRAINING, batch, seed);
    }

    private BatchOutput forwardPass(TfModelGraph.Mode mode, Struct batch, long seed) {
        Tensor[] fetched = new Tensor[2];
        int size = graph.runBatch(mode, batch, batches++, seed, batches, fetched);
        if (size == 0) {
            throw new IllegalArgumentException(
                    "forward_pass of model '" + graph.spec().name() + "': the batch has no examples");
        }
        return new BatchOutput(fetched[0], fetched[1], size);
    }

    @Override
    public Tensor predictOnBatch(Tensor x) {
        return graph.predict(x, false, 0L);
    }

    @Override
    public Tensor trainingPredictOnBatch(Tensor x, long seed) {
        return graph.predict(x, true, seed);
    }

    @Override
    public Struct reportLocalUnfinalizedMetrics() {
        return graph.readMetrics();
    }

    @Override
    public Map<String, MetricFinalizer> metricFinalizers() {
        Map<String, MetricFinalizer> out = new LinkedHashMap<>();
        for (Metric m : graph.spec().metrics()) {
            out.put(m.metricName(), m);
        }
        return out;
    }

    @Override
    public void resetMetrics() {
        graph.resetMetrics();
    }

    @Override
    public void close() {
        graph.close();
    }
}
