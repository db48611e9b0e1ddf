package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.deploy.server.ServerStore;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.training.Cohort;
import dev.fl4j.simulation.training.RoundListener;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    /** How long one server's part of the run may take before the test fails (it takes seconds). */
    private static final Duration RUN_LIMIT = Duration.ofSeconds(120);

    @Test
    void aRestartedServerResumesAndClientsReconnect() throws Exception {
        restartAfterRound1(false);
    }

    /**
     * A run that fails part way (here its listener throws as round 2 starts) does not tell its clients the run
     * has finished: they keep retrying, and the server started again resumes with them.
     */
    @Test
    void clientsOfAFailedRunWaitForTheRestartedServer() throws Exception {
        restartAfterRound1(true);
    }

    /**
     * Stops the first server right after round 1 (closed from its listener, or its run failing as round 2
     * starts), starts
     * a second one on the same port, state and checkpoints, and checks the resumed run.
     */
    private void restartAfterRound1(boolean failTheRun) throws Exception {
        int port = freePort();
        String target = "127.0.0.1:" + port;
        List<FederatedClient> clients = new ArrayList<>();
        try {
            DeployServer[] first = new DeployServer[1];
            double[] sentInRound1 = new double[1];
            first[0] = server(port, new RoundListener() {
                        @Override
                        public void roundStarted(Cohort cohort) {
                            if (failTheRun && cohort.round() == 2) {
                                throw new IllegalStateException("the listener failed the run");
                            }
                        }

                        @Override
                        public void roundFinished(int round, Map<String, Double> metrics) {
                            if (round == 1) {
                                sentInRound1[0] = metrics.get(DeployServer.WIRE_SENT_BYTES);
                                if (failTheRun) {
                                    return;
                                }
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
            Throwable stopped = within("the first server's round 1", first[0], clients, () -> {
                try {
                    first[0].run();
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            });
            assertNotNull(stopped, "the first server's run ends with an exception");
            assertTrue(
                    stopped.getMessage().contains(failTheRun ? "the listener failed the run" : "closed"),
                    stopped.getMessage());
            first[0].close();
            for (FederatedClient c : clients) {
                assertFalse(
                        c.awaitFinished(Duration.ofMillis(1)),
                        c.clientId() + " was sent home by a server whose run did not finish");
            }

            DeployResult resumed;
            try (DeployServer second =
                    server(port, new RoundListener() {}).build().start()) {
                resumed = within("the restarted server's run (its clients reconnecting)", second, clients, second::run);
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
                assertTrue(
                        c.awaitFinished(Duration.ofSeconds(10)),
                        c.clientId() + " was not told within 10 s that the run finished; " + describe(clients));
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

    /**
     * Runs {@code work} (a server's run) for at most {@link #RUN_LIMIT}; past it the server is closed (ending
     * the run) and the test fails saying what it waited for and where each client stood.
     */
    private static <T> T within(String what, DeployServer server, List<FederatedClient> clients, Callable<T> work)
            throws Exception {
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<T> done = runner.submit(work);
            try {
                return done.get(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                String state = describe(clients);
                server.close();
                return fail(what + " did not end within " + RUN_LIMIT.toSeconds() + " s; " + state);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        } finally {
            runner.shutdownNow();
        }
    }

    private static String describe(List<FederatedClient> clients) throws InterruptedException {
        StringBuilder s = new StringBuilder("clients:");
        for (FederatedClient c : clients) {
            s.append(' ')
                    .append(c.clientId())
                    .append(c.awaitFinished(Duration.ofMillis(1)) ? " (stopped" : " (running")
                    .append(c.registered() ? ", registered" : ", not registered")
                    .append(", ")
                    .append(c.tasksDone())
                    .append(" tasks done)");
        }
        return s.toString();
    }
}
