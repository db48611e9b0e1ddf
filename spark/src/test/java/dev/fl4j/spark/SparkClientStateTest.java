package dev.fl4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.ClientStateStore;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.algorithms.Scaffold;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.checkpoint.Checkpoint;
import dev.fl4j.simulation.checkpoint.CheckpointFormat;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stateful client work on SparkRuntime (local[2], a failed task tried again once): error feedback
 * ({@code randk-ef}) and SCAFFOLD end bitwise as on LocalRuntime with every client's state on the
 * cluster, not on the driver; a checkpoint carries that state and a resumed run ends as an
 * uninterrupted one; a task that dies after writing state is retried from the committed state; a
 * failed invocation changes no state.
 */
class SparkClientStateTest {

    private static final int CLIENTS = 24;
    private static final int PER_ROUND = 10;
    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
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

    private static LearningProcess errorFeedback() {
        return FedAvg.builder(Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES))
                .setClientOptimizer(Sgd.of(0.05f))
                .optSeed(3)
                .optModelAggregator(
                        new MeanFactory(EncodedSumFactory.of(Encoders.parse("randk-ef:0.2@0")), new SumFactory()))
                .build();
    }

    private static LearningProcess scaffold() {
        return Scaffold.builder(Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES), CLIENTS)
                .setClientOptimizer(Sgd.of(0.05f))
                .optSeed(3)
                .build();
    }

    private static TrainingLoop.Builder loop(LearningProcess process, int rounds, FederatedRuntime runtime) {
        return TrainingLoop.builder()
                .setProcess(process)
                .setTrainingData(FedProxSynthetic.builder(1, 1, CLIENTS, 5)
                        .optExamplesPerClient(12)
                        .build())
                .setClientsPerRound(PER_ROUND)
                .setRounds(rounds)
                .setPreprocessing(Preprocessing.batches(8))
                .optSeed(17)
                .optRuntime(runtime);
    }

    @Test
    void errorFeedbackAndScaffoldEndAsOnTheLocalRuntimeWithTheirStateOnTheCluster(@TempDir Path tmp)
            throws java.io.IOException {
        for (LearningProcess process : List.of(errorFeedback(), scaffold())) {
            TrainingResult local;
            Struct localStates;
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
                local = loop(process, 3, rt).build().run();
                localStates = rt.clientStates().snapshot();
            }
            assertTrue(localStates.size() > PER_ROUND, "clients of several rounds keep state: " + localStates.size());
            try (SparkRuntime rt = spark(3)) {
                // the driver's memory limit for client state does not apply: the state is not in the driver's heap
                TrainingResult onSpark = loop(process, 3, rt)
                        .optClientStateMemoryLimit(1)
                        .build()
                        .run();
                assertEquals(local.model(), onSpark.model(), "model after 3 rounds");
                assertEquals(SparkRuntimeTest.withoutTimes(local), SparkRuntimeTest.withoutTimes(onSpark));
                assertEquals(local.communication(), onSpark.communication());

                assertEquals(0, rt.clientStates().sizeHere(), "the driver holds no client's state");
                assertEquals(localStates.size(), rt.clientStates().size());
                assertEquals(
                        localStates.size(), rt.clusterStates().committedRdd().count(), "one record per client");
                assertTrue(rt.clusterStates().committedRdd().isCheckpointed(), "the state RDD's lineage is cut");
                assertFalse(
                        rt.clusterStates().committedRdd().toDebugString().contains("ParallelCollectionRDD"),
                        "no driver-held collection behind the state RDD");
                assertEquals(localStates, rt.clientStates().snapshot(), "every client's state, bitwise");

                // a checkpoint streams the states from the cluster in sorted pieces: the same file as one holding
                // the local runtime's snapshot, written without the driver holding them all
                rt.clusterStates().snapshotPieceBytes(256);
                Checkpoint bare =
                        new Checkpoint(3, Tensor.scalar(7), 0, 0, RunConfig.of(Map.of("test", "streamed")), List.of());
                Path saved = new CheckpointStore(tmp.resolve("streamed-" + localStates.size()))
                        .save(bare, rt.clientStates());
                assertTrue(
                        rt.clusterStates().lastSnapshotPieces() > 3,
                        "read in pieces: " + rt.clusterStates().lastSnapshotPieces());
                Checkpoint whole = new Checkpoint(
                        bare.round(),
                        bare.state(),
                        bare.broadcastedBits(),
                        bare.aggregatedBits(),
                        bare.config(),
                        bare.history(),
                        localStates);
                assertArrayEquals(CheckpointFormat.encode(whole), java.nio.file.Files.readAllBytes(saved));
            }
        }
    }

    @Test
    void aResumedRunOnSparkEndsAsTheUninterruptedOne(@TempDir Path tmp) {
        RunConfig config = RunConfig.of(Map.of("test", "spark-client-state"));
        TrainingResult straight;
        try (SparkRuntime rt = spark(2)) {
            straight = loop(errorFeedback(), 3, rt).build().run();
        }
        Path dir = tmp.resolve("ckpt");
        try (SparkRuntime rt = spark(2)) {
            TrainingResult half = loop(errorFeedback(), 1, rt)
                    .optCheckpoints(new CheckpointStore(dir), 1, config)
                    .build()
                    .run();
            assertNotEquals(straight.model(), half.model());
        }
        Checkpoint first = new CheckpointStore(dir).loadLatest(config).orElseThrow();
        assertEquals(PER_ROUND, ((Struct) first.clientStates()).size(), "the checkpoint carries the residuals");
        byte[] firstFile = readAll(new CheckpointStore(dir).fileFor(1));
        try (SparkRuntime rt = spark(2)) {
            // the states go from the checkpoint file to the cluster in pieces, a client or two at a time
            rt.clusterStates().snapshotPieceBytes(64);
            TrainingResult resumed = loop(errorFeedback(), 3, rt)
                    .optCheckpoints(new CheckpointStore(dir), 1, config)
                    .build()
                    .run();
            assertEquals(1, resumed.resumedFrom());
            assertEquals(straight.model(), resumed.model(), "bitwise the uninterrupted run's model");
            assertEquals(0, rt.clientStates().sizeHere(), "restored onto the cluster, not kept on the driver");
            assertTrue(
                    rt.clusterStates().lastRestorePieces() >= PER_ROUND / 2,
                    "restored in pieces: " + rt.clusterStates().lastRestorePieces());
        }
        assertArrayEquals(firstFile, readAll(new CheckpointStore(dir).fileFor(1)), "the resume only read it");

        Path bare = tmp.resolve("without-states");
        new CheckpointStore(bare)
                .save(new Checkpoint(
                        first.round(),
                        first.state(),
                        first.broadcastedBits(),
                        first.aggregatedBits(),
                        first.config(),
                        first.history()));
        try (SparkRuntime rt = spark(2)) {
            TrainingResult forgetful = loop(errorFeedback(), 3, rt)
                    .optCheckpoints(new CheckpointStore(bare), 1, config)
                    .build()
                    .run();
            assertNotEquals(straight.model(), forgetful.model(), "the restored residuals are what made it equal");
        }
    }

    private static byte[] readAll(Path file) {
        try {
            return java.nio.file.Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aRestoreThatFailsPartWayLeavesTheClusterStatesAsTheyWere() {
        try (SparkRuntime rt = spark(2)) {
            loop(errorFeedback(), 1, rt).build().run();
            Struct before = rt.clientStates().snapshot();
            assertEquals(PER_ROUND, before.size());
            rt.clusterStates().snapshotPieceBytes(64);
            List<Struct> entries = new ArrayList<>();
            for (int i = 0; i < before.size(); i++) {
                entries.add((Struct) before.get(i));
            }
            // the last entry again: out of snapshot order, found after the pieces before it were written
            entries.add(entries.get(entries.size() - 1));
            ClientStateStore.SnapshotStream repeated = new ClientStateStore.SnapshotStream() {
                @Override
                public long size() {
                    return entries.size();
                }

                @Override
                public java.util.Iterator<Struct> entries() {
                    return entries.iterator();
                }
            };
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> rt.clientStates().restore(repeated));
            assertTrue(e.getMessage().contains("repeats"), e.getMessage());
            assertEquals(before, rt.clientStates().snapshot(), "every state as it was");
        }
    }

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);

    private static FederatedComputation count(String config) {
        return FederatedComputation.of(
                "count",
                FederatedType.clients(F32),
                FederatedType.server(F32),
                (ctx, x) -> ctx.federatedSum(ctx.federatedMap(new CountOrDie(config), (FederatedValue) x)));
    }

    private static ClientValues values(int n, float scale) {
        List<String> ids = new ArrayList<>();
        List<Value> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("c" + i);
            members.add(Tensor.scalar(scale * (i + 1)));
        }
        return ClientValues.of(ids, members);
    }

    @Test
    void aRetriedTaskStartsFromTheCommittedStateAndAFailedInvocationChangesNone() {
        List<Value> local = new ArrayList<>();
        Struct localStates;
        Value localOnDriver;
        Struct localStatesAfter;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            for (int r = 1; r <= 3; r++) {
                local.add(rt.invoke(count(""), values(12 + r, r)));
            }
            localStates = rt.clientStates().snapshot();
            localOnDriver = rt.invoke(countOnDriver(), values(17, 2));
            localStatesAfter = rt.clientStates().snapshot();
        }
        // one partition: a task folds its whole block as it trains; four: the clients train in four tasks and a
        // second stage folds the block (the first stage's attempt files travel with the fold members)
        try (SparkRuntime rt = spark(1)) {
            for (int r = 1; r <= 3; r++) {
                assertEquals(local.get(r - 1), rt.invoke(count("die-after-write:c5"), values(12 + r, r)));
                assertFalse(SparkShipper.lastBlockPass.shuffled());
            }
            assertEquals(localStates, rt.clientStates().snapshot());
        }
        try (SparkRuntime rt = spark(4)) {
            for (int r = 1; r <= 3; r++) {
                assertEquals(
                        local.get(r - 1),
                        rt.invoke(count("die-after-write:c5"), values(12 + r, r)),
                        "round " + r + ": the retried task counted c5 once");
                assertTrue(SparkShipper.lastBlockPass.shuffled());
            }
            assertEquals(localStates, rt.clientStates().snapshot());

            ClientWorkException e =
                    assertThrows(ClientWorkException.class, () -> rt.invoke(count("fail:c9"), values(15, 1)));
            assertEquals(9, e.clientIndex());
            assertEquals(localStates, rt.clientStates().snapshot(), "a failed invocation wrote nothing");
            assertEquals(0, rt.clientStates().sizeHere());

            FederatedComputation twice = FederatedComputation.of(
                    "count_twice",
                    FederatedType.clients(F32),
                    FederatedType.server(F32),
                    (ctx, x) -> ctx.federatedSum(ctx.federatedMap(
                            new CountOrDie(""), ctx.federatedMap(new CountOrDie(""), (FederatedValue) x))));
            ClientWorkException again = assertThrows(ClientWorkException.class, () -> rt.invoke(twice, values(4, 1)));
            assertTrue(again.getMessage().contains("twice in one invocation"), again.getMessage());
            assertEquals(localStates, rt.clientStates().snapshot());

            // work without a descriptor runs on the driver: the first time it touches the key, the driver's tier
            // takes that key's states over from the cluster
            assertEquals(localOnDriver, rt.invoke(countOnDriver(), values(17, 2)));
            assertEquals(localStatesAfter, rt.clientStates().snapshot());
            assertEquals(localStatesAfter.size(), rt.clientStates().sizeHere());
            assertEquals(null, rt.clusterStates().committedRdd(), "the key moved; nothing else was on the cluster");

            rt.clientStates().restore(localStates);
            assertEquals(0, rt.clientStates().sizeHere(), "a restore puts every state on the cluster");
            assertEquals(localStates.size(), rt.clientStates().size());
            rt.clientStates().clear();
            assertEquals(0, rt.clientStates().size());
            assertEquals(null, rt.clusterStates().committedRdd());
        }
    }

    /** CountOrDie's counting without a descriptor: it cannot ship, so it runs on the driver. */
    private static FederatedComputation countOnDriver() {
        LocalComputation fn = LocalComputation.withContext("count_on_driver", F32, F32, (v, client) -> {
            float now = client.clientState(CountOrDie.KEY)
                            .map(s -> ((Tensor) s).floatValue())
                            .orElse(0f)
                    + ((Tensor) v).floatValue();
            client.setClientState(CountOrDie.KEY, Tensor.scalar(now));
            return Tensor.scalar(now);
        });
        return FederatedComputation.of(
                "count_on_driver",
                FederatedType.clients(F32),
                FederatedType.server(F32),
                (ctx, x) -> ctx.federatedSum(ctx.federatedMap(fn, (FederatedValue) x)));
    }
}
