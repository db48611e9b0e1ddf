package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.simulation.training.TrainingLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A deployed run, with clients that hold their own data and talk gRPC to the server on 127.0.0.1,
 * ends with bitwise the model of the same run on the local runtime.
 */
class DeployEquivalenceTest {

    private static String target(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    @Test
    void clientsInSeparateJvmsEndWithTheLocalRuntimesModel() throws Exception {
        int perRound = 2;
        int rounds = 2;
        List<Process> clients = new ArrayList<>();
        try (DeployServer server =
                DeployFixture.server(perRound, rounds).build().start()) {
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                clients.add(DeployFixture.clientProcess(target(server.address()), k, "normal"));
            }
            DeployResult deployed = server.run();
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(perRound, rounds)),
                    DeployFixture.bytes(deployed.weights()),
                    "the deployed model is bitwise the local runtime's");
            Map<String, Double> last = deployed.history().get(rounds - 1);
            assertEquals(2.0, last.get(TrainingLoop.CLIENTS_REPORTING));
            assertTrue(last.get(DeployServer.WIRE_SENT_BYTES) > 0);
            for (Process p : clients) {
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "a client exits when the run has finished");
                assertEquals(0, p.exitValue());
            }
        } finally {
            for (Process p : clients) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void inProcessClientsEndWithTheLocalRuntimesModelAndWireBytesTrackLogicalBits() throws Exception {
        int perRound = 3;
        int rounds = 2;
        List<FederatedClient> clients = new ArrayList<>();
        try (DeployServer server =
                DeployFixture.server(perRound, rounds).build().start()) {
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                clients.add(DeployFixture.client(target(server.address()), k).start());
            }
            DeployResult deployed = server.run();
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(perRound, rounds)),
                    DeployFixture.bytes(deployed.weights()));
            for (FederatedClient c : clients) {
                assertTrue(c.awaitFinished(Duration.ofSeconds(10)));
                assertEquals(rounds, c.tasksDone(), "every client trains every round (3 of 3)");
            }
            Map<String, Double> last = deployed.history().get(rounds - 1);
            double broadcastBytes = last.get(TrainingLoop.BROADCASTED_BITS) / 8;
            double aggregatedBytes = last.get(TrainingLoop.AGGREGATED_BITS) / 8;
            double sent = last.get(DeployServer.WIRE_SENT_BYTES);
            double received = last.get(DeployServer.WIRE_RECEIVED_BYTES);
            assertEquals(
                    0.0, last.get(DeployServer.ARGUMENT_BYTES_SHARED), "clients of their own fetch every argument");
            assertTrue(
                    received >= aggregatedBytes * 0.9 && received <= aggregatedBytes * 1.5,
                    "received " + received + " B vs aggregated " + aggregatedBytes + " B");
            // each task also carries the description of the client's chain of work (training and the
            // aggregator's client steps, with their types): a fixed cost per task, whatever the model's size
            int tasks = perRound * rounds;
            assertTrue(
                    sent >= broadcastBytes && sent <= broadcastBytes + tasks * 16384.0,
                    "sent " + sent + " B vs broadcast " + broadcastBytes + " B over " + tasks + " tasks");
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }
}
