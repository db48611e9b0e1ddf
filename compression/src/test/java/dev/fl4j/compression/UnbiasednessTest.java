package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Stochastic encoders are unbiased in expectation: averaging R independent encodings (seeds 0..R-1)
 * of a fixed vector, the squared distance of the average to the vector must shrink like the mean
 * squared error of one encoding divided by R. For an unbiased encoder the ratio
 * {@code R·|mean - x|² / MSE} is about 1 (a sum over many coordinates, so it concentrates); a bias
 * that does not average out drives it far above. The negative control (nearest rounding) shows the
 * check can fail.
 */
class UnbiasednessTest {

    static final int DRAWS = 1500;

    /** R·|mean - x|² / mean single-draw squared error. */
    static double biasRatio(TensorEncoder enc, Tensor x) {
        float[] a = x.floatData();
        double[] sum = new double[a.length];
        double sumSqErr = 0;
        for (int r = 0; r < DRAWS; r++) {
            float[] b = enc.decode(enc.encode(x, r), x.type()).floatData();
            for (int i = 0; i < a.length; i++) {
                sum[i] += b[i];
            }
            sumSqErr += TestData.squaredError(a, b);
        }
        double bias2 = 0;
        for (int i = 0; i < a.length; i++) {
            double d = sum[i] / DRAWS - a[i];
            bias2 += d * d;
        }
        double mse = sumSqErr / DRAWS;
        return DRAWS * bias2 / mse;
    }

    @Test
    void quantizersAndRandomKAreUnbiased() {
        Tensor x = TestData.gaussian(5, 0.3, 1.5, 2000);
        for (String p : new String[] {
            "uniform:1",
            "uniform:2",
            "uniform:8",
            "hadamard-uniform:2",
            "nonuniform:2",
            "nonuniform:5",
            "entropy-uniform:3",
            "randk:0.1",
            "adaptive-uniform:2"
        }) {
            double ratio = biasRatio(Encoders.tensorEncoder(p), x);
            assertTrue(ratio > 0.75 && ratio < 1.3, p + ": R·bias²/MSE = " + ratio + ", expected about 1");
        }
    }

    @Test
    void driveIsUnbiasedAtThisSampleSize() {
        // DRIVE's bias correction is exact for uniformly random rotations; with the randomized Hadamard
        // rotation (blocks of 512 here) the check still finds no bias at this sample size.
        Tensor x = TestData.gaussian(6, 0.1, 1, 500);
        double ratio = biasRatio(Encoders.tensorEncoder("drive"), x);
        assertTrue(ratio > 0.75 && ratio < 1.3, "drive: R·bias²/MSE = " + ratio);
    }

    @Test
    void lloydMaxWithTheDriveScaleAndSampledDriveAreUnbiasedAtThisSampleSize() {
        // as for drive: exact for uniformly random rotations, and no bias found with the Hadamard rotation
        Tensor x = TestData.gaussian(7, 0.1, 1, 500);
        for (String p :
                new String[] {"hadamard-lloyd:1", "hadamard-lloyd:2", "hadamard-lloyd:3", "sampled-drive:0.5"}) {
            double ratio = biasRatio(Encoders.tensorEncoder(p), x);
            assertTrue(ratio > 0.75 && ratio < 1.3, p + ": R·bias²/MSE = " + ratio);
        }
    }

    @Test
    void negativeControlLloydMaxWithTheLeastSquaresScaleShrinksTowardsZero() {
        // E[decoded] = (1 - D)·x for the relative error D = 0.1175 of 2 bits: R·D²/D = R·D, about 176
        Tensor x = TestData.gaussian(7, 0.1, 1, 500);
        TensorEncoder leastSquares =
                TensorEncoder.of(Stages.hadamard(), Stages.lloydMax(2, false), Stages.bitPacking());
        double ratio = biasRatio(leastSquares, x);
        assertTrue(ratio > 100, "least-squares scale must fail the check, ratio " + ratio);
    }

    @Test
    void negativeControlNearestRoundingIsBiased() {
        Tensor x = TestData.gaussian(5, 0.3, 1.5, 300);
        double ratio = biasRatio(TensorEncoder.of(Stages.uniformQuantizationNearest(2), Stages.bitPacking()), x);
        assertTrue(ratio > 100, "nearest rounding must fail the check, ratio " + ratio);
        double topk = biasRatio(TensorEncoder.of(Stages.topK().setFraction(0.1).build(), Stages.float32()), x);
        assertTrue(topk > 100, "top-k without error feedback is biased, ratio " + topk);
    }
}
