package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.EncodedSumFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.SumFactory;
import dev.fl4j.compression.Encoders;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.protocol.PushResultResponse;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.deploy.server.ServerStore;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.RoundListener;
import dev.fl4j.simulation.training.TrainingLoop;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over-selection: a round selects more clients than it needs, completes with the first results, refuses
 * the late one as not needed, and records who counted; the model is bitwise that of the local runtime
 * over the clients the round log names.
 */
class OverSelectionTest {

    private static final int GOAL = 2;
    private static final int ROUNDS = 2;
    private static final String NUM_EXAMPLES = "client_work/train/num_examples";

    @TempDir
    Path dir;

    @BeforeAll
    static void warmEngine() {
        DeployFixture.localRun(1, 1); // the engine's first session is slow; keep it out of the round deadlines
    }

    private static LearningProcess encoded() {
        return DeployFixture.fedAvg()
                .optModelAggregator(new MeanFactory(EncodedSumFactory.of(Encoders.parse("drive@0")), new SumFactory()))
                .build();
    }

    @Test
    @Timeout(120)
    void theRoundCountsTheFirstResultsRefusesTheLateOneAndIsTheLocalRunOverThoseThatCounted() throws Exception {
        Run run = overSelectedRun(DeployFixture::process);
        assertEquals(1L, run.rejections.get(Rejection.NOT_NEEDED), run.rejections.toString());
        for (FederatedClient c : run.fast) {
            assertEquals(
                    ROUNDS,
                    c.tasksDone(),
                    "a fast client trains once a round: its result is used at its place among those that counted");
        }
    }

    @Test
    @Timeout(120)
    void aClientsWorkThatReadsItsPositionIsRunAgainWhereItsPositionChanged() throws Exception {
        // an encoder derives its seeds from the client's position: a result computed at the client's place
        // among the selected is not the one a run over those that counted computes unless the place is the same
        overSelectedRun(OverSelectionTest::encoded);
    }

    @Test
    void anImpossibleFractionIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> DeployFixture.server(GOAL, 1).optOverSelection(-0.1).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> DeployFixture.server(GOAL, 1).optOverSelection(Double.NaN).build());
    }

    private record Run(Map<Rejection, Long> rejections, List<FederatedClient> fast) {}

    /**
     * Three clients, two per round over-selected by half: client 0 is slow (it pulls a task and answers only after
     * its round has finished), clients 1 and 2 answer at once.
     */
    private Run overSelectedRun(Supplier<LearningProcess> process) throws Exception {
        FedProxSynthetic data = DeployFixture.data();
        String slow = data.clientIds().get(0);
        Path db = dir.resolve("server.db");
        Map<Integer, CompletableFuture<Void>> finished = new ConcurrentHashMap<>();
        for (int r = 1; r <= ROUNDS; r++) {
            finished.put(r, new CompletableFuture<>());
        }
        List<FederatedClient> fast = new ArrayList<>();
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        Map<Rejection, Long> rejections;
        DeployResult result;
        try (DeployServer server = DeployFixture.server(GOAL, ROUNDS)
                        .setProcess(process.get())
                        .optOverSelection(0.5)
                        .optRoundTimeout(Duration.ofSeconds(30))
                        .optStore(db)
                        .optListener(new RoundListener() {
                            @Override
                            public void roundFinished(int round, Map<String, Double> metrics) {
                                if (round > 0) {
                                    finished.get(round).complete(null);
                                }
                            }
                        })
                        .build()
                        .start();
                RawFleetClient raw = new RawFleetClient(server.address().getHostString() + ":"
                        + server.address().getPort())) {
            String t = server.address().getHostString() + ":" + server.address().getPort();
            raw.register(slow);
            beats.scheduleWithFixedDelay(() -> raw.heartbeat(slow), 100, 100, TimeUnit.MILLISECONDS);
            CompletableFuture<DeployResult> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.run();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            CompletableFuture<RawFleetClient.PulledTask> pulled = CompletableFuture.supplyAsync(() -> {
                Optional<RawFleetClient.PulledTask> task = Optional.empty();
                while (task.isEmpty()) {
                    task = raw.pull(RawFleetClient.header(slow));
                }
                return task.get();
            });
            fast.add(DeployFixture.client(t, 1).start());
            fast.add(DeployFixture.client(t, 2).start());

            RawFleetClient.PulledTask task = pulled.get(60, TimeUnit.SECONDS);
            Value late = RawFleetClient.honestResult(task, slow, data.datasetFor(slow));
            int round = task.header().getRound();
            finished.get(round).get(60, TimeUnit.SECONDS);
            PushResultResponse refused = raw.pushValue(slow, task.header().getTaskId(), round, late);
            assertFalse(refused.getAccepted());
            assertEquals(Rejection.NOT_NEEDED, refused.getRejection(), refused.getMessage());

            result = running.get(60, TimeUnit.SECONDS);
            rejections = server.rejections();
            for (FederatedClient c : fast) {
                assertTrue(c.awaitFinished(Duration.ofSeconds(10)));
            }
        } finally {
            beats.shutdownNow();
            for (FederatedClient c : fast) {
                c.close();
            }
        }
        List<List<String>> counted = new ArrayList<>();
        try (ServerStore store = ServerStore.open(db)) {
            for (int r = 1; r <= ROUNDS; r++) {
                assertEquals(List.of("over-selected", "completed"), store.outcomes(r), "round " + r);
                assertEquals(data.clientIds().subList(1, 3), store.participants(r), "round " + r);
                counted.add(store.participants(r));
            }
        }
        for (Map<String, Double> m : result.history().subList(0, ROUNDS)) {
            assertEquals(3.0, m.get(TrainingLoop.CLIENTS_SAMPLED));
            assertEquals(2.0, m.get(TrainingLoop.CLIENTS_REPORTING));
            assertEquals(2 * 30.0, m.get(NUM_EXAMPLES), "only the results that counted are aggregated");
        }
        assertArrayEquals(
                DeployFixture.bytes(localRunOver(process.get(), counted)),
                DeployFixture.bytes(result.weights()),
                "bitwise the local runtime's model over the clients the round log names");
        return new Run(rejections, fast);
    }

    /** {@code process} on the local runtime, round r over {@code participants.get(r - 1)}. */
    static ModelWeights localRunOver(LearningProcess process, List<List<String>> participants) {
        FedProxSynthetic data = DeployFixture.data();
        List<String> population = data.clientIds();
        Preprocessing prep = Preprocessing.batches(DeployFixture.BATCH);
        Type member = ((FederatedType) process.clientDataType()).member();
        try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build()) {
            Value state = process.initialize(runtime);
            for (int r = 1; r <= participants.size(); r++) {
                int round = r;
                ClientValues clients = ClientValues.lazy(
                        member,
                        participants.get(r - 1),
                        id -> prep.forTraining(
                                data.datasetFor(id),
                                TrainingLoop.clientShuffleSeed(DeployFixture.SEED, round, population.indexOf(id))));
                state = process.next(runtime, state, clients).state();
            }
            return process.getModelWeights(state);
        }
    }
}
