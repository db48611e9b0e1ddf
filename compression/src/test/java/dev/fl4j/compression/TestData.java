package dev.fl4j.compression;

import dev.fl4j.core.Tensor;
import java.util.SplittableRandom;

/** Deterministic test tensors. */
final class TestData {

    private TestData() {}

    static int numElements(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Gaussian values with the given standard deviation and mean. */
    static Tensor gaussian(long seed, double mean, double std, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[numElements(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * gauss(r));
        }
        return Tensor.of(v, shape);
    }

    static Tensor gaussian(long seed, int... shape) {
        return gaussian(seed, 0, 1, shape);
    }

    /** Heavy tailed: Gaussian times an occasional large factor. */
    static Tensor heavyTailed(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[numElements(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (gauss(r) * (r.nextDouble() < 0.01 ? 20 : 1));
        }
        return Tensor.of(v, shape);
    }

    static double gauss(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double w = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
    }

    static double squaredError(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    static double squaredNorm(float[] a) {
        double s = 0;
        for (float v : a) {
            s += (double) v * v;
        }
        return s;
    }

    static float min(float[] a) {
        float m = Float.POSITIVE_INFINITY;
        for (float v : a) {
            m = Math.min(m, v);
        }
        return m;
    }

    static float max(float[] a) {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
