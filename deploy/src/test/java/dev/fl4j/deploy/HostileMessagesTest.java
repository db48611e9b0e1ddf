package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.protocol.ClientHeader;
import dev.fl4j.deploy.protocol.ProtocolLimits;
import dev.fl4j.deploy.protocol.PushResultResponse;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.protocol.ResultHeader;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that sends hostile and malformed messages during a round: each is refused with its own
 * reason and counted, none is aggregated (the run ends with bitwise the model of an honest one), and
 * the run goes on.
 */
class HostileMessagesTest {

    private static String target(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    private static void assertRefused(Rejection reason, PushResultResponse r) {
        assertFalse(r.getAccepted(), r.toString());
        assertEquals(reason, r.getRejection(), r.getMessage());
    }

    @Test
    void everyHostileResultIsRefusedCountedAndNeverAggregated() throws Exception {
        FedProxSynthetic data = DeployFixture.data();
        String attacker = data.clientIds().get(2);
        String honest = data.clientIds().get(0);
        List<FederatedClient> clients = new ArrayList<>();
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        try (DeployServer server = DeployFixture.server(3, 1)
                        .optMaxPayloadBytes(4L << 20)
                        .build()
                        .start();
                RawFleetClient raw = new RawFleetClient(target(server.address()))) {
            String t = target(server.address());
            raw.register(attacker);
            beats.scheduleWithFixedDelay(() -> raw.heartbeat(attacker), 100, 100, TimeUnit.MILLISECONDS);
            clients.add(DeployFixture.client(t, 0).start());
            clients.add(DeployFixture.client(t, 1).start());
            CompletableFuture<DeployResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.run();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Optional<RawFleetClient.PulledTask> pulled = Optional.empty();
            while (pulled.isEmpty()) {
                pulled = raw.pull(RawFleetClient.header(attacker));
            }
            RawFleetClient.PulledTask task = pulled.get();
            String id = task.header().getTaskId();
            int round = task.header().getRound();
            Value good = RawFleetClient.honestResult(task, attacker, data.datasetFor(attacker));
            Struct g = (Struct) good;

            assertRefused(Rejection.UNKNOWN_TASK, raw.pushValue(attacker, "00ff", round, good));
            assertRefused(Rejection.NOT_YOUR_TASK, raw.pushValue(honest, id, round, good));
            assertRefused(Rejection.STALE_ROUND, raw.pushValue(attacker, id, round + 7, good));
            assertRefused(Rejection.WRONG_TYPE, raw.pushValue(attacker, id, round, Tensor.scalar(1f)));
            // the result is what the server reads of the client's chain (metrics, counts, weighted update)
            boolean[] poisoned = {false};
            Value nan = Structures.map(g, x -> {
                if (poisoned[0] || x.dtype() != dev.fl4j.core.DType.FLOAT32 || x.size() == 0) {
                    return x;
                }
                poisoned[0] = true;
                float[] v = x.floatData().clone();
                v[0] = Float.NaN;
                return Tensor.of(v, x.shape());
            });
            assertRefused(Rejection.NON_FINITE, raw.pushValue(attacker, id, round, nan));
            assertRefused(Rejection.MALFORMED, raw.pushBytes(attacker, id, round, new byte[] {'F', 'L', '4', 'V', 9}));
            ResultHeader.Builder h = ResultHeader.newBuilder()
                    .setClient(RawFleetClient.header(attacker))
                    .setTaskId(id)
                    .setRound(round);
            assertRefused(
                    Rejection.OVERSIZED, raw.push(h.setResultBytes(1L << 40).build(), List.of()));
            assertRefused(
                    Rejection.OVERSIZED,
                    raw.push(
                            h.setResultBytes(2L << 20).build(),
                            List.of(ByteString.copyFrom(new byte[ProtocolLimits.MAX_CHUNK_BYTES + 1]))));
            assertRefused(
                    Rejection.TRUNCATED,
                    raw.push(h.setResultBytes(1000).build(), List.of(ByteString.copyFrom(new byte[10]))));
            ClientHeader oldVersion = RawFleetClient.header(attacker).toBuilder()
                    .setProtocolVersion(99)
                    .build();
            StatusRuntimeException version = assertThrows(StatusRuntimeException.class, () -> raw.pull(oldVersion));
            assertTrue(version.getStatus().getDescription().startsWith("UNSUPPORTED_VERSION"), version.toString());
            StatusRuntimeException stranger =
                    assertThrows(StatusRuntimeException.class, () -> raw.pull(RawFleetClient.header("intruder")));
            assertEquals(Status.Code.UNAUTHENTICATED, stranger.getStatus().getCode());
            assertTrue(stranger.getStatus().getDescription().startsWith("UNKNOWN_CLIENT"), stranger.toString());

            assertTrue(raw.pushValue(attacker, id, round, good).getAccepted(), "the honest answer is taken");
            assertRefused(Rejection.DUPLICATE_RESULT, raw.pushValue(attacker, id, round, good));

            DeployResult result = run.get(120, TimeUnit.SECONDS);
            assertArrayEquals(
                    DeployFixture.bytes(DeployFixture.localRun(3, 1)),
                    DeployFixture.bytes(result.weights()),
                    "no refused result reached the model");
            Map<Rejection, Long> counted = server.rejections();
            for (Rejection r : List.of(
                    Rejection.UNKNOWN_TASK,
                    Rejection.NOT_YOUR_TASK,
                    Rejection.STALE_ROUND,
                    Rejection.WRONG_TYPE,
                    Rejection.NON_FINITE,
                    Rejection.MALFORMED,
                    Rejection.TRUNCATED,
                    Rejection.UNSUPPORTED_VERSION,
                    Rejection.UNKNOWN_CLIENT,
                    Rejection.DUPLICATE_RESULT)) {
                assertEquals(1L, counted.getOrDefault(r, 0L), r + " in " + counted);
            }
            assertEquals(2L, counted.get(Rejection.OVERSIZED), counted.toString());
        } finally {
            beats.shutdownNow();
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }
}
