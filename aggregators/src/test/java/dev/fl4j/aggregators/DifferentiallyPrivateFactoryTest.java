package dev.fl4j.aggregators;

import static dev.fl4j.aggregators.Fixtures.VEC2;
import static dev.fl4j.aggregators.Fixtures.measurement;
import static dev.fl4j.aggregators.Fixtures.server;
import static dev.fl4j.aggregators.Fixtures.vectors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.privacy.PrivacyCalculator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DifferentiallyPrivateFactoryTest {

    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void withoutNoiseItIsTheClippedSumOverClientsPerRound() {
        AggregationProcess p =
                DifferentiallyPrivateFactory.gaussianFixed(0, 4, 1).create(VEC2);
        MeasuredProcessOutput out =
                p.next(runtime, p.initialize(runtime), vectors(new float[] {3, 4}, new float[] {0.3f, 0.4f}));
        assertArrayEquals(new float[] {(0.6f + 0.3f) / 4, (0.8f + 0.4f) / 4}, server(out.result()), 1e-6f);
        assertEquals(1.0, measurement(out.measurements(), "dp_query_metrics/clip"));
        assertEquals(0.0, measurement(out.measurements(), "dp_query_metrics/noise_stddev"));
        assertEquals(Double.POSITIVE_INFINITY, measurement(out.measurements(), "privacy/epsilon"));
        assertEquals(1.0, measurement(out.measurements(), "privacy/rounds"));
    }

    /** Statistical: 40,000 noise draws of stddev z·C = 1.5 give a sample stddev within 3% (≈ 8 standard errors). */
    @Test
    void noiseHasTheSpecifiedStandardDeviation() {
        int d = 20_000;
        TensorType type = new TensorType(DType.FLOAT32, d);
        AggregationProcess p =
                DifferentiallyPrivateFactory.gaussianFixed(3, 2, 0.5).create(type);
        MeasuredProcessOutput out = p.next(
                runtime,
                p.initialize(runtime),
                FederatedValue.clients(List.of(Tensor.zeros(DType.FLOAT32, d), Tensor.zeros(DType.FLOAT32, d))));
        float[] mean = server(out.result());
        double sum = 0;
        double sq = 0;
        for (float x : mean) {
            double noise = x * 2.0; // undo the division by clients per round
            sum += noise;
            sq += noise * noise;
        }
        double m = sum / d;
        double std = Math.sqrt(sq / d - m * m);
        assertEquals(0.0, m, 0.05);
        assertEquals(1.5, std, 0.045);
        assertEquals(1.5, measurement(out.measurements(), "dp_query_metrics/noise_stddev"), 1e-6);
    }

    @Test
    void epsilonIsAccountedEveryRound() {
        DifferentiallyPrivateFactory f = DifferentiallyPrivateFactory.gaussianFixed(1.5, 4, 1).toBuilder()
                .optPopulation(100)
                .build();
        assertEquals(0.04, f.samplingRate());
        assertEquals(
                7.33, f.epsilonAfter(2250).epsilon(), 0.01, "the published RDP value for z=1.5, q=0.04, 2250 steps");
        AggregationProcess p = f.create(VEC2);
        Value state = p.initialize(runtime);
        for (int round = 1; round <= 3; round++) {
            MeasuredProcessOutput out = p.next(runtime, state, vectors(new float[] {1, 0}, new float[] {0, 1}));
            state = out.state();
            assertEquals(round, measurement(out.measurements(), "privacy/rounds"));
            assertEquals(
                    PrivacyCalculator.epsilon(1.5, 0.04, round, 1e-5).epsilon(),
                    measurement(out.measurements(), "privacy/epsilon"),
                    1e-12);
            assertEquals(
                    PrivacyCalculator.epsilon(1.5, 0.04, round + 1, 1e-5).epsilon(),
                    measurement(out.measurements(), "privacy/next_round_epsilon"),
                    1e-12);
            assertEquals(1e-5, measurement(out.measurements(), "privacy/delta"));
        }
        assertEquals(
                1.0,
                DifferentiallyPrivateFactory.gaussianFixed(1, 4, 1).samplingRate(),
                "no population: no amplification claimed");
    }

    @Test
    void budgetStopsBeforeARoundWouldExceedIt() {
        DifferentiallyPrivateFactory plain = DifferentiallyPrivateFactory.gaussianFixed(2, 2, 1).toBuilder()
                .optDelta(1e-6)
                .build();
        double budget = (plain.epsilonAfter(2).epsilon() + plain.epsilonAfter(3).epsilon()) / 2;
        DifferentiallyPrivateFactory f =
                plain.toBuilder().optEpsilonBudget(budget).build();
        assertEquals(2, f.roundsWithinBudget());
        AggregationProcess p = f.create(VEC2);
        FederatedValue values = vectors(new float[] {1, 0}, new float[] {0, 1});
        MeasuredProcessOutput first = p.next(runtime, p.initialize(runtime), values);
        assertEquals(1.0, measurement(first.measurements(), "privacy/next_round_within_budget"));
        MeasuredProcessOutput second = p.next(runtime, first.state(), values);
        assertEquals(0.0, measurement(second.measurements(), "privacy/next_round_within_budget"));
        assertTrue(measurement(second.measurements(), "privacy/epsilon") <= budget);
        assertEquals(budget, measurement(second.measurements(), "privacy/epsilon_budget"));
        RuntimeException refused = assertThrows(RuntimeException.class, () -> p.next(runtime, second.state(), values));
        Throwable cause = refused instanceof PrivacyBudgetExceededException ? refused : refused.getCause();
        assertInstanceOf(PrivacyBudgetExceededException.class, cause);
        assertTrue(cause.getMessage().contains("round 3 would spend"), cause.getMessage());
    }

    @Test
    void adaptiveClipMovesGeometricallyTowardTheQuantile() {
        // z = 0: no noise anywhere, so the clip update is exact: every norm (5) is above 0.1, b̄ = 0,
        // clip ← 0.1·exp(0.2·0.5)
        AggregationProcess p =
                DifferentiallyPrivateFactory.gaussianAdaptive(0, 2).create(VEC2);
        FederatedValue values = vectors(new float[] {3, 4}, new float[] {-3, 4});
        MeasuredProcessOutput out = p.next(runtime, p.initialize(runtime), values);
        assertEquals(0.1, measurement(out.measurements(), "dp_query_metrics/clip"), 1e-7);
        assertArrayEquals(new float[] {0, 0.08f}, server(out.result()), 1e-6f);
        out = p.next(runtime, out.state(), values);
        assertEquals(0.1 * Math.exp(0.1), measurement(out.measurements(), "dp_query_metrics/clip"), 1e-6);
    }

    @Test
    void adaptiveNoiseIsSplitWithTheCount() {
        // z = 1, 20 clients: σ_b = 1, z_Δ = (1 - 1/4)^(-1/2)
        DifferentiallyPrivateFactory f = DifferentiallyPrivateFactory.gaussianAdaptive(1, 20);
        assertEquals(1 / Math.sqrt(0.75), f.valueNoiseMultiplier(), 1e-12);
        AggregationProcess p = f.create(VEC2);
        MeasuredProcessOutput out = p.next(runtime, p.initialize(runtime), vectors(new float[] {3, 4}));
        assertEquals(0.1 / Math.sqrt(0.75), measurement(out.measurements(), "dp_query_metrics/noise_stddev"), 1e-6);
        IllegalArgumentException tooFew = assertThrows(
                IllegalArgumentException.class, () -> DifferentiallyPrivateFactory.gaussianAdaptive(1, 10));
        assertTrue(tooFew.getMessage().contains("too low for noise multiplier"), tooFew.getMessage());
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DifferentiallyPrivateFactory.gaussianFixed(-1, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> DifferentiallyPrivateFactory.gaussianFixed(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> DifferentiallyPrivateFactory.gaussianFixed(1, 4, 0));
        IllegalArgumentException population = assertThrows(
                IllegalArgumentException.class,
                () -> DifferentiallyPrivateFactory.gaussianFixed(1, 4, 1).toBuilder()
                        .optPopulation(3)
                        .build());
        assertTrue(
                population.getMessage().contains("population must be >= clients per round (4), got 3"),
                population.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> DifferentiallyPrivateFactory.gaussianFixed(1, 4, 1).toBuilder()
                        .optDelta(0)
                        .build());
        assertFalse(
                DifferentiallyPrivateFactory.gaussianFixed(0, 4, 1).toBuilder()
                        .optEpsilonBudget(1)
                        .build()
                        .allowsRound(0),
                "no noise never fits a budget");
    }
}
