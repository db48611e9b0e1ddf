package dev.fl4j.learning.model;

import dev.fl4j.core.Struct;

/**
 * The outcome of a client's local training: the trained weights, the number of examples processed
 * (summed over epochs, TFF's client weight) and the local unfinalized metrics of the training
 * passes ({@code <metric_name=state,...>}), and the number of local steps taken (non-empty batches
 * over all epochs), which FedNova normalizes by and SCAFFOLD's control variates divide by.
 */
public record ClientTrainingResult(
        ModelWeights weights, long numExamples, Struct unfinalizedMetrics, long localSteps) {}
