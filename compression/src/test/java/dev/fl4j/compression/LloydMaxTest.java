package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The Lloyd–Max stage reaches the Gaussian quantizer's known error on Gaussian input, beats uniform
 * rounding at the same width after the same rotation, scales each block of 4096 on its own, and
 * the sampled presets send only their fraction.
 */
class LloydMaxTest {

    static double relativeError(TensorEncoder enc, Tensor x) {
        float[] a = x.floatData();
        float[] b = enc.decode(enc.encode(x, 3), x.type()).floatData();
        return TestData.squaredError(a, b) / TestData.squaredNorm(a);
    }

    @Test
    void gaussianInputHasTheLloydMaxError() {
        Tensor x = TestData.gaussian(21, 64, 1024);
        double[] leastSquares = {0.3634, 0.1175, 0.03454, 0.009497};
        for (int bits = 1; bits <= 4; bits++) {
            double d = leastSquares[bits - 1];
            double ls = relativeError(TensorEncoder.of(Stages.lloydMax(bits, false), Stages.bitPacking()), x);
            assertEquals(d, ls, 0.03 * d, bits + " bits, least-squares scale");
            double unbiased = relativeError(TensorEncoder.of(Stages.lloydMax(bits, true), Stages.bitPacking()), x);
            assertEquals(d / (1 - d), unbiased, 0.03 * d / (1 - d), bits + " bits, unbiased scale: D/(1-D)");
        }
    }

    @Test
    void afterARotationTwoBitsAreSeveralTimesMoreAccurateThanUniformRounding() {
        // weights-like: most of the energy in a few rows, which the rotation spreads
        Tensor x = TestData.heavyTailed(22, 200, 300);
        double lloyd = relativeError(Encoders.tensorEncoder("hadamard-lloyd:2"), x);
        double uniform = relativeError(Encoders.tensorEncoder("hadamard-uniform:2"), x);
        assertTrue(lloyd < 0.15, "hadamard-lloyd:2 relative error " + lloyd);
        assertTrue(uniform > 5 * lloyd, "hadamard-uniform:2 " + uniform + " vs hadamard-lloyd:2 " + lloyd);
    }

    @Test
    void eachBlockOf4096HasItsOwnScale() {
        // a block of large values next to a block of small ones: one scale would drown the small block
        float[] v = TestData.gaussian(23, 8192).floatData();
        for (int i = 4096; i < 8192; i++) {
            v[i] *= 1e-3f;
        }
        TensorEncoder enc = TensorEncoder.of(Stages.lloydMax(3, false), Stages.bitPacking());
        Tensor small = Tensor.of(java.util.Arrays.copyOfRange(v, 4096, 8192), 4096);
        float[] decoded = enc.decode(
                        enc.encode(Tensor.of(v, 8192), 1), Tensor.of(v, 8192).type())
                .floatData();
        double err = TestData.squaredError(small.floatData(), java.util.Arrays.copyOfRange(decoded, 4096, 8192))
                / TestData.squaredNorm(small.floatData());
        assertEquals(0.03454, err, 0.005, "the small block's own relative error");
    }

    @Test
    void aZeroBlockDecodesToZeros() {
        Tensor zeros = Tensor.of(new float[5000], 5000);
        for (String p : new String[] {"hadamard-lloyd:2", "sampled-lloyd:0.5:1"}) {
            TensorEncoder enc = Encoders.tensorEncoder(p);
            for (float f : enc.decode(enc.encode(zeros, 4), zeros.type()).floatData()) {
                assertEquals(0f, Math.abs(f), p); // the inverse rotation's signs may make it -0
            }
        }
    }

    @Test
    void sampledLloydSendsOnlyItsFractionAndLeavesTheRestZero() {
        Tensor x = TestData.gaussian(24, 1000);
        // 3 bits: sums of 1-bit levels can cancel to exactly 0 after the inverse rotation; of 3-bit ones, not here
        TensorEncoder enc = Encoders.tensorEncoder("sampled-lloyd:0.25:3");
        float[] b = enc.decode(enc.encode(x, 5), x.type()).floatData();
        int nonZero = 0;
        for (float f : b) {
            nonZero += f != 0 ? 1 : 0;
        }
        assertEquals(250, nonZero, "k = 250 of 1000 elements");
    }
}
