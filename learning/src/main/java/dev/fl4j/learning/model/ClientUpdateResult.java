package dev.fl4j.learning.model;

import dev.fl4j.core.Struct;

/**
 * The outcome of a client's local training as federated training sends it: the update
 * {@code initial − trained} of the trainable weights (TFF's model delta), the number of examples
 * processed (summed over epochs) and the local unfinalized metrics of the training passes
 * ({@code <metric_name=state,...>}). See {@link ClientTrainer#trainUpdate}.
 */
public record ClientUpdateResult(Struct update, long numExamples, Struct unfinalizedMetrics) {}
