package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tasks name their computation by SHA-256; a client fetches the bytes once and keeps the rebuilt
 * computation, fetches again after a restart, and the server hands out only the computations of a
 * client's own open tasks.
 */
class ComputationDigestTest {

    private static String target(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    @Test
    void aClientFetchesItsComputationOnceAndAgainAfterARestart() throws Exception {
        int rounds = 3;
        List<FederatedClient> clients = new ArrayList<>();
        try (DeployServer server =
                DeployFixture.server(DeployFixture.CLIENTS, rounds).build().start()) {
            String t = target(server.address());
            for (int k = 0; k < DeployFixture.CLIENTS; k++) {
                clients.add(DeployFixture.client(t, k).start());
            }
            CompletableFuture<DeployResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.run();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            FederatedClient first = clients.get(0);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (first.tasksDone() < 1 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertTrue(first.tasksDone() >= 1, "the first client finished a task before it closed");
            first.close(); // the restarted client has no cache
            FederatedClient restarted = DeployFixture.client(t, 0).start();
            clients.set(0, restarted);

            DeployResult deployed = run.get(120, TimeUnit.SECONDS);
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(DeployFixture.CLIENTS, rounds)),
                    DeployFixture.bytes(deployed.weights()),
                    "the restarted client got its computation and the run is bitwise the local one");
            assertEquals(1, first.computationsFetched(), "fetched before the restart, once");
            assertTrue(restarted.awaitFinished(Duration.ofSeconds(20)));
            // the model above counts client 0 in every round; closing the first client may cancel a push the
            // server had already accepted, so the first client's own count can be one short
            int unheard = rounds - first.tasksDone() - restarted.tasksDone();
            assertTrue(unheard == 0 || unheard == 1, "tasks accepted but not heard by the closed client: " + unheard);
            assertTrue(restarted.tasksDone() >= 1, "the restarted client took part after the restart");
            assertEquals(1, restarted.computationsFetched(), "the restarted client fetched it again, once");
            for (int k = 1; k < DeployFixture.CLIENTS; k++) {
                assertTrue(clients.get(k).awaitFinished(Duration.ofSeconds(20)));
                assertEquals(rounds, clients.get(k).tasksDone());
                assertEquals(
                        1,
                        clients.get(k).computationsFetched(),
                        "the chain's description is the same every round: fetched once for " + rounds + " tasks");
                assertEquals(
                        rounds,
                        clients.get(k).argumentsFetched(),
                        "a client of its own downloads every task's argument (the model changes every round)");
            }
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void anUnknownForgedOrOtherClientsDigestOrTaskIsRefused() throws Exception {
        List<String> ids = DeployFixture.data().clientIds();
        String raws = ids.get(1);
        String bystander = ids.get(2);
        try (DeployServer server =
                        DeployFixture.server(2, 1).optMinPopulation(2).build().start();
                RawFleetClient raw = new RawFleetClient(target(server.address()));
                FederatedClient honest = DeployFixture.client(target(server.address()), 0)) {
            raw.register(raws);
            byte[] forged = new byte[32];
            new SecureRandom().nextBytes(forged);
            assertRefused(
                    Status.Code.NOT_FOUND,
                    Rejection.UNKNOWN_COMPUTATION,
                    () -> raw.computation(raws, ByteString.copyFrom(forged)));
            assertRefused(
                    Status.Code.INVALID_ARGUMENT,
                    Rejection.MALFORMED,
                    () -> raw.computation(raws, ByteString.copyFrom(new byte[5])));
            assertRefused(
                    Status.Code.UNAUTHENTICATED,
                    Rejection.UNKNOWN_CLIENT,
                    () -> raw.computation("stranger", ByteString.copyFrom(forged)));

            honest.start();
            CompletableFuture<DeployResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.run();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Optional<RawFleetClient.PulledTask> task = Optional.empty();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
            while (task.isEmpty() && System.nanoTime() < end) {
                raw.heartbeat(raws);
                task = raw.pull(RawFleetClient.header(raws));
            }
            RawFleetClient.PulledTask t = task.orElseThrow();
            ByteString digest = t.header().getComputationSha256();
            assertArrayEquals(
                    Payloads.sha256(t.computation()),
                    digest.toByteArray(),
                    "the server's bytes hash to the digest it sent");
            raw.register(bystander); // after the round's sample: a client without a task
            assertRefused(
                    Status.Code.NOT_FOUND, Rejection.UNKNOWN_COMPUTATION, () -> raw.computation(bystander, digest));
            String taskId = t.header().getTaskId();
            assertArrayEquals(
                    t.header().getArgumentSha256().toByteArray(),
                    Payloads.sha256(raw.sharedArgument(raws, taskId)),
                    "the shared argument bytes hash to the digest the header named");
            assertRefused(
                    Status.Code.INVALID_ARGUMENT, Rejection.NOT_YOUR_TASK, () -> raw.sharedArgument(bystander, taskId));
            assertRefused(
                    Status.Code.INVALID_ARGUMENT,
                    Rejection.UNKNOWN_TASK,
                    () -> raw.sharedArgument(raws, "0123456789abcdef0123456789abcdef"));
            assertRefused(
                    Status.Code.UNAUTHENTICATED,
                    Rejection.UNKNOWN_CLIENT,
                    () -> raw.sharedArgument("stranger", taskId));

            assertTrue(raw.pushValue(
                            raws,
                            t.header().getTaskId(),
                            t.header().getRound(),
                            RawFleetClient.honestResult(
                                    t, raws, DeployFixture.data().datasetFor(raws)))
                    .getAccepted());
            run.get(50, TimeUnit.SECONDS);
            assertTrue(honest.awaitFinished(Duration.ofSeconds(20)));
            assertEquals(1, honest.tasksDone());
            assertEquals(1, honest.computationsFetched());
            assertEquals(2L, server.rejections().get(Rejection.UNKNOWN_COMPUTATION));
            assertRefused(
                    Status.Code.INVALID_ARGUMENT,
                    Rejection.DUPLICATE_RESULT,
                    () -> raw.sharedArgument(raws, taskId)); // an answered task's argument is no longer sent
            assertEquals(1L, server.rejections().get(Rejection.NOT_YOUR_TASK));
            assertEquals(1L, server.rejections().get(Rejection.UNKNOWN_TASK));
        }
    }

    private static void assertRefused(Status.Code code, Rejection reason, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertTrue(e.getStatus().getDescription().startsWith(reason.name()), e.toString());
    }
}
