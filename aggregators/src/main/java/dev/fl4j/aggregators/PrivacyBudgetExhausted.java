package dev.fl4j.aggregators;

/**
 * The typed signal that a {@link DifferentiallyPrivateFactory}'s ε budget allows no further round:
 * after {@code roundsSpent} noised rounds, which spent {@code epsilonSpent}, one more would spend
 * {@code nextRoundEpsilon} at {@code delta}, above {@code epsilonBudget}. Given by
 * {@link DifferentiallyPrivateFactory#exhaustedAfter} (so that a training loop stops after the last
 * round the budget allows, without reading measurement names) and carried by the
 * {@link PrivacyBudgetExceededException} of a round refused for it.
 */
public record PrivacyBudgetExhausted(
        long roundsSpent, double epsilonSpent, double nextRoundEpsilon, double delta, double epsilonBudget) {

    /**
     * Why a run stops here, in one line: {@code one more round would exceed the privacy budget (epsilon 5.8 spent,
     * budget 6.0)}.
     */
    public String reason() {
        return "one more round would exceed the privacy budget (epsilon " + epsilonSpent + " spent, budget "
                + epsilonBudget + ")";
    }
}
