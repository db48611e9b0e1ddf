package dev.fl4j.learning.algorithms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.UnweightedMeanFactory;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.keras.Activation;
import dev.fl4j.learning.keras.Dense;
import dev.fl4j.learning.keras.InputLayer;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ClientTrainingResult;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.templates.LearningProcessOutput;
import dev.fl4j.learning.tensorflow.TfEngine;
import dev.fl4j.learning.zoo.Models;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FedAvgTest {

    static final ModelSpec MODEL = Models.softmaxRegression(4, 3);
    static final ModelEngine ENGINE = new TfEngine();

    /** {@code batches} batches of {@code batchSize} random examples, labels from a fixed linear rule. */
    static SequenceValue data(long seed, int batches, int batchSize) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Value> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            float[] x = new float[batchSize * 4];
            int[] y = new int[batchSize];
            for (int i = 0; i < batchSize; i++) {
                for (int j = 0; j < 4; j++) {
                    x[i * 4 + j] = (float) r.nextGaussian();
                }
                y[i] = x[i * 4] > 0.5f ? 0 : x[i * 4 + 1] > 0 ? 1 : 2;
            }
            out.add(Struct.named("x", Tensor.of(x, batchSize, 4), "y", Tensor.of(y, batchSize)));
        }
        return ListSequence.of(MODEL.inputSpec(), out);
    }

    static ClientValues clients(SequenceValue... datasets) {
        return FederatedValue.clients(List.of(datasets));
    }

    static float[] flat(ModelWeights w) {
        List<Float> all = new ArrayList<>();
        for (Tensor t : w.trainableTensors()) {
            for (float f : t.floatData()) {
                all.add(f);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void oneClientRoundEqualsCentralLocalSgd() {
        SequenceValue d = data(1, 3, 5);
        LearningProcess p = FedAvg.weighted(MODEL, Sgd.of(0.1f));
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build();
                ClientTrainer trainer = ENGINE.newTrainer(TrainingSpec.of(MODEL, Sgd.of(0.1f)))) {
            Value state = p.initialize(rt);
            ModelWeights initial = p.getModelWeights(state);
            LearningProcessOutput out = p.next(rt, state, clients(d));
            ClientTrainingResult central = trainer.train(initial, d, 0);
            assertArrayEquals(flat(central.weights()), flat(p.getModelWeights(out.state())), 1e-6f);
            assertNotEquals(
                    flat(initial)[0] + flat(initial)[5], flat(central.weights())[0] + flat(central.weights())[5]);
        }
    }

    @Test
    void weightedAndUnweightedMatchHandComputedMeans() {
        SequenceValue small = data(2, 1, 2);
        SequenceValue large = data(3, 3, 6);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build();
                ClientTrainer trainer = ENGINE.newTrainer(TrainingSpec.of(MODEL, Sgd.of(0.5f)))) {
            LearningProcess weighted = FedAvg.weighted(MODEL, Sgd.of(0.5f));
            LearningProcess unweighted = FedAvg.unweighted(MODEL, Sgd.of(0.5f));
            Value s0 = weighted.initialize(rt);
            ModelWeights initial = weighted.getModelWeights(s0);
            float[] a = flat(trainer.train(initial, small, 0).weights());
            float[] b = flat(trainer.train(initial, large, 0).weights());
            float[] w0 = flat(initial);
            float[] wMean = flat(weighted.getModelWeights(
                    weighted.next(rt, s0, clients(small, large)).state()));
            float[] uMean = flat(unweighted.getModelWeights(unweighted
                    .next(rt, unweighted.initialize(rt), clients(small, large))
                    .state()));
            for (int i = 0; i < w0.length; i++) {
                float expectedWeighted = w0[i] - ((w0[i] - a[i]) * 2 + (w0[i] - b[i]) * 18) / 20f;
                float expectedUnweighted = w0[i] - ((w0[i] - a[i]) + (w0[i] - b[i])) / 2f;
                assertEquals(expectedWeighted, wMean[i], 1e-5f, "weighted element " + i);
                assertEquals(expectedUnweighted, uMean[i], 1e-5f, "unweighted element " + i);
            }
        }
    }

    @Test
    void fedProxWithZeroMuIsFedAvgBitwise() {
        SequenceValue d1 = data(4, 2, 4);
        SequenceValue d2 = data(5, 2, 4);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess avg = FedAvg.weighted(MODEL, Sgd.of(0.1f));
            LearningProcess prox = FedProx.weighted(MODEL, Sgd.of(0.1f), 0f);
            LearningProcess proxOn = FedProx.weighted(MODEL, Sgd.of(0.1f), 1f);
            ModelWeights a = avg.getModelWeights(
                    avg.next(rt, avg.initialize(rt), clients(d1, d2)).state());
            ModelWeights b = prox.getModelWeights(
                    prox.next(rt, prox.initialize(rt), clients(d1, d2)).state());
            Value s = proxOn.initialize(rt);
            s = proxOn.next(rt, s, clients(d1, d2)).state();
            assertEquals(a, b);
            assertNotEquals(
                    a,
                    proxOn.getModelWeights(proxOn.next(rt, s, clients(d1, d2)).state()));
        }
    }

    private static ModelWeights threeRounds(int workers) {
        ModelSpec hidden = new ModelSpec(
                "hidden",
                List.of(InputLayer.of(4), Dense.of(8, Activation.RELU), Dense.of(3)),
                Loss.sparseCategoricalCrossentropy().withFromLogits(true),
                Models.CLASSIFIER_METRICS);
        LearningProcess p = FedAvg.builder(hidden)
                .setClientOptimizer(Sgd.of(0.05f))
                .optSeed(7)
                .build();
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(workers).build()) {
            Value state = p.initialize(rt);
            for (int round = 0; round < 3; round++) {
                List<SequenceValue> round_ = new ArrayList<>();
                for (int c = 0; c < 5; c++) {
                    round_.add(data(round * 100L + c, 2, 8));
                }
                state = p.next(rt, state, FederatedValue.clients(round_)).state();
            }
            return p.getModelWeights(state);
        }
    }

    @Test
    void sameSeedGivesBitwiseSameModelForOneAndTwoWorkers() {
        assertEquals(threeRounds(1), threeRounds(2));
    }

    @Test
    void metricsAreGroupedAsTffGroupsThem() {
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess p = FedAvg.weighted(MODEL, Sgd.of(0.1f));
            LearningProcessOutput out = p.next(rt, p.initialize(rt), clients(data(8, 2, 3), data(9, 1, 4)));
            Map<String, Double> m = out.flatMetrics();
            assertEquals(10.0, m.get("client_work/train/num_examples"));
            assertEquals(3.0, m.get("client_work/train/num_batches"));
            assertTrue(m.containsKey("client_work/train/loss"), m.toString());
            assertTrue(m.containsKey("client_work/train/sparse_categorical_accuracy"), m.toString());
            assertEquals(0.0, m.get("finalizer/update_non_finite"));
        }
    }

    @Test
    void clientWithNoDataIsWeightedZero() {
        SequenceValue d = data(10, 2, 3);
        SequenceValue empty = ListSequence.of(MODEL.inputSpec(), List.of());
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess p = FedAvg.weighted(MODEL, Sgd.of(0.1f));
            Value s0 = p.initialize(rt);
            ModelWeights alone = p.getModelWeights(p.next(rt, s0, clients(d)).state());
            ModelWeights withEmpty =
                    p.getModelWeights(p.next(rt, s0, clients(d, empty)).state());
            assertArrayEquals(flat(alone), flat(withEmpty), 1e-6f);
        }
    }

    @Test
    void nonFiniteUpdateIsZeroedWeightedZeroAndCounted() {
        List<Value> batches = new ArrayList<>();
        batches.add(Struct.named(
                "x", Tensor.of(new float[] {Float.NaN, 1, 1, 1}, 1, 4), "y", Tensor.of(new int[] {0}, 1)));
        SequenceValue poisoned = ListSequence.of(MODEL.inputSpec(), batches);
        SequenceValue good = data(11, 1, 2);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess p = FedAvg.weighted(MODEL, Sgd.of(0.1f));
            Value s0 = p.initialize(rt);
            LearningProcessOutput out = p.next(rt, s0, clients(good, poisoned));
            ModelWeights alone = p.getModelWeights(p.next(rt, s0, clients(good)).state());
            assertTrue(Structures.isFinite(p.getModelWeights(out.state()).asStruct()));
            assertArrayEquals(flat(alone), flat(p.getModelWeights(out.state())), 1e-6f);
            assertEquals(
                    1.0,
                    out.flatMetrics().get("client_work/non_finite_update_count"),
                    out.flatMetrics().toString());
            assertEquals(
                    0.0,
                    out.flatMetrics().get("aggregator/non_finite_count"),
                    "the client zeroed its update before the aggregator saw it");
        }
    }

    /**
     * As TFF's client work does, a client whose update is not finite sends zeros with weight zero,
     * whatever the aggregator: with a plain weighted mean (no zeroing factory) the round is the
     * round of the finite clients, where the finalizer used to drop the whole round's update. An
     * unweighted mean, as in TFF, still counts the zeroed client in its divisor: it dilutes the
     * finite updates but can never cancel them.
     */
    @Test
    void nonFiniteUpdateIsZeroedWithWeightZeroAtTheClientWhateverTheAggregator() {
        List<Value> batches = new ArrayList<>();
        batches.add(Struct.named(
                "x", Tensor.of(new float[] {Float.NaN, 1, 1, 1}, 1, 4), "y", Tensor.of(new int[] {0}, 1)));
        SequenceValue poisoned = ListSequence.of(MODEL.inputSpec(), batches);
        SequenceValue good = data(11, 1, 2);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build();
                ClientTrainer trainer = ENGINE.newTrainer(TrainingSpec.of(MODEL, Sgd.of(0.1f)))) {
            LearningProcess mean = FedAvg.builder(MODEL)
                    .setClientOptimizer(Sgd.of(0.1f))
                    .optModelAggregator(new MeanFactory())
                    .build();
            Value s0 = mean.initialize(rt);
            LearningProcessOutput out = mean.next(rt, s0, clients(good, poisoned));
            ModelWeights alone =
                    mean.getModelWeights(mean.next(rt, s0, clients(good)).state());
            assertEquals(
                    0.0, out.flatMetrics().get("finalizer/update_non_finite"), "the round's update is not dropped");
            assertEquals(
                    1.0,
                    out.flatMetrics().get("client_work/non_finite_update_count"),
                    out.flatMetrics().toString());
            assertArrayEquals(flat(alone), flat(mean.getModelWeights(out.state())), 1e-6f);
            assertEquals(
                    0.0, mean.next(rt, s0, clients(good)).flatMetrics().get("client_work/non_finite_update_count"));

            LearningProcess unweighted = FedAvg.builder(MODEL)
                    .setClientOptimizer(Sgd.of(0.1f))
                    .optModelAggregator(new UnweightedMeanFactory())
                    .build();
            Value u0 = unweighted.initialize(rt);
            LearningProcessOutput u = unweighted.next(rt, u0, clients(good, poisoned));
            float[] w0 = flat(unweighted.getModelWeights(u0));
            float[] trained =
                    flat(trainer.train(unweighted.getModelWeights(u0), good, 0).weights());
            float[] got = flat(unweighted.getModelWeights(u.state()));
            for (int i = 0; i < w0.length; i++) {
                assertEquals(
                        w0[i] - (w0[i] - trained[i]) / 2f,
                        got[i],
                        1e-6f,
                        "element " + i + ": the zeroed client counts in the divisor");
            }
            assertEquals(1.0, u.flatMetrics().get("client_work/non_finite_update_count"));
        }
    }

    /** A client weighting function that gives a negative or NaN weight is refused, naming the client. */
    @Test
    void weightingFunctionGivingANegativeOrNanWeightIsRefused() {
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            for (double bad : new double[] {-1.0, Double.NaN}) {
                LearningProcess p = FedAvg.builder(MODEL)
                        .setClientOptimizer(Sgd.of(0.1f))
                        .optClientWeightingFromMetrics(
                                m -> m.tensor("num_batches").doubleValue() > 1 ? bad : 1.0)
                        .build();
                Value s0 = p.initialize(rt);
                dev.fl4j.core.computation.ClientWorkException e = assertThrows(
                        dev.fl4j.core.computation.ClientWorkException.class,
                        () -> p.next(rt, s0, FederatedValue.clients(List.of(data(30, 1, 2), data(31, 2, 2)))));
                assertEquals("client_1", e.clientId());
                assertTrue(
                        e.getMessage().contains("update weight " + (float) bad + "; weights must be finite and >= 0"),
                        e.getMessage());
            }
        }
    }

    /**
     * FedSGD's clients compute one gradient at the received model: a client optimizer, local epochs
     * or a proximal term would be silently ignored, so the builder refuses them.
     */
    @Test
    void fedSgdRefusesLocalTrainingSettingsItWouldIgnore() {
        IllegalStateException optimizer = assertThrows(
                IllegalStateException.class,
                () -> FedSgd.builder(MODEL).setClientOptimizer(Sgd.of(0.5f)).build());
        assertTrue(optimizer.getMessage().startsWith("FedSGD takes no client optimizer"), optimizer.getMessage());
        IllegalStateException epochs = assertThrows(
                IllegalStateException.class,
                () -> FedSgd.builder(MODEL).optEpochs(3).build());
        assertTrue(
                epochs.getMessage().startsWith("FedSGD runs no local epochs, got optEpochs(3)"), epochs.getMessage());
        IllegalStateException mu = assertThrows(
                IllegalStateException.class,
                () -> FedSgd.builder(MODEL).optProximalMu(0.1f).build());
        assertTrue(
                mu.getMessage()
                        .startsWith("FedSGD takes no local steps for FedProx's proximal term, got optProximalMu(0.1)"),
                mu.getMessage());
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            LearningProcess sgd = FedSgd.builder(MODEL).optEpochs(1).build();
            LearningProcess built = FedSgd.build(MODEL, Sgd.of(0.1f));
            Value s0 = sgd.initialize(rt);
            SequenceValue d = data(40, 2, 3);
            assertEquals(
                    sgd.getModelWeights(sgd.next(rt, s0, clients(d)).state()),
                    built.getModelWeights(built.next(rt, s0, clients(d)).state()));
        }
    }

    @Test
    void wrongInputSpecIsATypeError() {
        List<Value> batches = List.of(Struct.named("x", Tensor.of(new float[6], 2, 3), "y", Tensor.of(new int[2], 2)));
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            LearningProcess p = FedAvg.weighted(MODEL, Sgd.of(0.1f));
            Value s0 = p.initialize(rt);
            ClientValues wrong = FederatedValue.clients(
                    List.of(ListSequence.of(batches.get(0).type(), batches)));
            TypeMismatchException e = assertThrows(TypeMismatchException.class, () -> p.next(rt, s0, wrong));
            assertTrue(
                    e.getMessage().contains("float32[?,4]") && e.getMessage().contains("float32[2,3]"), e.getMessage());
        }
    }

    @Test
    void clientTrainingIsRebuiltFromItsDescriptor() {
        ClientTraining original = new ClientTraining(
                ENGINE,
                TrainingSpec.builder()
                        .setModel(MODEL)
                        .setClientOptimizer(Sgd.of(0.2f))
                        .optEpochs(2)
                        .build(),
                ClientTraining.Mode.TRAIN,
                ClientWeighting.UNIFORM,
                99);
        ComputationDescriptor d = ComputationDescriptor.fromBytes(
                original.descriptor().orElseThrow().toBytes());
        LocalComputation rebuilt = d.rebuild();
        assertEquals(original.type(), rebuilt.type());
        Value arg = Struct.named("weights", MODEL.initialWeights(3).asStruct(), "data", data(12, 2, 3));
        assertEquals(original.call(arg), rebuilt.call(arg));
    }

    @Test
    void fedAvgCnnRoundBroadcastsExactlyTheModelToEachClient() {
        ModelSpec cnn = Models.fedAvgCnn(10);
        List<SequenceValue> tiny = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            float[] x = new float[28 * 28];
            x[c] = 1f;
            tiny.add(ListSequence.of(
                    cnn.inputSpec(),
                    List.of(Struct.named("x", Tensor.of(x, 1, 28, 28, 1), "y", Tensor.of(new int[] {c}, 1)))));
        }
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess p = FedAvg.weighted(cnn, Sgd.of(0.02f));
            Value s0 = p.initialize(rt);
            p.next(rt, s0, FederatedValue.clients(tiny));
            assertEquals(1_663_370L * 32 * 10, rt.communication().broadcastBits());
            assertEquals(
                    "507.62Mibit",
                    dev.fl4j.core.runtime.BitFormat.format(rt.communication().broadcastBits()));
            long metricsPerClient = 2 * 64 + 2 * 64 + 64 + 64;
            assertEquals(
                    1_663_370L * 32 * 10 + 32 * 10 + 32 * 10 + 32 * 10 + metricsPerClient * 10,
                    rt.communication().aggregatedBits(),
                    "each client sends its update (float32), its weight (float32), its non-finite flags to the "
                            + "client work's and to the"
                            + " aggregator's count (int32 each) and its metrics (loss and accuracy <total,count> "
                            + "float64, two int64 counts)");
        }
    }

    @Test
    void clientWeightingByAFunctionOfMetricsAndUniform() {
        SequenceValue small = data(20, 1, 2);
        SequenceValue large = data(21, 3, 6);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess uniform = FedAvg.builder(MODEL)
                    .setClientOptimizer(Sgd.of(0.5f))
                    .optClientWeighting(ClientWeighting.UNIFORM)
                    .build();
            LearningProcess byBatches = FedAvg.builder(MODEL)
                    .setClientOptimizer(Sgd.of(0.5f))
                    .optClientWeightingFromMetrics(m -> m.tensor("num_batches").doubleValue())
                    .build();
            LearningProcess unweighted = FedAvg.unweighted(MODEL, Sgd.of(0.5f));
            Value s0 = uniform.initialize(rt);
            ModelWeights u = uniform.getModelWeights(
                    uniform.next(rt, s0, clients(small, large)).state());
            ModelWeights un = unweighted.getModelWeights(unweighted
                    .next(rt, unweighted.initialize(rt), clients(small, large))
                    .state());
            assertArrayEquals(flat(un), flat(u), 1e-6f);
            try (ClientTrainer trainer = ENGINE.newTrainer(TrainingSpec.of(MODEL, Sgd.of(0.5f)))) {
                ModelWeights initial = uniform.getModelWeights(s0);
                float[] a = flat(trainer.train(initial, small, 0).weights());
                float[] b = flat(trainer.train(initial, large, 0).weights());
                float[] w0 = flat(initial);
                float[] got = flat(byBatches.getModelWeights(
                        byBatches.next(rt, s0, clients(small, large)).state()));
                for (int i = 0; i < w0.length; i++) {
                    assertEquals(w0[i] - ((w0[i] - a[i]) * 1 + (w0[i] - b[i]) * 3) / 4f, got[i], 1e-5f);
                }
            }
        }
    }
}
