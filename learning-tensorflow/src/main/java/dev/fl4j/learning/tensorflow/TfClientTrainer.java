package dev.fl4j.learning.tensorflow;

import dev.fl4j.core.SequenceType;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ClientTrainingResult;
import dev.fl4j.learning.model.ClientUpdateResult;
import dev.fl4j.learning.model.EvaluationResult;
import dev.fl4j.learning.model.GradientResult;
import dev.fl4j.learning.model.LocalSteps;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.tensorflow.internal.TfModelGraph;
import java.util.Iterator;

/**
 * The {@link ClientTrainer} of the TensorFlow engine. The constructor builds one graph holding the
 * forward passes, the metric sums, the gradients, the client optimizer's in-graph update (and
 * FedProx anchors when {@code μ > 0}) and FedSGD gradient sums, with a session of one intra-op and
 * one inter-op thread. Per client one session run assigns the weights and resets every piece of
 * per-client state; each batch is then one session run; one more run reads the weights and the
 * metrics, except in {@link #trainUpdate}, whose last batch's run also fetches the weights and the
 * metric sums (a client of one batch takes two runs, not three). The graph keeps a snapshot of the weights it
 * was given last, so the clients of a round that a worker runs one after another copy the broadcast
 * weights into the session once, not once each (see {@code TfModelGraph.assign}).
 *
 * <p>Determinism: with the same weights, data and seed the result is bitwise the same, whatever ran
 * on this trainer before. Dropout masks come from stateless random ops seeded with values derived
 * from {@code seed}, the local step and the layer.
 */
public final class TfClientTrainer implements ClientTrainer {

    private final TrainingSpec spec;
    private final TfModelGraph graph;

    public TfClientTrainer(TrainingSpec spec) {
        this.spec = spec;
        this.graph = new TfModelGraph(
                spec.model(), new TfModelGraph.Options(spec.clientOptimizer(), spec.proximalMu(), true));
    }

    @Override
    public TrainingSpec spec() {
        return spec;
    }

    @Override
    public ClientTrainingResult train(ModelWeights initial, SequenceValue data, long seed, LocalSteps steps) {
        Trained t = runTraining(initial, data, seed, steps, false);
        return new ClientTrainingResult(graph.readWeights(), t.examples(), graph.readMetrics(), t.steps());
    }

    /**
     * As {@link #train}, but the update {@code initial − trained} is computed as the weights are read
     * out of the session, in one run with the metrics, into buffers this trainer reuses: one array
     * per weight is allocated per client instead of two, and no trained weights are materialized.
     */
    @Override
    public ClientUpdateResult trainUpdate(ModelWeights initial, SequenceValue data, long seed) {
        Trained t = runTraining(initial, data, seed, LocalSteps.NONE, true);
        TfModelGraph.Delta d = t.delta() != null ? t.delta() : graph.readDelta(initial, "train: initial weights");
        return new ClientUpdateResult(d.update(), t.examples(), d.metrics());
    }

    /**
     * How much a client trained: examples seen and optimizer steps taken; and the update read with the
     * last step, if it was asked for and the last batch was not empty (else null).
     */
    private record Trained(long examples, long steps, TfModelGraph.Delta delta) {}

    /**
     * Assigns {@code initial}, applies {@code steps} and runs the spec's epochs over {@code data}; with
     * {@code readDelta}, the last batch's run also reads the update from {@code initial}.
     */
    private Trained runTraining(
            ModelWeights initial, SequenceValue data, long seed, LocalSteps steps, boolean readDelta) {
        checkDataset(data, "train");
        graph.assign(initial, "train: initial weights");
        graph.setLocalSteps(steps);
        long examples = 0;
        long step = 0;
        TfModelGraph.Delta delta = null;
        for (int epoch = 0; epoch < spec.epochs(); epoch++) {
            int index = 0;
            Iterator<Value> batches = data.iterator();
            while (batches.hasNext()) {
                Struct batch = (Struct) checkStruct(batches.next(), index, epoch);
                int n;
                if (readDelta && epoch == spec.epochs() - 1 && !batches.hasNext()) {
                    TfModelGraph.LastStep last =
                            graph.runLastTrainStep(batch, index, seed, step + 1, initial, "train: initial weights");
                    n = last.size();
                    delta = last.delta();
                } else {
                    n = graph.runBatch(TfModelGraph.Mode.TRAIN_STEP, batch, index, seed, step + 1, null);
                }
                if (n > 0) {
                    examples += n;
                    step++;
                }
                index++;
            }
        }
        return new Trained(examples, step, delta);
    }

    @Override
    public GradientResult gradients(ModelWeights weights, SequenceValue data, long seed) {
        checkDataset(data, "gradients");
        graph.assign(weights, "gradients: weights");
        graph.resetGradientSums();
        long examples = 0;
        int index = 0;
        for (Value batch : data) {
            examples += graph.runBatch(
                    TfModelGraph.Mode.ACCUMULATE_GRADIENTS,
                    (Struct) checkStruct(batch, index, 0),
                    index,
                    seed,
                    index + 1,
                    null);
            index++;
        }
        return new GradientResult(graph.readMeanGradient(examples), examples, graph.readMetrics());
    }

    @Override
    public EvaluationResult evaluate(ModelWeights weights, SequenceValue data) {
        checkDataset(data, "evaluate");
        graph.assign(weights, "evaluate: weights");
        long examples = 0;
        int index = 0;
        for (Value batch : data) {
            examples += graph.runBatch(
                    TfModelGraph.Mode.EVALUATE, (Struct) checkStruct(batch, index, 0), index, 0L, 0L, null);
            index++;
        }
        return new EvaluationResult(examples, graph.readMetrics());
    }

    /**
     * Runs one training step on {@code batch} (checked against the model's input as in {@link #train})
     * at the current weights, without assigning or reading weights: the plain loop the benchmarks
     * measure as the engine's raw throughput ({@code dev.fl4j.bench.RawThroughput}). Federated
     * training uses {@link #train} instead.
     *
     * @return the number of examples in the batch (0 for an empty batch, which is skipped)
     */
    public int trainStep(Struct batch, long step, long seed) {
        return graph.runBatch(TfModelGraph.Mode.TRAIN_STEP, batch, (int) step, seed, step, null);
    }

    /**
     * Sets the graph's weights (and resets per-client state) without training: the start of a raw loop of {@link
     * #trainStep}s.
     */
    public void assign(ModelWeights weights) {
        graph.assign(weights, "assign");
    }

    private void checkDataset(SequenceValue data, String what) {
        new SequenceType(graph.inputSpec())
                .checkAssignableFrom(
                        data.type(),
                        what + ": client dataset of model '" + spec.model().name() + "'");
    }

    private static Value checkStruct(Value batch, int index, int epoch) {
        if (!(batch instanceof Struct)) {
            throw new IllegalArgumentException("batch " + index + " (epoch " + epoch
                    + "): expected a structure <x=...,y=...> but got " + batch.type());
        }
        return batch;
    }

    @Override
    public void close() {
        graph.close();
    }
}
