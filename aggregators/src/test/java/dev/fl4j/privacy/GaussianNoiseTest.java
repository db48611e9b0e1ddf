package dev.fl4j.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/**
 * Statistical tests: SecureRandom is not reproducibly seedable, so bounds are set at about five
 * standard errors (a false failure about once in a million runs).
 */
class GaussianNoiseTest {

    private static final int N = 1_000_000;

    @Test
    void noiseAddedToFloatsHasTheRequestedMeanAndStandardDeviation() {
        double sigma = 2.5;
        float[] values = new float[N];
        java.util.Arrays.fill(values, 10f);
        new GaussianNoise().addTo(values, sigma);
        double sum = 0;
        double sumSq = 0;
        double sumFourth = 0;
        int beyondTwoSigma = 0;
        for (float v : values) {
            double x = v - 10.0;
            sum += x;
            sumSq += x * x;
            sumFourth += x * x * x * x;
            if (Math.abs(x) > 2 * sigma) {
                beyondTwoSigma++;
            }
        }
        double mean = sum / N;
        double variance = sumSq / N - mean * mean;
        double std = Math.sqrt(variance);
        assertEquals(0.0, mean, 5 * sigma / Math.sqrt(N), "mean");
        assertEquals(sigma, std, 5 * sigma / Math.sqrt(2.0 * N), "standard deviation");
        // N(0,1): P(|x| > 2) = 0.0455003, kurtosis 3
        double p = 0.0455003;
        assertEquals(p, (double) beyondTwoSigma / N, 5 * Math.sqrt(p * (1 - p) / N), "two-sigma tail mass");
        assertEquals(3.0, sumFourth / N / (variance * variance), 0.03, "kurtosis");
    }

    @Test
    void doublesAndSubrangesGetNoiseOnlyWhereAsked() {
        double[] values = new double[1000];
        new GaussianNoise(new SecureRandom()).addTo(values, 100, 900, 1.0);
        for (int i = 0; i < 100; i++) {
            assertEquals(0.0, values[i]);
            assertEquals(0.0, values[999 - i]);
        }
        int nonZero = 0;
        for (int i = 100; i < 900; i++) {
            if (values[i] != 0) {
                nonZero++;
            }
        }
        assertEquals(800, nonZero);
    }

    @Test
    void successiveDrawsAreUncorrelated() {
        GaussianNoise noise = new GaussianNoise();
        double previous = noise.nextStandardGaussian();
        double sumProducts = 0;
        for (int i = 0; i < N; i++) {
            double x = noise.nextStandardGaussian();
            sumProducts += previous * x;
            previous = x;
        }
        assertEquals(0.0, sumProducts / N, 5 / Math.sqrt(N), "lag-1 autocorrelation");
    }

    @Test
    void zeroStddevLeavesValuesUnchanged() {
        float[] values = {1f, 2f, 3f};
        new GaussianNoise().addTo(values, 0.0);
        assertEquals(2f, values[1]);
    }

    @Test
    void rejectsBadArguments() {
        GaussianNoise noise = new GaussianNoise();
        assertEquals(
                "noise standard deviation must be finite and >= 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> noise.addTo(new float[2], Double.NaN))
                        .getMessage());
        assertEquals(
                "noise standard deviation must be finite and >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> noise.nextGaussian(-1))
                        .getMessage());
        assertEquals(
                "noise range [2, 5) is outside an array of length 3",
                assertThrows(IndexOutOfBoundsException.class, () -> noise.addTo(new double[3], 2, 5, 1))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new GaussianNoise(null))
                .getMessage()
                .contains("SecureRandom"));
    }
}
