package dev.fl4j.learning.model;

import dev.fl4j.core.Struct;

/**
 * The outcome of a client's local training: the trained weights, the number of examples processed
 * (summed over epochs, TFF's client weight) and the local unfinalized metrics of the training
 * passes ({@code <metric_name=state,...>}).
 */
public record ClientTrainingResult(ModelWeights weights, long numExamples, Struct unfinalizedMetrics) {}
