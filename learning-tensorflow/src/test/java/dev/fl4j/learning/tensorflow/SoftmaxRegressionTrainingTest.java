package dev.fl4j.learning.tensorflow;

import static dev.fl4j.learning.tensorflow.TestData.batch;
import static dev.fl4j.learning.tensorflow.TestData.dataset;
import static dev.fl4j.learning.tensorflow.TestData.softmaxGradient;
import static dev.fl4j.learning.tensorflow.TestData.softmaxWeights;
import static dev.fl4j.learning.tensorflow.TestData.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.learning.keras.Metrics;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ClientTrainingResult;
import dev.fl4j.learning.model.EvaluationResult;
import dev.fl4j.learning.model.GradientResult;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Adagrad;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.RmsProp;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.optimizers.Yogi;
import dev.fl4j.learning.zoo.Models;
import org.junit.jupiter.api.Test;

/** The in-graph training step of softmax regression against updates computed by hand. */
class SoftmaxRegressionTrainingTest {

    private static final int IN = 3;
    private static final int CLASSES = 2;
    private static final ModelSpec SPEC = Models.softmaxRegression(IN, CLASSES);
    private static final float[] K0 = {0.1f, -0.2f, 0.3f, 0.05f, -0.1f, 0.2f};
    private static final float[] B0 = {0.01f, -0.02f};
    private static final float[] X1 = {1f, 2f, -1f, 0.5f, -0.5f, 2f};
    private static final int[] Y1 = {1, 0};
    private static final float[] X2 = {-1f, 1f, 0.5f};
    private static final int[] Y2 = {1};

    private static Struct b1() {
        return batch(X1.clone(), new int[] {2, IN}, Y1.clone());
    }

    private static Struct b2() {
        return batch(X2.clone(), new int[] {1, IN}, Y2.clone());
    }

    private static ModelWeights w0() {
        return softmaxWeights(K0.clone(), IN, CLASSES, B0.clone());
    }

    private static void assertWeights(double[] kernel, double[] bias, ModelWeights actual, double tol) {
        float[] k = actual.trainable().tensor("dense/kernel").floatData();
        float[] b = actual.trainable().tensor("dense/bias").floatData();
        for (int i = 0; i < kernel.length; i++) {
            assertEquals(kernel[i], k[i], tol, "kernel " + i);
        }
        for (int i = 0; i < bias.length; i++) {
            assertEquals(bias[i], b[i], tol, "bias " + i);
        }
    }

    /** One SGD step with FedProx strength mu: w - lr (g + mu (w - anchor)). */
    private static double[][] sgdStep(
            double[] k, double[] b, float[] x, int[] y, double lr, double mu, double[] k0, double[] b0) {
        double[][] g = softmaxGradient(k, b, x, y, IN, CLASSES);
        double[] nk = new double[k.length];
        double[] nb = new double[b.length];
        for (int i = 0; i < k.length; i++) {
            nk[i] = k[i] - lr * (g[0][i] + mu * (k[i] - k0[i]));
        }
        for (int i = 0; i < b.length; i++) {
            nb[i] = b[i] - lr * (g[1][i] + mu * (b[i] - b0[i]));
        }
        return new double[][] {nk, nb};
    }

    @Test
    void sgdStepIsTheHandComputedUpdate() {
        try (TfClientTrainer trainer = new TfClientTrainer(TrainingSpec.of(SPEC, Sgd.of(0.5f)))) {
            ClientTrainingResult r = trainer.train(w0(), dataset(SPEC, b1()), 1L);
            double[][] expected = sgdStep(toDouble(K0), toDouble(B0), X1, Y1, 0.5, 0, toDouble(K0), toDouble(B0));
            assertWeights(expected[0], expected[1], r.weights(), 1e-6);
            assertEquals(2L, r.numExamples());
            // metrics describe the forward pass before the update
            double loss = 0;
            int correct = 0;
            for (int row = 0; row < 2; row++) {
                double[] p = TestData.softmax(toDouble(K0), toDouble(B0), X1, row, IN, CLASSES);
                loss -= Math.log(p[Y1[row]]);
                correct += (p[1] > p[0] ? 1 : 0) == Y1[row] ? 1 : 0;
            }
            Struct m = Metrics.finalizeAll(SPEC.metrics(), r.unfinalizedMetrics());
            assertEquals(loss / 2, m.tensor("loss").doubleValue(), 1e-6);
            assertEquals(correct / 2.0, m.tensor("sparse_categorical_accuracy").doubleValue(), 1e-12);
            assertEquals(2L, m.tensor("num_examples").longValue());
            assertEquals(1L, m.tensor("num_batches").longValue());
        }
    }

