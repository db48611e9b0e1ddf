package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.deploy.server.ServerStore;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.training.RoundListener;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server is stopped after a round while its clients wait; started again on the same port with
 * its checkpoints and database, it resumes, the clients reconnect on their own (backoff), and the
 * run ends with bitwise the model of an uninterrupted one.
 */
class ServerRestartTest {

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private DeployServer.Builder server(int port, RoundListener listener) {
        return DeployFixture.server(3, 2)
                .optPort(port)
                .optStore(dir.resolve("server.db"))
                .optCheckpoints(
                        new CheckpointStore(dir.resolve("checkpoints")),
                        RunConfig.of(Map.of("fixture", "softmax", "seed", String.valueOf(DeployFixture.SEED))))
                .optListener(listener);
    }

    @Test
    void aRestartedServerResumesAndClientsReconnect() throws Exception {
        int port = freePort();
        String target = "127.0.0.1:" + port;
        List<FederatedClient> clients = new ArrayList<>();
        try {
            DeployServer[] first = new DeployServer[1];
            double[] sentInRound1 = new double[1];
            first[0] = server(port, new RoundListener() {
                        @Override
                        public void roundFinished(int round, Map<String, Double> metrics) {
                            if (round == 1) {
                                sentInRound1[0] = metrics.get(DeployServer.WIRE_SENT_BYTES);
                                try {
                                    first[0].close(); // stopped right after round 1, before its checkpoint is read back
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                        }
                    })
                    .build()
                    .start();
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                clients.add(DeployFixture.client(target, k).start());
            }
            IllegalStateException stopped = assertThrows(IllegalStateException.class, first[0]::run);
            assertTrue(stopped.getMessage().contains("closed"), stopped.getMessage());

            DeployResult resumed;
            try (DeployServer second =
                    server(port, new RoundListener() {}).build().start()) {
                resumed = second.run();
            }
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(3, 2)),
                    DeployFixture.bytes(resumed.weights()),
                    "the resumed run ends with the uninterrupted run's model");
            assertEquals(2, resumed.history().size(), "round 1 comes from the checkpoint, round 2 was run");
            assertEquals(
                    sentInRound1[0],
                    resumed.history().get(0).get(DeployServer.WIRE_SENT_BYTES),
                    "round 1's line comes from the checkpoint");
            double sentAfterRound2 = resumed.history().get(1).get(DeployServer.WIRE_SENT_BYTES);
            // round 2 alone sends less than round 1 did (the model to 3 clients, but not the computation they
            // fetched in round 1 and keep): counted from zero it would be below round 1's figure, counted on
            // from the database it is above it
            assertTrue(
                    sentAfterRound2 > sentInRound1[0],
                    "wire_sent_bytes goes on from the database: " + sentAfterRound2 + " after round 2, "
                            + sentInRound1[0] + " after round 1");
            for (FederatedClient c : clients) {
                assertTrue(c.awaitFinished(java.time.Duration.ofSeconds(10)));
                assertEquals(2, c.tasksDone(), "one task per round, none twice");
            }
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
        try (ServerStore store = ServerStore.open(dir.resolve("server.db"))) {
            assertEquals(List.of("completed"), store.outcomes(1));
            assertEquals(List.of("completed"), store.outcomes(2));
            assertEquals(DeployFixture.data().clientIds(), store.participants(2));
        }
    }
}
