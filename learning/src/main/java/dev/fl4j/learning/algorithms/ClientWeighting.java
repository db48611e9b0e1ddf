package dev.fl4j.learning.algorithms;

/**
 * How a client's update is weighted in the weighted mean, TFF's {@code ClientWeighting}: by the
 * number of examples it trained on (FedAvg's default), or uniformly (every client weight 1).
 */
public enum ClientWeighting {
    /** Weight = number of examples processed in local training. */
    NUM_EXAMPLES,
    /** Weight = 1 for every client. */
    UNIFORM;

    float weightFor(long numExamples) {
        return this == NUM_EXAMPLES ? (float) numExamples : 1f;
    }
}
