package dev.fl4j.aggregators.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RobustAggregatorTest {

    private static final float[][] FOUR = {{1, 10}, {2, 20}, {3, 30}, {100, -5}};

    // ---- hand-computed cases

    @Test
    void medianByHand() {
        CoordinateWiseMedian median = new CoordinateWiseMedian();
        // columns sorted: [1,2,3,100] → 2.5; [-5,10,20,30] → 15
        assertArrayEquals(new float[] {2.5f, 15f}, median.aggregate(FOUR));
        assertArrayEquals(new float[] {3f}, median.aggregate(new float[][] {{1}, {5}, {3}}));
        // weighted: W=4, half 2 reached at 1, exceeded at 2 → 1.5
        assertArrayEquals(new float[] {1.5f}, median.aggregate(new float[][] {{1}, {2}, {3}}, new double[] {2, 1, 1}));
        // a heavy client carries the median: W=8, half 4 first reached and exceeded at 10
        assertArrayEquals(new float[] {10f}, median.aggregate(new float[][] {{3}, {1}, {10}, {2}}, new double[] {
            1, 1, 5, 1
        }));
        // equal weights give the unweighted answer; zero weights drop out
        assertArrayEquals(median.aggregate(FOUR), median.aggregate(FOUR, new double[] {3, 3, 3, 3}));
        assertArrayEquals(new float[] {2f, 20f}, median.aggregate(FOUR, new double[] {1, 1, 1, 0}));
    }

    @Test
    void trimmedMeanByHand() {
        // β = 0.25, n = 4: drop one from each end → (2+3)/2, (10+20)/2
        assertArrayEquals(new float[] {2.5f, 15f}, new CoordinateWiseTrimmedMean(0.25).aggregate(FOUR));
        assertArrayEquals(new float[] {3f}, new CoordinateWiseTrimmedMean(0.2).aggregate(new float[][] {
                    {4}, {100}, {1}, {3}, {2}
                }));
        // β = 0 is the plain mean
        assertArrayEquals(new float[] {26.5f, 13.75f}, new CoordinateWiseTrimmedMean(0).aggregate(FOUR));
        // β·n = 3 despite rounding of 0.3·10
        CoordinateWiseTrimmedMean t30 = new CoordinateWiseTrimmedMean(0.3);
        assertEquals(3, t30.maxFaultyClients(10));
        // weighted, W = 4, trim 0.5 of weight each side: 0·0.5 + 1 + 2 + 3·0.5 over 3 → 1.5
        assertArrayEquals(
                new float[] {1.5f},
                new CoordinateWiseTrimmedMean(0.125)
                        .aggregate(new float[][] {{3}, {0}, {2}, {1}}, new double[] {1, 1, 1, 1}));
        // weighted with equal weights and integer β·n equals unweighted
        assertArrayEquals(
                new CoordinateWiseTrimmedMean(0.25).aggregate(FOUR),
                new CoordinateWiseTrimmedMean(0.25).aggregate(FOUR, new double[] {2, 2, 2, 2}));
    }

    @Test
    void krumAndMultiKrumByHand() {
        float[][] line = {{0}, {1}, {2}, {3}, {100}};
        Krum krum = new Krum(1);
        // n - f - 2 = 2 nearest: scores 1+4, 1+1, 1+1, 1+4, 97²+98²
        assertArrayEquals(new double[] {5, 2, 2, 5, 9409 + 9604}, krum.scores(line));
        assertArrayEquals(new int[] {1}, krum.select(line));
        assertArrayEquals(new float[] {1f}, krum.aggregate(line));
        Krum multi = Krum.multiKrum(1, 3);
        assertArrayEquals(new int[] {1, 2, 0}, multi.select(line));
        assertArrayEquals(new float[] {1f}, multi.aggregate(line));
        // weights weigh the selected: (1·1 + 2·1 + 0·2)/4
        assertArrayEquals(new float[] {0.75f}, multi.aggregate(line, new double[] {2, 1, 1, 1, 1}));
        // Krum returns a copy of the selected update
        float[] picked = krum.aggregate(line);
        picked[0] = 42;
        assertEquals(1f, line[1][0]);
    }

    // ---- resistance to planted outliers

    private static final int N = 20;
    private static final int D = 64;

    /** Honest updates around a fixed mean μ ∈ [1,2]^d with noise 0.1; the last f rows collude at −50·μ. */
    private static float[][] poisoned(int faulty, long seed, double[] honestMean) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] mu = new double[D];
        for (int j = 0; j < D; j++) {
            mu[j] = 1 + rng.nextDouble();
        }
        float[][] updates = new float[N][D];
        for (int i = 0; i < N - faulty; i++) {
            for (int j = 0; j < D; j++) {
                updates[i][j] = (float) (mu[j] + 0.1 * gaussian(rng));
                honestMean[j] += updates[i][j] / (double) (N - faulty);
            }
        }
        for (int i = N - faulty; i < N; i++) {
            for (int j = 0; j < D; j++) {
                updates[i][j] = (float) (-50 * mu[j]);
            }
        }
        return updates;
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log1p(-rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    private static double maxDeviation(float[] result, double[] reference) {
        double max = 0;
        for (int j = 0; j < reference.length; j++) {
            max = Math.max(max, Math.abs(result[j] - reference[j]));
        }
        return max;
    }

    private static void assertResists(RobustAggregator aggregator, int faulty) {
        aggregator.requireTolerates(N, faulty);
        double[] honestMean = new double[D];
        float[][] updates = poisoned(faulty, 11, honestMean);
        // the attack is strong: the plain mean is dragged far away
        assertTrue(maxDeviation(new CoordinateWiseTrimmedMean(0).aggregate(updates), honestMean) > 10);
        double deviation = maxDeviation(aggregator.aggregate(updates), honestMean);
        assertTrue(deviation < 0.5, aggregator + " with " + faulty + " outliers deviates by " + deviation);
    }

    @Test
    void medianResistsJustUnderHalfOutliers() {
        assertResists(new CoordinateWiseMedian(), 9);
    }

    @Test
    void trimmedMeanResistsUpToItsTrimFraction() {
        assertResists(new CoordinateWiseTrimmedMean(0.25), 5);
        assertResists(new CoordinateWiseTrimmedMean(0.1), 2);
    }

    @Test
    void krumResistsColludingOutliers() {
        assertResists(new Krum(5), 5);
        assertResists(Krum.multiKrum(5, 15), 5);
        assertResists(new Krum(8), 8); // n = 20 >= 2·8 + 3
        double[] honestMean = new double[D];
        int[] chosen = Krum.multiKrum(5, 15).select(poisoned(5, 11, honestMean));
        for (int c : chosen) {
            assertTrue(c < N - 5, "multi-Krum selected faulty client " + c);
        }
    }

    // ---- impossible settings and bad input

    @Test
    void toleranceStatements() {
        assertEquals(4, new CoordinateWiseMedian().maxFaultyClients(10));
        assertEquals(5, new CoordinateWiseMedian().maxFaultyClients(11));
        assertEquals(1, new CoordinateWiseTrimmedMean(0.1).maxFaultyClients(19));
        assertEquals(3, new Krum(3).maxFaultyClients(9));
        assertEquals(-1, new Krum(3).maxFaultyClients(8));
        assertEquals(-1, Krum.multiKrum(1, 5).maxFaultyClients(5));
    }

    @Test
    void rejectsImpossibleSettingsNamingNAndF() {
        assertEquals(
                "coordinate-wise median with n=10 clients tolerates at most 4 faulty, asked to tolerate f=5",
                assertThrows(IllegalArgumentException.class, () -> new CoordinateWiseMedian().requireTolerates(10, 5))
                        .getMessage());
        assertEquals(
                "coordinate-wise trimmed mean (β=0.1) with n=10 clients tolerates at most 1 faulty, asked to"
                        + " tolerate f=2",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new CoordinateWiseTrimmedMean(0.1).requireTolerates(10, 2))
                        .getMessage());
        assertEquals(
                "trimmed mean fraction β must be in [0, 0.5) (trimmed from each end), got 0.5",
                assertThrows(IllegalArgumentException.class, () -> new CoordinateWiseTrimmedMean(0.5))
                        .getMessage());
        assertEquals(
                "Krum with f=3 faulty clients needs n >= 2f + 3 = 9 clients, got n=8",
                assertThrows(IllegalArgumentException.class, () -> new Krum(3).aggregate(new float[8][2]))
                        .getMessage());
        assertEquals(
                "Krum (f=3) with n=8 clients tolerates no setting (too few clients), asked to tolerate f=3",
                assertThrows(IllegalArgumentException.class, () -> new Krum(3).requireTolerates(8, 3))
                        .getMessage());
        assertEquals(
                "multi-Krum selecting m=5 of n=5 clients with f=1 faulty needs m <= n - f = 4",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Krum.multiKrum(1, 5).aggregate(new float[5][2]))
                        .getMessage());
        assertEquals(
                "Krum's assumed number of faulty clients f must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> new Krum(-1)).getMessage());
    }

    @Test
    void rejectsBadInputNamingClientAndCoordinate() {
        RobustAggregator median = new CoordinateWiseMedian();
        assertEquals(
                "no client updates to aggregate (n=0)",
                assertThrows(IllegalArgumentException.class, () -> median.aggregate(new float[0][]))
                        .getMessage());
        assertEquals(
                "update of client 1 has 3 coordinates, expected 2 (as client 0)",
                assertThrows(IllegalArgumentException.class, () -> median.aggregate(new float[][] {{1, 2}, {1, 2, 3}}))
                        .getMessage());
        assertEquals(
                "update of client 1 has NaN at coordinate 0; robust aggregation needs finite values (zero"
                        + " non-finite updates and weight them 0 first)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> median.aggregate(new float[][] {{1, 2}, {Float.NaN, 2}}))
                        .getMessage());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new Krum(0).aggregate(new float[][] {{1}, {2}, {Float.POSITIVE_INFINITY}}))
                .getMessage()
                .contains("client 2 has Infinity at coordinate 0"));
        assertEquals(
                "expected one weight per client update (2), got 3",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> median.aggregate(new float[][] {{1}, {2}}, new double[] {1, 1, 1}))
                        .getMessage());
        assertEquals(
                "weight of client 0 must be finite and >= 0, got -1.0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> median.aggregate(new float[][] {{1}, {2}}, new double[] {-1, 1}))
                        .getMessage());
        assertEquals(
                "client weights are all zero",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new CoordinateWiseTrimmedMean(0.1)
                                        .aggregate(new float[][] {{1}, {2}}, new double[2]))
                        .getMessage());
        assertEquals(
                "weight of client 1 must be finite and >= 0, got NaN",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new Krum(0)
                                        .aggregate(new float[][] {{1}, {2}, {3}}, new double[] {1, Double.NaN, 1}))
                        .getMessage());
    }

    @Test
    void weightedKernelsSortLargeColumnsCorrectly() {
        // n > 16 exercises the heapsort path; compare with the unweighted path under equal weights.
        SplittableRandom rng = new SplittableRandom(5);
        float[][] updates = new float[41][7];
        for (float[] row : updates) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) rng.nextDouble(-10, 10);
            }
        }
        double[] ones = new double[41];
        java.util.Arrays.fill(ones, 1.0);
        assertArrayEquals(
                new CoordinateWiseMedian().aggregate(updates), new CoordinateWiseMedian().aggregate(updates, ones));
        // β·n = 0.2·41 = 8.2: unweighted trims 8, weighted trims 8.2 — compare against a direct computation
        float[] weighted = new CoordinateWiseTrimmedMean(0.2).aggregate(updates, ones);
        for (int j = 0; j < 7; j++) {
            double[] col = new double[41];
            for (int i = 0; i < 41; i++) {
                col[i] = updates[i][j];
            }
            java.util.Arrays.sort(col);
            double sum = 0.8 * col[8] + 0.8 * col[32];
            for (int i = 9; i < 32; i++) {
                sum += col[i];
            }
            assertEquals(sum / (41 - 2 * 8.2), weighted[j], 1e-5);
        }
    }
}
