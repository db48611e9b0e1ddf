package dev.fl4j.simulation.training;

import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.aggregators.PrivacyBudgetExhausted;
import dev.fl4j.privacy.PrivacyLedger;
import java.util.Optional;

/**
 * The noised rounds a private run's DP aggregator has spent, counted as the aggregator counts them
 * (from the larger of its state and its ledger), so that the loop can ask the aggregator's typed
 * budget signal ({@link DifferentiallyPrivateFactory#exhaustedAfter}) instead of reading its
 * measurements by name.
 *
 * <p>With a {@linkplain DifferentiallyPrivateFactory#ledger() ledger} the count is the ledger's
 * total: every round is recorded there before its release, a resumed run included, so the total is
 * never below the state's. Without one the run cannot resume (a checkpointed private run must have a
 * ledger), its state starts at zero rounds, and the count is the rounds this run has released.
 */
final class NoisedRounds {

    private final DifferentiallyPrivateFactory dp;
    private long releasedThisRun;

    NoisedRounds(DifferentiallyPrivateFactory dp) {
        this.dp = dp;
    }

    /** Counts a round the process has run: a noised release, whatever the cohort. */
    void released() {
        releasedThisRun++;
    }

    long spent() {
        PrivacyLedger ledger = dp.ledger();
        return ledger == null ? releasedThisRun : Math.max(ledger.spent(), releasedThisRun);
    }

    /** The aggregator's typed signal that its budget allows no round after those spent, or empty. */
    Optional<PrivacyBudgetExhausted> nextRoundExhausted() {
        return dp.exhaustedAfter(spent());
    }
}