    @Test
    void proximalTermPullsTowardTheInitialWeightsAndMuZeroIsPlainSgd() {
        double lr = 0.5;
        double mu = 0.7;
        double[] k0 = toDouble(K0);
        double[] b0 = toDouble(B0);
        double[][] s1 = sgdStep(k0, b0, X1, Y1, lr, mu, k0, b0);
        double[][] prox = sgdStep(s1[0], s1[1], X2, Y2, lr, mu, k0, b0);
        double[][] plain = sgdStep(s1[0], s1[1], X2, Y2, lr, 0, k0, b0);
        try (TfClientTrainer fedProx = new TfClientTrainer(TrainingSpec.builder()
                        .setModel(SPEC)
                        .setClientOptimizer(Sgd.of(0.5f))
                        .optProximalMu(0.7f)
                        .build());
                TfClientTrainer muZero = new TfClientTrainer(TrainingSpec.builder()
                        .setModel(SPEC)
                        .setClientOptimizer(Sgd.of(0.5f))
                        .optProximalMu(0f)
                        .build())) {
            assertWeights(
                    prox[0],
                    prox[1],
                    fedProx.train(w0(), dataset(SPEC, b1(), b2()), 1L).weights(),
                    1e-6);
            assertWeights(
                    plain[0],
                    plain[1],
                    muZero.train(w0(), dataset(SPEC, b1(), b2()), 1L).weights(),
                    1e-6);
        }
    }

    @Test
    void fedSgdGradientIsTheExampleWeightedMean() {
        double[][] g1 = softmaxGradient(toDouble(K0), toDouble(B0), X1, Y1, IN, CLASSES);
        double[][] g2 = softmaxGradient(toDouble(K0), toDouble(B0), X2, Y2, IN, CLASSES);
        double[] k = new double[K0.length];
        double[] b = new double[B0.length];
        for (int i = 0; i < k.length; i++) {
            k[i] = (2 * g1[0][i] + g2[0][i]) / 3;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (2 * g1[1][i] + g2[1][i]) / 3;
        }
        try (TfClientTrainer trainer = new TfClientTrainer(TrainingSpec.of(SPEC, Sgd.of(0.5f)))) {
            GradientResult r = trainer.gradients(w0(), dataset(SPEC, b1(), b2()), 1L);
            assertEquals(3L, r.numExamples());
            assertWeights(k, b, ModelWeights.of(r.meanGradient(), Struct.empty()), 1e-6);
            assertEquals(3L, r.unfinalizedMetrics().tensor("num_examples").longValue());
        }
    }

