package dev.fl4j.core.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SplitMix64Test {

    @Test
    void seedZeroGivesThePublishedReferenceStream() {
        // splitmix64.c (Vigna), the reference implementation of Steele, Lea and Flood's SplitMix64, with x = 0.
        SplitMix64 rng = new SplitMix64(0);
        assertEquals(0xE220A8397B1DCDAFL, rng.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, rng.nextLong());
        assertEquals(0x06C45D188009454FL, rng.nextLong());
        assertEquals(0xF88BB8A8724C81ECL, rng.nextLong());
    }

    @Test
    void anotherSeedGivesThePublishedReferenceStream() {
        // The reference vectors of rand_xoshiro's SplitMix64 test, produced with splitmix64.c (unsigned decimal).
        SplitMix64 rng = new SplitMix64(1477776061723855037L);
        String[] expected = {
            "1985237415132408290",
            "2979275885539914483",
            "13511426838097143398",
            "8488337342461049707",
            "15141737807933549159",
            "17093170987380407015"
        };
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], Long.toUnsignedString(rng.nextLong()), "output " + i);
        }
    }

    @Test
    void uniformDrawsTakeTheTopBitsOfOneOutput() {
        long first = new SplitMix64(7).nextLong();
        SplitMix64 rng = new SplitMix64(7);
        assertEquals((first >>> 40) * 0x1.0p-24f, rng.nextFloat());
        SplitMix64 again = new SplitMix64(7);
        assertEquals((first >>> 11) * 0x1.0p-53, again.nextDouble());
        assertEquals("0x1.8f2f84p-2", Float.toHexString(new SplitMix64(7).nextFloat()));
    }

    @Test
    void nextIntIsInRangeUnbiasedAndRefusesBadBounds() {
        SplitMix64 rng = new SplitMix64(3);
        int[] counts = new int[3];
        for (int i = 0; i < 30_000; i++) {
            counts[rng.nextInt(3)]++;
        }
        for (int c : counts) {
            assertTrue(Math.abs(c - 10_000) < 400, java.util.Arrays.toString(counts));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rng.nextInt(0));
        assertEquals("bound must be positive, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> rng.nextGamma(0));
        assertThrows(IllegalArgumentException.class, () -> rng.nextGamma(Double.POSITIVE_INFINITY));
    }

    @Test
    void bothGaussianSamplersAreStandardNormal() {
        SplitMix64 polar = new SplitMix64(11);
        SplitMix64 boxMuller = new SplitMix64(11);
        double[] sum = new double[2];
        double[] sumSq = new double[2];
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            double a = polar.nextGaussianPolar();
            double b = boxMuller.nextGaussianBoxMuller();
            sum[0] += a;
            sumSq[0] += a * a;
            sum[1] += b;
            sumSq[1] += b * b;
        }
        for (int k = 0; k < 2; k++) {
            assertEquals(0, sum[k] / n, 0.01, "mean of sampler " + k);
            assertEquals(1, sumSq[k] / n, 0.01, "variance of sampler " + k);
        }
    }

    /**
     * Outputs recorded from the generators this class replaced (simulation's Rng, learning's and
     * compression's SplitMix64): shuffles, partitions, synthetic data and initial weights of earlier
     * runs depend on them, so they must not move.
     */
    @Test
    void samplersKeepTheStreamsResultsArePinnedTo() {
        SplitMix64 boxMuller = new SplitMix64(7);
        assertEquals(0.9884743323187353, boxMuller.nextGaussianBoxMuller());
        assertEquals(-1.8642558067312274, boxMuller.nextGaussianBoxMuller());
        assertEquals(0.00392020721518934, boxMuller.nextGaussianBoxMuller());
        SplitMix64 polar = new SplitMix64(7);
        assertEquals(-0.04174152338145233, polar.nextGaussianPolar());
        assertEquals(-0.18308020910924752, polar.nextGaussianPolar());
        assertEquals(0.8764814690994567, polar.nextGaussianPolar());
        SplitMix64 ints = new SplitMix64(7);
        int[] draws = new int[5];
        for (int i = 0; i < draws.length; i++) {
            draws[i] = ints.nextInt(10);
        }
        assertArrayEquals(new int[] {0, 5, 4, 4, 2}, draws);
        int[] order = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        new SplitMix64(7).shuffle(order);
        assertArrayEquals(new int[] {3, 2, 5, 6, 7, 4, 8, 9, 1, 0}, order);
        assertEquals(0.8537727029792486, new SplitMix64(7).nextGamma(0.5));
        assertArrayEquals(
                new double[] {0.393763650696799, 0.32841091053673793, 0.27782543876646315},
                new SplitMix64(7).nextDirichlet(1.0, 3));
    }

    /**
     * The values {@code new java.util.SplittableRandom(7)} gives on JDK 17 for the same calls (client
     * sampling was drawn from a SplittableRandom; its streams must not move).
     */
    @Test
    void splittableRandomDrawsKeepTheirStream() {
        SplitMix64 rng = new SplitMix64(7);
        int[] bounds = {10, 16, 1000, 1 << 30, Integer.MAX_VALUE, 3};
        int[] draws = new int[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            draws[i] = rng.nextIntAsSplittableRandom(bounds[i]);
        }
        assertArrayEquals(new int[] {6, 2, 53, 986973043, 1158536205, 1}, draws);
        assertEquals(8632209307422871798L, rng.nextLong());
        assertEquals(0.3280767391525029, rng.nextDouble());
        assertThrows(IllegalArgumentException.class, () -> rng.nextIntAsSplittableRandom(-1));
    }

    @Test
    void dirichletSumsToOneEvenWhenEveryGammaUnderflows() {
        for (double alpha : new double[] {1e-300, 0.01, 1, 50}) {
            double[] p = new SplitMix64(5).nextDirichlet(alpha, 7);
            double sum = 0;
            for (double x : p) {
                assertTrue(x >= 0 && x <= 1, "alpha " + alpha + ": " + x);
                sum += x;
            }
            assertEquals(1, sum, 1e-12, "alpha " + alpha);
        }
    }
}
