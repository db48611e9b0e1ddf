package dev.fl4j.learning.tensorflow;

import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ModelWeights;
import java.util.ArrayList;
import java.util.List;

/** Small generated datasets and hand computations for the engine tests. */
final class TestData {

    private TestData() {}

    static Struct batch(float[] x, int[] xShape, int[] y) {
        return Struct.named("x", Tensor.of(x, xShape), "y", Tensor.of(y, y.length));
    }

    static ListSequence dataset(ModelSpec spec, Struct... batches) {
        return ListSequence.of(spec.inputSpec(), List.of(batches));
    }

    static ModelWeights softmaxWeights(float[] kernel, int inputs, int classes, float[] bias) {
        return ModelWeights.of(
                Struct.named(
                        "dense/kernel", Tensor.of(kernel, inputs, classes), "dense/bias", Tensor.of(bias, classes)),
                Struct.empty());
    }

    /** Mean cross-entropy gradient of softmax regression, by hand: (p − onehot)/B through x. Returns {dW..., db...}. */
    static double[][] softmaxGradient(double[] w, double[] b, float[] x, int[] y, int inputs, int classes) {
        int rows = y.length;
        double[] dw = new double[inputs * classes];
        double[] db = new double[classes];
        for (int r = 0; r < rows; r++) {
            double[] p = softmax(w, b, x, r, inputs, classes);
            for (int c = 0; c < classes; c++) {
                double d = (p[c] - (y[r] == c ? 1 : 0)) / rows;
                db[c] += d;
                for (int i = 0; i < inputs; i++) {
                    dw[i * classes + c] += x[r * inputs + i] * d;
                }
            }
        }
        return new double[][] {dw, db};
    }

    static double[] softmax(double[] w, double[] b, float[] x, int row, int inputs, int classes) {
        double[] z = new double[classes];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            z[c] = b[c];
            for (int i = 0; i < inputs; i++) {
                z[c] += x[row * inputs + i] * w[i * classes + c];
            }
            max = Math.max(max, z[c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            z[c] = Math.exp(z[c] - max);
            sum += z[c];
        }
        for (int c = 0; c < classes; c++) {
            z[c] /= sum;
        }
        return z;
    }

    static double[] toDouble(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    /**
     * Images 28×28×1 whose class is which half is bright (0: top, 1: bottom), with noise; {@code count}
     * batches of {@code size}.
     */
    static List<Struct> halvesImages(int count, int size, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        List<Struct> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            float[] x = new float[size * 784];
            int[] y = new int[size];
            for (int r = 0; r < size; r++) {
                y[r] = (int) (rng.nextLong() >>> 63);
                for (int p = 0; p < 784; p++) {
                    boolean top = p < 392;
                    float base = (top == (y[r] == 0)) ? 0.8f : 0.1f;
                    x[r * 784 + p] = base + 0.2f * (rng.nextFloat() - 0.5f);
                }
            }
            out.add(batch(x, new int[] {size, 28, 28, 1}, y));
        }
        return out;
    }
}
