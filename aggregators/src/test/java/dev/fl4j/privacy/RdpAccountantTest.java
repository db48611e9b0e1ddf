package dev.fl4j.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Pins the accountant to published values. Sources:
 * <ul>
 *   <li>[TFP-RDP] tensorflow_privacy {@code rdp_accountant_test.py}: {@code compute_rdp} values and
 *       the classic composition check.</li>
 *   <li>[TFP-SGD] tensorflow_privacy {@code compute_dp_sgd_privacy_test.py}: the older version
 *       (classic conversion: 0.941870567, 1.70928734, 5907984.81339406) and the current one
 *       (improved conversion: 0.7242234026109595, 1.4154988495444845, 5907982.31138195).</li>
 *   <li>[DPA] dp_accounting {@code rdp_privacy_accountant_test.py}: pure-DP and Gaussian
 *       conversions.</li>
 *   <li>[OPACUS] Opacus {@code accountants_test.py}: σ=1.5, q=0.04, 2250 steps, δ=1e-5 →
 *       7.32911117143 (improved conversion, orders 1.1..10.9 and 12..63).</li>
 *   <li>[TFP-TUTORIAL] the MNIST DP-SGD tutorial: N=60000, batch 256, σ=1.1, 60 epochs, δ=1e-5 →
 *       ε ≈ 3.01 with the classic conversion.</li>
 * </ul>
 */
class RdpAccountantTest {

    private static double[] opacusOrders() {
        double[] orders = new double[99 + 52];
        int k = 0;
        for (int x = 1; x < 100; x++) {
            orders[k++] = 1 + x / 10.0;
        }
        for (int a = 12; a < 64; a++) {
            orders[k++] = a;
        }
        return orders;
    }

    @Test
    void issueReferenceSigma15Q004Steps2250() {
        // [OPACUS]; the dp_accounting default orders contain Opacus' orders and give the same optimum.
        PrivacyLoss opacus = RdpAccountant.withOrders(opacusOrders())
                .compose(1.5, 0.04, 2250)
                .epsilon(1e-5);
        assertEquals(7.32911117143, opacus.epsilon(), 1e-9);
        assertEquals(3.9, opacus.order(), 1e-12);
        PrivacyLoss byDefault = RdpAccountant.create().compose(1.5, 0.04, 2250).epsilon(1e-5);
        assertEquals(7.32911117143, byDefault.epsilon(), 1e-9);
        // The classic conversion is looser on the same curve.
        PrivacyLoss classic = RdpAccountant.create().compose(1.5, 0.04, 2250).epsilon(1e-5, RdpConversion.CLASSIC);
        assertEquals(8.0738, classic.epsilon(), 1e-4);
    }

    @Test
    void computeRdpValuesOfTensorflowPrivacy() {
        // [TFP-RDP] compute_rdp(0.1, 2, 10, 5) ≈ 0.07737 (5 places)
        double[] r = RdpAccountant.withOrders(5).compose(2, 0.1, 10).rdp();
        assertEquals(0.07737, r[0], 5e-6);
        // [TFP-RDP] compute_rdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100]), delta 1e-5
        double[] seq = RdpAccountant.withOrders(1.5, 2.5, 5, 50, 100)
                .compose(2.5, 0.01, 50)
                .rdp();
        assertArrayEquals(new double[] {0.00065, 0.001085, 0.00218075, 0.023846, 167.416307}, seq, 1e-5);
        // dp_accounting's current values for the integer orders 5, 50, 100 (rtol 1e-4)
        assertEquals(2.18075656e-03, seq[2], 2.18075656e-03 * 1e-4);
        assertEquals(2.38460375e-02, seq[3], 2.38460375e-02 * 1e-4);
        assertEquals(1.67416308e02, seq[4], 1.67416308e02 * 1e-4);
        // [TFP-RDP] q = 1: α/(2σ²)
        assertEquals(0.1, RdpAccountant.withOrders(20).compose(10, 1, 1).rdp()[0], 1e-15);
        assertEquals(0.0, RdpAccountant.withOrders(20).compose(10, 0, 1).rdp()[0]);
    }

