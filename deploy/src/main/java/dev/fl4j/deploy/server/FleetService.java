package dev.fl4j.deploy.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import com.google.protobuf.UnsafeByteOperations;
import dev.fl4j.core.Value;
import dev.fl4j.deploy.ChunkAssembler;
import dev.fl4j.deploy.Chunks;
import dev.fl4j.deploy.Payloads;
import dev.fl4j.deploy.RejectedMessageException;
import dev.fl4j.deploy.protocol.ClientHeader;
import dev.fl4j.deploy.protocol.FleetGrpc;
import dev.fl4j.deploy.protocol.GetArgumentRequest;
import dev.fl4j.deploy.protocol.GetComputationRequest;
import dev.fl4j.deploy.protocol.GetComputationResponse;
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
import dev.fl4j.deploy.protocol.SecAggChunk;
import dev.fl4j.deploy.protocol.SecAggEnd;
import dev.fl4j.deploy.protocol.SecAggPollRequest;
import dev.fl4j.deploy.protocol.SecAggPollResponse;
import dev.fl4j.deploy.protocol.SecAggServerMessage;
import dev.fl4j.deploy.protocol.SecAggSubmitHeader;
import dev.fl4j.deploy.protocol.SecAggSubmitResponse;
import dev.fl4j.deploy.protocol.TaskChunk;
import dev.fl4j.deploy.protocol.TaskHeader;
import dev.fl4j.deploy.security.AuthenticationFailedException;
import dev.fl4j.deploy.security.RequestVerifier;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The server side of the {@code Fleet} service. Clients initiate every call: they register, send
 * heartbeats, pull a task (a long poll: a pull that finds no task is parked on the {@link TaskBoard}
 * without a thread, and answered when a task for its client arrives or after the poll time) and push
 * its result; a client fetches a computation it does not hold by its digest ({@code GetComputation}), and the
 * argument bytes a task's header names by digest unless its host holds them ({@code GetArgument}).
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
    private static final int RETRY_MILLIS = 100;

    private final ClientRegistry registry;
    private final TaskBoard board;
    private final WireStats wire;
    /** Arrays results are assembled in, given back once decoded: a round's results are all of one size. */
    private final ArrayPool resultArrays = new ArrayPool(4);

    private final long maxPayloadBytes;
    /**
     * How long a SecAgg+ poll waits for the client's next protocol message. Unlike a task pull it is
     * not parked: it holds a service thread meanwhile, so it stays short.
     */
    private static final long SECAGG_POLL_MILLIS = 1000;

    private final int heartbeatMillis;
    private final BooleanSupplier finished;
    private final RequestVerifier verifier;
    private final SecAggBoard secagg;
    private final long pollMillis;
    private final Executor executor;
    private final ScheduledExecutorService timer;

    /**
     * {@code verifier} null: requests are not authenticated (a plaintext loopback server without
     * authorized keys). A pull with no task is held up to {@code pollMillis}; answers to parked pulls
     * are sent on {@code executor} (the server's bounded call executor) and their expiry is timed
     * on {@code timer}.
     */
    FleetService(
            ClientRegistry registry,
            TaskBoard board,
            WireStats wire,
            long maxPayloadBytes,
            int heartbeatMillis,
            BooleanSupplier finished,
            RequestVerifier verifier,
            SecAggBoard secagg,
            long pollMillis,
            Executor executor,
            ScheduledExecutorService timer) {
        this.verifier = verifier;
        this.secagg = secagg;
        this.pollMillis = pollMillis;
        this.executor = executor;
        this.timer = timer;
        this.registry = registry;
        this.board = board;
        this.wire = wire;
        this.maxPayloadBytes = maxPayloadBytes;
        this.heartbeatMillis = heartbeatMillis;
        this.finished = finished;
    }

    /**
     * The client a request speaks for, after the checks every request passes: the protocol version,
     * the id's form, and with authorized keys the request's signed envelope ({@link RequestVerifier}:
     * a known key whose id is the claimed one, a valid signature over {@code method} and
     * {@code unsignedBody} — the request serialized with its {@code auth} field empty — and a fresh
     * timestamp and nonce).
     */
    private String authenticate(String method, ClientHeader h, byte[] unsignedBody) {
        String id = check(h);
        if (verifier != null) {
            try {
                verifier.verify(method, unsignedBody, h.getAuth().toByteArray(), id);
            } catch (AuthenticationFailedException e) {
                Rejection reason = switch (e.reason()) {
                    case UNKNOWN_KEY -> Rejection.UNKNOWN_KEY;
                    case REPLAYED_NONCE -> Rejection.REPLAYED;
                    case UNSUPPORTED_PROTOCOL_VERSION -> Rejection.UNSUPPORTED_VERSION;
                    default -> Rejection.UNAUTHENTICATED;
                };
                throw board.reject(reason, e.getMessage());
            }
        }
        return id;
    }

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

    private String checkRegistered(String method, ClientHeader h, byte[] unsignedBody) {
        String id = authenticate(method, h, unsignedBody);
        if (!registry.seen(id)) {
            throw board.reject(Rejection.UNKNOWN_CLIENT, "client " + id + " is not registered; register first");
        }
        return id;
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
        received(request);
        if (gaveUp(out)) {
            return;
        }
        try {
            registry.register(authenticate(
                    FleetGrpc.getRegisterMethod().getFullMethodName(),
                    request.getHeader(),
                    request.toBuilder()
                            .setHeader(request.getHeader().toBuilder().clearAuth())
                            .build()
                            .toByteArray()));
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
        if (gaveUp(out)) {
            return;
        }
        try {
            String id = authenticate(
                    FleetGrpc.getHeartbeatMethod().getFullMethodName(),
                    request.getHeader(),
                    request.toBuilder()
                            .setHeader(request.getHeader().toBuilder().clearAuth())
                            .build()
                            .toByteArray());
            send(out, HeartbeatResponse.newBuilder().setKnown(registry.seen(id)).build());
            out.onCompleted();
        } catch (RejectedMessageException e) {
            refuse(out, e);
        }
    }

    @Override
    public void pullTask(PullTaskRequest request, StreamObserver<TaskChunk> out) {
        received(request);
        if (gaveUp(out)) {
            return;
        }
        ServerCallStreamObserver<TaskChunk> call = (ServerCallStreamObserver<TaskChunk>) out;
        String id;
        try {
            id = checkRegistered(
                    FleetGrpc.getPullTaskMethod().getFullMethodName(),
                    request.getHeader(),
                    request.toBuilder()
                            .setHeader(request.getHeader().toBuilder().clearAuth())
                            .build()
                            .toByteArray());
        } catch (RejectedMessageException e) {
            refuse(out, e);
            return;
        }
        Poll poll = new Poll(id, call);
        call.setOnCancelHandler(poll::cancelled);
        registry.pollOpened(id);
        Optional<Task> now = board.takeOrPark(id, poll);
        if (now.isPresent()) {
            poll.answer(now.get());
        } else if (finished.getAsBoolean()) {
            // parked after the run finished (and its parked polls were released): no task will come
            if (board.withdraw(id, poll)) {
                poll.answerEmpty();
            }
        } else {
            poll.expireAfter(pollMillis);
        }
    }

    /**
     * One pull, answered exactly once: with a task (at once, or when the board
     * {@linkplain TaskBoard#offer offers} one for its client), or with no task when its time is up,
     * a newer pull of the client replaces it, the run finishes or the server stops. While it is open
     * its client counts as alive; it holds no thread.
     */
    private final class Poll implements TaskBoard.ParkedPoll {
        private final String clientId;
        private final ServerCallStreamObserver<TaskChunk> call;
        private final AtomicBoolean answered = new AtomicBoolean();
        private volatile ScheduledFuture<?> expiry;

        Poll(String clientId, ServerCallStreamObserver<TaskChunk> call) {
            this.clientId = clientId;
            this.call = call;
        }

        void expireAfter(long millis) {
            try {
                expiry = timer.schedule(
                        () -> {
                            if (board.withdraw(clientId, this)) {
                                answerEmpty();
                            }
                        },
                        millis,
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the server is stopping: stop() answers every parked poll
            }
        }

        @Override
        public void deliver(Task task) {
            onExecutor(() -> answer(task));
        }

        @Override
        public void displaced() {
            onExecutor(this::answerEmpty);
        }

        void cancelled() {
            board.withdraw(clientId, this);
            end(false);
        }

        void answer(Task t) {
            if (!end(true)) {
                return;
            }
            send(
                    call,
                    TaskChunk.newBuilder()
                            .setHeader(TaskHeader.newBuilder()
                                    .setTaskId(t.id)
                                    .setRound(t.round)
                                    .setComputationSha256(ByteString.copyFrom(t.computationSha256))
                                    .addAllDataFields(t.dataFields)
                                    .setShuffleSeed(t.shuffleSeed)
                                    .setBatchSize(t.batchSize)
                                    .setExamplesCap(t.examplesCap)
                                    .setStateRound(t.stateRound)
                                    .addAllSecureSummed(java.util.Arrays.stream(t.secureSummed)
                                            .boxed()
                                            .toList())
                                    .setArgumentBytes(t.argument.length())
                                    .setArgumentSha256(ByteString.copyFrom(t.argument.sharedSha256()))
                                    .setArgumentPatchAt(t.argument.patchAt())
                                    .setArgumentPatch(UnsafeByteOperations.unsafeWrap(t.argument.patch()))
                                    .setDeadlineMillis(Math.max(
                                            0, TimeUnit.NANOSECONDS.toMillis(t.deadlineNanos - System.nanoTime()))))
                            .build());
            wire.argumentHandedOut(t.argument.length());
            call.onCompleted();
        }

        void answerEmpty() {
            if (!end(true)) {
                return;
            }
            boolean done = finished.getAsBoolean();
            if (done) {
                registry.toldFinished(clientId);
            }
            send(
                    call,
                    TaskChunk.newBuilder()
                            .setNoTask(NoTask.newBuilder()
                                    .setRetryAfterMillis(RETRY_MILLIS)
                                    .setFinished(done))
                            .build());
            call.onCompleted();
        }

        /** Marks the poll ended (answered, or else cancelled); false if it already was. */
        private boolean end(boolean answering) {
            if (!answered.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> e = expiry;
            if (e != null) {
                e.cancel(false);
            }
            registry.pollClosed(clientId, answering);
            return true;
        }

        private void onExecutor(Runnable r) {
            try {
                executor.execute(r);
            } catch (RejectedExecutionException e) {
                // the server is stopping: its calls are being cancelled
                end(false);
            }
        }
    }

    /** Answers every parked poll with no task (after the run finished: telling its client so). */
    void releaseParkedPolls() {
        for (TaskBoard.ParkedPoll p : board.withdrawAll()) {
            ((Poll) p).answerEmpty();
        }
    }

    @Override
    public void getComputation(GetComputationRequest request, StreamObserver<GetComputationResponse> out) {
        received(request);
        if (gaveUp(out)) {
            return;
        }
        try {
            String id = checkRegistered(
                    FleetGrpc.getGetComputationMethod().getFullMethodName(),
                    request.getHeader(),
                    request.toBuilder()
                            .setHeader(request.getHeader().toBuilder().clearAuth())
                            .build()
                            .toByteArray());
            if (request.getComputationSha256().size() != 32) {
                throw board.reject(
                        Rejection.MALFORMED,
                        "a computation digest is a SHA-256 (32 bytes), got "
                                + request.getComputationSha256().size());
            }
            byte[] bytes =
                    board.computationFor(id, request.getComputationSha256().toByteArray());
            send(
                    out,
                    GetComputationResponse.newBuilder()
                            .setComputation(ByteString.copyFrom(bytes))
                            .build());
            out.onCompleted();
        } catch (RejectedMessageException e) {
            refuse(out, e);
        }
    }

    /**
     * A client fetches the shared argument bytes of one of its open tasks (unless its host already holds them),
     * streamed as the call's flow control takes them.
     */
    @Override
    public void getArgument(GetArgumentRequest request, StreamObserver<TaskChunk> out) {
        received(request);
        if (gaveUp(out)) {
            return;
        }
        ServerCallStreamObserver<TaskChunk> call = (ServerCallStreamObserver<TaskChunk>) out;
        TaskArgument argument;
        try {
            String id = checkRegistered(
                    FleetGrpc.getGetArgumentMethod().getFullMethodName(),
                    request.getHeader(),
                    request.toBuilder()
                            .setHeader(request.getHeader().toBuilder().clearAuth())
                            .build()
                            .toByteArray());
            argument = board.argumentFor(id, request.getTaskId());
        } catch (RejectedMessageException e) {
            refuse(out, e);
            return;
        }
        List<TaskChunk> chunks = new ArrayList<>();
        for (ByteString data : argument.sharedChunks(Chunks.SENT_CHUNK_BYTES)) {
            chunks.add(TaskChunk.newBuilder().setData(data).build());
        }
        wire.argumentFetched(argument.length());
        PacedReply<TaskChunk> reply = new PacedReply<>(call, chunks.iterator());
        call.setOnReadyHandler(reply::sendWhileReady);
        call.setOnCancelHandler(() -> {});
        reply.sendWhileReady();
    }

    /**
     * A streamed reply sent as the call is ready for more (its HTTP/2 window open and little queued in the
     * transport), then completed; the call's ready handler sends on. So a reply waits in the byte arrays its
     * messages view, not copied whole into the transport's direct buffers: ten 6.6 MB replies written at once
     * took 66 MB of fresh direct memory.
     */
    private final class PacedReply<T extends MessageLite> {
        private final ServerCallStreamObserver<T> call;
        private final Iterator<T> unsent;
        private boolean completed;

        PacedReply(ServerCallStreamObserver<T> call, Iterator<T> messages) {
            this.call = call;
            this.unsent = messages;
        }

        synchronized void sendWhileReady() {
            while (unsent.hasNext() && call.isReady() && !call.isCancelled()) {
                send(call, unsent.next());
            }
            if (!unsent.hasNext() && !completed) {
                completed = true;
                call.onCompleted();
            }
        }
    }

    /**
     * The assembler of an upload declared to be {@code bytes} long, within the payload and chunk limits;
     * refused (and counted) if the declared size is not allowed.
     */
    private ChunkAssembler assembler(long bytes, String what, IntFunction<byte[]> arrays) {
        try {
            return new ChunkAssembler(bytes, maxPayloadBytes, ProtocolLimits.MAX_CHUNK_BYTES, what, arrays);
        } catch (RejectedMessageException e) {
            board.count(e.reason());
            throw e;
        }
    }

    /** Adds a chunk of a {@code kind} upload; data before the header or beyond the limits is refused and counted. */
    private void append(ChunkAssembler assembler, ByteString data, String kind) {
        if (assembler == null) {
            throw board.reject(Rejection.MALFORMED, kind + " data before its header");
        }
        try {
            assembler.add(data);
        } catch (RejectedMessageException e) {
            board.count(e.reason());
            throw e;
        }
    }

    /** The whole upload; one shorter than declared is refused and counted. */
    private byte[] assembled(ChunkAssembler assembler) {
        try {
            return assembler.bytes();
        } catch (RejectedMessageException e) {
            board.count(e.reason());
            throw e;
        }
    }

    /**
     * Receives one client upload: a header, then chunks of data, checked as they come, then the
     * completion. The upload is answered exactly once: accepted ({@link #accept}) or refused with the
     * first {@link RejectedMessageException} (its answer from {@link #refusal}), after which whatever
     * else arrives is ignored; a call the client ends with an error is not answered. Each chunk counts
     * towards the wire statistics whether or not it is read.
     *
     * @param <C> the chunk message (a header or data)
     * @param <R> the answer message
     */
    private abstract class UploadReceiver<C extends MessageLite, R extends MessageLite> implements StreamObserver<C> {
        private final StreamObserver<R> out;
        /** What is uploaded ("result"), in the refusals' text. */
        private final String what;
        /** The call ("push"), in the refusals' text. */
        private final String call;

        private ChunkAssembler assembler;
        private boolean headerRead;
        private boolean answered;

        UploadReceiver(StreamObserver<R> out, String what, String call) {
            this.out = out;
            this.what = what;
            this.call = call;
        }

        /** Whether {@code chunk} is the header (else data, or empty). */
        abstract boolean isHeader(C chunk);

        /** Whether {@code chunk} carries data. */
        abstract boolean isData(C chunk);

        abstract ByteString data(C chunk);

        /**
         * Checks the header and keeps what it says; returns the assembler of the data that follows, or
         * null when no data may follow.
         */
        abstract ChunkAssembler readHeader(C chunk);

        /** Checks the whole upload after its header and data, acts on it and answers ({@link #accept}). */
        abstract void complete();

        /** The answer refusing the upload for {@code e}, after whatever the refusal undoes. */
        abstract R refusal(RejectedMessageException e);

        /** The data received so far (null before a header that takes data). */
        final ChunkAssembler upload() {
            return assembler;
        }

        @Override
        public final void onNext(C chunk) {
            received(chunk);
            if (answered) {
                return;
            }
            try {
                if (isHeader(chunk)) {
                    if (headerRead) {
                        throw board.reject(Rejection.MALFORMED, "a second " + what + " header in one " + call);
                    }
                    assembler = readHeader(chunk);
                    headerRead = true;
                } else if (isData(chunk)) {
                    append(assembler, data(chunk), what);
                } else {
                    throw board.reject(Rejection.MALFORMED, "an empty " + what + " chunk");
                }
            } catch (RejectedMessageException e) {
                answer(e);
            }
        }

        @Override
        public final void onError(Throwable t) {
            answered = true;
        }

        @Override
        public final void onCompleted() {
            if (answered) {
                return;
            }
            try {
                if (!headerRead) {
                    throw board.reject(Rejection.MALFORMED, "a " + what + " " + call + " without a header");
                }
                complete();
            } catch (RejectedMessageException e) {
                answer(e);
            }
        }

        /** Answers that the upload was taken. */
        final void accept(R response) {
            answered = true;
            send(out, response);
            out.onCompleted();
        }

        private void answer(RejectedMessageException e) {
            answered = true;
            send(out, refusal(e));
            out.onCompleted();
        }
    }

    @Override
    public StreamObserver<ResultChunk> pushResult(StreamObserver<PushResultResponse> out) {
        return new ResultReceiver(out);
    }

    /** Receives one pushed result: a header, then chunks, checked as they come. */
    private final class ResultReceiver extends UploadReceiver<ResultChunk, PushResultResponse> {
        private Task task;
        private String failure;
        private byte[] resultSha256;
        private boolean clientIndexRead;

        ResultReceiver(StreamObserver<PushResultResponse> out) {
            super(out, "result", "push");
        }

        @Override
        boolean isHeader(ResultChunk chunk) {
            return chunk.hasHeader();
        }

        @Override
        boolean isData(ResultChunk chunk) {
            return chunk.hasData();
        }

        @Override
        ByteString data(ResultChunk chunk) {
            return chunk.getData();
        }

        @Override
        ChunkAssembler readHeader(ResultChunk chunk) {
            ResultHeader h = chunk.getHeader();
            String id = checkRegistered(
                    FleetGrpc.getPushResultMethod().getFullMethodName(),
                    h.getClient(),
                    h.toBuilder()
                            .setClient(h.getClient().toBuilder().clearAuth())
                            .build()
                            .toByteArray());
            if (verifier != null
                    && h.getFailure().isEmpty()
                    && h.getResultSha256().size() != 32) {
                throw board.reject(
                        Rejection.MALFORMED,
                        "a signed result header must carry the result's SHA-256 (32 bytes), got "
                                + h.getResultSha256().size());
            }
            resultSha256 = h.getResultSha256().toByteArray();
            clientIndexRead = h.getClientIndexRead();
            task = board.claim(id, h.getTaskId(), h.getRound());
            if (!h.getFailure().isEmpty()) {
                failure = h.getFailure();
                return null;
            }
            board.admit(task, h.getResultBytes());
            return assembler(h.getResultBytes(), "result of task " + task.id + " from " + id, resultArrays::take);
        }

        @Override
        void complete() {
            if (failure != null) {
                board.fail(
                        task, new IllegalStateException("client " + task.clientId + " reported failure: " + failure));
                accept(PushResultResponse.newBuilder()
                        .setAccepted(true)
                        .setRejection(Rejection.CLIENT_FAILURE)
                        .setMessage("failure recorded; the client is left out of this round")
                        .build());
                return;
            }
            Value result;
            try {
                byte[] bytes = upload().bytes();
                try {
                    if (resultSha256.length > 0 && !MessageDigest.isEqual(resultSha256, Payloads.sha256(bytes))) {
                        throw new RejectedMessageException(
                                Rejection.MALFORMED,
                                "result of task " + task.id + ": its bytes do not hash to the signed SHA-256");
                    }
                    result = Payloads.decodeResult(bytes, task.resultType, "result of task " + task.id);
                } finally {
                    resultArrays.give(bytes); // the decoded value holds copies
                }
            } catch (RejectedMessageException e) {
                board.count(e.reason());
                throw e;
            }
            Optional<RejectedMessageException> ended = board.complete(task, result, clientIndexRead);
            if (ended.isPresent()) {
                throw ended.get();
            }
            accept(PushResultResponse.newBuilder().setAccepted(true).build());
        }

        @Override
        PushResultResponse refusal(RejectedMessageException e) {
            if (task != null) {
                board.unreserve(task);
            }
            PushResultResponse.Builder r = PushResultResponse.newBuilder()
                    .setAccepted(false)
                    .setRejection(e.reason())
                    .setMessage(e.getMessage());
            if (e.reason() == Rejection.RETRY_LATER) {
                r.setRetryAfterMillis(TaskBoard.RETRY_LATER_MILLIS);
                LOG.log(Level.FINE, "deferred a result: {0}", e.getMessage());
            } else {
                LOG.log(Level.WARNING, "refused a result: {0}", e.getMessage());
            }
            return r.build();
        }
    }

    /** A client fetches its next SecAgg+ message (long poll, like a task). */
    @Override
    public void secAggPoll(SecAggPollRequest request, StreamObserver<SecAggPollResponse> out) {
        received(request);
        try {
            String id = checkRegistered(
                    FleetGrpc.getSecAggPollMethod().getFullMethodName(),
                    request.getHeader(),
                    request.toBuilder()
                            .setHeader(request.getHeader().toBuilder().clearAuth())
                            .build()
                            .toByteArray());
            SecAggBoard.Poll poll = secagg.poll(id, request.getTaskId(), SECAGG_POLL_MILLIS);
            SecAggPollResponse.Builder r = SecAggPollResponse.newBuilder();
            if (poll.message() != null) {
                r.setMessage(SecAggServerMessage.newBuilder()
                        .setTaskId(request.getTaskId())
                        .addAllResults(poll.results())
                        .setMessage(ByteString.copyFrom(poll.message())));
            } else if (poll.end() != null) {
                r.setEnd(SecAggEnd.newBuilder().setReason(poll.end()));
            } else {
                r.setWait(NoTask.newBuilder().setRetryAfterMillis(0));
            }
            send(out, r.build());
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
    public StreamObserver<SecAggChunk> secAggSubmit(StreamObserver<SecAggSubmitResponse> out) {
        return new SecAggReceiver(out);
    }

    /** Receives one client's SecAgg+ message: a signed header, then chunks, checked as they come. */
    private final class SecAggReceiver extends UploadReceiver<SecAggChunk, SecAggSubmitResponse> {
        private String clientId;
        private SecAggSubmitHeader header;

        SecAggReceiver(StreamObserver<SecAggSubmitResponse> out) {
            super(out, "secure-aggregation", "submit");
        }

        @Override
        boolean isHeader(SecAggChunk chunk) {
            return chunk.hasHeader();
        }

        @Override
        boolean isData(SecAggChunk chunk) {
            return chunk.hasData();
        }

        @Override
        ByteString data(SecAggChunk chunk) {
            return chunk.getData();
        }

        @Override
        ChunkAssembler readHeader(SecAggChunk chunk) {
            SecAggSubmitHeader h = chunk.getHeader();
            clientId = checkRegistered(
                    FleetGrpc.getSecAggSubmitMethod().getFullMethodName(),
                    h.getClient(),
                    h.toBuilder()
                            .setClient(h.getClient().toBuilder().clearAuth())
                            .build()
                            .toByteArray());
            if (h.getMessageSha256().size() != 32) {
                throw board.reject(
                        Rejection.MALFORMED,
                        "a secure-aggregation header must carry the message's SHA-256 (32 bytes), got "
                                + h.getMessageSha256().size());
            }
            header = h;
            return assembler(h.getMessageBytes(), "secure-aggregation message from " + clientId, byte[]::new);
        }

        @Override
        void complete() {
            byte[] bytes = assembled(upload());
            if (!MessageDigest.isEqual(header.getMessageSha256().toByteArray(), Payloads.sha256(bytes))) {
                throw board.reject(
                        Rejection.MALFORMED,
                        "secure-aggregation message from " + clientId + ": its bytes do not hash to the signed"
                                + " SHA-256");
            }
            secagg.submit(clientId, header.getTaskId(), bytes);
            accept(SecAggSubmitResponse.newBuilder().setAccepted(true).build());
        }

        @Override
        SecAggSubmitResponse refusal(RejectedMessageException e) {
            LOG.log(Level.WARNING, "refused a secure-aggregation message: {0}", e.getMessage());
            return SecAggSubmitResponse.newBuilder()
                    .setAccepted(false)
                    .setRejection(e.reason())
                    .setMessage(e.getMessage())
                    .build();
        }
    }

    /**
     * Whether the client already gave up the call (its deadline passed while the request waited for a
     * service thread): then its signature is not checked and nothing is answered, so a server behind
     * on its queue does not spend its threads on requests nobody waits for.
     */
    private static boolean gaveUp(StreamObserver<?> out) {
        return out instanceof ServerCallStreamObserver<?> call && call.isCancelled();
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
            case UNKNOWN_CLIENT, UNKNOWN_KEY, UNAUTHENTICATED, REPLAYED -> Status.UNAUTHENTICATED;
            case UNSUPPORTED_VERSION -> Status.FAILED_PRECONDITION;
            case UNKNOWN_COMPUTATION -> Status.NOT_FOUND;
            default -> Status.INVALID_ARGUMENT;
        };
        out.onError(status.withDescription(e.getMessage()).asRuntimeException());
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
