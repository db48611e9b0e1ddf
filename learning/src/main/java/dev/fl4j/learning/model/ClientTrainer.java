package dev.fl4j.learning.model;

import dev.fl4j.core.SequenceValue;

/**
 * Local training of one client after another, the performance-critical part of federated learning.
 * An implementation builds its engine state once (for TensorFlow: one graph with the forward pass,
 * the gradients and the client optimizer's update, and one single-threaded session) and then, per
 * client, only assigns weights and runs steps: nothing is rebuilt between clients, and nothing
 * carries over from one client to the next (optimizer slots and metrics are reset).
 *
 * <p>A client's dataset is a {@link SequenceValue} whose elements are batches {@code <x=..., y=...>}
 * of the model's input spec, each a {@link dev.fl4j.core.Struct} of core tensors with the batch
 * dimension first (e.g. {@code x=float32[20,28,28,1]}, {@code y=int32[20]}). Batches may have
 * different sizes; empty batches are skipped. A batch that does not fit the input spec, or a label
 * outside the class range, fails with an exception naming the batch, the field, what was expected
 * and what came.
 *
 * <p><b>Non-finite values.</b> Inputs are not scanned for NaN or infinity (that would cost a pass per
 * batch); NaN features propagate into the loss and the returned weights, which then contain NaN.
 * Callers detect this with {@code Structures.isFinite} on the result (TFF's default aggregation
 * zeroes such updates); nothing is thrown.
 *
 * <p>A trainer is used by one thread at a time and must be closed.
 */
public interface ClientTrainer extends AutoCloseable {

    /** What this trainer runs. */
    TrainingSpec spec();

    /**
     * Trains from {@code initial} for the spec's epochs over {@code data}; dropout masks derive from
     * {@code seed} and the step (pass a seed derived from round and client).
     */
    ClientTrainingResult train(ModelWeights initial, SequenceValue data, long seed);

    /**
     * Trains as {@link #train} does and returns the update {@code initial − trained} of the trainable
     * weights instead of the trained weights: bitwise {@code initial.trainableDelta(train(...).weights())},
     * with the same example count and metrics. What federated training runs per client; an engine
     * overrides it to compute the update without materializing the trained weights (the default does
     * exactly that).
     */
    default ClientUpdateResult trainUpdate(ModelWeights initial, SequenceValue data, long seed) {
        ClientTrainingResult r = train(initial, data, seed);
        return new ClientUpdateResult(initial.trainableDelta(r.weights()), r.numExamples(), r.unfinalizedMetrics());
    }

    /**
     * FedSGD's client step: the mean over {@code data}'s examples of the loss gradient at
     * {@code weights} (training mode, one pass, no update).
     */
    GradientResult gradients(ModelWeights weights, SequenceValue data, long seed);

    /** Inference-mode metrics of {@code weights} over {@code data}. */
    EvaluationResult evaluate(ModelWeights weights, SequenceValue data);

    @Override
    void close();
}
