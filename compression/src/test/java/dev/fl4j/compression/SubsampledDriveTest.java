package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@code subsampled-drive:FRACTION}, the subsampled randomized Hadamard transform then DRIVE: the error of
 * {@code sampled-drive} at the same fraction, the projection on the input kept in expectation, every coordinate
 * covered alike, and at FRACTION 1 exactly {@code drive}. Its unbiasedness is in {@link UnbiasednessTest}.
 */
class SubsampledDriveTest {

    private static final int DRAWS = 300;

    /** Mean of |x̂ - x|²/|x|² over {@link #DRAWS} seeds. */
    private static double normalizedError(String preset, Tensor x) {
        TensorEncoder enc = Encoders.tensorEncoder(preset);
        double norm = TestData.squaredNorm(x.floatData());
        double sum = 0;
        for (int r = 0; r < DRAWS; r++) {
            sum += TestData.squaredError(
                            x.floatData(),
                            enc.decode(enc.encode(x, r), x.type()).floatData())
                    / norm;
        }
        return sum / DRAWS;
    }

    /**
     * On a large tensor the normalized error is random-k's at the same fraction followed by DRIVE's, {@code q·π/2 - 1}
     * (2.14 at one half, 5.28 at a quarter, 11.57 at an eighth), within 5% of sampled-drive's measured one. The tensor
     * has 2^15 elements, so that sampled-drive's kept values fill whole rotation blocks: a padded last block raises
     * DRIVE's error (its one scale fits the full blocks), which made sampled-drive's 14% larger on 20,000 elements at a
     * quarter.
     */
    @Test
    void errorIsSampledDrivesAtTheSameFraction() {
        Tensor x = TestData.gaussian(21, 0.01, 0.05, 128, 256);
        for (int q : new int[] {2, 4, 8}) {
            double fraction = 1.0 / q;
            double subsampled = normalizedError("subsampled-drive:" + fraction, x);
            double sampled = normalizedError("sampled-drive:" + fraction, x);
            double theory = q * Math.PI / 2 - 1;
            assertEquals(theory, subsampled, 0.05 * theory, "q " + q + ": subsampled-drive");
            assertEquals(sampled, subsampled, 0.05 * sampled, "q " + q + ": against sampled-drive");
        }
        // drive keeps every coordinate: π/2 - 1
        assertEquals(Math.PI / 2 - 1, normalizedError("subsampled-drive:1", x), 0.05);
    }

    /**
     * {@code <x̂, x> = q·||(Rx)_S||²} is {@code ||x||²} in expectation over the rotation's signs: its mean over the
     * draws is within 4 standard errors of 1, and it moves from draw to draw (it is not a per-draw projection).
     */
    @Test
    void projectionOnTheInputIsKeptInExpectation() {
        for (Tensor x : new Tensor[] {TestData.gaussian(22, 0.1, 1, 500), TestData.heavyTailed(23, 64, 33)}) {
            TensorEncoder enc = Encoders.tensorEncoder("subsampled-drive:0.25");
            float[] a = x.floatData();
            double norm = TestData.squaredNorm(a);
            double sum = 0;
            double sumSq = 0;
            int draws = 2000;
            for (int r = 0; r < draws; r++) {
                float[] b = enc.decode(enc.encode(x, r), x.type()).floatData();
                double dot = 0;
                for (int i = 0; i < a.length; i++) {
                    dot += (double) a[i] * b[i];
                }
                sum += dot / norm;
                sumSq += (dot / norm) * (dot / norm);
            }
            double mean = sum / draws;
            double sd = Math.sqrt(sumSq / draws - mean * mean);
            assertEquals(1, mean, 4 * sd / Math.sqrt(draws), x.type() + ": mean <x̂, x>/|x|², sd " + sd);
            assertTrue(sd > 1e-3, x.type() + ": <x̂, x> varies from draw to draw, sd " + sd);
        }
    }

