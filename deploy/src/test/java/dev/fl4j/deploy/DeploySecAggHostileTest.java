package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.client.HonestTasks;
import dev.fl4j.deploy.protocol.ProtocolLimits;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.protocol.SecAggChunk;
import dev.fl4j.deploy.protocol.SecAggPollRequest;
import dev.fl4j.deploy.protocol.SecAggPollResponse;
import dev.fl4j.deploy.protocol.SecAggSubmitHeader;
import dev.fl4j.deploy.protocol.SecAggSubmitResponse;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.secagg.SecAggException;
import dev.fl4j.secagg.SecAggMessages;
import dev.fl4j.secagg.SecAggPlus;
import dev.fl4j.secagg.SecAggPlusClient;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile SecAgg+ messages over gRPC: a participant that plays the protocol by hand (its input honest)
 * also sends truncated, misaddressed, wrong-stage, duplicated (replayed), misrouted and wrongly sized
 * messages, and a registered client outside the session sends one; each is refused with its rule,
 * counted, and the session goes on: the model is bitwise the plain modular sum's over the same clients.
 */
class DeploySecAggHostileTest {

    private static final int CLIENTS = 4;
    private static final int MALLORY = 2;
    /**
     * A replayed message is a duplicate while its stage is open and of the wrong stage once it closed (the
     * stage closes as soon as every client answered, so which one depends on who answered last).
     */
    private static final String REPLAY = "DUPLICATE|WRONG_STAGE";

    private static FedProxSynthetic data() {
        return FedProxSynthetic.builder(1, 1, CLIENTS, 5)
                .optExamplesPerClient(30)
                .build();
    }

    private static DeployServer.Builder server(boolean secure) {
        DeployServer.Builder b = DeployServer.builder()
                .setProcess(DeploySecAggTest.secureProcess())
                .setClientsPerRound(CLIENTS)
                .setRounds(1)
                .setBatchSize(DeployFixture.BATCH)
                .optSeed(DeployFixture.SEED)
                .optInsecure(true)
                .optMinPopulation(CLIENTS)
                .optHeartbeatMillis(200)
                .optRoundTimeout(Duration.ofSeconds(60));
        if (secure) {
            b.optSecureAggregation(SecAggPlus.builder().setNumShares(3).build())
                    .optSecAggStageTimeout(Duration.ofSeconds(20));
        }
        return b;
    }

    private static FederatedClient client(String target, FedProxSynthetic data, int k) throws Exception {
        String id = data.clientIds().get(k);
        return FederatedClient.builder()
                .setServer(target)
                .setClientId(id)
                .setData(data.datasetFor(id))
                .optInsecure(true)
                .optBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .build()
                .start();
    }

