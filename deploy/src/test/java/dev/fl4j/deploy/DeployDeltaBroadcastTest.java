package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.deploy.server.ServerStore;
import dev.fl4j.learning.templates.DeltaDistribution;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.TrainingLoop;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delta broadcast on deployed clients: each client checks and updates its own copy of the model
 * (its client state, in its state directory across restarts), the server keeps only the reference,
 * the wire carries the encoded change, a client whose copy is stale gets the full model, and the run
 * ends bitwise where the local runtime's does with the same participants.
 */
class DeployDeltaBroadcastTest {

    private static final String PRESET = "delta:drive@0";

    private static LearningProcess delta() {
        return delta(PRESET);
    }

    private static LearningProcess delta(String preset) {
        return DeployFixture.fedAvg()
                .optDistributor(DeltaDistribution.fromName(
                        preset,
                        Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES)
                                .weightsType(),
                        DeployFixture.SEED))
                .build();
    }

    private static String target(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    private static double fullModel(Map<String, Double> round) {
        return round.entrySet().stream()
                .filter(e -> e.getKey().endsWith("full_model"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no full_model measurement in " + round.keySet()))
                .getValue();
    }

    private static List<Map<String, Double>> deployedInJvm(LearningProcess process, LearningProcess local, int rounds)
            throws Exception {
        List<FederatedClient> clients = new ArrayList<>();
        try (DeployServer server = DeployFixture.server(DeployFixture.CLIENTS, rounds)
                .setProcess(process)
                .build()
                .start()) {
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                clients.add(DeployFixture.client(target(server.address()), k).start());
            }
            DeployResult deployed = server.run();
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(local, DeployFixture.CLIENTS, rounds)),
                    DeployFixture.bytes(deployed.weights()),
                    "the deployed model is bitwise the local runtime's");
            for (FederatedClient c : clients) {
                assertTrue(c.awaitFinished(Duration.ofSeconds(10)));
            }
            return deployed.history();
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    @Timeout(180)
    void everyClientEveryRoundReceivesTheEncodedChangeAndTheWireCarriesIt() throws Exception {
        int rounds = 3;
        String float32 = "delta:identity@0";
        List<Map<String, Double>> plain = deployedInJvm(DeployFixture.process(), DeployFixture.process(), rounds);
        List<Map<String, Double>> exact = deployedInJvm(delta(float32), delta(float32), rounds);
        List<Map<String, Double>> delta = deployedInJvm(delta(), delta(), rounds);
        assertEquals(1.0, fullModel(delta.get(0)), "the first round sends the full model");
        for (int r = 1; r < rounds; r++) {
            assertEquals(0.0, fullModel(delta.get(r)), "every copy is current in round " + r + ": the change is sent");
        }
        Map<String, Double> lastExact = exact.get(rounds - 1);
        Map<String, Double> lastDelta = delta.get(rounds - 1);
        double exactSent = lastExact.get(DeployServer.WIRE_SENT_BYTES);
        double deltaSent = lastDelta.get(DeployServer.WIRE_SENT_BYTES);
        double accountedSaving =
                (lastExact.get(TrainingLoop.BROADCASTED_BITS) - lastDelta.get(TrainingLoop.BROADCASTED_BITS)) / 8;
        System.out.printf(
                "sent bytes over %d rounds: plain broadcast %.0f, %s %.0f, %s %.0f; accounted saving of %s over %s"
                        + " %.0f B%n",
                rounds,
                plain.get(rounds - 1).get(DeployServer.WIRE_SENT_BYTES),
                float32,
                exactSent,
                PRESET,
                deltaSent,
                PRESET,
                float32,
                accountedSaving);
        assertTrue(accountedSaving > 0, "the 1-bit change accounts fewer bits than the float32 change");
        double saved = exactSent - deltaSent;
        assertTrue(
                saved >= 0.95 * accountedSaving && saved <= 1.05 * accountedSaving,
                "the wire saves what the accounting says: " + saved + " B sent less, " + accountedSaving
                        + " B accounted less");
    }

    /**
     * Over-selection with a delta broadcast: three clients, two per round over-selected by half, client 0 slow
     * in round 1 (its data takes 3 s to prepare). Every round counts the first two results; the third is
     * refused as not needed, though its client has updated its copy of the model meanwhile; the server keeps
     * the round log's view of each client's copy (the snapshot of the last round it counted in), so the run
     * is bitwise the local runtime's over the clients the log names.
     */
    @Test
    @Timeout(240)
    void overSelectedRoundsRefuseTheLateResultAndAreTheLocalRunOverThoseThatCounted(@TempDir Path tmp)
            throws Exception {
        int goal = 2;
        int rounds = 3;
        FedProxSynthetic data = DeployFixture.data();
        java.util.concurrent.atomic.AtomicInteger slowTasks = new java.util.concurrent.atomic.AtomicInteger();
        List<FederatedClient> clients = new ArrayList<>();
        Path db = tmp.resolve("server.db");
        DeployResult deployed;
        Map<dev.fl4j.deploy.protocol.Rejection, Long> rejections;
        try (DeployServer server = DeployFixture.server(goal, rounds)
                .setProcess(delta())
                .optOverSelection(0.5)
                .optRoundTimeout(Duration.ofSeconds(60))
                .optStore(db)
                .build()
                .start()) {
            String t = target(server.address());
            String slow = data.clientIds().get(0);
            clients.add(FederatedClient.builder()
                    .setServer(t)
                    .setClientId(slow)
                    .setData(data.datasetFor(slow))
                    .optInsecure(true)
                    .optBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .optBatchMap(batches -> {
                        if (slowTasks.getAndIncrement() == 0) {
                            try {
                                Thread.sleep(3000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        return batches;
                    })
                    .build()
                    .start());
            for (int k = 1; k < DeployFixture.CLIENTS; k++) {
                clients.add(DeployFixture.client(t, k).start());
            }
            deployed = server.run();
            for (FederatedClient c : clients) {
                assertTrue(c.awaitFinished(Duration.ofSeconds(30)), c.clientId() + " was told the run finished");
            }
            rejections = server.rejections();
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
        List<List<String>> counted = new ArrayList<>();
        try (ServerStore store = ServerStore.open(db)) {
            for (int r = 1; r <= rounds; r++) {
                assertEquals(List.of("over-selected", "completed"), store.outcomes(r), "round " + r);
                assertEquals(goal, store.participants(r).size(), "round " + r);
                counted.add(store.participants(r));
            }
        }
        System.out.println("delta broadcast, over-selected rounds counted " + counted + "; full_model by round "
                + deployed.history().stream()
                        .map(DeployDeltaBroadcastTest::fullModel)
                        .toList());
        assertEquals(
                Long.valueOf(rounds),
                rejections.get(dev.fl4j.deploy.protocol.Rejection.NOT_NEEDED),
                "each round's third result is refused as not needed: " + rejections);
        assertEquals(
                rounds,
                clients.stream().mapToInt(FederatedClient::rejectedResults).sum(),
                "one late result a round, refused");
        assertArrayEquals(
                DeployFixture.bytes(OverSelectionTest.localRunOver(delta(), counted)),
                DeployFixture.bytes(deployed.weights()),
                "bitwise the local runtime's model over the clients the round log names");
    }

    @Test
    @Timeout(240)
    void aClientThatMissedRoundsGetsTheFullModelAndARestartedClientKeepsItsCopy(@TempDir Path tmp) throws Exception {
        int perRound = 2;
        int rounds = 5;
        List<Process> clients = new ArrayList<>();
        try (DeployServer server = DeployFixture.server(perRound, rounds)
                .setProcess(delta())
                .build()
                .start()) {
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                clients.add(
                        DeployFixture.clientProcess(target(server.address()), k, "normal", tmp.resolve("client" + k)));
            }
            DeployResult deployed = server.run();
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(delta(), perRound, rounds)),
                    DeployFixture.bytes(deployed.weights()),
                    "the deployed model is bitwise the local runtime's, stale copies and all");
            List<Double> full = new ArrayList<>();
            for (Map<String, Double> r : deployed.history()) {
                full.add(fullModel(r));
            }
            System.out.println("full_model by round, 2 of 3 clients a round: " + full);
            assertTrue(full.subList(1, rounds).contains(1.0), "a client whose copy was stale got the full model");
            assertTrue(full.subList(1, rounds).contains(0.0), "rounds with current copies sent the change");
        } finally {
            for (Process p : clients) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    @Timeout(240)
    void aRestartedClientAppliesTheChangeToTheCopyInItsStateDirectory(@TempDir Path tmp) throws Exception {
        int rounds = 3;
        DeployResult deployed = DeployFixture.runWithClientRestart(delta(), rounds, 2, tmp, first -> {
            try {
                assertTrue(
                        first.waitFor(120, TimeUnit.SECONDS),
                        "client 0 stops after its first round (the check of its copy, then its training)");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertArrayEquals(
                DeployFixture.bytes(DeployFixture.localRun(delta(), DeployFixture.CLIENTS, rounds)),
                DeployFixture.bytes(deployed.weights()),
                "the restarted client kept its copy: the local runtime's model");
        for (int r = 1; r < rounds; r++) {
            assertEquals(0.0, fullModel(deployed.history().get(r)), "round " + r + " sent the change");
        }
    }
}
