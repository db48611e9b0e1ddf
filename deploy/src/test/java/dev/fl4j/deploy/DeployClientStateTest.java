package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.EncodedSumFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.SumFactory;
import dev.fl4j.compression.Encoders;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.learning.templates.LearningProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stateful client work on deployed clients: an error-feedback encoder keeps each client's residual
 * in the client's own state directory, across rounds in which the client is not sampled and across
 * a restart of the client's JVM; the server never holds it, and the run ends bitwise where the
 * local runtime's does with the same participation.
 */
class DeployClientStateTest {

    private static LearningProcess errorFeedback() {
        return DeployFixture.fedAvg()
                .optModelAggregator(
                        new MeanFactory(EncodedSumFactory.of(Encoders.parse("randk-ef:0.2@0")), new SumFactory()))
                .build();
    }

    private static String target(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    private static long stateFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("client_state_"))
                    .count();
        }
    }

    @Test
    @Timeout(240)
    void errorFeedbackResidualsStayOnTheClientsAcrossSkippedRounds(@TempDir Path tmp) throws Exception {
        int perRound = 2;
        int rounds = 4;
        List<Process> clients = new ArrayList<>();
        try (DeployServer server = DeployFixture.server(perRound, rounds)
                .setProcess(errorFeedback())
                .build()
                .start()) {
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                clients.add(
                        DeployFixture.clientProcess(target(server.address()), k, "normal", tmp.resolve("client" + k)));
            }
            DeployResult deployed = server.run();
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(errorFeedback(), perRound, rounds)),
                    DeployFixture.bytes(deployed.weights()),
                    "the deployed model is bitwise the local runtime's, residuals and all");
            for (Process p : clients) {
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
            }
            long withState = 0;
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                withState += stateFiles(tmp.resolve("client" + k)) > 0 ? 1 : 0;
            }
            assertEquals(DeployFixture.CLIENTS, withState, "every client sampled keeps its residual on disk");
        } finally {
            for (Process p : clients) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    @Timeout(240)
    void aRestartedClientResumesFromItsStateDirectory(@TempDir Path tmp) throws Exception {
        int rounds = 3;
        DeployResult deployed = DeployFixture.runWithClientRestart(errorFeedback(), rounds, 1, tmp, first -> {
            try {
                assertTrue(first.waitFor(120, TimeUnit.SECONDS), "client 0 stops after its first round");
                assertEquals(0, first.exitValue());
                assertTrue(stateFiles(tmp.resolve("client0")) > 0, "client 0 left its residual in its state directory");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertArrayEquals(
                DeployFixture.bytes(DeployFixture.localRun(errorFeedback(), DeployFixture.CLIENTS, rounds)),
                DeployFixture.bytes(deployed.weights()),
                "the restarted client continued from its own residual: the local runtime's model");
    }
}
