package dev.fl4j.deploy.client;

import com.google.protobuf.ByteString;
import dev.fl4j.deploy.Chunks;
import dev.fl4j.deploy.Payloads;
import dev.fl4j.deploy.protocol.ClientHeader;
import dev.fl4j.deploy.protocol.FleetGrpc;
import dev.fl4j.deploy.protocol.SecAggChunk;
import dev.fl4j.deploy.protocol.SecAggPollRequest;
import dev.fl4j.deploy.protocol.SecAggPollResponse;
import dev.fl4j.deploy.protocol.SecAggServerMessage;
import dev.fl4j.deploy.protocol.SecAggSubmitHeader;
import dev.fl4j.deploy.protocol.SecAggSubmitResponse;
import dev.fl4j.secagg.SecAggException;
import dev.fl4j.secagg.SecAggMessages;
import dev.fl4j.secagg.SecAggPlusClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A client's side of one SecAgg+ session with the server: it holds the results its task kept for a
 * secure sum, fetches the server's protocol messages (long poll), answers each with
 * {@link SecAggPlusClient}, and masks its kept input itself, so the input never leaves the client
 * unmasked. It stops when the server ends the protocol for it, when the server refuses its answer, when
 * it refuses a server message ({@link SecAggException}: it then counts as dropped), or when the client
 * stops.
 */
final class SecAggParticipant {

    private static final Logger LOG = Logger.getLogger(SecAggParticipant.class.getName());

    /** Signs a request header: the header, the method's full name, the request's unsigned bytes. */
    interface Signer {
        ClientHeader sign(ClientHeader header, String method, byte[] unsigned);
    }

    private final String clientId;
    private final FleetGrpc.FleetBlockingStub blocking;
    private final FleetGrpc.FleetStub async;
    private final Signer signer;
    private final ClientHeader header;
    private final BooleanSupplier stopped;

    SecAggParticipant(
            String clientId,
            FleetGrpc.FleetBlockingStub blocking,
            FleetGrpc.FleetStub async,
            Signer signer,
            ClientHeader header,
            BooleanSupplier stopped) {
        this.clientId = clientId;
        this.blocking = blocking;
        this.async = async;
        this.signer = signer;
        this.header = header;
        this.stopped = stopped;
    }

    /**
     * Takes part in the session that sums the results {@code kept} of task {@code taskId}; returns why it
     * ended.
     */
    String run(String taskId, Map<Integer, long[]> kept, long giveUpMillis) {
        SecAggPlusClient protocol = new SecAggPlusClient();
        long[] input = null;
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(giveUpMillis);
        while (!stopped.getAsBoolean()) {
            if (System.nanoTime() > giveUp) {
                return "no secure-aggregation message within " + giveUpMillis + " ms; left the session";
            }
            SecAggPollResponse r = poll(taskId);
            if (r.hasEnd()) {
                return r.getEnd().getReason();
            }
            if (!r.hasMessage()) {
                continue;
            }
            SecAggServerMessage m = r.getMessage();
            byte[] bytes = m.getMessage().toByteArray();
            byte[] answer;
            try {
                SecAggMessages.Type type = SecAggMessages.typeOf(bytes);
                answer = switch (type) {
                    case SETUP -> {
                        input = input(m.getResultsList(), kept);
                        byte[] a = protocol.onSetup(bytes);
                        if (protocol.parameters().vectorLength() != input.length) {
                            throw new SecAggException(
                                    SecAggException.Kind.WRONG_LENGTH,
                                    "the session sums vectors of "
                                            + protocol.parameters().vectorLength()
                                            + " elements, the results it names hold " + input.length);
                        }
                        yield a;
                    }
                    case NEIGHBOUR_KEYS -> protocol.onNeighbourKeys(bytes);
                    case FORWARDED_SHARES -> protocol.onForwardedShares(bytes, input);
                    case UNMASK_REQUEST -> protocol.onUnmaskRequest(bytes);
                    default ->
                        throw new SecAggException(
                                SecAggException.Kind.WRONG_STAGE, "a client never receives a " + type + " message");
                };
            } catch (SecAggException e) {
                LOG.log(
                        Level.WARNING,
                        "{0}: refused a secure-aggregation message, leaving the session: {1}",
                        new Object[] {clientId, e.getMessage()});
                return "refused the server's message: " + e.getMessage();
            }
            SecAggSubmitResponse answered = submit(taskId, answer);
            if (!answered.getAccepted()) {
                LOG.log(Level.WARNING, "{0}: the server refused a secure-aggregation message: {1}", new Object[] {
                    clientId, answered.getMessage()
                });
                return "the server refused: " + answered.getMessage();
            }
            if (protocol.stage() == SecAggPlusClient.Stage.DONE) {
                return "answered the unmasking request";
            }
        }
        return "stopped";
    }

