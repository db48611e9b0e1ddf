package dev.fl4j.simulation.training;

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
import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.simulation.checkpoint.Checkpoint;
import dev.fl4j.simulation.checkpoint.CheckpointException;
import dev.fl4j.simulation.checkpoint.CheckpointMismatchException;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.RoundRecord;
import dev.fl4j.simulation.metrics.JsonLinesMetricsSink;
import dev.fl4j.simulation.metrics.MetricsHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {

    @TempDir
    Path tmp;

    @Test
    void resumedRunEndsWithBitwiseTheSameModelAndBits() {
        TrainingResult straight = SmallRun.loop(6, 11, 0.2, 2).build().run();

        Path dir = tmp.resolve("ckpt");
        TrainingResult firstHalf =
                SmallRun.checkpointed(dir, 3, 11, 0.2, 2).build().run();
        assertEquals(-1, firstHalf.resumedFrom());
        assertNotEquals(straight.model(), firstHalf.model());
        MetricsHistory replayed = new MetricsHistory();
        TrainingResult resumed = SmallRun.checkpointed(dir, 6, 11, 0.2, 2)
                .optReplaySink(replayed)
                .build()
                .run();

        assertEquals(3, resumed.resumedFrom());
        assertEquals(6, resumed.rounds());
        assertEquals(straight.model(), resumed.model(), "bitwise equal weights after resume");
        assertEquals(straight.communication(), resumed.communication());
        assertEquals(
                List.of(1, 2, 3, 4, 5, 6),
                resumed.history().stream().map(RoundRecord::round).toList());
        assertEquals(List.of(1, 2, 3, 4, 5, 6), replayed.rounds(), "history replayed, then new rounds");
        for (int i = 0; i < 6; i++) {
            Map<String, Double> a = straight.history().get(i).metrics();
            Map<String, Double> b = resumed.history().get(i).metrics();
            assertEquals(
                    a.get(TrainingLoop.BROADCASTED_BITS), b.get(TrainingLoop.BROADCASTED_BITS), "round " + (i + 1));
            assertEquals(a.get("client_work/train/loss"), b.get("client_work/train/loss"), "round " + (i + 1));
        }
    }

    /**
     * Top-k with error feedback keeps a residual per client in the runtime; checkpoints carry those
     * residuals, so a resumed run is bitwise the uninterrupted one. Without them (the same checkpoint
     * re-saved with no client states) the resumed run differs: the test can tell.
     */
    @Test
    void resumeWithErrorFeedbackRestoresEveryClientsResidual() {
        AggregationFactory topK =
                new MeanFactory(EncodedSumFactory.of(Encoders.parse("topk:0.1@100")), new SumFactory());
        TrainingResult straight =
                SmallRun.loop(SmallRun.process(topK), 6, 11, 0, 2).build().run();

        Path dir = tmp.resolve("ef");
        SmallRun.checkpointed(SmallRun.process(topK), dir, 3, 11, 0, 2).build().run();
        CheckpointStore store = new CheckpointStore(dir);
        Checkpoint third = store.loadLatest(SmallRun.config(11, 0)).orElseThrow();
        int clientsWithState = ((Struct) third.clientStates()).size();
        assertTrue(
                clientsWithState > SmallRun.PER_ROUND && clientsWithState <= 3 * SmallRun.PER_ROUND,
                "one residual per client sampled so far: " + clientsWithState);
        TrainingResult resumed = SmallRun.checkpointed(SmallRun.process(topK), dir, 6, 11, 0, 1)
                .build()
                .run();
        assertEquals(3, resumed.resumedFrom());
        assertEquals(straight.model(), resumed.model(), "bitwise equal weights after resume");
        assertEquals(straight.communication(), resumed.communication());

        Path bare = tmp.resolve("ef-without-client-states");
        new CheckpointStore(bare)
                .save(new Checkpoint(
                        third.round(),
                        third.state(),
                        third.broadcastedBits(),
                        third.aggregatedBits(),
                        third.config(),
                        third.history()));
        TrainingResult forgetful = SmallRun.checkpointed(SmallRun.process(topK), bare, 6, 11, 0, 2)
                .build()
                .run();
        assertNotEquals(straight.model(), forgetful.model(), "residuals matter: dropping them changes the result");
    }

    /**
     * Softmax on synthetic: kernel 60×10 under topk:0.1@100 keeps a 600-float residual per client
     * (2,400 bytes); 20 clients need 48,000 bytes. A 40,000-byte limit fails after round 1.
     */
    @Test
    void clientStateThatWouldOutgrowMemoryFailsAfterTheFirstRound() {
        AggregationFactory topK =
                new MeanFactory(EncodedSumFactory.of(Encoders.parse("topk:0.1@100")), new SumFactory());
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> SmallRun.loop(SmallRun.process(topK), 6, 11, 0, 2)
                        .optClientStateMemoryLimit(40_000)
                        .build()
                        .run());
        assertTrue(
                e.getMessage().contains("client state would outgrow memory: each client keeps 2.3 KiB"),
                e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains("up to 20 clients (population 20, 6 rounds × 5 a round) need 46.9 KiB, above the "
                                + "limit of 39.1 KiB"),
                e.getMessage());
        TrainingResult fits = SmallRun.loop(SmallRun.process(topK), 2, 11, 0, 2)
                .optClientStateMemoryLimit(48_000)
                .build()
                .run();
        assertEquals(2, fits.rounds(), "2 rounds × 5 clients = 10 clients: 24,000 bytes fit");
    }

    /** Killed between checkpoints: the JSON lines of the rounds after the last checkpoint appear once. */
    @Test
    void appendingSinksHoldEachRoundOnceAfterResume() throws Exception {
        Path dir = tmp.resolve("every-2");
        Path jsonl = tmp.resolve("m.jsonl");
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(jsonl)) {
            SmallRun.loop(3, 11, 0, 2)
                    .optCheckpoints(new CheckpointStore(dir), 2, SmallRun.config(11, 0))
                    .optSink(sink)
                    .build()
                    .run();
        }
        Files.delete(new CheckpointStore(dir).fileFor(3));
        try (JsonLinesMetricsSink sink = new JsonLinesMetricsSink(jsonl)) {
            TrainingResult r = SmallRun.loop(4, 11, 0, 2)
                    .optCheckpoints(new CheckpointStore(dir), 2, SmallRun.config(11, 0))
                    .optSink(sink)
                    .build()
                    .run();
            assertEquals(2, r.resumedFrom());
        }
        List<String> rounds = Files.readAllLines(jsonl).stream()
                .map(l -> l.substring(0, l.indexOf(',')))
                .toList();
        assertEquals(List.of("{\"round\":1", "{\"round\":2", "{\"round\":3", "{\"round\":4"), rounds);
    }

    @Test
    void resultsDoNotDependOnWorkerCountButOnSeed() {
        TrainingResult one = SmallRun.loop(3, 4, 0, 1).build().run();
        TrainingResult two = SmallRun.loop(3, 4, 0, 2).build().run();
        TrainingResult otherSeed = SmallRun.loop(3, 5, 0, 2).build().run();
        assertEquals(one.model(), two.model());
        assertNotEquals(one.model(), otherSeed.model());
        assertTrue(Structures.isFinite(one.model().asStruct()));
    }

    @Test
    void bitsAreCumulativeAndCountOnlyReportingClients() {
        TrainingResult r = SmallRun.loop(4, 2, 0.3, 2).build().run();
        long modelBits = SmallRun.process()
                .getModelWeights(SmallRun.process().initialize())
                .asStruct()
                .sizeInBits();
        double previousBroadcast = 0;
        double previousAggregated = 0;
        for (RoundRecord rec : r.history()) {
            Map<String, Double> m = rec.metrics();
            double reporting = m.get(TrainingLoop.CLIENTS_REPORTING);
            assertEquals(SmallRun.PER_ROUND, m.get(TrainingLoop.CLIENTS_SAMPLED));
            assertEquals(
                    previousBroadcast + reporting * modelBits,
                    m.get(TrainingLoop.BROADCASTED_BITS),
                    "round " + rec.round());
            assertTrue(m.get(TrainingLoop.AGGREGATED_BITS) > previousAggregated || reporting == 0);
            assertEquals(
                    m.get(TrainingLoop.BROADCASTED_BITS) + m.get(TrainingLoop.AGGREGATED_BITS),
                    m.get(TrainingLoop.TOTAL_BITS),
                    "total bits of round " + rec.round());
            previousBroadcast = m.get(TrainingLoop.BROADCASTED_BITS);
            previousAggregated = m.get(TrainingLoop.AGGREGATED_BITS);
        }
        assertEquals((long) previousBroadcast, r.communication().broadcastBits());
        assertTrue(
                r.history().stream()
                        .anyMatch(h -> h.metrics().get(TrainingLoop.CLIENTS_REPORTING) < SmallRun.PER_ROUND),
                "with drop-out 0.3 some round lost clients");
    }

    @Test
    void roundWhereEveryClientDropsOutKeepsTheModel() {
        long seed = 0;
        while (!new ClientSampler(SmallRun.data().clientIds(), SmallRun.PER_ROUND, 0.99, seed)
                .sample(1)
                .reporting()
                .isEmpty()) {
            seed++;
        }
        TrainingResult r = SmallRun.loop(1, seed, 0.99, 2).build().run();
        assertEquals(0.0, r.history().get(0).metrics().get(TrainingLoop.CLIENTS_REPORTING));
        assertEquals(SmallRun.process().getModelWeights(SmallRun.process().initialize()), r.model());
        assertFalse(r.history().get(0).metrics().containsKey("client_work/train/loss"));
        assertEquals(0.0, r.history().get(0).metrics().get(TrainingLoop.BROADCASTED_BITS));
    }

    @Test
    void evaluationRunsOnInitialModelEveryNRoundsAndAtTheEnd() {
        var split = SmallRun.data().trainTestClientSplit(4, 9);
        ModelEvaluation eval = ModelEvaluation.builder(
                        dev.fl4j.learning.zoo.Models.softmaxRegression(60, 10), Preprocessing.batches(16))
                .optFederatedTest(split.test(), 0, 1)
                .build();
        TrainingResult r = TrainingLoop.builder()
                .setProcess(SmallRun.process())
                .setTrainingData(split.train())
                .setClientsPerRound(4)
                .setRounds(5)
                .setPreprocessing(Preprocessing.batches(8))
                .optEvaluation(eval, 2)
                .optWorkers(2)
                .build()
                .run();
        List<Integer> evaluated = r.history().stream()
                .filter(h -> h.metrics().containsKey("federated_eval/sparse_categorical_accuracy"))
                .map(RoundRecord::round)
                .toList();
        assertEquals(List.of(0, 2, 4, 5), evaluated);
        assertEquals(4 * 30.0, r.history().get(0).metrics().get("federated_eval/num_examples"));
        assertTrue(
                r.last("federated_eval/loss").get()
                        < r.history().get(0).metrics().get("federated_eval/loss"),
                "training lowers test loss");
    }

    @Test
    void checkpointOfAnotherConfigurationIsRefusedWithTheDifferences() {
        Path dir = tmp.resolve("ckpt");
        SmallRun.checkpointed(dir, 1, 11, 0, 1).build().run();
        CheckpointMismatchException e = assertThrows(
                CheckpointMismatchException.class,
                () -> SmallRun.checkpointed(dir, 2, 12, 0, 1).build().run());
        assertTrue(e.getMessage().contains("seed: 11 → 12"), e.getMessage());
    }

    @Test
    void damagedNewestCheckpointStopsTheRunAndNamesTheIntactOne() throws Exception {
        Path dir = tmp.resolve("ckpt");
        SmallRun.checkpointed(dir, 2, 11, 0, 1).build().run();
        Path newest = new CheckpointStore(dir).fileFor(2);
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        CheckpointException e = assertThrows(
                CheckpointException.class,
                () -> SmallRun.checkpointed(dir, 3, 11, 0, 1).build().run());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("checkpoint_00000001.fl4jckpt is intact"), e.getMessage());
        assertEquals(bytes.length - 7, Files.size(newest), "nothing overwrote the damaged file");
    }

    @Test
    void finishedRunStartedAgainTrainsNothingMore() {
        Path dir = tmp.resolve("ckpt");
        TrainingResult done = SmallRun.checkpointed(dir, 2, 11, 0, 1).build().run();
        TrainingResult again = SmallRun.checkpointed(dir, 2, 11, 0, 1).build().run();
        assertEquals(2, again.resumedFrom());
        assertEquals(done.model(), again.model());
        assertEquals(done.history(), again.history());
    }

    @Test
    void stopsBeforeARoundWouldExceedThePrivacyBudget() {
        dev.fl4j.aggregators.DifferentiallyPrivateFactory dp =
                dev.fl4j.aggregators.DifferentiallyPrivateFactory.gaussianFixed(1.0, SmallRun.PER_ROUND, 1.0)
                        .toBuilder()
                        .optPopulation(SmallRun.CLIENTS)
                        .optEpsilonBudget(6.0)
                        .build();
        long allowed = dp.roundsWithinBudget();
        assertTrue(allowed > 0 && allowed < 20, "budget allows " + allowed + " rounds");
        List<String> stops = new java.util.ArrayList<>();
        TrainingResult r = SmallRun.loop(20, 1, 0, 2)
                .setProcess(dev.fl4j.learning.algorithms.FedAvg.builder(dev.fl4j.learning.zoo.Models.softmaxRegression(
                                dev.fl4j.simulation.datasets.FedProxSynthetic.DIMENSION,
                                dev.fl4j.simulation.datasets.FedProxSynthetic.CLASSES))
                        .setClientOptimizer(dev.fl4j.learning.optimizers.Sgd.of(0.05f))
                        .optModelAggregator(dp)
                        .build())
                .optPrivacy(dp)
                .optListener(new RoundListener() {
                    @Override
                    public void stoppedEarly(int round, String reason) {
                        stops.add(round + ": " + reason);
                    }
                })
                .build()
                .run();
        assertEquals(allowed, r.rounds());
        assertEquals(1, stops.size(), stops.toString());
        assertTrue(
                stops.get(0).startsWith(allowed + ": one more round would exceed the privacy budget"),
                stops.toString());
        double spent = r.last("aggregator/privacy/epsilon").orElseThrow();
        assertTrue(spent <= 6.0, "spent " + spent);
    }
}
