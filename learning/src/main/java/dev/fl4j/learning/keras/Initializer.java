package dev.fl4j.learning.keras;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.fl4j.core.random.SplitMix64;
import java.util.Arrays;

/**
 * Draws the initial value of a weight, as Keras initializers do. Initial values are computed in Java
 * (not by the engine) from a seed, so every engine and every JVM starts from bitwise the same
 * weights. Fans follow Keras: for a kernel of shape {@code [..., in, out]} the receptive field is
 * the product of the leading dimensions, {@code fan_in = in × field}, {@code fan_out = out × field}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "class_name")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Initializer.GlorotUniform.class, name = "GlorotUniform"),
    @JsonSubTypes.Type(value = Initializer.Zeros.class, name = "Zeros"),
    @JsonSubTypes.Type(value = Initializer.Ones.class, name = "Ones"),
    @JsonSubTypes.Type(value = Initializer.Constant.class, name = "Constant"),
    @JsonSubTypes.Type(value = Initializer.RandomNormal.class, name = "RandomNormal"),
    @JsonSubTypes.Type(value = Initializer.RandomUniform.class, name = "RandomUniform"),
    @JsonSubTypes.Type(value = Initializer.Orthogonal.class, name = "Orthogonal"),
    @JsonSubTypes.Type(value = Initializer.UnitForgetBias.class, name = "UnitForgetBias"),
})
public sealed interface Initializer {

    /** A new row-major array of the weight's initial values. */
    float[] sample(int[] shape, long seed);

    static Initializer glorotUniform() {
        return new GlorotUniform();
    }

    static Initializer zeros() {
        return new Zeros();
    }

    static Initializer ones() {
        return new Ones();
    }

    static Initializer constant(float value) {
        return new Constant(value);
    }

    static Initializer randomNormal(float mean, float stddev) {
        return new RandomNormal(mean, stddev);
    }

    static Initializer randomUniform(float minval, float maxval) {
        return new RandomUniform(minval, maxval);
    }

    static Initializer orthogonal() {
        return new Orthogonal(1f);
    }

    /** Uniform in ±sqrt(6 / (fan_in + fan_out)), Keras's default kernel initializer. */
    record GlorotUniform() implements Initializer {
        @Override
        public float[] sample(int[] shape, long seed) {
            long[] fans = fans(shape);
            double limit = Math.sqrt(6.0 / Math.max(1L, fans[0] + fans[1]));
            return uniform(shape, seed, -limit, limit);
        }
    }

    record Zeros() implements Initializer {
        @Override
        public float[] sample(int[] shape, long seed) {
            return new float[size(shape)];
        }
    }

    record Ones() implements Initializer {
        @Override
        public float[] sample(int[] shape, long seed) {
            float[] out = new float[size(shape)];
            Arrays.fill(out, 1f);
            return out;
        }
    }

    record Constant(float value) implements Initializer {
        @Override
        public float[] sample(int[] shape, long seed) {
            float[] out = new float[size(shape)];
            Arrays.fill(out, value);
            return out;
        }
    }

    record RandomNormal(float mean, float stddev) implements Initializer {
        public RandomNormal {
            if (!(stddev >= 0)) {
                throw new IllegalArgumentException("RandomNormal stddev must be >= 0, got " + stddev);
            }
        }

        @Override
        public float[] sample(int[] shape, long seed) {
            SplitMix64 rng = new SplitMix64(seed);
            float[] out = new float[size(shape)];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) (mean + stddev * rng.nextGaussianBoxMuller());
            }
            return out;
        }
    }

    record RandomUniform(float minval, float maxval) implements Initializer {
        public RandomUniform {
            if (!(minval <= maxval)) {
                throw new IllegalArgumentException(
                        "RandomUniform needs minval <= maxval, got " + minval + " > " + maxval);
            }
        }

        @Override
        public float[] sample(int[] shape, long seed) {
            return uniform(shape, seed, minval, maxval);
        }
    }

    /**
     * A (semi-)orthogonal matrix times {@code gain}, Keras's default recurrent initializer: the
     * weight is viewed as a matrix of {@code prod(shape[:-1])} rows and {@code shape[-1]} columns, a
     * Gaussian matrix is orthonormalised by Gram-Schmidt along its longer side.
     */
    record Orthogonal(float gain) implements Initializer {
        @Override
        public float[] sample(int[] shape, long seed) {
            if (shape.length < 2) {
                throw new IllegalArgumentException(
                        "Orthogonal initializer needs a shape of rank >= 2, got " + Arrays.toString(shape));
            }
            int cols = shape[shape.length - 1];
            int rows = size(shape) / Math.max(1, cols);
            int n = Math.max(rows, cols);
            int k = Math.min(rows, cols);
            SplitMix64 rng = new SplitMix64(seed);
            double[][] q = new double[k][n];
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < n; i++) {
                    q[j][i] = rng.nextGaussianBoxMuller();
                }
                for (int p = 0; p < j; p++) {
                    double dot = 0;
                    for (int i = 0; i < n; i++) {
                        dot += q[j][i] * q[p][i];
                    }
                    for (int i = 0; i < n; i++) {
                        q[j][i] -= dot * q[p][i];
                    }
                }
                double norm = 0;
                for (int i = 0; i < n; i++) {
                    norm += q[j][i] * q[j][i];
                }
                norm = Math.sqrt(norm);
                for (int i = 0; i < n; i++) {
                    q[j][i] /= norm;
                }
            }
            float[] out = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    double v = rows >= cols ? q[c][r] : q[r][c];
                    out[r * cols + c] = (float) (gain * v);
                }
            }
            return out;
        }
    }

    /**
     * The bias of an LSTM with Keras's {@code unit_forget_bias}: zeros, except ones on the forget
     * gate's slice {@code [units, 2·units)} of the {@code [4·units]} vector.
     */
    record UnitForgetBias(int units) implements Initializer {
        @Override
        public float[] sample(int[] shape, long seed) {
            if (shape.length != 1 || shape[0] != 4 * units) {
                throw new IllegalArgumentException("UnitForgetBias(" + units + ") initialises a [" + 4 * units
                        + "] bias, not " + Arrays.toString(shape));
            }
            float[] b = new float[4 * units];
            Arrays.fill(b, units, 2 * units, 1f);
            return b;
        }
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static long[] fans(int[] shape) {
        if (shape.length == 0) {
            return new long[] {1, 1};
        }
        if (shape.length == 1) {
            return new long[] {shape[0], shape[0]};
        }
        long field = 1;
        for (int i = 0; i < shape.length - 2; i++) {
            field *= shape[i];
        }
        return new long[] {shape[shape.length - 2] * field, shape[shape.length - 1] * field};
    }

    private static float[] uniform(int[] shape, long seed, double lo, double hi) {
        SplitMix64 rng = new SplitMix64(seed);
        float[] out = new float[size(shape)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return out;
    }
}