    /** The kept results {@code results} names, concatenated in that order. */
    private static long[] input(List<Integer> results, Map<Integer, long[]> kept) {
        long total = 0;
        for (int k : results) {
            long[] v = kept.get(k);
            if (v == null) {
                throw new SecAggException(
                        SecAggException.Kind.INVALID_PARAMETERS,
                        "the server asks to sum result " + k + ", which this client did not keep (it kept "
                                + kept.keySet() + ")");
            }
            total += v.length;
        }
        if (results.isEmpty()
                || total > Integer.MAX_VALUE
                || results.size() != results.stream().distinct().count()) {
            throw new SecAggException(
                    SecAggException.Kind.INVALID_PARAMETERS, "the server names results " + results + " to sum");
        }
        long[] out = new long[(int) total];
        int offset = 0;
        for (int k : results) {
            long[] v = kept.get(k);
            System.arraycopy(v, 0, out, offset, v.length);
            offset += v.length;
        }
        return out;
    }

    private SecAggPollResponse poll(String taskId) {
        SecAggPollRequest r = SecAggPollRequest.newBuilder()
                .setHeader(header)
                .setTaskId(taskId)
                .build();
        r = r.toBuilder()
                .setHeader(signer.sign(header, FleetGrpc.getSecAggPollMethod().getFullMethodName(), r.toByteArray()))
                .build();
        return blocking.withDeadlineAfter(60, TimeUnit.SECONDS).secAggPoll(r);
    }

    private SecAggSubmitResponse submit(String taskId, byte[] message) {
        UploadAnswer<SecAggChunk, SecAggSubmitResponse> answer = new UploadAnswer<>("submit");
        StreamObserver<SecAggChunk> out =
                async.withDeadlineAfter(120, TimeUnit.SECONDS).secAggSubmit(answer);
        SecAggSubmitHeader unsigned = SecAggSubmitHeader.newBuilder()
                .setClient(header)
                .setTaskId(taskId)
                .setMessageBytes(message.length)
                .setMessageSha256(ByteString.copyFrom(Payloads.sha256(message)))
                .build();
        SecAggSubmitHeader h = unsigned.toBuilder()
                .setClient(signer.sign(
                        header, FleetGrpc.getSecAggSubmitMethod().getFullMethodName(), unsigned.toByteArray()))
                .build();
        try {
            out.onNext(SecAggChunk.newBuilder().setHeader(h).build());
            for (ByteString chunk : Chunks.split(message, Chunks.SENT_CHUNK_BYTES)) {
                answer.awaitReady();
                if (answer.isDone()) {
                    break; // answered early (refused at its header): the rest is not read
                }
                out.onNext(SecAggChunk.newBuilder().setData(chunk).build());
            }
            out.onCompleted();
            return answer.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException s) {
                throw s;
            }
            throw new StatusRuntimeException(Status.UNAVAILABLE.withCause(e.getCause()));
        } catch (TimeoutException e) {
            throw new StatusRuntimeException(
                    Status.DEADLINE_EXCEEDED.withDescription("no answer to a secure-aggregation message"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StatusRuntimeException(Status.CANCELLED.withDescription("interrupted"));
        }
    }
}
