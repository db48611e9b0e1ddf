package dev.fl4j.simulation.training;

import dev.fl4j.simulation.checkpoint.Checkpoint;
import java.util.Map;

/**
 * Follows a {@link TrainingLoop} as it runs, e.g. to draw a progress bar and print one line per
 * round. All methods do nothing by default. {@link #clientLoaded} is called from worker threads,
 * possibly at the same time; the others from the thread running the loop.
 */
public interface RoundListener {

    /** The run continues from {@code checkpoint} instead of starting afresh. */
    default void resumed(Checkpoint checkpoint) {}

    /**
     * A differentially private run starts: {@code statement} says in one line what ε assumes and
     * what is not released ({@link TrainingLoop#privacyStatement}), to print with the run's header.
     */
    default void privacy(String statement) {}

    /**
     * Round {@code cohort.round()} starts; its reporting clients are about to train. (In a private
     * run the cohort is the simulator's own knowledge, e.g. for a progress bar: not a release.)
     */
    default void roundStarted(Cohort cohort) {}

    /**
     * A reporting client's data was loaded for training in this JVM: it starts its local work now. When
     * clients load where they train (a Spark executor reading Parquet), it is called once the client's
     * work there is done, as the runtime learns of it (its task completed).
     */
    default void clientLoaded(int round, String clientId) {}

    /**
     * Round {@code round} is done (0: the evaluation of the initial model); {@code metrics} are what
     * went to the sinks, including the cumulative bits and any evaluation.
     */
    default void roundFinished(int round, Map<String, Double> metrics) {}

    /** A checkpoint was saved after {@code round}. */
    default void checkpointSaved(int round, java.nio.file.Path file) {}

    /**
     * The run stops after {@code round}, before the rounds asked for are done, because
     * {@code reason} (e.g. one more round would exceed the privacy budget).
     */
    default void stoppedEarly(int round, String reason) {}
}
