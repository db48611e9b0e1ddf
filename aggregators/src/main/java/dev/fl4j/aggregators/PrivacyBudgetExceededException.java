package dev.fl4j.aggregators;

import java.util.Objects;

/**
 * Thrown by a {@link DifferentiallyPrivateFactory} process asked to run a round that would take the
 * privacy loss above its ε budget. The round does nothing: no client value is read. A training loop
 * avoids it by stopping once {@link DifferentiallyPrivateFactory#exhaustedAfter} reports the budget
 * exhausted for the rounds spent. (Raised inside the server-side step of the round, so a runtime may
 * deliver it as the cause of its own exception.)
 */
public final class PrivacyBudgetExceededException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final transient PrivacyBudgetExhausted exhausted;

    /** The refusal of round {@code exhausted.roundsSpent() + 1}. */
    public PrivacyBudgetExceededException(PrivacyBudgetExhausted exhausted) {
        super("round " + (exhausted.roundsSpent() + 1) + " would spend ε = " + exhausted.nextRoundEpsilon() + " at δ = "
                + exhausted.delta() + ", above the budget " + exhausted.epsilonBudget() + " (" + exhausted.roundsSpent()
                + " rounds spent ε = " + exhausted.epsilonSpent() + ")");
        this.exhausted = Objects.requireNonNull(exhausted, "exhausted");
    }

    /** What the budget had left: the rounds spent, ε spent and what the refused round would have cost. */
    public PrivacyBudgetExhausted exhausted() {
        return exhausted;
    }
}
