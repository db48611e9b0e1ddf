package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Pulls that find no task are held without a thread: many clients long-poll a server with two
 * service threads at once, all get their tasks, and the run ends with the local runtime's model.
 */
class LongPollTest {

    private static final int CLIENTS = 24;

    private static String target(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    @Test
    void manyClientsHoldPullsAtOnceOnTwoServiceThreadsAndAllGetTheirTasks() throws Exception {
        FedProxSynthetic data = FedProxSynthetic.builder(1, 1, CLIENTS, 5)
                .optExamplesPerClient(20)
                .build();
        int rounds = 2;
        List<FederatedClient> clients = new ArrayList<>();
        try (DeployServer server = DeployServer.builder()
                .setProcess(DeployFixture.process())
                .setClientsPerRound(CLIENTS)
                .setRounds(rounds)
                .setBatchSize(DeployFixture.BATCH)
                .optSeed(DeployFixture.SEED)
                .optInsecure(true)
                .optMinPopulation(CLIENTS)
                .optHeartbeatMillis(500)
                .optServiceThreads(2)
                .optPollTimeout(Duration.ofSeconds(40))
                .build()
                .start()) {
            for (String id : data.clientIds()) {
                clients.add(FederatedClient.builder()
                        .setServer(target(server.address()))
                        .setClientId(id)
                        .setData(data.datasetFor(id))
                        .optInsecure(true)
                        .optBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                        .build()
                        .start());
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (server.heldPulls() < CLIENTS && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertEquals(
                    CLIENTS,
                    server.heldPulls(),
                    "every client's pull is held at once, on a server with 2 service threads");

            DeployResult deployed = server.run();

            assertLocalModel(data, CLIENTS, rounds, deployed);
            for (FederatedClient c : clients) {
                assertTrue(
                        c.awaitFinished(Duration.ofSeconds(20)),
                        "a held pull is answered when the run finishes, not after its 40 s");
                assertEquals(rounds, c.tasksDone());
            }
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aPullWithNoTaskIsAnsweredWithNoneAfterThePollTime() throws Exception {
        try (DeployServer server = DeployFixture.server(3, 1)
                        .optPollTimeout(Duration.ofMillis(300))
                        .build()
                        .start();
                RawFleetClient raw = new RawFleetClient(target(server.address()))) {
            String id = DeployFixture.data().clientIds().get(0);
            raw.register(id);
            long started = System.nanoTime();
            assertTrue(raw.pull(RawFleetClient.header(id)).isEmpty());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(millis >= 250, "held about the poll time, was answered after " + millis + " ms");
            assertEquals(0, server.heldPulls());
        }
    }

    /** {@code deployed} ended with bitwise the model of the local runtime's run over the same clients. */
    private static void assertLocalModel(FedProxSynthetic data, int perRound, int rounds, DeployResult deployed) {
        byte[] local = DeployFixture.bytes(TrainingLoop.builder()
                .setProcess(DeployFixture.process())
                .setTrainingData(data)
                .setClientsPerRound(perRound)
                .setRounds(rounds)
                .setPreprocessing(Preprocessing.batches(DeployFixture.BATCH))
                .optSeed(DeployFixture.SEED)
                .optWorkers(2)
                .build()
                .run()
                .model());
        assertArrayEquals(local, DeployFixture.bytes(deployed.weights()), "bitwise the local runtime's model");
    }
}
