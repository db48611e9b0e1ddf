package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.ClippingFactory;
import dev.fl4j.aggregators.EncodedSumFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.SumFactory;
import dev.fl4j.compression.Encoders;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.templates.EncodedDistribution;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.TrainingLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With an encoding aggregator, the clients encode their own updates: the encoded bytes are what
 * crosses the wire, so the bytes the server receives shrink with the accounted bits, and the
 * deployed model is still bitwise the local runtime's.
 */
class DeployCompressionTest {

    private static final int PER_ROUND = 3;
    private static final int ROUNDS = 2;

    private static LearningProcess encoded(String preset) {
        return DeployFixture.fedAvg()
                .optModelAggregator(new MeanFactory(EncodedSumFactory.of(Encoders.parse(preset)), new SumFactory()))
                .build();
    }

    /** Runs {@code process} deployed over the fixture's clients (in this JVM) and checks it against the local run. */
    private static Map<String, Double> deployedLastRound(LearningProcess process, LearningProcess local)
            throws Exception {
        List<FederatedClient> clients = new ArrayList<>();
        try (DeployServer server = DeployFixture.server(PER_ROUND, ROUNDS)
                .setProcess(process)
                .build()
                .start()) {
            InetSocketAddress a = server.address();
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                clients.add(DeployFixture.client(a.getHostString() + ":" + a.getPort(), k)
                        .start());
            }
            DeployResult deployed = server.run();
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(local, PER_ROUND, ROUNDS)),
                    DeployFixture.bytes(deployed.weights()),
                    "the deployed model is bitwise the local runtime's");
            for (FederatedClient c : clients) {
                assertTrue(c.awaitFinished(Duration.ofSeconds(10)));
            }
            return deployed.history().get(ROUNDS - 1);
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    @Timeout(180)
    void oneBitEncodedUpdatesAreEncodedOnTheClientsAndTheWireCarriesTheEncodedBytes() throws Exception {
        Map<String, Double> plain = deployedLastRound(DeployFixture.process(), DeployFixture.process());
        Map<String, Double> drive = deployedLastRound(encoded("drive@0"), encoded("drive@0"));
        double plainReceived = plain.get(DeployServer.WIRE_RECEIVED_BYTES);
        double driveReceived = drive.get(DeployServer.WIRE_RECEIVED_BYTES);
        double plainBits = plain.get(TrainingLoop.AGGREGATED_BITS);
        double driveBits = drive.get(TrainingLoop.AGGREGATED_BITS);
        System.out.printf(
                "received bytes: mean %.0f (aggregated %.0f B), drive %.0f (aggregated %.0f B)%n",
                plainReceived, plainBits / 8, driveReceived, driveBits / 8);
        assertTrue(driveBits < plainBits / 5, "drive accounts fewer bits: " + driveBits + " vs " + plainBits);
        double saved = plainReceived - driveReceived;
        double accountedSaving = (plainBits - driveBits) / 8;
        assertTrue(
                saved >= 0.95 * accountedSaving && saved <= 1.05 * accountedSaving,
                "the wire saves what the accounting says: " + saved + " B received less, " + accountedSaving
                        + " B accounted less");
    }

    private static LearningProcess clippedThenEncoded() {
        return DeployFixture.fedAvg()
                .optModelAggregator(ClippingFactory.fixed(
                        0.01, new MeanFactory(EncodedSumFactory.of(Encoders.parse("drive@0")), new SumFactory())))
                .build();
    }

    @Test
    @Timeout(180)
    void clippingRunsOnTheClientsSoWhatFollowsItDoesTooAndTheWireCarriesTheEncodedBytes() throws Exception {
        Map<String, Double> plain = deployedLastRound(DeployFixture.process(), DeployFixture.process());
        Map<String, Double> clipped = deployedLastRound(clippedThenEncoded(), clippedThenEncoded());
        String clippedCount = clipped.keySet().stream()
                .filter(k -> k.endsWith("clipped_count"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no clipped_count in " + clipped.keySet()));
        assertEquals((double) PER_ROUND, clipped.get(clippedCount), "every client's update is above the 0.01 bound");
        double plainReceived = plain.get(DeployServer.WIRE_RECEIVED_BYTES);
        double clippedReceived = clipped.get(DeployServer.WIRE_RECEIVED_BYTES);
        System.out.printf("received bytes: mean %.0f, clipping then drive %.0f%n", plainReceived, clippedReceived);
        // with the clipping on the server, the encoding after it ran there too and the clients sent full updates
        assertTrue(
                clippedReceived < plainReceived / 3,
                "the clients clip and encode: " + clippedReceived + " B received vs " + plainReceived + " B");
    }

    @Test
    @Timeout(180)
    void aBroadcastFromTheInitialWeightsIsDecodedOnTheClientsWhichRebuildThemThemselves() throws Exception {
        // bitwise the local run (checked in deployedLastRound): each client added the initial weights it drew itself
        Map<String, Double> fromInit = deployedLastRound(
                fromInitBroadcast("from-init:hadamard-lloyd:2@0"), fromInitBroadcast("from-init:hadamard-lloyd:2@0"));
        Map<String, Double> plain =
                deployedLastRound(encodedBroadcast("hadamard-lloyd:2@0"), encodedBroadcast("hadamard-lloyd:2@0"));
        assertEquals(
                plain.get(TrainingLoop.BROADCASTED_BITS),
                fromInit.get(TrainingLoop.BROADCASTED_BITS),
                "the initial weights are not sent");
    }

    private static LearningProcess fromInitBroadcast(String name) {
        ModelSpec spec = Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES);
        return DeployFixture.fedAvg()
                .optDistributor(EncodedDistribution.fromName(name, spec, DeployFixture.FED_AVG_SEED, 5))
                .build();
    }

    private static LearningProcess encodedBroadcast(String preset) {
        return DeployFixture.fedAvg()
                .optDistributor(EncodedDistribution.fromName(
                        preset,
                        Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES)
                                .weightsType()))
                .build();
    }

    @Test
    @Timeout(180)
    void anEncodedBroadcastIsDecodedOnTheClientsAndTheWireCarriesTheEncodedModel() throws Exception {
        Map<String, Double> plain = deployedLastRound(DeployFixture.process(), DeployFixture.process());
        Map<String, Double> encoded =
                deployedLastRound(encodedBroadcast("hadamard-uniform:4@0"), encodedBroadcast("hadamard-uniform:4@0"));
        double plainSent = plain.get(DeployServer.WIRE_SENT_BYTES);
        double encodedSent = encoded.get(DeployServer.WIRE_SENT_BYTES);
        double accountedSaving =
                (plain.get(TrainingLoop.BROADCASTED_BITS) - encoded.get(TrainingLoop.BROADCASTED_BITS)) / 8;
        System.out.printf(
                "sent bytes: plain %.0f, hadamard-uniform:4 %.0f; accounted broadcast saving %.0f B%n",
                plainSent, encodedSent, accountedSaving);
        assertTrue(accountedSaving > 0, "the encoded broadcast accounts fewer bits");
        // the chain also carries the decoding step's description, a few hundred bytes per task
        assertTrue(
                plainSent - encodedSent >= 0.5 * accountedSaving,
                "the wire saves most of what the accounting says: " + (plainSent - encodedSent) + " B vs "
                        + accountedSaving + " B");
    }
}
