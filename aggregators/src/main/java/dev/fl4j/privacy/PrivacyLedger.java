package dev.fl4j.privacy;

/**
 * The count of noised releases a differentially private run has spent, kept where it survives the
 * process: a write-ahead record that lets a resumed run count every release it may have made.
 *
 * <h2>Why</h2>
 * A run that is killed after a round's noised result left the aggregator but before that round was
 * checkpointed resumes from the older checkpoint and runs the round again, with fresh noise: two
 * releases about the same clients. An accountant restored from the checkpoint alone would count one
 * and forget the other. A DP mechanism therefore {@linkplain #record records} the new total here
 * <em>before</em> it computes a noised result, and on every round counts from
 * {@code max(its state, spent())}: a re-run round costs again, nothing is forgotten. The price is
 * that a round interrupted before its result left may be counted although nothing was released —
 * the error is always on the side of more ε.
 *
 * <h2>Contract</h2>
 * {@link #record} returns only once the total is durable (for a file: written, forced to disk and
 * renamed into place); the total never decreases. Implementations are used from the thread running
 * the round.
 */
public interface PrivacyLedger {

    /** Noised releases recorded so far (0 for a new ledger). */
    long spent();

    /**
     * Records that {@code total} releases are spent, durably, before returning.
     *
     * @throws IllegalArgumentException if {@code total} is below {@link #spent()}
     * @throws java.io.UncheckedIOException if it cannot be made durable (the release must then not happen)
     */
    void record(long total);

    /** A ledger in memory, for runs that cannot resume (no checkpoints). */
    static PrivacyLedger inMemory() {
        return new PrivacyLedger() {
            private long spent;

            @Override
            public long spent() {
                return spent;
            }

            @Override
            public void record(long total) {
                if (total < spent) {
                    throw new IllegalArgumentException(
                            "privacy ledger: " + spent + " releases are spent, cannot record fewer (" + total + ")");
                }
                spent = total;
            }

            @Override
            public String toString() {
                return "in-memory privacy ledger (" + spent + " spent)";
            }
        };
    }
}
