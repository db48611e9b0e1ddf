package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Value;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.protocol.PushResultResponse;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.deploy.server.ServerStore;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.TrainingLoop;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that die or dawdle: the round completes with those who reported (at least
 * {@code --min-clients}), no result counts twice, a late result is refused as stale, and the slow
 * client takes part in a later round. The server's SQLite log records each attempt.
 */
class ClientFaultsTest {

    private static final String NUM_EXAMPLES = "client_work/train/num_examples";

    @TempDir
    Path dir;

    @BeforeAll
    static void warmEngine() {
        DeployFixture.localRun(1, 1); // the engine's first session is slow; keep it out of the round deadlines
    }

    private static String target(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    private static CompletableFuture<DeployResult> runAsync(DeployServer server) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return server.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aClientKilledMidRoundIsLeftOutAndTheRoundCompletesWithTheOthers() throws Exception {
        Path db = dir.resolve("server.db");
        List<FederatedClient> clients = new ArrayList<>();
        Process doomed = null;
        try (DeployServer server = DeployFixture.server(3, 2)
                .optMinClients(2)
                .optRoundTimeout(Duration.ofSeconds(6))
                .optStore(db)
                .build()
                .start()) {
            String t = target(server.address());
            doomed = DeployFixture.clientProcess(t, 2, "die-after-pull");
            clients.add(DeployFixture.client(t, 0).start());
            clients.add(DeployFixture.client(t, 1).start());
            DeployResult r = runAsync(server).get(120, TimeUnit.SECONDS);
            assertTrue(doomed.waitFor(10, TimeUnit.SECONDS));
            assertEquals(3, doomed.exitValue(), "the client died holding its task");
            Map<String, Double> round1 = r.history().get(0);
            assertEquals(3.0, round1.get(TrainingLoop.CLIENTS_SAMPLED));
            assertEquals(2.0, round1.get(TrainingLoop.CLIENTS_REPORTING));
            assertEquals(2 * 30.0, round1.get(NUM_EXAMPLES), "each reporting client's examples count once");
            Map<String, Double> round2 = r.history().get(1);
            assertEquals(2.0, round2.get(TrainingLoop.CLIENTS_SAMPLED), "round 2 samples the live clients");
            assertEquals(2 * 30.0, round2.get(NUM_EXAMPLES));
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
            if (doomed != null) {
                doomed.destroyForcibly();
            }
        }
        try (ServerStore store = ServerStore.open(db)) {
            assertEquals(List.of("retried", "completed"), store.outcomes(1));
            List<String> ids = DeployFixture.data().clientIds();
            assertEquals(ids.subList(0, 2), store.participants(1));
            assertEquals(2, store.lastCompletedRound());
            assertTrue(store.clients().containsAll(ids), store.clients().toString());
        }
    }

    @Test
    void aSlowClientIsIgnoredForItsRoundAndTakesPartInTheNext() throws Exception {
        FedProxSynthetic data = DeployFixture.data();
        String slow = data.clientIds().get(2);
        List<FederatedClient> clients = new ArrayList<>();
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        try (DeployServer server = DeployFixture.server(3, 2)
                        .optMinClients(2)
                        .optRoundTimeout(Duration.ofSeconds(4))
                        .build()
                        .start();
                RawFleetClient raw = new RawFleetClient(target(server.address()))) {
            String t = target(server.address());
            raw.register(slow);
            beats.scheduleWithFixedDelay(() -> raw.heartbeat(slow), 100, 100, TimeUnit.MILLISECONDS);
            clients.add(DeployFixture.client(t, 0).start());
            clients.add(DeployFixture.client(t, 1).start());
            CompletableFuture<DeployResult> run = runAsync(server);

            RawFleetClient.PulledTask first = pull(raw, slow);
            Value late = RawFleetClient.honestResult(first, slow, data.datasetFor(slow));
            Thread.sleep(5_000); // past the round's deadline
            PushResultResponse refused = raw.pushValue(
                    slow, first.header().getTaskId(), first.header().getRound(), late);
            assertFalse(refused.getAccepted());
            assertEquals(Rejection.STALE_ROUND, refused.getRejection(), refused.getMessage());

            RawFleetClient.PulledTask second = pull(raw, slow);
            assertEquals(2, second.header().getRound());
            Value onTime = RawFleetClient.honestResult(second, slow, data.datasetFor(slow));
            assertTrue(
                    raw.pushValue(slow, second.header().getTaskId(), 2, onTime).getAccepted());

            DeployResult r = run.get(120, TimeUnit.SECONDS);
            assertEquals(2.0, r.history().get(0).get(TrainingLoop.CLIENTS_REPORTING));
            assertEquals(2 * 30.0, r.history().get(0).get(NUM_EXAMPLES));
            assertEquals(3.0, r.history().get(1).get(TrainingLoop.CLIENTS_REPORTING), "the slow client is back");
            assertEquals(3 * 30.0, r.history().get(1).get(NUM_EXAMPLES));
            assertEquals(1L, server.rejections().get(Rejection.STALE_ROUND));
        } finally {
            beats.shutdownNow();
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }

    private static RawFleetClient.PulledTask pull(RawFleetClient raw, String id) {
        Optional<RawFleetClient.PulledTask> task = Optional.empty();
        while (task.isEmpty()) {
            task = raw.pull(RawFleetClient.header(id));
        }
        return task.get();
    }
}