    @Test
    void inGraphOptimizersFollowTheFunctionalOptimizers() {
        Optimizer[] optimizers = {
            Sgd.of(0.3f).withMomentum(0.9f),
            Sgd.of(0.3f).withNesterov(0.9f),
            Adam.of(0.1f),
            Adagrad.of(0.2f),
            Yogi.of(0.1f),
            RmsProp.of(0.05f),
            Sgd.of(0.3f).withWeightDecay(0.5f),
            Sgd.of(0.3f).withNesterov(0.9f).withWeightDecay(0.1f),
            Adam.of(0.1f).withWeightDecay(0.2f),
            Adagrad.of(0.2f).withWeightDecay(0.2f),
            Yogi.of(0.1f).withWeightDecay(0.2f),
            RmsProp.of(0.05f).withWeightDecay(0.2f)
        };
        for (Optimizer opt : optimizers) {
            try (TfClientTrainer trainer = new TfClientTrainer(TrainingSpec.of(SPEC, opt))) {
                ModelWeights inGraph =
                        trainer.train(w0(), dataset(SPEC, b1(), b2()), 1L).weights();
                Struct w = w0().trainable();
                Struct state = opt.initialize(w.type());
                Optimizer.Step s1 = opt.next(
                        state,
                        w,
                        trainer.gradients(w0(), dataset(SPEC, b1()), 1L).meanGradient());
                ModelWeights w1 = ModelWeights.of((Struct) s1.weights(), Struct.empty());
                Optimizer.Step s2 = opt.next(
                        s1.state(),
                        s1.weights(),
                        trainer.gradients(w1, dataset(SPEC, b2()), 1L).meanGradient());
                float[] expected =
                        ((Struct) s2.weights()).tensor("dense/kernel").floatData();
                float[] actual = inGraph.trainable().tensor("dense/kernel").floatData();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-5, opt + " kernel " + i);
                }
                float[] eb = ((Struct) s2.weights()).tensor("dense/bias").floatData();
                float[] ab = inGraph.trainable().tensor("dense/bias").floatData();
                for (int i = 0; i < eb.length; i++) {
                    assertEquals(eb[i], ab[i], 1e-5, opt + " bias " + i);
                }
            }
        }
    }

    @Test
    void evaluationMetricsMatchHandComputationAndSumAcrossClients() {
        try (TfClientTrainer trainer = new TfClientTrainer(TrainingSpec.of(SPEC, Sgd.of(0.5f)))) {
            EvaluationResult a = trainer.evaluate(w0(), dataset(SPEC, b1()));
            EvaluationResult b = trainer.evaluate(w0(), dataset(SPEC, b2()));
            assertEquals(2L, a.numExamples());
            double totalLoss = 0;
            int correct = 0;
            float[][] xs = {X1, X2};
            int[][] ys = {Y1, Y2};
            for (int d = 0; d < 2; d++) {
                for (int row = 0; row < ys[d].length; row++) {
                    double[] p = TestData.softmax(toDouble(K0), toDouble(B0), xs[d], row, IN, CLASSES);
                    totalLoss += Math.log(p[ys[d][row]]) * -1;
                    correct += (p[1] > p[0] ? 1 : 0) == ys[d][row] ? 1 : 0;
                }
            }
            Struct m = Metrics.finalizeAll(SPEC.metrics(), Metrics.sum(a.unfinalizedMetrics(), b.unfinalizedMetrics()));
            assertEquals(totalLoss / 3, m.tensor("loss").doubleValue(), 1e-6);
            assertEquals(correct / 3.0, m.tensor("sparse_categorical_accuracy").doubleValue(), 1e-12);
            assertEquals(3L, m.tensor("num_examples").longValue());
            assertEquals(2L, m.tensor("num_batches").longValue());
        }
    }

    @Test
    void aClientWithoutDataReturnsItsWeightsUnchanged() {
        try (TfClientTrainer trainer = new TfClientTrainer(TrainingSpec.of(SPEC, Sgd.of(0.5f)))) {
            Struct empty = batch(new float[0], new int[] {0, IN}, new int[0]);
            ClientTrainingResult r = trainer.train(w0(), dataset(SPEC, empty), 3L);
            assertEquals(w0(), r.weights());
            assertEquals(0L, r.numExamples());
            assertEquals(0L, r.unfinalizedMetrics().tensor("num_batches").longValue());
            GradientResult g = trainer.gradients(w0(), dataset(SPEC), 3L);
            assertTrue(Tensor.zerosLike(w0().trainable().tensor("dense/kernel"))
                    .equals(g.meanGradient().tensor("dense/kernel")));
        }
    }
}
