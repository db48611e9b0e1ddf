package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's round driver holds no thread per selected client: with more clients selected than
 * the runtime has workers, every task is out at once while no runtime worker thread waits for one,
 * the round uses at most the runtime's workers, and the results, pushed in reverse order, fold into
 * the local runtime's model.
 */
class DispatchThreadsTest {

    private static final String WORKER_PREFIX = "fl4j-worker-";

    private static long liveWorkers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(WORKER_PREFIX))
                .count();
    }

    @Test
    @Timeout(180)
    void aRoundOverManyClientsHoldsNoThreadPerClient() throws Exception {
        int workers = Runtime.getRuntime().availableProcessors();
        int clients = workers + 10;
        FedProxSynthetic data = FedProxSynthetic.builder(1, 1, clients, 5)
                .optExamplesPerClient(30)
                .build();
        byte[] local = DeployFixture.bytes(TrainingLoop.builder()
                .setProcess(DeployFixture.process())
                .setTrainingData(data)
                .setClientsPerRound(clients)
                .setRounds(1)
                .setPreprocessing(Preprocessing.batches(DeployFixture.BATCH))
                .optSeed(DeployFixture.SEED)
                .optWorkers(2)
                .build()
                .run()
                .model());
        long before = liveWorkers();
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        try (DeployServer server = DeployFixture.server(clients, 1)
                        .optMinPopulation(clients)
                        .optRoundTimeout(Duration.ofSeconds(120))
                        .build()
                        .start();
                RawFleetClient raw = new RawFleetClient(server.address().getHostString() + ":"
                        + server.address().getPort())) {
            List<String> ids = data.clientIds();
            for (String id : ids) {
                raw.register(id);
            }
            beats.scheduleWithFixedDelay(() -> ids.forEach(raw::heartbeat), 100, 100, TimeUnit.MILLISECONDS);
            CompletableFuture<DeployResult> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.run();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            List<RawFleetClient.PulledTask> tasks = new ArrayList<>();
            for (String id : ids) {
                Optional<RawFleetClient.PulledTask> task = Optional.empty();
                while (task.isEmpty()) {
                    task = raw.pull(RawFleetClient.header(id));
                }
                tasks.add(task.get());
            }
            long whileAllOut = liveWorkers() - before;
            assertEquals(workers, server.runtime().workers(), "the runtime's workers do not follow the cohort");
            assertTrue(
                    whileAllOut <= workers,
                    "all " + clients + " tasks out, none answered: " + whileAllOut + " runtime worker threads");
            for (int k = clients - 1; k >= 0; k--) {
                String id = ids.get(k);
                assertTrue(raw.pushValue(
                                id,
                                tasks.get(k).header().getTaskId(),
                                1,
                                RawFleetClient.honestResult(tasks.get(k), id, data.datasetFor(id)))
                        .getAccepted());
            }
            DeployResult r = running.get(120, TimeUnit.SECONDS);
            long afterRound = liveWorkers() - before;
            assertTrue(afterRound <= workers, "the round used " + afterRound + " runtime worker threads");
            assertArrayEquals(local, DeployFixture.bytes(r.weights()), "bitwise the local runtime's model");
            assertEquals((double) clients, r.history().get(0).get(TrainingLoop.CLIENTS_REPORTING));
        } finally {
            beats.shutdownNow();
        }
    }
}
