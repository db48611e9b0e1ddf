package dev.fl4j.learning.algorithms;

import static dev.fl4j.learning.algorithms.FedAvgTest.ENGINE;
import static dev.fl4j.learning.algorithms.FedAvgTest.MODEL;
import static dev.fl4j.learning.algorithms.FedAvgTest.clients;
import static dev.fl4j.learning.algorithms.FedAvgTest.data;
import static dev.fl4j.learning.algorithms.FedAvgTest.flat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.keras.Activation;
import dev.fl4j.learning.keras.Dense;
import dev.fl4j.learning.keras.InputLayer;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Federated reconstruction with the bias local and the kernel global, against rounds by hand. */
class FedReconTest {

    /** A hidden layer (global) and an output layer ({@code dense_1}, local). */
    private static final ModelSpec HIDDEN = new ModelSpec(
            "hidden",
            List.of(InputLayer.of(4), Dense.of(8, Activation.RELU), Dense.of(3)),
            Loss.sparseCategoricalCrossentropy().withFromLogits(true),
            Models.CLASSIFIER_METRICS);

    /** Kernel elements 0..11 are global, bias elements 12..14 local. */
    private static final int KERNEL = HandSoftmax.IN * HandSoftmax.CLASSES;

    /** SGD that moves only elements {@code from..to-1}. */
    private static double[] sgdOnly(double[] start, SequenceValue data, int epochs, double lr, int from, int to) {
        double[] p = start.clone();
        for (int e = 0; e < epochs; e++) {
            for (Value b : data) {
                double[] g = HandSoftmax.gradient(p, (Struct) b);
                for (int k = from; k < to; k++) {
                    p[k] -= lr * g[k];
                }
            }
        }
        return p;
    }

    @Test
    void twoRoundsAndEvaluationAsByHand() {
        SequenceValue d = data(71, 3, 4);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            FedRecon.Builder b = FedRecon.builder(MODEL, Set.of("dense/bias"))
                    .setClientOptimizer(Sgd.of(0.2f))
                    .optReconstructionOptimizer(Sgd.of(0.5f))
                    .optReconstructionEpochs(2)
                    .optEngine(ENGINE);
            LearningProcess p = b.build();
            Value state = p.initialize(rt);
            double[] x = HandSoftmax.toDouble(flat(p.getModelWeights(state)));
            for (int round = 0; round < 2; round++) {
                state = p.next(rt, state, clients(d)).state();
                double[] start = x.clone();
                java.util.Arrays.fill(start, KERNEL, HandSoftmax.SIZE, 0); // fresh local bias (zeros initializer)
                double[] recon = sgdOnly(start, d, 2, 0.5, KERNEL, HandSoftmax.SIZE);
                double[] post = sgdOnly(recon, d, 1, 0.2, 0, KERNEL);
                System.arraycopy(post, 0, x, 0, KERNEL); // server SGD 1.0: the kernel becomes the client's
                float[] got = flat(p.getModelWeights(state));
                HandSoftmax.assertClose(x, got, 1e-5, "round " + round);
                for (int k = KERNEL; k < HandSoftmax.SIZE; k++) {
                    assertEquals(0f, got[k], "the server's local weights never change");
                }
            }
            Struct eval = b.buildEvaluation().evaluate(rt, p.getModelWeights(state), clients(d));
            double[] start = x.clone();
            java.util.Arrays.fill(start, KERNEL, HandSoftmax.SIZE, 0);
            double[] loss = HandSoftmax.lossSum(sgdOnly(start, d, 2, 0.5, KERNEL, HandSoftmax.SIZE), d);
            assertEquals(loss[0] / loss[1], eval.struct("eval").tensor("loss").doubleValue(), 1e-5);
        }
    }

    @Test
    void splitDatasetReconstructsOnEvenBatchesAndTrainsOnOdd() {
        SequenceValue d = data(72, 4, 3);
        List<Value> even = new ArrayList<>();
        List<Value> odd = new ArrayList<>();
        int i = 0;
        for (Value batch : d) {
            (i++ % 2 == 0 ? even : odd).add(batch);
        }
        SequenceValue evens = ListSequence.of(MODEL.inputSpec(), even);
        SequenceValue odds = ListSequence.of(MODEL.inputSpec(), odd);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            LearningProcess p = FedRecon.builder(MODEL, Set.of("dense/bias"))
                    .setClientOptimizer(Sgd.of(0.3f))
                    .optSplitDataset(true)
                    .optEngine(ENGINE)
                    .build();
            Value state = p.initialize(rt);
            double[] x = HandSoftmax.toDouble(flat(p.getModelWeights(state)));
            var out = p.next(rt, state, clients(d));
            double[] recon = sgdOnly(x, evens, 1, 0.1, KERNEL, HandSoftmax.SIZE);
            double[] post = sgdOnly(recon, odds, 1, 0.3, 0, KERNEL);
            System.arraycopy(post, 0, x, 0, KERNEL);
            HandSoftmax.assertClose(x, flat(p.getModelWeights(out.state())), 1e-5, "split round");
            assertEquals(6.0, out.flatMetrics().get("client_work/train/num_examples"));
        }
    }

    @Test
    void withoutLocalWeightsItIsFedAvg() {
        SequenceValue d1 = data(73, 2, 3);
        SequenceValue d2 = data(74, 1, 5);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess avg = FedAvg.weighted(MODEL, Sgd.of(0.2f));
            LearningProcess recon = FedRecon.builder(MODEL, Set.of())
                    .setClientOptimizer(Sgd.of(0.2f))
                    .optEngine(ENGINE)
                    .build();
            ModelWeights a = avg.getModelWeights(
                    avg.next(rt, avg.initialize(rt), clients(d1, d2)).state());
            ModelWeights r = recon.getModelWeights(
                    recon.next(rt, recon.initialize(rt), clients(d1, d2)).state());
            assertEquals(a, r);
        }
    }

    @Test
    void badLocalWeightsAreRefusedByName() {
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> FedRecon.builder(MODEL, Set.of("dense/gamma")));
        assertTrue(
                unknown.getMessage().contains("local weight 'dense/gamma' is not a trainable weight"),
                unknown.getMessage());
        IllegalArgumentException all = assertThrows(
                IllegalArgumentException.class, () -> FedRecon.builder(MODEL, Set.of("dense/bias", "dense/kernel")));
        assertTrue(all.getMessage().contains("nothing to train federatedly"), all.getMessage());
        IllegalStateException noOptimizer = assertThrows(
                IllegalStateException.class,
                () -> FedRecon.builder(MODEL, Set.of("dense/bias")).build());
        assertTrue(noOptimizer.getMessage().contains("needs a client optimizer"), noOptimizer.getMessage());
    }

    private static ModelWeights reconRounds(int workers) {
        LearningProcess p = FedRecon.builder(HIDDEN, Set.of("dense_1/kernel", "dense_1/bias"))
                .setClientOptimizer(Sgd.of(0.1f))
                .optSplitDataset(true)
                .optSeed(9)
                .optEngine(ENGINE)
                .build();
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(workers).build()) {
            Value state = p.initialize(rt);
            for (int round = 0; round < 2; round++) {
                state = p.next(rt, state, clients(data(round, 4, 3), data(round + 10, 2, 5), data(round + 20, 3, 2)))
                        .state();
            }
            return p.getModelWeights(state);
        }
    }

    @Test
    void sameModelForOneAndTwoWorkers() {
        assertEquals(reconRounds(1), reconRounds(2));
    }
}
