package dev.fl4j.aggregators;

/**
 * Thrown by a {@link DifferentiallyPrivateFactory} process asked to run a round that would take the
 * privacy loss above its ε budget. The round does nothing: no client value is read. A training loop
 * avoids it by stopping when the measurement {@code privacy/next_round_within_budget} is false.
 * (Raised inside the server-side step of the round, so a runtime may deliver it as the cause of its
 * own exception.)
 */
public final class PrivacyBudgetExceededException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public PrivacyBudgetExceededException(String message) {
        super(message);
    }
}
