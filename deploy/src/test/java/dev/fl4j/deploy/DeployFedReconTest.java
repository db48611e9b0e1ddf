package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.learning.algorithms.FedRecon;
import dev.fl4j.learning.algorithms.ReconstructionTraining;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Federated reconstruction deployed: each client rebuilds the reconstruct-then-train computation from its
 * descriptor through its allow-list ({@link ReconstructionTraining.Factory}), and the run ends with bitwise the
 * local runtime's model; a descriptor naming a split the builder would refuse is refused.
 */
class DeployFedReconTest {

    private static FedRecon.Builder fedRecon() {
        return FedRecon.builder(
                        Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES),
                        Set.of("dense/bias"))
                .setClientOptimizer(Sgd.of(0.05f))
                .optReconstructionOptimizer(Sgd.of(0.2f))
                .optReconstructionEpochs(2)
                .optSeed(3);
    }

    private static String target(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    @Test
    void aDeployedRunIsTheLocalRuntimesBitForBit() throws Exception {
        int perRound = 3;
        int rounds = 2;
        List<FederatedClient> clients = new ArrayList<>();
        try (DeployServer server = DeployFixture.server(perRound, rounds)
                .setProcess(fedRecon().build())
                .build()
                .start()) {
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                clients.add(DeployFixture.client(target(server.address()), k).start());
            }
            DeployResult deployed = server.run();
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(fedRecon().build(), perRound, rounds)),
                    DeployFixture.bytes(deployed.weights()),
                    "the deployed FedRecon model is bitwise the local runtime's");
            for (FederatedClient c : clients) {
                assertTrue(c.awaitFinished(Duration.ofSeconds(10)));
                assertEquals(rounds, c.tasksDone(), "every client reconstructs and trains every round");
            }
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void theDescriptorRebuildsTheSameComputationAndRefusesAnImpossibleSplit() {
        ReconstructionTraining here = fedRecon().buildClientTraining();
        ComputationDescriptor d = here.descriptor().orElseThrow();
        assertTrue(FederatedClient.DEFAULT_ALLOWED_FACTORIES.contains(d.factory()), "deploy clients run it by default");
        LocalComputation rebuilt = ComputationDescriptor.fromBytes(d.toBytes()).rebuild();
        assertEquals(here.type(), rebuilt.type());
        assertArrayEquals(d.toBytes(), rebuilt.descriptor().orElseThrow().toBytes());

        ComputationDescriptor unknownWeight =
                new ComputationDescriptor(d.factory(), d.config().replace("\"dense/bias\"", "\"dense/nope\""), null);
        MalformedDataException e1 = assertThrows(MalformedDataException.class, unknownWeight::rebuild);
        assertTrue(e1.getMessage().contains("'dense/nope' is not a trainable weight"), e1.getMessage());

        ComputationDescriptor allLocal = new ComputationDescriptor(
                d.factory(), d.config().replace("[\"dense/bias\"]", "[\"dense/bias\",\"dense/kernel\"]"), null);
        MalformedDataException e2 = assertThrows(MalformedDataException.class, allLocal::rebuild);
        assertTrue(e2.getMessage().contains("nothing to train federatedly"), e2.getMessage());
    }
}
