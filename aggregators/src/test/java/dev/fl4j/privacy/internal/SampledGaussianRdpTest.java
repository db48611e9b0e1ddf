package dev.fl4j.privacy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SampledGaussianRdpTest {

    /**
     * {@code log A_α} from direct numerical integration of
     * {@code E_{z~N(0,σ²)}[((1-q) + q·exp((2z-1)/(2σ²)))^α]} with mpmath (40 digits, quad split at
     * -20σ, 0, 0.5, 1, 20σ+1) — an independent method, not the series under test.
     */
    private static final double[][] LOG_A_BY_INTEGRATION = {
        // q, sigma, alpha, log A
        {0.01, 2.5, 1.5, 6.5007089718803974e-6},
        {0.01, 2.5, 2.5, 3.2562541707543729e-5},
        {0.01, 2.5, 5, 1.7446052498463047e-4},
        {0.1, 2, 5, 0.030947873959183461},
        {0.04, 1.5, 3.9, 0.0053162863787931898},
        {1e-4, 1.0, 1.5, 6.4426869538366497e-9},
        {0.01, 10, 20, 1.9129699912842963e-4},
        {0.1, 100, 20.5, 1.9991818458068296e-4},
        {0.2, 0.8, 7.5, 26.016320278192461},
    };

    @Test
    void integerAndFractionalOrdersMatchNumericalIntegration() {
        for (double[] c : LOG_A_BY_INTEGRATION) {
            double got = SampledGaussianRdp.logA(c[0], c[1], c[2]);
            assertEquals(c[3], got, Math.abs(c[3]) * 1e-8, "log A for q=" + c[0] + " sigma=" + c[1] + " order=" + c[2]);
        }
    }

    @Test
    void specialCases() {
        assertEquals(0.0, SampledGaussianRdp.rdp(0, 10, 20));
        assertEquals(0.1, SampledGaussianRdp.rdp(1, 10, 20), 1e-15); // α/(2σ²)
        assertEquals(Double.POSITIVE_INFINITY, SampledGaussianRdp.rdp(0.5, 0, 20));
    }

    @Test
    void fractionalSeriesIsContinuousWithTheExactIntegerSum() {
        double atInteger = SampledGaussianRdp.rdp(0.05, 1.1, 8);
        double justBelow = SampledGaussianRdp.rdp(0.05, 1.1, 8 - 1e-7);
        double justAbove = SampledGaussianRdp.rdp(0.05, 1.1, 8 + 1e-7);
        assertEquals(atInteger, justBelow, atInteger * 1e-5);
        assertEquals(atInteger, justAbove, atInteger * 1e-5);
        assertTrue(justBelow <= justAbove, "RDP is non-decreasing in the order");
    }

    @Test
    void neverNegativeEvenWhenRoundingWouldMakeItSo() {
        // log A is about 1e-23 here and rounds below zero without the clamp
        for (double order : new double[] {1.1, 1.3, 1.5, 2.5}) {
            assertTrue(SampledGaussianRdp.rdp(1e-8, 1000, order) >= 0, "order " + order);
        }
    }

    @Test
    void largeOrdersAndSmallNoiseStayFinite() {
        double r = SampledGaussianRdp.rdp(0.99, 0.1, 1024);
        assertTrue(Double.isFinite(r) && r > 0, "got " + r);
        // For tiny noise the sampled mechanism is close to the unsampled one at high orders.
        assertEquals(1024 / (2 * 0.01), r, 1024 / (2 * 0.01) * 0.01);
    }
}
