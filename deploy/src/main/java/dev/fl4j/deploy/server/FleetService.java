package dev.fl4j.deploy.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import dev.fl4j.core.Value;
import dev.fl4j.deploy.ChunkAssembler;
import dev.fl4j.deploy.Chunks;
import dev.fl4j.deploy.Payloads;
import dev.fl4j.deploy.RejectedMessageException;
import dev.fl4j.deploy.protocol.ClientHeader;
import dev.fl4j.deploy.protocol.FleetGrpc;
import dev.fl4j.deploy.protocol.HeartbeatRequest;
import dev.fl4j.deploy.protocol.HeartbeatResponse;
import dev.fl4j.deploy.protocol.NoTask;
import dev.fl4j.deploy.protocol.ProtocolLimits;
import dev.fl4j.deploy.protocol.PullTaskRequest;
import dev.fl4j.deploy.protocol.PushResultResponse;
import dev.fl4j.deploy.protocol.RegisterRequest;
import dev.fl4j.deploy.protocol.RegisterResponse;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.protocol.ResultChunk;
import dev.fl4j.deploy.protocol.ResultHeader;
import dev.fl4j.deploy.protocol.TaskChunk;
import dev.fl4j.deploy.protocol.TaskHeader;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The server side of the {@code Fleet} service. Clients initiate every call: they register, send
 * heartbeats, pull a task (long poll: the call waits up to a second for one) and push its result.
 * Every request names the protocol version and the client; a request that fails a check is refused
 * with its {@link Rejection} reason (a gRPC status whose description starts with the reason for
 * unary and server-streaming calls, a {@link PushResultResponse} for results), counted and logged,
 * and never reaches the fold. A result passes the {@link TaskBoard}'s checks (a task of this client,
 * of this round, open), the size limits ({@link ChunkAssembler}) and decoding ({@link Payloads}:
 * fl4j value bytes of the computation's result type, finite) before it completes its task.
 */
final class FleetService extends FleetGrpc.FleetImplBase {

    private static final Logger LOG = Logger.getLogger(FleetService.class.getName());
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
    private static final long POLL_MILLIS = 1000;
    private static final int RETRY_MILLIS = 100;

    private final ClientRegistry registry;
    private final TaskBoard board;
    private final WireStats wire;
    private final long maxPayloadBytes;
    private final int heartbeatMillis;
    private final BooleanSupplier finished;

    FleetService(
            ClientRegistry registry,
            TaskBoard board,
            WireStats wire,
            long maxPayloadBytes,
            int heartbeatMillis,
            BooleanSupplier finished) {
        this.registry = registry;
        this.board = board;
        this.wire = wire;
        this.maxPayloadBytes = maxPayloadBytes;
        this.heartbeatMillis = heartbeatMillis;
        this.finished = finished;
    }

    /** The client a request speaks for, after the checks every request passes. */
    private String check(ClientHeader h) {
        if (h.getProtocolVersion() != ProtocolLimits.VERSION) {
            throw board.reject(
                    Rejection.UNSUPPORTED_VERSION,
                    "protocol version " + h.getProtocolVersion() + ", this server speaks " + ProtocolLimits.VERSION);
        }
        if (!CLIENT_ID.matcher(h.getClientId()).matches()) {
            throw board.reject(
                    Rejection.MALFORMED,
                    "client id must be 1-128 characters of [A-Za-z0-9_.:-], got '" + abbreviate(h.getClientId()) + "'");
        }
        return h.getClientId();
    }

    private String checkRegistered(ClientHeader h) {
        String id = check(h);
        if (!registry.seen(id)) {
            throw board.reject(Rejection.UNKNOWN_CLIENT, "client " + id + " is not registered; register first");
        }
        return id;
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
        received(request);
        try {
            registry.register(check(request.getHeader()));
            send(
                    out,
                    RegisterResponse.newBuilder()
                            .setProtocolVersion(ProtocolLimits.VERSION)
                            .setMaxResultBytes(maxPayloadBytes)
                            .setMaxChunkBytes(ProtocolLimits.MAX_CHUNK_BYTES)
                            .setHeartbeatMillis(heartbeatMillis)
                            .build());
            out.onCompleted();
        } catch (RejectedMessageException e) {
            refuse(out, e);
        }
    }

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> out) {
        received(request);
        try {
            String id = check(request.getHeader());
            send(out, HeartbeatResponse.newBuilder().setKnown(registry.seen(id)).build());
            out.onCompleted();
        } catch (RejectedMessageException e) {
            refuse(out, e);
        }
    }

    @Override
    public void pullTask(PullTaskRequest request, StreamObserver<TaskChunk> out) {
        received(request);
        try {
            String id = checkRegistered(request.getHeader());
            Optional<Task> task = board.awaitTask(id, POLL_MILLIS);
            if (task.isEmpty()) {
                send(
                        out,
                        TaskChunk.newBuilder()
                                .setNoTask(NoTask.newBuilder()
                                        .setRetryAfterMillis(RETRY_MILLIS)
                                        .setFinished(finished.getAsBoolean()))
                                .build());
                out.onCompleted();
                return;
            }
            Task t = task.get();
            send(
                    out,
                    TaskChunk.newBuilder()
                            .setHeader(TaskHeader.newBuilder()
                                    .setTaskId(t.id)
                                    .setRound(t.round)
                                    .setComputation(ByteString.copyFrom(t.computation))
                                    .addAllDataFields(t.dataFields)
                                    .setShuffleSeed(t.shuffleSeed)
                                    .setBatchSize(t.batchSize)
                                    .setExamplesCap(t.examplesCap)
                                    .setArgumentBytes(t.argument.length)
                                    .setDeadlineMillis(Math.max(
                                            0, TimeUnit.NANOSECONDS.toMillis(t.deadlineNanos - System.nanoTime()))))
                            .build());
            for (ByteString chunk : Chunks.split(t.argument, ProtocolLimits.MAX_CHUNK_BYTES)) {
                send(out, TaskChunk.newBuilder().setData(chunk).build());
            }
            out.onCompleted();
        } catch (RejectedMessageException e) {
            refuse(out, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.onError(
                    Status.UNAVAILABLE.withDescription("server shutting down").asRuntimeException());
        }
    }

    @Override
    public StreamObserver<ResultChunk> pushResult(StreamObserver<PushResultResponse> out) {
        return new ResultReceiver(out);
    }

    /** Receives one pushed result: a header, then chunks, checked as they come. */
    private final class ResultReceiver implements StreamObserver<ResultChunk> {
        private final StreamObserver<PushResultResponse> out;
        private Task task;
        private ChunkAssembler assembler;
        private String failure;
        private boolean answered;

        ResultReceiver(StreamObserver<PushResultResponse> out) {
            this.out = out;
        }

        @Override
        public void onNext(ResultChunk chunk) {
            received(chunk);
            if (answered) {
                return;
            }
            try {
                if (chunk.hasHeader()) {
                    if (task != null) {
                        throw board.reject(Rejection.MALFORMED, "a second result header in one push");
                    }
                    ResultHeader h = chunk.getHeader();
                    String id = checkRegistered(h.getClient());
                    task = board.claim(id, h.getTaskId(), h.getRound());
                    if (!h.getFailure().isEmpty()) {
                        failure = h.getFailure();
                        return;
                    }
                    try {
                        assembler = new ChunkAssembler(
                                h.getResultBytes(),
                                maxPayloadBytes,
                                ProtocolLimits.MAX_CHUNK_BYTES,
                                "result of task " + task.id + " from " + id);
                    } catch (RejectedMessageException e) {
                        board.count(e.reason());
                        throw e;
                    }
                } else if (chunk.hasData()) {
                    if (assembler == null) {
                        throw board.reject(Rejection.MALFORMED, "result data before its header");
                    }
                    try {
                        assembler.add(chunk.getData());
                    } catch (RejectedMessageException e) {
                        board.count(e.reason());
                        throw e;
                    }
                } else {
                    throw board.reject(Rejection.MALFORMED, "an empty result chunk");
                }
            } catch (RejectedMessageException e) {
                answer(e);
            }
        }

        @Override
        public void onError(Throwable t) {
            answered = true;
        }

        @Override
        public void onCompleted() {
            if (answered) {
                return;
            }
            try {
                if (task == null) {
                    throw board.reject(Rejection.MALFORMED, "a result push without a header");
                }
                if (failure != null) {
                    board.fail(
                            task,
                            new IllegalStateException("client " + task.clientId + " reported failure: " + failure));
                    answered = true;
                    send(
                            out,
                            PushResultResponse.newBuilder()
                                    .setAccepted(true)
                                    .setRejection(Rejection.CLIENT_FAILURE)
                                    .setMessage("failure recorded; the client is left out of this round")
                                    .build());
                    out.onCompleted();
                    return;
                }
                byte[] bytes;
                Value result;
                try {
                    bytes = assembler.bytes();
                    result = Payloads.decodeResult(bytes, task.resultType, "result of task " + task.id);
                } catch (RejectedMessageException e) {
                    board.count(e.reason());
                    throw e;
                }
                if (!board.complete(task, result)) {
                    throw board.reject(Rejection.STALE_ROUND, "task " + task.id + " ended before its result arrived");
                }
                answered = true;
                send(out, PushResultResponse.newBuilder().setAccepted(true).build());
                out.onCompleted();
            } catch (RejectedMessageException e) {
                answer(e);
            }
        }

        private void answer(RejectedMessageException e) {
            answered = true;
            LOG.log(Level.WARNING, "refused a result: {0}", e.getMessage());
            send(
                    out,
                    PushResultResponse.newBuilder()
                            .setAccepted(false)
                            .setRejection(e.reason())
                            .setMessage(e.getMessage())
                            .build());
            out.onCompleted();
        }
    }

    private void received(MessageLite m) {
        wire.received(m.getSerializedSize());
    }

    private <T extends MessageLite> void send(StreamObserver<T> out, T m) {
        wire.sent(m.getSerializedSize());
        out.onNext(m);
    }

    private static void refuse(StreamObserver<?> out, RejectedMessageException e) {
        LOG.log(Level.WARNING, "refused a request: {0}", e.getMessage());
        Status status = switch (e.reason()) {
            case UNKNOWN_CLIENT, UNAUTHENTICATED, REPLAYED -> Status.UNAUTHENTICATED;
            case UNSUPPORTED_VERSION -> Status.FAILED_PRECONDITION;
            default -> Status.INVALID_ARGUMENT;
        };
        out.onError(status.withDescription(e.getMessage()).asRuntimeException());
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
