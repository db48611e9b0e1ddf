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
    void subsampledDriveIsUnbiasedAtThisSampleSize() {
        // as for drive: the rotation's random signs make it unbiased; 500 elements in blocks of 512, 3,000 in one block
        // of 4,096 (mostly padding, whose kept rows weigh the inputs as the others do), 200 in one block of 256
        Tensor x = TestData.gaussian(7, 0.1, 1, 500);
        for (String p : new String[] {"subsampled-drive:0.5", "subsampled-drive:0.25", "subsampled-drive:0.125"}) {
            double ratio = biasRatio(Encoders.tensorEncoder(p), x);
            assertTrue(ratio > 0.75 && ratio < 1.3, p + ": R·bias²/MSE = " + ratio);
        }
        for (Tensor y : new Tensor[] {TestData.gaussian(8, -0.2, 0.5, 3000), TestData.gaussian(9, 0.3, 2, 10, 20)}) {
            double ratio = biasRatio(Encoders.tensorEncoder("subsampled-drive:0.5"), y);
            assertTrue(ratio > 0.75 && ratio < 1.3, y.type() + ": R·bias²/MSE = " + ratio);
        }
    }

    /**
     * The check fails for the mistakes subsampled-drive must not make: decoding without the stride's n/k, DRIVE's
     * least-squares sign scale instead of the unbiased one, a subset that skips whole rotation blocks (a stride of 4
     * over blocks of 2: every other block), and a stride without a rotation in front (the same coordinates every
     * time).
     */
    @Test
    void negativeControlsOfSubsampledDriveAreBiased() {
        Tensor x = TestData.gaussian(7, 0.1, 1, 500);
        EncodingStage unbiasedSign = Stages.sign().optUnbiased(true).build();
        TensorEncoder[] biased = {
            TensorEncoder.of(Stages.hadamard(), new UnscaledStride(2), unbiasedSign, Stages.bitPacking()),
            TensorEncoder.of(Stages.hadamard(), Stages.stride(2), Stages.sign().build(), Stages.bitPacking()),
            TensorEncoder.of(Stages.hadamard(1), Stages.stride(4), unbiasedSign, Stages.bitPacking()),
            TensorEncoder.of(Stages.stride(2), unbiasedSign, Stages.bitPacking()),
        };
        for (TensorEncoder enc : biased) {
            double ratio = biasRatio(enc, x);
            assertTrue(ratio > 100, enc.name() + " must fail the check, ratio " + ratio);
        }
    }

    /** {@link Stages#stride} whose decoding leaves out the factor n/k (a user stage id, as a test double). */
    static final class UnscaledStride implements EncodingStage {
        private final EncodingStage stride;
        private final int q;

        UnscaledStride(int q) {
            this.stride = Stages.stride(q);
            this.q = q;
        }

        @Override
        public int id() {
            return 201;
        }

        @Override
        public String name() {
            return "unscaled-" + stride.name();
        }

        @Override
        public SignalKind inputKind() {
            return SignalKind.FLOATS;
        }

        @Override
        public SignalKind outputKind() {
            return SignalKind.FLOATS;
        }

        @Override
        public boolean commutesWithSum() {
            return true;
        }

        @Override
        public SignalShape outputShape(SignalShape input) {
            return stride.outputShape(input);
        }

        @Override
        public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
            return stride.encode(input, context, sideInfo);
        }

        @Override
        public StageDecoder readSideInfo(ByteReader sideInfo, SignalShape input) {
            StageDecoder scaled = stride.readSideInfo(sideInfo, input);
            return output -> {
                float[] x = scaled.decode(output).floats();
                for (int i = 0; i < x.length; i++) {
                    x[i] /= q;
                }
                return Signal.floats(x);
            };
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
