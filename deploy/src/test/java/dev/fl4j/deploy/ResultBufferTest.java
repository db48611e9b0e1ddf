package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.ClientSampler;
import dev.fl4j.simulation.training.TrainingLoop;
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
import org.junit.jupiter.api.Timeout;

/**
 * The results that arrive before the first client's are held within the server's buffer budget: beyond
 * it a push is answered "retry later", the client pushes the same result again, and the round ends with
 * the local runtime's model, every result counted once.
 */
class ResultBufferTest {

    @BeforeAll
    static void warmEngine() {
        DeployFixture.localRun(1, 1); // the engine's first session is slow; keep it out of the round deadline
    }

    @Test
    @Timeout(120)
    void resultsBehindASlowFirstClientWaitOnTheirClientsNotInTheServer() throws Exception {
        FedProxSynthetic data = DeployFixture.data();
        // the client the fold takes first in round 1 answers two seconds late
        String first = new ClientSampler(data.clientIds(), 3, 0, DeployFixture.SEED)
                .sample(1)
                .sampled()
                .get(0);
        List<FederatedClient> others = new ArrayList<>();
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        try (DeployServer server = DeployFixture.server(3, 1)
                        .optRoundTimeout(Duration.ofSeconds(30))
                        .optResultBufferBytes(1)
                        .build()
                        .start();
                RawFleetClient raw = new RawFleetClient(server.address().getHostString() + ":"
                        + server.address().getPort())) {
            String t = server.address().getHostString() + ":" + server.address().getPort();
            raw.register(first);
            beats.scheduleWithFixedDelay(() -> raw.heartbeat(first), 100, 100, TimeUnit.MILLISECONDS);
            CompletableFuture<DeployResult> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.run();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                if (!data.clientIds().get(k).equals(first)) {
                    others.add(DeployFixture.client(t, k).start());
                }
            }
            Optional<RawFleetClient.PulledTask> task = Optional.empty();
            while (task.isEmpty()) {
                task = raw.pull(RawFleetClient.header(first));
            }
            Value result = RawFleetClient.honestResult(task.get(), first, data.datasetFor(first));
            Thread.sleep(2_000);
            assertTrue(raw.pushValue(first, task.get().header().getTaskId(), 1, result)
                    .getAccepted());

            DeployResult r = running.get(60, TimeUnit.SECONDS);
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(3, 1)),
                    DeployFixture.bytes(r.weights()),
                    "the fold's order, and so the model, is the local runtime's");
            Map<String, Double> round1 = r.history().get(0);
            assertEquals(3 * 30.0, round1.get("client_work/train/num_examples"), "every result counts once");
            assertEquals(3.0, round1.get(TrainingLoop.CLIENTS_REPORTING));
            long deferred = server.rejections().getOrDefault(Rejection.RETRY_LATER, 0L);
            assertTrue(deferred >= 2, "both later clients were asked to push again: " + server.rejections());
            long oneResult = ValueCodec.encode(result).length;
            assertTrue(
                    server.resultBufferPeakBytes() <= oneResult,
                    "the buffer held at most the budget (1 byte) and the result the fold waited for: "
                            + server.resultBufferPeakBytes() + " B, one result is " + oneResult + " B");
            for (FederatedClient c : others) {
                assertTrue(c.awaitFinished(Duration.ofSeconds(10)));
                assertEquals(1, c.tasksDone(), "a deferred client pushes its result again; it does not retrain");
            }
        } finally {
            beats.shutdownNow();
            for (FederatedClient c : others) {
                c.close();
            }
        }
    }

    @Test
    void aBudgetMustBePositive() {
        assertThrows(
                IllegalArgumentException.class,
                () -> DeployFixture.server(3, 1).optResultBufferBytes(0).build());
    }
}
