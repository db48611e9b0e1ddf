package dev.fl4j.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuantileEstimatorTest {

    @Test
    void handComputedSteps() {
        // b̄ = 0.9, γ = 0.5, η = 0.2: gradient step 0.08
        assertEquals(Math.exp(-0.08), QuantileEstimator.geometric(0.5, 0.2).next(1.0, 0.9), 1e-15);
        assertEquals(0.92, QuantileEstimator.arithmetic(0.5, 0.2).next(1.0, 0.9), 1e-15);
        // TFF's adaptive zeroing default: η = ln 10, so all values above (b̄ = 0, γ = 0.98) grows C by 10^0.98
        assertEquals(
                10 * Math.pow(10, 0.98),
                QuantileEstimator.geometric(0.98, Math.log(10)).next(10, 0.0),
                1e-9);
        // counting is "at or below"
        float[] values = {0.5f, 1.0f, 1.5f, 2.0f};
        assertEquals(2, QuantileEstimator.countAtOrBelow(values, 1.0));
        // 2 of 4 at or below 1.0: b̄ = 0.5 < γ = 0.8, so C grows by exp(0.2·0.3)
        assertEquals(Math.exp(0.06), QuantileEstimator.geometric(0.8, 0.2).next(1.0, values), 1e-15);
    }

    @Test
    void geometricEstimateConvergesToTheTargetQuantileOfAnExponential() {
        // Exp(1): the 0.8-quantile is ln 5. Start far below and far above.
        for (double start : new double[] {0.01, 100.0}) {
            double mean = runNonPrivate(QuantileEstimator.geometric(0.8, 0.2), start, 42, true);
            assertEquals(Math.log(5), mean, 0.03 * Math.log(5), "start " + start);
        }
    }

    @Test
    void arithmeticEstimateConvergesToTheMedianOfAUniform() {
        double mean = runNonPrivate(QuantileEstimator.arithmetic(0.5, 0.05), 0.9, 7, false);
        assertEquals(0.5, mean, 0.01);
    }

    /** 1000 rounds of 200 fresh samples; returns the mean estimate over the last 600 rounds. */
    private static double runNonPrivate(QuantileEstimator estimator, double start, long seed, boolean exponential) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] values = new float[200];
        double estimate = start;
        double sum = 0;
        for (int round = 0; round < 1000; round++) {
            for (int i = 0; i < values.length; i++) {
                double u = rng.nextDouble();
                values[i] = (float) (exponential ? -Math.log1p(-u) : u);
            }
            estimate = estimator.next(estimate, values);
            if (round >= 400) {
                sum += estimate;
            }
        }
        return sum / 600;
    }

    @Test
    void privateEstimateConvergesDespiteCountNoise() {
        // TFF default count noise: σ_b = 0.05 × 200 records = 10, i.e. noise stddev 0.05 on b̃.
        PrivateQuantileEstimator estimator =
                new PrivateQuantileEstimator(QuantileEstimator.geometric(0.8, 0.2), 10, 200);
        GaussianNoise noise = new GaussianNoise();
        SplittableRandom rng = new SplittableRandom(3);
        float[] values = new float[200];
        double estimate = 0.05;
        double sum = 0;
        for (int round = 0; round < 1000; round++) {
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) -Math.log1p(-rng.nextDouble());
            }
            estimate = estimator.next(estimate, values, noise);
            if (round >= 400) {
                sum += estimate;
            }
        }
        assertEquals(Math.log(5), sum / 600, 0.06 * Math.log(5));
    }

    @Test
    void privateFractionIsShiftedNoisedNormalisedAndClamped() {
        PrivateQuantileEstimator estimator = new PrivateQuantileEstimator(QuantileEstimator.geometric(0.5, 0.2), 2, 10);
        // (7 - 10/2 + 2·0.5)/10 + 0.5 = 0.8
        assertEquals(0.8, estimator.noisedBelowFraction(7, 10, 0.5), 1e-15);
        // normalised by the expected count m = 10, not the actual 6: (3 - 3 + 0)/10 + 0.5
        assertEquals(0.5, estimator.noisedBelowFraction(3, 6, 0.0), 1e-15);
        assertEquals(1.0, estimator.noisedBelowFraction(7, 10, 10.0));
        assertEquals(0.0, estimator.noisedBelowFraction(0, 10, -10.0));
        assertEquals(4.0, estimator.countNoiseMultiplier());
        assertEquals(
                "below-estimate count must be in [0, recordCount=10], got 11",
                assertThrows(IllegalArgumentException.class, () -> estimator.noisedBelowFraction(11, 10, 0.0))
                        .getMessage());
    }

    @Test
    void rejectsBadSettings() {
        assertEquals(
                "target quantile must be in [0, 1], got 1.5",
                assertThrows(IllegalArgumentException.class, () -> QuantileEstimator.geometric(1.5, 0.2))
                        .getMessage());
        assertEquals(
                "quantile learning rate must be finite and >= 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> QuantileEstimator.geometric(0.5, Double.NaN))
                        .getMessage());
        QuantileEstimator geometric = QuantileEstimator.geometric(0.5, 0.2);
        assertEquals(
                "geometric quantile estimate must be > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> geometric.next(0.0, 0.5))
                        .getMessage());
        assertEquals(
                "fraction of values below the estimate must be in [0, 1], got 1.2",
                assertThrows(IllegalArgumentException.class, () -> geometric.next(1.0, 1.2))
                        .getMessage());
        assertEquals(
                "value at index 1 is NaN; quantiles need comparable values",
                assertThrows(IllegalArgumentException.class, () -> geometric.next(1.0, new float[] {1f, Float.NaN}))
                        .getMessage());
        assertEquals(
                "quantile update needs at least one value, got none",
                assertThrows(IllegalArgumentException.class, () -> geometric.next(1.0, new double[0]))
                        .getMessage());
        assertEquals(
                "expected records per round must be finite and > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new PrivateQuantileEstimator(geometric, 1, 0))
                        .getMessage());
        assertTrue(
                QuantileEstimator.arithmetic(0.5, 0.1).next(-3.0, 0.5) == -3.0, "arithmetic estimates may be negative");
    }
}
