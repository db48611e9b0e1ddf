package dev.fl4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.algorithms.FedKMeans;
import dev.fl4j.learning.algorithms.PersonalizationEvaluation;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.Preprocessing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Federated k-means and personalization evaluation on {@code local[2]}: their client work is described, so it runs
 * in Spark tasks (the pass folds in the executors and no client's result comes to the driver), and ends bitwise as on
 * the local runtime.
 */
class SparkKMeansPersonalizationTest {

    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = new JavaSparkContext(SparkRuntime.defaultConf("local[2]"));
    }

    @AfterAll
    static void stopSpark() {
        if (sc != null) {
            sc.stop();
        }
    }

    private static SparkRuntime spark() {
        return SparkRuntime.builder().optSparkContext(sc).optPartitions(3).build();
    }

    private static final TensorType POINT = new TensorType(DType.FLOAT32, 3);

    /** Round {@code round}'s points of 7 clients around 4 centres, a client's count varying. */
    private static FederatedValue points(int round) {
        SplittableRandom r = new SplittableRandom(31 + round);
        List<Value> clients = new ArrayList<>();
        for (int c = 0; c < 7; c++) {
            List<Value> pts = new ArrayList<>();
            for (int i = 0; i < 5 + c; i++) {
                pts.add(Tensor.of(
                        new float[] {
                            (float) r.nextGaussian() + c % 4, (float) r.nextGaussian() - c, (float) r.nextGaussian()
                        },
                        3));
            }
            clients.add(ListSequence.of(POINT, pts));
        }
        return FederatedValue.clients(clients);
    }

    /** Three rounds of k-means (4 centroids), then its evaluation: the final state's and the evaluation's bytes. */
    private static List<byte[]> kMeans(FederatedRuntime rt) {
        LearningProcess p = FedKMeans.build(4, new int[] {3}, 11);
        Value state = p.initialize(rt);
        List<byte[]> out = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            var next = p.next(rt, state, points(round));
            state = next.state();
            out.add(ValueCodec.encode(
                    Struct.named("count", Tensor.scalar(next.flatMetrics().get("client_work/num_examples")))));
        }
        out.add(ValueCodec.encode(p.getModelWeights(state).asStruct()));
        Value eval = rt.invoke(
                FedKMeans.buildEvaluation(4, new int[] {3}),
                FederatedValue.server(p.getModelWeights(state).asStruct()),
                points(9));
        out.add(ValueCodec.encode(((ServerValue) eval).value()));
        return out;
    }

    @Test
    void kMeansClientWorkRunsInTheExecutorsAndEndsAsOnTheLocalRuntime() {
        List<byte[]> local;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            local = kMeans(rt);
        }
        SparkShipper.lastBlockPass = null;
        int clientPasses = SparkShipper.clientResultPasses.get();
        List<byte[]> onSpark;
        try (SparkRuntime rt = spark()) {
            onSpark = kMeans(rt);
        }
        assertEquals(local.size(), onSpark.size());
        for (int i = 0; i < local.size(); i++) {
            assertArrayEquals(local.get(i), onSpark.get(i), "result " + i + " (rounds' counts, centroids, evaluation)");
        }
        SparkShipper.BlockPassShape shape = SparkShipper.lastBlockPass;
        assertNotNull(shape, "the clients' assignment ran in Spark tasks that folded the sums there");
        assertEquals(7, shape.clients(), shape.toString());
        assertEquals(
                clientPasses,
                SparkShipper.clientResultPasses.get(),
                "no pass brought a client's sums to the driver: every pass of k-means folded in the executors");
        assertFalse(
                SparkShipper.lastClientInputTypes.toString().contains("centroids"),
                "the centroids travel as a broadcast: " + SparkShipper.lastClientInputTypes);
    }

    private static final ModelSpec MODEL =
            Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES);

    private static byte[] personalization(FederatedRuntime rt) {
        Map<String, PersonalizationEvaluation.FineTuning> strategies = new LinkedHashMap<>();
        strategies.put("one_epoch", new PersonalizationEvaluation.FineTuning(Sgd.of(0.2f), 1));
        strategies.put("two_epochs", new PersonalizationEvaluation.FineTuning(Sgd.of(0.05f), 2));
        PersonalizationEvaluation eval = PersonalizationEvaluation.build(MODEL, strategies, 5);
        ClientData train =
                FedProxSynthetic.builder(1, 1, 6, 8).optExamplesPerClient(12).build();
        ClientData test =
                FedProxSynthetic.builder(1, 1, 6, 9).optExamplesPerClient(7).build();
        Preprocessing batches = Preprocessing.batches(4);
        List<Value> data = new ArrayList<>();
        for (String id : train.clientIds()) {
            data.add(Struct.named(
                    "train_data",
                    batches.forTraining(train.datasetFor(id), id.hashCode()),
                    "test_data",
                    batches.forEvaluation(test.datasetFor(id))));
        }
        LearningProcess fedAvg = FedAvg.weighted(MODEL, Sgd.of(0.1f));
        ModelWeights global = fedAvg.getModelWeights(fedAvg.initialize(rt));
        return ValueCodec.encode(eval.evaluate(rt, global, FederatedValue.clients(data)));
    }

    @Test
    void personalizationFineTunesInTheExecutorsAndReportsAsOnTheLocalRuntime() {
        byte[] local;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            local = personalization(rt);
        }
        SparkShipper.lastBlockPass = null;
        int clientPasses = SparkShipper.clientResultPasses.get();
        byte[] onSpark;
        try (SparkRuntime rt = spark()) {
            onSpark = personalization(rt);
        }
        assertArrayEquals(local, onSpark, "the same metrics before and after fine-tuning, bit for bit");
        SparkShipper.BlockPassShape shape = SparkShipper.lastBlockPass;
        assertNotNull(shape, "the fine-tuning ran in Spark tasks that summed the metrics there");
        assertEquals(6, shape.clients(), shape.toString());
        assertEquals(clientPasses, SparkShipper.clientResultPasses.get(), "no client's metrics came to the driver");
    }
}
