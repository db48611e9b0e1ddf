package dev.fl4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.EncodedSumFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.SumFactory;
import dev.fl4j.compression.Encoders;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.runtime.PortableClientLoader;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.tables.TableExport;
import dev.fl4j.simulation.tables.TableFormat;
import dev.fl4j.simulation.tables.TableFormats;
import dev.fl4j.simulation.tables.TableOptions;
import dev.fl4j.simulation.tables.Tables;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.RoundListener;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client data in Parquet files read in the executors (local[2]): FedAvg rounds over a generated
 * population end with the model the local runtime trains on the same files, bitwise, for any
 * partitioning, while the driver never loads a client (its loader refuses to); a missing or damaged
 * file fails the round naming it.
 */
class SparkParquetClientsTest {

    private static final int DIMENSION = 6;
    private static final int CLASSES = 3;
    private static final TableFormat PARQUET = TableFormats.named("parquet");
    private static final TableOptions OPTIONS = TableOptions.builder()
            .setLabelColumn(TableExport.LABEL_COLUMN)
            .optClientColumn(TableExport.CLIENT_COLUMN)
            .build();

    private static JavaSparkContext sc;

    @TempDir
    Path tmp;

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

    /** {@code clients} clients of 1 to 3 examples, written as {@code parts} part files of the export layout. */
    private Path population(String name, int clients, int parts) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        SplitMix64 random = new SplitMix64(7);
        Map<String, Examples> all = new LinkedHashMap<>();
        for (int c = 0; c < clients; c++) {
            int n = 1 + (int) Long.remainderUnsigned(random.nextLong(), 3);
            float[] x = new float[n * DIMENSION];
            int[] y = new int[n];
            for (int e = 0; e < n; e++) {
                y[e] = (int) Long.remainderUnsigned(random.nextLong(), CLASSES);
                for (int j = 0; j < DIMENSION; j++) {
                    x[e * DIMENSION + j] =
                            (float) ((random.nextLong() >>> 40) / (double) (1L << 24)) + (j == y[e] ? 1 : 0);
                }
            }
            all.put(String.format("u%05d", c), Examples.of(x, new int[] {DIMENSION}, y));
        }
        List<String> ids = new ArrayList<>(all.keySet());
        for (int p = 0; p < parts; p++) {
            Map<String, Examples> part = new LinkedHashMap<>();
            for (String id : ids.subList(p * clients / parts, (p + 1) * clients / parts)) {
                part.put(id, all.get(id));
            }
            TableExport.write(ClientData.fromExamples(part), PARQUET, dir.resolve("part-" + p + ".parquet"));
        }
        return dir;
    }

    private static LearningProcess process() {
        return FedAvg.builder(Models.softmaxRegression(DIMENSION, CLASSES))
                .setClientOptimizer(Sgd.of(0.1f))
                .optSeed(3)
                .build();
    }

    /** Round r's clients: {@code perRound} of the population, drawn (seeded) in a random order. */
    private static List<String> selection(List<String> population, int perRound, int round) {
        int[] order = new int[population.size()];
        Arrays.setAll(order, i -> i);
        new SplitMix64(100 + round).shuffle(order);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < perRound; i++) {
            out.add(population.get(order[i]));
        }
        return out;
    }

    /** The population's loader, with the driver forbidden to load through it: only batches may. */
    private static ClientValues loadedInExecutorsOnly(ClientData clients, List<String> ids) {
        ClientValues real = clients.clientValues(ids);
        PortableClientLoader loader =
                assertInstanceOf(PortableClientLoader.class, real.loader().orElseThrow());
        PortableClientLoader driverRefuses = new PortableClientLoader() {
            @Override
            public Value apply(String id) {
                throw new AssertionError("client " + id + " was loaded on the driver");
            }

            @Override
            public Batch locate(List<String> some) {
                return loader.locate(some);
            }

            @Override
            public long[] storageOrder(List<String> some) {
                return loader.storageOrder(some);
            }
        };
        return ClientValues.lazy(real.memberType(), ids, driverRefuses);
    }

    private static Value train(FederatedRuntime rt, ClientData clients, int rounds, int perRound, boolean onDriver) {
        return train(process(), rt, clients, rounds, perRound, onDriver);
    }

    private static Value train(
            LearningProcess process,
            FederatedRuntime rt,
            ClientData clients,
            int rounds,
            int perRound,
            boolean onDriver) {
        Value state = process.initialize(rt);
        for (int r = 0; r < rounds; r++) {
            List<String> ids = selection(clients.clientIds(), perRound, r);
            ClientValues data = onDriver ? clients.clientValues(ids) : loadedInExecutorsOnly(clients, ids);
            state = process.next(rt, state, data).state();
        }
        return process.getModelWeights(state).trainable().get(0);
    }

    private static SparkRuntime spark(int partitions) {
        return SparkRuntime.builder()
                .optSparkContext(sc)
                .optPartitions(partitions)
                .build();
    }

    @Test
    void fedAvgOverParquetClientsReadInTheExecutorsEndsAsOnTheLocalRuntime() throws Exception {
        ClientData clients = PARQUET.openClients(population("population", 1300, 3), OPTIONS, 2);
        Value local;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            local = train(rt, clients, 2, 1100, true);
        }
        assertNotEquals(
                process().getModelWeights(process().initialize()).trainable().get(0), local, "training moved");
        for (int partitions : new int[] {1, 3, 7}) {
            try (SparkRuntime rt = spark(partitions)) {
                assertEquals(local, train(rt, clients, 2, 1100, false), partitions + " partitions");
            }
            SparkShipper.BlockPassShape shape = SparkShipper.lastBlockPass;
            assertTrue(
                    shape.blocks() == 2 && shape.shuffled() && shape.partitions() == partitions,
                    "partitions by storage, fold members to their blocks: " + shape);
        }
    }

    /** FedAvg with error-feedback compression of the updates: each client keeps state from round to round. */
    private static LearningProcess errorFeedback() {
        return FedAvg.builder(Models.softmaxRegression(DIMENSION, CLASSES))
                .setClientOptimizer(Sgd.of(0.1f))
                .optSeed(3)
                .optModelAggregator(
                        new MeanFactory(EncodedSumFactory.of(Encoders.parse("randk-ef:0.5@0")), new SumFactory()))
                .build();
    }

    @Test
    void statefulClientsReadTheirDataInTheExecutorsInPassOrderPartitions() throws Exception {
        ClientData clients = PARQUET.openClients(population("stateful", 80, 2), OPTIONS, 2);
        Value local;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            local = train(errorFeedback(), rt, clients, 3, 60, true);
        }
        try (SparkRuntime rt = spark(3)) {
            assertEquals(local, train(errorFeedback(), rt, clients, 3, 60, false));
            assertTrue(rt.clusterStates().committedRdd() != null, "the clients' error feedback stayed on the cluster");
        }
    }

    /** {@code clients}' population with the driver forbidden to load a client: only batches may. */
    private static ClientData executorsOnly(ClientData clients) {
        return new ClientData() {
            @Override
            public List<String> clientIds() {
                return clients.clientIds();
            }

            @Override
            public Type elementType() {
                return clients.elementType();
            }

            @Override
            public Dataset datasetFor(String clientId) {
                throw new AssertionError("client " + clientId + " was loaded on the driver");
            }

            @Override
            public ClientValues clientValues(List<String> ids) {
                return loadedInExecutorsOnly(clients, ids);
            }
        };
    }

    private static TrainingResult trainingLoop(FederatedRuntime rt, ClientData clients) {
        return trainingLoop(rt, clients, new RoundListener() {});
    }

    private static TrainingResult trainingLoop(FederatedRuntime rt, ClientData clients, RoundListener listener) {
        return TrainingLoop.builder()
                .setProcess(process())
                .setTrainingData(clients)
                .setClientsPerRound(40)
                .setRounds(3)
                .setPreprocessing(Preprocessing.builder()
                        .setBatchSize(2)
                        .optExamplesCap(2)
                        .build())
                .optSeed(11)
                .optRuntime(rt)
                .optListener(listener)
                .build()
                .run();
    }

    /**
     * What a progress bar is told: each round's reporting clients, and the clients said loaded in that round (by the
     * time the round finishes).
     */
    private static final class Told implements RoundListener {
        final List<List<String>> reporting = new ArrayList<>();
        final List<List<String>> loaded = new ArrayList<>();
        private final List<String> current = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void roundStarted(dev.fl4j.simulation.training.Cohort cohort) {
            current.clear();
            reporting.add(cohort.reporting().stream().sorted().toList());
        }

        @Override
        public void clientLoaded(int round, String clientId) {
            current.add(clientId);
        }

        @Override
        public void roundFinished(int round, java.util.Map<String, Double> metrics) {
            if (round > 0) {
                synchronized (current) {
                    loaded.add(current.stream().sorted().toList());
                }
            }
        }
    }

    @Test
    void theTrainingLoopShufflesAndBatchesParquetClientsInTheExecutorsAsTheLocalRuntimeDoesATablesRead()
            throws Exception {
        Path dir = population("loop", 90, 2);
        ClientData read = Tables.read(dir, PARQUET, OPTIONS).clientData();
        TrainingResult local;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            local = trainingLoop(rt, read.subset(read.clientIds().subList(0, 70)));
        }
        ClientData indexed = executorsOnly(PARQUET.openClients(dir, OPTIONS, 0));
        Told told = new Told();
        try (SparkRuntime rt = spark(3)) {
            TrainingResult spark =
                    trainingLoop(rt, indexed.subset(indexed.clientIds().subList(0, 70)), told);
            assertEquals(3, told.reporting.size());
            assertEquals(
                    told.reporting,
                    told.loaded,
                    "each round's progress counted every reporting client, loaded and trained in the executors, once");
            assertEquals(
                    local.model().asStruct(),
                    spark.model().asStruct(),
                    "the model of the same run over the same rows, the clients shuffled and batched in the executors");
        }
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            assertNotEquals(
                    local.model().asStruct(),
                    trainingLoop(rt, read).model().asStruct(),
                    "the comparison can fail: 70 of the 90 clients train otherwise than all 90");
        }
    }

    @Test
    void aMissingOrDamagedFileFailsTheRoundNamingIt() throws Exception {
        Path dir = population("broken", 60, 2);
        ClientData clients = PARQUET.openClients(dir, OPTIONS, 4);
        Path second = dir.resolve("part-1.parquet");
        byte[] bytes = Files.readAllBytes(second);
        Files.delete(second);
        try (SparkRuntime rt = spark(2)) {
            ClientWorkException missing =
                    assertThrows(ClientWorkException.class, () -> train(rt, clients, 1, 60, false));
            String m = String.valueOf(missing.getCause().getMessage());
            assertTrue(m.contains("part-1.parquet") && m.contains("missing"), m);
        }
        for (int i = 4; i < bytes.length - 8; i++) {
            bytes[i] = (byte) ~bytes[i];
        }
        Files.write(second, bytes);
        try (SparkRuntime rt = spark(2)) {
            ClientWorkException damaged =
                    assertThrows(ClientWorkException.class, () -> train(rt, clients, 1, 60, false));
            String m = String.valueOf(damaged.getCause().getMessage());
            assertTrue(m.contains("part-1.parquet") && m.contains("MalformedTableException"), m);
        }
    }
}
