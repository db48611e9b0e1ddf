package dev.fl4j.aggregators;

import static dev.fl4j.aggregators.Fixtures.VEC2;
import static dev.fl4j.aggregators.Fixtures.vectors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link DifferentiallyPrivateFactory#exhaustedAfter}: the typed budget signal, and the same signal inside a refused
 * round's exception.
 */
class PrivacyBudgetExhaustedTest {

    private static final DifferentiallyPrivateFactory UNBOUNDED =
            DifferentiallyPrivateFactory.gaussianFixed(1.0, 2, 1.0).toBuilder()
                    .optPopulation(20)
                    .build();

    @Test
    void presentFromTheFirstRoundTheBudgetCannotPayFor() {
        DifferentiallyPrivateFactory dp = UNBOUNDED.toBuilder()
                .optEpsilonBudget(UNBOUNDED.epsilonAfter(3).epsilon())
                .build();
        assertEquals(Optional.empty(), dp.exhaustedAfter(0));
        assertEquals(Optional.empty(), dp.exhaustedAfter(2));
        PrivacyBudgetExhausted e = dp.exhaustedAfter(3).orElseThrow();
        assertEquals(
                new PrivacyBudgetExhausted(
                        3,
                        UNBOUNDED.epsilonAfter(3).epsilon(),
                        UNBOUNDED.epsilonAfter(4).epsilon(),
                        dp.delta(),
                        dp.epsilonBudget().getAsDouble()),
                e);
        assertTrue(e.nextRoundEpsilon() > e.epsilonBudget(), e.toString());
        assertEquals(
                "one more round would exceed the privacy budget (epsilon " + e.epsilonSpent() + " spent, budget "
                        + e.epsilonBudget() + ")",
                e.reason());
        assertEquals(dp.roundsWithinBudget(), 3);
    }

    @Test
    void neverPresentWithoutABudget() {
        assertEquals(Optional.empty(), UNBOUNDED.exhaustedAfter(1_000_000));
        assertThrows(IllegalArgumentException.class, () -> UNBOUNDED.exhaustedAfter(-1));
    }

    @Test
    void theRefusalCarriesTheSignal() {
        PrivacyBudgetExhausted e = new PrivacyBudgetExhausted(3, 1.5, 2.5, 1e-5, 2.0);
        PrivacyBudgetExceededException refusal = new PrivacyBudgetExceededException(e);
        assertSame(e, refusal.exhausted());
        assertEquals(
                "round 4 would spend ε = 2.5 at δ = 1.0E-5, above the budget 2.0 (3 rounds spent ε = 1.5)",
                refusal.getMessage());
    }

    @Test
    void aProcessRefusesExactlyTheRoundTheSignalNamesAndCarriesIt() {
        DifferentiallyPrivateFactory dp = UNBOUNDED.toBuilder()
                .optEpsilonBudget(UNBOUNDED.epsilonAfter(2).epsilon())
                .build();
        AggregationProcess p = dp.create(VEC2);
        FederatedValue values = vectors(new float[] {1, 0}, new float[] {0, 1});
        try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(1).build()) {
            MeasuredProcessOutput second = p.next(
                    runtime, p.next(runtime, p.initialize(runtime), values).state(), values);
            RuntimeException refused =
                    assertThrows(RuntimeException.class, () -> p.next(runtime, second.state(), values));
            Throwable cause = refused instanceof PrivacyBudgetExceededException ? refused : refused.getCause();
            PrivacyBudgetExceededException refusal = assertInstanceOf(PrivacyBudgetExceededException.class, cause);
            assertEquals(dp.exhaustedAfter(2).orElseThrow(), refusal.exhausted());
        }
    }
}
