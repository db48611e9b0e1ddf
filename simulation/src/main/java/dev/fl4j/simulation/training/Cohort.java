package dev.fl4j.simulation.training;

import java.util.List;

/**
 * The clients of one round: those sampled, and among them those that report (the rest dropped out
 * before sending their update). Both lists are in sampling order, which is the order their results
 * are combined in.
 */
public record Cohort(int round, List<String> sampled, List<String> reporting) {

    public Cohort {
        sampled = List.copyOf(sampled);
        reporting = List.copyOf(reporting);
    }

    /** Number of sampled clients that dropped out. */
    public int droppedOut() {
        return sampled.size() - reporting.size();
    }
}
