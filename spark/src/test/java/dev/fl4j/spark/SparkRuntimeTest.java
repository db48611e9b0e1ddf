package dev.fl4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.aggregators.EncodedSumFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.SumFactory;
import dev.fl4j.compression.Encoders;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.computation.DoubleSumAggregationFactory;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SparkRuntime on local[2] (with task retry), one Spark context for the class; every result compared with
 * LocalRuntime's, bitwise.
 */
class SparkRuntimeTest {

    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        // two task threads, and a failed task is tried again once (local[N,F]: F attempts)
        sc = new JavaSparkContext(SparkRuntime.defaultConf("local[2,2]"));
    }

    @AfterAll
    static void stopSpark() {
        if (sc != null) {
            sc.stop();
        }
    }

    private static SparkRuntime spark(int partitions) {
        return SparkRuntime.builder()
                .optSparkContext(sc)
                .optPartitions(partitions)
                .optInFlight(2)
                .build();
    }

    @Test
    void aPassHasOnePartitionPerTaskSlotUnlessTheBuilderOrTheConfigurationSaysOtherwise() {
        try (SparkRuntime rt = SparkRuntime.builder().optSparkContext(sc).build()) {
            assertEquals(2, rt.partitions(), "local[2,2]: two task slots");
        }
        try (SparkRuntime rt =
                SparkRuntime.builder().optSparkContext(sc).optPartitions(7).build()) {
            assertEquals(7, rt.partitions());
        }
        org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf(false);
        assertEquals(2, SparkRuntime.defaultPartitions(conf, 2));
        assertEquals(5, SparkRuntime.defaultPartitions(conf.clone().set(SparkRuntime.PARTITIONS_CONF, " 5"), 2));
        for (String bad : new String[] {"0", "-3", "many", "2.5", ""}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> SparkRuntime.defaultPartitions(conf.clone().set(SparkRuntime.PARTITIONS_CONF, bad), 2),
                    bad);
            assertTrue(e.getMessage().contains(SparkRuntime.PARTITIONS_CONF)
                    && e.getMessage().contains("'" + bad + "'"));
        }
    }

    /** Three rounds of FedAvg on a tiny softmax model, 9 of 16 clients per round (shared with the cluster test). */
    static TrainingResult fedAvg(FederatedRuntime runtime) {
        return fedAvg(runtime, null);
    }

    /** {@link #fedAvg(FederatedRuntime)} with the model aggregator {@code aggregator} (null: FedAvg's own). */
    static TrainingResult fedAvg(FederatedRuntime runtime, AggregationFactory aggregator) {
        FedAvg.Builder builder = FedAvg.builder(
                        Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES))
                .setClientOptimizer(Sgd.of(0.05f))
                .optSeed(3);
        if (aggregator != null) {
            builder.optModelAggregator(aggregator);
        }
        LearningProcess process = builder.build();
        return TrainingLoop.builder()
                .setProcess(process)
                .setTrainingData(FedProxSynthetic.builder(1, 1, 16, 5)
                        .optExamplesPerClient(20)
                        .build())
                .setClientsPerRound(9)
                .setRounds(3)
                .setPreprocessing(Preprocessing.batches(8))
                .optSeed(17)
                .optRuntime(runtime)
                .build()
                .run();
    }

    @Test
    void fedAvgOnSparkEndsWithTheLocalModelBitwiseForAnyPartitioning() throws Exception {
        TrainingResult local;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            local = fedAvg(rt);
        }
        for (int partitions : new int[] {1, 3, 7}) {
            TrainingResult onSpark;
            java.util.concurrent.atomic.AtomicLong shuffled = new java.util.concurrent.atomic.AtomicLong();
            try (SparkRuntime rt = spark(partitions)) {
                rt.sparkContext().sc().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
                    @Override
                    public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                        if (end.taskMetrics() != null) {
                            shuffled.addAndGet(
                                    end.taskMetrics().shuffleWriteMetrics().bytesWritten());
                        }
                    }
                });
                onSpark = fedAvg(rt);
                rt.sparkContext().sc().listenerBus().waitUntilEmpty();
            }
            assertEquals(
                    0,
                    shuffled.get(),
                    "a one-block round's fold members stay in the executors (no shuffle), " + partitions
                            + " partitions");
            assertEquals(local.model(), onSpark.model(), "model after 3 rounds, " + partitions + " partitions");
            assertEquals(withoutTimes(local), withoutTimes(onSpark), "every round's metrics");
            assertEquals(local.communication(), onSpark.communication(), "traffic is counted as on the local runtime");
            assertTrue(ExecutorSide.resourcesMade() >= 1, "client training ran in Spark tasks");
            SparkShipper.BlockPassShape shape = SparkShipper.lastBlockPass;
            assertTrue(
                    shape != null && shape.blocks() == 1 && shape.partialsCollected() == 1,
                    "the round's sums and means folded in the executors, one partial came back: " + shape);
            assertEquals(
                    1,
                    shape.partialsHandedOver(),
                    "on a local master the partial comes as a value, unencoded: " + shape);
            assertEquals(0, PassShares.openInThisJvm(), "every pass closed its shares");
            assertEquals(partitions > 1, shape.shuffled(), "a one-block round trains in every partition: " + shape);
            assertEquals(1, SparkShipper.lastClientInputTypes.size(), SparkShipper.lastClientInputTypes.toString());
            assertFalse(
                    SparkShipper.lastClientInputTypes.get(0).contains("trainable"),
                    "the model travels as a broadcast, not with each client's data: "
                            + SparkShipper.lastClientInputTypes);
        }
        assertTrue(
                ExecutorSide.resourceSets() <= 2 && ExecutorSide.resourcesMade() <= 2,
                "81 client trainings in 3 runs of 3 rounds built one engine trainer per task slot of local[2], not per"
                        + " client or round: " + ExecutorSide.resourcesMade() + " made");
    }

    @Test
    void fedAvgWithACompressedMeanAggregatesInTheExecutorsBitwiseAsLocally() {
        Supplier<AggregationFactory> compressed =
                () -> new MeanFactory(EncodedSumFactory.of(Encoders.parse("uniform:8@100")), new SumFactory());
        TrainingResult local;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            local = fedAvg(rt, compressed.get());
        }
        for (int partitions : new int[] {1, 3}) {
            SparkShipper.lastBlockPass = null;
            int clientPasses = SparkShipper.clientResultPasses.get();
            TrainingResult onSpark;
            try (SparkRuntime rt = spark(partitions)) {
                onSpark = fedAvg(rt, compressed.get());
            }
            assertEquals(local.model(), onSpark.model(), "model after 3 rounds, " + partitions + " partitions");
            assertEquals(withoutTimes(local), withoutTimes(onSpark), "every round's metrics");
            assertEquals(local.communication(), onSpark.communication(), "the encoded bits are counted as locally");
            assertEquals(
                    new SparkShipper.BlockPassShape(9, 1, partitions, partitions > 1, 1, 1),
                    SparkShipper.lastBlockPass,
                    "the encoded sum's aggregate was accumulated in the executors: one partial per round");
            assertEquals(
                    clientPasses,
                    SparkShipper.clientResultPasses.get(),
                    "no round brought a client's update to the driver");
        }
    }

    static List<java.util.Map<String, Double>> withoutTimes(TrainingResult r) {
        List<java.util.Map<String, Double>> out = new ArrayList<>();
        for (var round : r.history()) {
            java.util.Map<String, Double> m = new java.util.TreeMap<>(round.metrics());
            m.remove("round_seconds");
            out.add(m);
        }
        return out;
    }

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);

    private static FederatedComputation scaledSum(String failOn) {
        return FederatedComputation.of(
                "scaled_sum",
                FederatedType.clients(F32),
                FederatedType.server(F32),
                (ctx, x) -> ctx.federatedSum(ctx.federatedMap(new ScaleOrFail(failOn), (FederatedValue) x)));
    }

    /**
     * Values whose sum depends on the order of additions: pairs of huge opposite values with a small
     * one after each pair (in client order the huge ones cancel before the small one is added).
     */
    private static ClientValues orderSensitiveValues(int n) {
        List<String> ids = new ArrayList<>();
        List<Value> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("c" + i);
            float huge = 1e30f * (1 + i / 3 / 10f);
            members.add(Tensor.scalar(i % 3 == 0 ? huge : i % 3 == 1 ? -huge : i / 3 + 1f));
        }
        return ClientValues.of(ids, members);
    }

    private static Value run(Supplier<FederatedRuntime> runtime, FederatedComputation c, Value arg) {
        try (FederatedRuntime rt = runtime.get()) {
            return rt.invoke(c, arg);
        }
    }

    @Test
    void sumsFoldInClientOrderAndAFailingClientIsNamed() {
        ClientValues values = orderSensitiveValues(24);
        Value local = run(() -> LocalRuntime.builder().optWorkers(2).build(), scaledSum(""), values);
        Value reversed = run(
                () -> LocalRuntime.builder().optWorkers(2).build(),
                scaledSum(""),
                ClientValues.of(reversed(values.clientIds()), reversed(membersOf(values))));
        assertNotEquals(local, reversed, "the fixture's sum depends on the order (else this test proves nothing)");
        assertEquals(local, run(() -> spark(7), scaledSum(""), values));
        assertEquals(local, run(() -> spark(1), scaledSum(""), values));

        assertEquals(
                local,
                run(() -> spark(5), scaledSum("lose-first-attempt:c11"), values),
                "a task that died is run again by Spark, and client work is idempotent: the same sum");

        ClientWorkException e =
                assertThrows(ClientWorkException.class, () -> run(() -> spark(5), scaledSum("c13"), values));
        assertEquals(13, e.clientIndex());
        assertTrue(e.getMessage().contains("told to fail on c13"), e.getMessage());
    }

    private static final dev.fl4j.core.StructType VALUE_AND_WEIGHT =
            dev.fl4j.core.StructType.builder().add("x", F32).add("w", F32).build();

    /** A sum, a mean and a weighted mean of the scaled {@code x} ({@code w} weighing). */
    private static FederatedComputation sumAndMeans(String failOn) {
        return FederatedComputation.of(
                "sum_and_means",
                FederatedType.clients(VALUE_AND_WEIGHT),
                FederatedType.server(dev.fl4j.core.StructType.of(F32, F32, F32)),
                (ctx, arg) -> {
                    FederatedValue in = (FederatedValue) arg;
                    FederatedValue scaled = ctx.federatedMap(new ScaleOrFail(failOn), ctx.federatedField(in, "x"));
                    FederatedValue weight = ctx.federatedField(in, "w");
                    return ctx.federatedZip(Struct.of(
                            ctx.federatedSum(scaled), ctx.federatedMean(scaled), ctx.federatedMean(scaled, weight)));
                });
    }

    /** {@link #orderSensitiveValues} with positive weights. */
    private static ClientValues weightedOrderSensitiveValues(int n) {
        ClientValues x = orderSensitiveValues(n);
        List<Value> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            members.add(Struct.named("x", x.member(i), "w", Tensor.scalar(0.5f + i % 5)));
        }
        return ClientValues.of(x.clientIds(), members);
    }

    @Test
    void sumsAndMeansOfSeveralBlocksFoldInTheExecutorsBitwiseForAnyPartitioning() {
        int n = 2 * 1024 + 700;
        ClientValues values = weightedOrderSensitiveValues(n);
        Value local = run(() -> LocalRuntime.builder().optWorkers(2).build(), sumAndMeans(""), values);
        Value reversed = run(
                () -> LocalRuntime.builder().optWorkers(2).build(),
                sumAndMeans(""),
                ClientValues.of(reversed(values.clientIds()), reversed(membersOf(values))));
        assertNotEquals(local, reversed, "the fixture's sums depend on the order (else this test proves nothing)");
        for (int partitions : new int[] {1, 2, 3, 4, 7}) {
            assertEquals(local, run(() -> spark(partitions), sumAndMeans(""), values), partitions + " partitions");
            SparkShipper.BlockPassShape shape = SparkShipper.lastBlockPass;
            assertEquals(new SparkShipper.BlockPassShape(n, 3, partitions, partitions > 3, 3, 3), shape);
        }
        assertEquals(
                local,
                run(() -> spark(2), sumAndMeans("lose-first-attempt:c1500"), values),
                "a block's task that died is run again by Spark: the same sums");
        assertEquals(
                local,
                run(() -> spark(5), sumAndMeans("lose-first-attempt:c1500"), values),
                "a first-stage task that died is run again by Spark: the same sums");
        for (int partitions : new int[] {2, 5}) {
            ClientWorkException e = assertThrows(
                    ClientWorkException.class, () -> run(() -> spark(partitions), sumAndMeans("c1500"), values));
            assertEquals(1500, e.clientIndex());
            assertTrue(e.getMessage().contains("told to fail on c1500"), e.getMessage());
        }
    }

    @Test
    void aFoldRefusingAClientsValueInAnExecutorFailsAsLocally() {
        ClientValues values = orderSensitiveValues(30);
        FederatedComputation weighted =
                FederatedComputation.of("weighted", FederatedType.clients(F32), FederatedType.server(F32), (ctx, x) -> {
                    FederatedValue scaled = ctx.federatedMap(new ScaleOrFail(""), (FederatedValue) x);
                    return ctx.federatedMean(scaled, scaled);
                });
        IllegalArgumentException local = assertThrows(
                IllegalArgumentException.class,
                () -> run(() -> LocalRuntime.builder().optWorkers(2).build(), weighted, values));
        for (int partitions : new int[] {1, 4}) {
            IllegalArgumentException onSpark =
                    assertThrows(IllegalArgumentException.class, () -> run(() -> spark(partitions), weighted, values));
            assertEquals(local.getMessage(), onSpark.getMessage());
        }
    }

    /** The scaled {@code x} summed by {@link EncodedSumFactory} (a {@code federated_aggregate}) of {@code preset}. */
    private static FederatedComputation encodedSum(String failOn, String preset) {
        AggregationProcess process =
                EncodedSumFactory.of(Encoders.parse(preset)).create(F32);
        return FederatedComputation.of(
                "encoded_sum", FederatedType.clients(F32), FederatedType.server(F32), (ctx, x) -> {
                    FederatedValue scaled = ctx.federatedMap(new ScaleOrFail(failOn), (FederatedValue) x);
                    Value state = ctx.invoke(process.initializeComputation(), null);
                    return MeasuredProcessOutput.from(ctx.invoke(process.nextComputation(), Struct.of(state, scaled)))
                            .result();
                });
    }

    @Test
    void anEncodedSumsAggregateFoldsInTheExecutorsBitwiseForAnyPartitioning() {
        int n = 2 * 1024 + 700;
        ClientValues values = orderSensitiveValues(n);
        FederatedComputation sum = encodedSum("", "uniform:8@0");
        Value local = run(() -> LocalRuntime.builder().optWorkers(2).build(), sum, values);
        Value reversed = run(
                () -> LocalRuntime.builder().optWorkers(2).build(),
                sum,
                ClientValues.of(reversed(values.clientIds()), reversed(membersOf(values))));
        assertNotEquals(local, reversed, "the fixture's sum depends on the order (else this test proves nothing)");
        for (int partitions : new int[] {1, 2, 3, 4, 7}) {
            SparkShipper.lastBlockPass = null;
            int clientPasses = SparkShipper.clientResultPasses.get();
            assertEquals(local, run(() -> spark(partitions), sum, values), partitions + " partitions");
            assertEquals(
                    new SparkShipper.BlockPassShape(n, 3, partitions, partitions > 3, 3, 3),
                    SparkShipper.lastBlockPass,
                    "the aggregate accumulated each block in an executor: three partials reached the driver");
            assertEquals(
                    clientPasses,
                    SparkShipper.clientResultPasses.get(),
                    "no client's result reached the driver (" + partitions + " partitions)");
        }
        ClientWorkException e = assertThrows(
                ClientWorkException.class, () -> run(() -> spark(3), encodedSum("c1500", "uniform:8@0"), values));
        assertEquals(1500, e.clientIndex());
        assertEquals(0, PassShares.openInThisJvm(), "the failed pass closed its shares, dropping what was offered");
    }

    @Test
    void anAggregateRefusingAClientsValueInAnExecutorNamesTheClientAsLocally() {
        ClientValues values = orderSensitiveValues(1024 + 40);
        // client 1031 (i % 3 == 2) has the small value 344, scaled by 1.1f
        String refused = Float.toString(344f * 1.1f);
        FederatedComputation refusing =
                FederatedComputation.of("refusing", FederatedType.clients(F32), FederatedType.server(F32), (ctx, x) -> {
                    FederatedValue scaled = ctx.federatedMap(new ScaleOrFail(""), (FederatedValue) x);
                    return ctx.federatedAggregate(scaled, DoubleSumAggregationFactory.of(refused));
                });
        ClientWorkException local = assertThrows(
                ClientWorkException.class,
                () -> run(() -> LocalRuntime.builder().optWorkers(2).build(), refusing, values));
        assertEquals(1031, local.clientIndex());
        for (int partitions : new int[] {1, 4}) {
            ClientWorkException onSpark =
                    assertThrows(ClientWorkException.class, () -> run(() -> spark(partitions), refusing, values));
            assertEquals(local.clientIndex(), onSpark.clientIndex());
            assertEquals(local.getMessage(), onSpark.getMessage());
        }
    }

    private static List<Value> membersOf(ClientValues v) {
        List<Value> out = new ArrayList<>();
        for (int i = 0; i < v.count(); i++) {
            out.add(v.member(i));
        }
        return out;
    }

    private static <T> List<T> reversed(List<T> in) {
        List<T> out = new ArrayList<>(in);
        java.util.Collections.reverse(out);
        return out;
    }

    @Test
    void clientDataGoesToParquetAndComesBackTheSame(@TempDir Path tmp) {
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        ClientData data =
                FedProxSynthetic.builder(1, 1, 7, 5).optExamplesPerClient(9).build();
        String path = tmp.resolve("synthetic.parquet").toString();
        ParquetClientData.write(spark, data, path);
        ClientData back = ParquetClientData.read(spark, path);
        assertEquals(data.clientIds(), back.clientIds());
        for (String id : data.clientIds()) {
            assertEquals(values(data.datasetFor(id)), values(back.datasetFor(id)), "client " + id);
        }

        String wrong = tmp.resolve("wrong.parquet").toString();
        spark.createDataFrame(
                        List.of(RowFactory.create(0, "a", 0, "not bytes")),
                        new org.apache.spark.sql.types.StructType()
                                .add("client_index", DataTypes.IntegerType)
                                .add("client_id", DataTypes.StringType)
                                .add("example", DataTypes.IntegerType)
                                .add("value", DataTypes.StringType))
                .write()
                .parquet(wrong);
        MalformedDataException e =
                assertThrows(MalformedDataException.class, () -> ParquetClientData.read(spark, wrong));
        assertTrue(e.getMessage().contains("column 'value' is string, expected binary"), e.getMessage());
    }

    private static List<Value> values(Iterable<Value> d) {
        List<Value> out = new ArrayList<>();
        d.forEach(out::add);
        return out;
    }
}
