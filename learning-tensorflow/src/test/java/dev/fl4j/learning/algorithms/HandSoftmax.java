package dev.fl4j.learning.algorithms;

import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;

/**
 * Softmax regression (4 inputs, 3 classes) trained by hand in double: the reference the algorithm tests
 * compare rounds with. Parameters are flat, the kernel ({@code [4,3]}, row-major) then the bias, the order
 * of {@link FedAvgTest#flat}.
 */
final class HandSoftmax {

    static final int IN = 4;
    static final int CLASSES = 3;
    static final int SIZE = IN * CLASSES + CLASSES;

    private HandSoftmax() {}

    /** The mean cross-entropy gradient over one batch. */
    static double[] gradient(double[] p, Struct batch) {
        float[] x = batch.tensor("x").floatData();
        int[] y = batch.tensor("y").intData();
        double[] g = new double[SIZE];
        int rows = y.length;
        for (int r = 0; r < rows; r++) {
            double[] z = new double[CLASSES];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                z[c] = p[IN * CLASSES + c];
                for (int i = 0; i < IN; i++) {
                    z[c] += x[r * IN + i] * p[i * CLASSES + c];
                }
                max = Math.max(max, z[c]);
            }
            double sum = 0;
            for (int c = 0; c < CLASSES; c++) {
                z[c] = Math.exp(z[c] - max);
                sum += z[c];
            }
            for (int c = 0; c < CLASSES; c++) {
                double d = (z[c] / sum - (y[r] == c ? 1 : 0)) / rows;
                g[IN * CLASSES + c] += d;
                for (int i = 0; i < IN; i++) {
                    g[i * CLASSES + c] += x[r * IN + i] * d;
                }
            }
        }
        return g;
    }

    /** The example-weighted mean gradient over a whole dataset at {@code p}. */
    static double[] fullGradient(double[] p, SequenceValue data) {
        double[] g = new double[SIZE];
        long n = 0;
        for (Value b : data) {
            Struct batch = (Struct) b;
            int rows = batch.tensor("y").intData().length;
            double[] gb = gradient(p, batch);
            for (int k = 0; k < SIZE; k++) {
                g[k] += gb[k] * rows;
            }
            n += rows;
        }
        for (int k = 0; k < SIZE; k++) {
            g[k] /= n;
        }
        return g;
    }

    /**
     * Plain SGD over {@code data} ({@code epochs} passes) with {@code correction} added to every gradient
     * (null for none).
     */
    static double[] sgd(double[] start, SequenceValue data, int epochs, double lr, double[] correction) {
        double[] p = start.clone();
        for (int e = 0; e < epochs; e++) {
            for (Value b : data) {
                double[] g = gradient(p, (Struct) b);
                for (int k = 0; k < SIZE; k++) {
                    p[k] -= lr * (g[k] + (correction == null ? 0 : correction[k]));
                }
            }
        }
        return p;
    }

    /**
     * SGD with momentum {@code beta} ({@code m ← βm + g}, {@code p ← p − lr·m}), each step followed by
     * {@code p ← p − lr·correction} outside the momentum (SCAFFOLD's correction as NIID-Bench applies it).
     */
    static double[] momentumSgdCorrectedAfterEachStep(
            double[] start, SequenceValue data, int epochs, double lr, double beta, double[] correction) {
        double[] p = start.clone();
        double[] m = new double[SIZE];
        for (int e = 0; e < epochs; e++) {
            for (Value b : data) {
                double[] g = gradient(p, (Struct) b);
                for (int k = 0; k < SIZE; k++) {
                    m[k] = beta * m[k] + g[k];
                    p[k] -= lr * m[k];
                    p[k] -= lr * correction[k];
                }
            }
        }
        return p;
    }

    static double[] toDouble(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    static double[] scaled(double[] a, double f) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] * f;
        }
        return out;
    }

    static double[] plus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    static void assertClose(double[] expected, float[] actual, double tolerance, String what) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > tolerance) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    /** Cross-entropy summed over a dataset's examples at {@code p}, and the number of examples. */
    static double[] lossSum(double[] p, SequenceValue data) {
        double total = 0;
        long n = 0;
        for (Value b : data) {
            Struct batch = (Struct) b;
            float[] x = batch.tensor("x").floatData();
            int[] y = batch.tensor("y").intData();
            for (int r = 0; r < y.length; r++) {
                double[] z = new double[CLASSES];
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < CLASSES; c++) {
                    z[c] = p[IN * CLASSES + c];
                    for (int i = 0; i < IN; i++) {
                        z[c] += x[r * IN + i] * p[i * CLASSES + c];
                    }
                    max = Math.max(max, z[c]);
                }
                double sum = 0;
                for (int c = 0; c < CLASSES; c++) {
                    sum += Math.exp(z[c] - max);
                }
                total += Math.log(sum) + max - z[y[r]];
                n++;
            }
        }
        return new double[] {total, n};
    }
}