    @Test
    void dpSgdCalculatorMatchesBothTensorflowPrivacyVersions() {
        // [TFP-SGD] (n, batch, σ, epochs, δ) → ε, order
        assertDpSgd(60000, 150, 1.3, 15, 1e-5, RdpConversion.CLASSIC, 0.941870567, 19);
        assertDpSgd(100000, 100, 1.0, 30, 1e-7, RdpConversion.CLASSIC, 1.70928734, 13);
        assertDpSgd(100000000, 1024, 0.1, 10, 1e-7, RdpConversion.CLASSIC, 5907984.81339406, 1.25);
        assertDpSgd(60000, 150, 1.3, 15, 1e-5, RdpConversion.IMPROVED, 0.7242234026109595, 19);
        assertDpSgd(100000, 100, 1.0, 30, 1e-7, RdpConversion.IMPROVED, 1.4154988495444845, 13);
        assertDpSgd(100000000, 1024, 0.1, 10, 1e-7, RdpConversion.IMPROVED, 5907982.31138195, 1.25);
    }

    private static void assertDpSgd(
            long n,
            long batch,
            double sigma,
            double epochs,
            double delta,
            RdpConversion conversion,
            double expectedEps,
            double expectedOrder) {
        PrivacyLoss loss = PrivacyCalculator.dpSgdEpsilon(n, batch, sigma, epochs, delta, conversion);
        assertEquals(
                expectedEps, loss.epsilon(), Math.max(1e-7, expectedEps * 1e-9), "ε for n=" + n + " " + conversion);
        assertEquals(expectedOrder, loss.order(), "order for n=" + n + " " + conversion);
    }

    @Test
    void mnistTutorialClassicValue() {
        // [TFP-TUTORIAL] ε ≈ 3.01 (classic); the improved conversion gives ≈ 2.60 on the same curve.
        PrivacyLoss classic = PrivacyCalculator.dpSgdEpsilon(60000, 256, 1.1, 60, 1e-5, RdpConversion.CLASSIC);
        assertEquals(3.01, classic.epsilon(), 0.005);
        assertEquals(9.0, classic.order());
        PrivacyLoss improved = PrivacyCalculator.dpSgdEpsilon(60000, 256, 1.1, 60, 1e-5, RdpConversion.IMPROVED);
        assertEquals(2.597, improved.epsilon(), 0.001);
    }

    @Test
    void heterogeneousCompositionClassicValue() {
        // [TFP-RDP] test_check_composition with the old conversion: 8.509656 at order 2.5
        RdpAccountant acc = RdpAccountant.withOrders(
                        1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 64, 256)
                .compose(0.4, 1e-4, 40000)
                .compose(2, 0.1, 100);
        PrivacyLoss classic = acc.epsilon(1e-5, RdpConversion.CLASSIC);
        assertEquals(8.509656, classic.epsilon(), 1e-6);
        assertEquals(2.5, classic.order());
        assertTrue(acc.epsilon(1e-5).epsilon() <= classic.epsilon());
        assertEquals(40100, acc.steps());
    }

    @Test
    void conversionsOfPureDpCurve() {
        // [DPA] constant RDP 1.1 at orders 2..32, δ=1e-5 → 1.32783806176 at order 32 (improved)
        double[] orders = new double[31];
        double[] rdp = new double[31];
        for (int i = 0; i < 31; i++) {
            orders[i] = i + 2;
            rdp[i] = 1.1;
        }
        PrivacyLoss eps = RdpAccountant.epsilonFromRdp(orders, rdp, 1e-5, RdpConversion.IMPROVED);
        assertEquals(1.32783806176, eps.epsilon(), 1e-10);
        assertEquals(32, eps.order());
        PrivacyLoss delta = RdpAccountant.deltaFromRdp(orders, rdp, 1.32783806176, RdpConversion.IMPROVED);
        assertEquals(1e-5, delta.delta(), 1e-14);
        assertEquals(32, delta.order());
        // classic by hand: 1.1 + log(1e5)/31
        PrivacyLoss classic = RdpAccountant.epsilonFromRdp(orders, rdp, 1e-5, RdpConversion.CLASSIC);
        assertEquals(1.1 + Math.log(1e5) / 31, classic.epsilon(), 1e-12);
    }

    @Test
    void unsampledGaussianCalibratedToEpsilonOne() {
        // [DPA] σ = 4.530877117, q = 1, fine orders 1.001..99.999 → (1, 1e-6)
        double[] orders = new double[98999];
        for (int i = 1001; i < 100000; i++) {
            orders[i - 1001] = 0.001 * i;
        }
        RdpAccountant acc = RdpAccountant.withOrders(orders).compose(4.530877117, 1, 1);
        assertEquals(1.0, acc.epsilon(1e-6).epsilon(), 1e-7);
        assertEquals(1e-6, acc.delta(1.0).delta(), 1e-12);
    }

