package dev.fl4j.simulation.training;

import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import java.util.List;
import java.util.Objects;

/**
 * The test data an evaluation runs on, as {@link ModelEvaluation.Builder} and {@link ExportedEvaluation.Builder}
 * collect it: a centralised test set and/or test clients, at most {@code maxTestClients} of them chosen from
 * {@code seed}. Both evaluations cut and sample it the same way, so an exported model evaluates on exactly the data a
 * run evaluated on.
 */
final class TestSets {
    private Examples centralTest;
    private ClientData federatedTest;
    private int maxTestClients;
    private long seed;

    void setCentral(Examples test) {
        if (test.size() == 0) {
            throw new IllegalArgumentException("the central test set has no examples");
        }
        this.centralTest = test;
    }

    void setFederated(ClientData test, int maxClients, long seed) {
        if (maxClients < 0) {
            throw new IllegalArgumentException("max test clients must be positive, or 0 for all, got " + maxClients);
        }
        this.federatedTest = Objects.requireNonNull(test, "test");
        this.maxTestClients = maxClients;
        this.seed = seed;
    }

    boolean isEmpty() {
        return centralTest == null && federatedTest == null;
    }

    /** The central test set's parts ({@link ModelEvaluation#centralParts}), none without one. */
    List<Dataset> centralParts(Preprocessing preprocessing) {
        return centralTest == null ? List.of() : ModelEvaluation.centralParts(centralTest, preprocessing);
    }

    /** The test clients, null without them. */
    ClientData federatedTest() {
        return federatedTest;
    }

    /** The test clients evaluated ({@link ModelEvaluation#sampleIds}), none without test clients. */
    List<String> federatedIds() {
        return federatedTest == null
                ? List.of()
                : ModelEvaluation.sampleIds(federatedTest.clientIds(), maxTestClients, seed);
    }
}