    @Test
    @Timeout(240)
    void hostileMessagesAreRefusedWithTheirRuleAndTheSessionGoesOn() throws Exception {
        FedProxSynthetic data = data();
        byte[] plain;
        List<FederatedClient> clients = new ArrayList<>();
        try (DeployServer server = server(false).build().start()) {
            String t = target(server.address());
            for (int k = 0; k < CLIENTS; k++) {
                clients.add(client(t, data, k));
            }
            plain = DeployFixture.bytes(server.run().weights());
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
        clients.clear();
        AtomicReference<List<String>> refusals = new AtomicReference<>();
        try (DeployServer server = server(true).build().start()) {
            String t = target(server.address());
            for (int k = 0; k < CLIENTS; k++) {
                if (k != MALLORY) {
                    clients.add(client(t, data, k));
                }
            }
            CompletableFuture<List<String>> mallory = new CompletableFuture<>();
            Thread script = new Thread(() -> {
                try (RawFleetClient raw = new RawFleetClient(t)) {
                    mallory.complete(playHostile(raw, data));
                } catch (Throwable e) {
                    mallory.completeExceptionally(e);
                }
            });
            script.start();
            DeployResult r = server.run();
            refusals.set(mallory.get(60, TimeUnit.SECONDS));
            assertArrayEquals(plain, DeployFixture.bytes(r.weights()), "the session went on and summed exactly");
            Map<SecAggException.Kind, Long> kinds = server.secAggRejections();
            assertEquals(1L, kinds.get(SecAggException.Kind.MALFORMED), kinds.toString());
            assertEquals(1L, kinds.get(SecAggException.Kind.MISADDRESSED), kinds.toString());
            assertEquals(
                    3L,
                    kinds.getOrDefault(SecAggException.Kind.WRONG_STAGE, 0L)
                            + kinds.getOrDefault(SecAggException.Kind.DUPLICATE, 0L),
                    "one message of the wrong stage and two replays: " + kinds);
            assertEquals(1L, kinds.get(SecAggException.Kind.UNKNOWN_CLIENT), kinds.toString());
            assertEquals(1L, kinds.get(SecAggException.Kind.NOT_A_NEIGHBOUR), kinds.toString());
            assertEquals(1L, kinds.get(SecAggException.Kind.WRONG_LENGTH), kinds.toString());
            assertEquals(
                    8L,
                    server.rejections().get(Rejection.SECURE_AGGREGATION),
                    server.rejections().toString());
            assertEquals(8, refusals.get().size(), refusals.get().toString());
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }

    private static String target(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    /** Plays client MALLORY: an honest input, honest answers, and hostile messages around them. */
    private static List<String> playHostile(RawFleetClient raw, FedProxSynthetic data) throws Exception {
        String id = data.clientIds().get(MALLORY);
        String eve = "eve-not-in-the-session";
        raw.register(id);
        Optional<RawFleetClient.PulledTask> task = Optional.empty();
        while (task.isEmpty()) {
            raw.heartbeat(id);
            task = raw.pull(RawFleetClient.header(id));
        }
        RawFleetClient.PulledTask pulled = task.get();
        // registered only once the round's clients are chosen: alive before, it could be chosen itself
        raw.register(eve);
        String taskId = pulled.header().getTaskId();
        HonestTasks.Kept kept =
                HonestTasks.keeping(pulled.header(), pulled.computation(), pulled.argument(), id, data.datasetFor(id));
        assertFalse(kept.kept().isEmpty(), "the task names results for the secure sum");
        assertTrue(raw.pushValue(id, taskId, pulled.header().getRound(), kept.sent())
                .getAccepted());
        List<String> refusals = new ArrayList<>();
        SecAggPlusClient protocol = new SecAggPlusClient();
        long[] input = null;
        while (protocol.stage() != SecAggPlusClient.Stage.DONE) {
            raw.heartbeat(id);
            raw.heartbeat(eve);
            SecAggPollResponse r = raw.blocking.secAggPoll(SecAggPollRequest.newBuilder()
                    .setHeader(RawFleetClient.header(id))
                    .setTaskId(taskId)
                    .build());
            assertFalse(
                    r.hasEnd(),
                    "the session ended for the hostile client: " + r.getEnd().getReason());
            if (!r.hasMessage()) {
                continue;
            }
            byte[] m = r.getMessage().getMessage().toByteArray();
            switch (SecAggMessages.typeOf(m)) {
                case SETUP -> {
                    List<long[]> parts = new ArrayList<>();
                    for (int k : r.getMessage().getResultsList()) {
                        parts.add(kept.kept().get(k));
                    }
                    input = concat(parts);
                    byte[] keys = protocol.onSetup(m);
                    refusals.add(refused(raw, id, taskId, Arrays.copyOf(keys, 10), "MALFORMED"));
                    refusals.add(
                            refused(raw, id, taskId, withInt(keys, 20, protocol.id() % CLIENTS + 1), "MISADDRESSED"));
                    byte[] wrongStage = keys.clone();
                    wrongStage[3] = 6; // claims to be a masked input
                    refusals.add(refused(raw, id, taskId, wrongStage, "WRONG_STAGE"));
                    refusals.add(refused(raw, eve, taskId, keys, "UNKNOWN_CLIENT"));
                    accepted(raw, id, taskId, keys);
                    refusals.add(refused(raw, id, taskId, keys, REPLAY));
                }
                case NEIGHBOUR_KEYS -> {
                    byte[] shares = protocol.onNeighbourKeys(m);
                    // the first share addressed to itself, not to a neighbour
                    refusals.add(refused(raw, id, taskId, withInt(shares, 32, protocol.id()), "NOT_A_NEIGHBOUR"));
                    accepted(raw, id, taskId, shares);
                }
                case FORWARDED_SHARES -> {
                    byte[] masked = protocol.onForwardedShares(m, input);
                    int length = ByteBuffer.wrap(masked, 28, 4).getInt();
                    refusals.add(refused(raw, id, taskId, withInt(masked, 28, length + 1), "WRONG_LENGTH"));
                    accepted(raw, id, taskId, masked);
                    refusals.add(refused(raw, id, taskId, masked, REPLAY));
                }
                case UNMASK_REQUEST -> accepted(raw, id, taskId, protocol.onUnmaskRequest(m));
                default -> throw new AssertionError("unexpected " + SecAggMessages.typeOf(m));
            }
        }
        return refusals;
    }

    private static long[] concat(List<long[]> parts) {
        int n = 0;
        for (long[] p : parts) {
            n += p.length;
        }
        long[] out = new long[n];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] withInt(byte[] message, int offset, int value) {
        byte[] out = message.clone();
        ByteBuffer.wrap(out, offset, 4).putInt(value);
        return out;
    }

    private static void accepted(RawFleetClient raw, String id, String taskId, byte[] message) throws Exception {
        SecAggSubmitResponse r = submit(raw, id, taskId, message);
        assertTrue(r.getAccepted(), r.getMessage());
    }

    private static String refused(RawFleetClient raw, String id, String taskId, byte[] message, String kind)
            throws Exception {
        SecAggSubmitResponse r = submit(raw, id, taskId, message);
        assertFalse(r.getAccepted(), "accepted a message that breaks " + kind);
        assertEquals(Rejection.SECURE_AGGREGATION, r.getRejection(), r.getMessage());
        assertTrue(r.getMessage().matches("SECURE_AGGREGATION: (" + kind + "): .*"), r.getMessage());
        return r.getMessage();
    }

    private static SecAggSubmitResponse submit(RawFleetClient raw, String id, String taskId, byte[] message)
            throws Exception {
        CompletableFuture<SecAggSubmitResponse> answer = new CompletableFuture<>();
        StreamObserver<SecAggChunk> out = raw.async.secAggSubmit(new StreamObserver<>() {
            @Override
            public void onNext(SecAggSubmitResponse r) {
                answer.complete(r);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
        });
        out.onNext(SecAggChunk.newBuilder()
                .setHeader(SecAggSubmitHeader.newBuilder()
                        .setClient(RawFleetClient.header(id))
                        .setTaskId(taskId)
                        .setMessageBytes(message.length)
                        .setMessageSha256(ByteString.copyFrom(Payloads.sha256(message))))
                .build());
        for (ByteString c : Chunks.split(message, ProtocolLimits.MAX_CHUNK_BYTES)) {
            out.onNext(SecAggChunk.newBuilder().setData(c).build());
        }
        out.onCompleted();
        Future<SecAggSubmitResponse> f = answer;
        return f.get(60, TimeUnit.SECONDS);
    }
}