    @Test
    void epsilonAndDeltaAreConsistent() {
        double[] orders = new double[48];
        for (int i = 0; i < 48; i++) {
            orders[i] = i + 2;
        }
        for (double q : new double[] {0.01, 0.1, 0.8, 1.0}) {
            for (double z : new double[] {0.1, 1, 10}) {
                RdpAccountant acc = RdpAccountant.withOrders(orders).compose(z, q, 1);
                for (double delta : new double[] {0.1, 1e-3, 1e-5, 1e-9}) {
                    for (RdpConversion c : RdpConversion.values()) {
                        PrivacyLoss eps = acc.epsilon(delta, c);
                        PrivacyLoss back = acc.delta(eps.epsilon(), c);
                        if (eps.epsilon() > 0) {
                            assertEquals(delta, back.delta(), delta * 1e-9, "q=" + q + " z=" + z + " " + c);
                        } else {
                            assertTrue(back.delta() <= delta);
                        }
                    }
                }
            }
        }
    }

    @Test
    void noNoiseMeansNoPrivacyAndNoSamplingMeansNoLoss() {
        PrivacyLoss none = RdpAccountant.create().compose(0, 0.1, 1).epsilon(1e-5);
        assertEquals(Double.POSITIVE_INFINITY, none.epsilon());
        assertTrue(Double.isNaN(none.order()));
        assertEquals(
                0.0, RdpAccountant.create().compose(0, 0, 100).epsilon(1e-5).epsilon());
        assertEquals(0.0, RdpAccountant.create().epsilon(1e-5).epsilon());
    }

    @Test
    void accountantIsImmutable() {
        RdpAccountant empty = RdpAccountant.create();
        RdpAccountant spent = empty.compose(1.1, 0.01, 100);
        assertEquals(0, empty.steps());
        assertEquals(0.0, empty.epsilon(1e-5).epsilon());
        assertEquals(100, spent.steps());
        double[] rdp = spent.rdp();
        rdp[0] = 1e9;
        assertTrue(spent.rdp()[0] < 1);
        // Composition adds: 100 steps at once equal 100 single steps.
        RdpAccountant stepwise = empty;
        for (int i = 0; i < 100; i++) {
            stepwise = stepwise.compose(1.1, 0.01);
        }
        double[] once = spent.rdp();
        double[] many = stepwise.rdp();
        for (int i = 0; i < once.length; i++) {
            assertEquals(once[i], many[i], once[i] * 1e-12, "order index " + i);
        }
    }

    @Test
    void rejectsBadSettingsWithSpecificMessages() {
        RdpAccountant acc = RdpAccountant.create();
        assertEquals(
                "noise multiplier must be finite and >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> acc.compose(-1, 0.1, 1))
                        .getMessage());
        assertEquals(
                "noise multiplier must be finite and >= 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> acc.compose(Double.NaN, 0.1, 1))
                        .getMessage());
        assertEquals(
                "sampling rate must be in [0, 1], got 1.5",
                assertThrows(IllegalArgumentException.class, () -> acc.compose(1, 1.5, 1))
                        .getMessage());
        assertEquals(
                "steps must be >= 0, got -3",
                assertThrows(IllegalArgumentException.class, () -> acc.compose(1, 0.1, -3))
                        .getMessage());
        assertEquals(
                "delta must be in (0, 1], got 0.0",
                assertThrows(IllegalArgumentException.class, () -> acc.epsilon(0))
                        .getMessage());
        assertEquals(
                "epsilon must be finite and >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> acc.delta(-1))
                        .getMessage());
        assertEquals(
                "RDP order at index 1 must be in (1, 10000.0], got 1.0",
                assertThrows(IllegalArgumentException.class, () -> RdpAccountant.withOrders(2, 1))
                        .getMessage());
        assertEquals(
                "RDP curve needs one value per order: 2 orders, 1 values",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> RdpAccountant.epsilonFromRdp(
                                        new double[] {2, 3}, new double[] {1}, 1e-5, RdpConversion.IMPROVED))
                        .getMessage());
    }
}