    /**
     * Every coordinate is covered with the same weight, wherever it sits in its block: two full blocks of 4096, one
     * block of 512 holding 300 elements, a tensor shorter than the stride (5 elements in one block of 8 keeping its
     * first row). Per half of the tensor, the mean over the draws of {@code x̂_i·x_i} for an input of ±1 is 1 within 5
     * standard errors; a coordinate left out (weight 0) or counted twice would move its half's mean by a multiple of
     * that.
     */
    @Test
    void everyCoordinateIsCoveredWithTheSameWeight() {
        int[][] cases = {{2, 2 * 4096}, {8, 300}, {16, 5}};
        for (int[] c : cases) {
            double[][] w = halfWeights("subsampled-drive:" + 1.0 / c[0], c[1], 4000);
            for (int h = 0; h < 2; h++) {
                assertEquals(
                        1,
                        w[h][0],
                        5 * w[h][1],
                        "q " + c[0] + ", n " + c[1] + ", " + (h == 0 ? "first" : "last") + " half: weight " + w[h][0]
                                + " ± " + w[h][1]);
            }
        }
    }

    /**
     * What subsampled-drive shares with drive: one DRIVE scale for the whole tensor, while the rotation's blocks are
     * rotated apart, so a block with less energy than the others (the padded last block: here 2,000 elements in a
     * block of 4,096 after two full ones) decodes with a weight above 1 and the others slightly below (the tensor's
     * last half, which holds it, about 1.08, its first half below 0.99). Pinned at drive's weights, within 2%.
     */
    @Test
    void aPaddedLastBlockIsWeightedAsDriveWeightsIt() {
        double[][] drive = halfWeights("drive", 2 * 4096 + 2000, 1500);
        double[][] subsampled = halfWeights("subsampled-drive:0.5", 2 * 4096 + 2000, 1500);
        for (int h = 0; h < 2; h++) {
            assertEquals(drive[h][0], subsampled[h][0], 0.02 * drive[h][0], "half " + h);
        }
        assertTrue(drive[1][0] > 1.05, "the last half, with the padded block, weighs " + drive[1][0]);
        assertTrue(drive[0][0] < 0.99, "the first half weighs " + drive[0][0]);
    }

    /**
     * {mean, standard error} over {@code draws} seeds of the mean of {@code x̂_i·x_i} over the first and over the last
     * half of an input of n elements ±1.
     */
    private static double[][] halfWeights(String preset, int n, int draws) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % 3 == 0 ? -1f : 1f;
        }
        Tensor x = Tensor.vector(v);
        TensorEncoder enc = Encoders.tensorEncoder(preset);
        int half = n / 2;
        double[] sum = new double[2];
        double[] sumSq = new double[2];
        for (int r = 0; r < draws; r++) {
            float[] b = enc.decode(enc.encode(x, r), x.type()).floatData();
            for (int h = 0; h < 2; h++) {
                double w = 0;
                for (int i = h * (n - half); i < h * (n - half) + half; i++) {
                    w += b[i] * v[i];
                }
                sum[h] += w / half;
                sumSq[h] += (w / half) * (w / half);
            }
        }
        double[][] out = new double[2][];
        for (int h = 0; h < 2; h++) {
            double mean = sum[h] / draws;
            out[h] = new double[] {mean, Math.sqrt((sumSq[h] / draws - mean * mean) / draws)};
        }
        return out;
    }

    /** At FRACTION 1 the stride keeps everything and scales by 1: drive's floats, one byte and one stage id more. */
    @Test
    void fractionOneIsDrive() {
        for (Tensor x : new Tensor[] {TestData.gaussian(24, 3000), TestData.gaussian(25, 0.1, 2, 50, 200)}) {
            TensorEncoder drive = Encoders.tensorEncoder("drive");
            TensorEncoder one = Encoders.tensorEncoder("subsampled-drive:1");
            Tensor d = drive.encode(x, 5);
            Tensor s = one.encode(x, 5);
            assertEquals(d.size() + 2, s.size(), "a stage id and the stride's byte");
            assertArrayEquals(
                    drive.decode(d, x.type()).floatData(),
                    one.decode(s, x.type()).floatData(),
                    x.type().toString());
        }
    }

    /** The same seed gives the same bytes; other seeds other rotations, so other bytes. */
    @Test
    void deterministicPerSeed() {
        Tensor x = TestData.gaussian(26, 4000);
        TensorEncoder enc = Encoders.tensorEncoder("subsampled-drive:0.125");
        assertEquals(enc.encode(x, 3), enc.encode(x, 3));
        assertTrue(!enc.encode(x, 3).equals(enc.encode(x, 4)));
    }
}
