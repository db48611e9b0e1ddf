package dev.fl4j.deploy.client;

import com.google.protobuf.ByteString;
import dev.fl4j.aggregators.ClientSteps;
import dev.fl4j.core.computation.FieldSelection;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.ShippedChain;
import dev.fl4j.deploy.ChunkAssembler;
import dev.fl4j.deploy.Chunks;
import dev.fl4j.deploy.Payloads;
import dev.fl4j.deploy.RejectedMessageException;
import dev.fl4j.deploy.TaskArgumentLayout;
import dev.fl4j.deploy.protocol.ClientHeader;
import dev.fl4j.deploy.protocol.FleetGrpc;
import dev.fl4j.deploy.protocol.GetArgumentRequest;
import dev.fl4j.deploy.protocol.GetComputationRequest;
import dev.fl4j.deploy.protocol.HeartbeatRequest;
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
import dev.fl4j.deploy.security.ClientKey;
import dev.fl4j.deploy.security.RequestSigner;
import dev.fl4j.learning.algorithms.ClientTraining;
import dev.fl4j.learning.algorithms.ClientTrainingVariant;
import dev.fl4j.learning.algorithms.ClientWorks;
import dev.fl4j.learning.algorithms.ReconstructionTraining;
import dev.fl4j.learning.templates.DeltaDistribution;
import dev.fl4j.learning.templates.EncodedDistribution;
import dev.fl4j.learning.templates.FromInitDistribution;
import dev.fl4j.simulation.data.Dataset;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A client that trains on its own data for an fl4j server. It initiates every call: it registers,
 * sends heartbeats, pulls a task (the server holds the call while it has none, up to its poll time), takes
 * the argument the task names by digest from its host's {@link SharedArguments} or fetches it, runs it on its
 * data ({@link TaskExecutor}: the computation, named by digest, fetched once and rebuilt from an allow-list, the
 * data prepared as the task says) and pushes the result in chunks of {@link Chunks#SENT_CHUNK_BYTES}, as the
 * call's flow control takes them.
 *
 * <p>Heartbeats keep the client alive on the server while it trains; while a pull is held open the
 * server counts the client alive by that, so no heartbeat is sent then (a fleet of idle clients
 * waiting for a round costs the server one request per poll time each, not one per heartbeat).
 *
 * <p><b>Failures.</b> When the server is unreachable (down, restarting), the client waits with
 * exponential backoff and full jitter (from {@link SecureRandom}, so a restarted server is not hit by
 * every client at once) and registers again, its channel made to connect afresh each time (gRPC's own reconnect
 * backoff, which grows to two minutes while failing calls at once, would otherwise decide when a server that is
 * back is found); a server that no longer knows it (heartbeat answers
 * {@code known=false}) gets a fresh registration. A task the client cannot run is reported as a
 * failure, so the server leaves it out of the round rather than waiting for the deadline.
 *
 * <p>{@link #run()} blocks until the server says the run has finished or {@link #stop()} is called;
 * {@link #start()} runs it on a thread of its own.
 */
public final class FederatedClient implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FederatedClient.class.getName());
    /**
     * How long a registration may take, connecting and the TLS handshake included: a server taking
     * in a storm of registrations (a fleet starting, or reconnecting after a restart) answers late, and
     * a client that gave up would only add a retry to the storm.
     */
    private static final long REGISTER_DEADLINE_SECONDS = 30;

    private final Builder b;
    private final RequestSigner signer;
    private final ManagedChannel channel;
    private final FleetGrpc.FleetBlockingStub blocking;
    private final FleetGrpc.FleetStub async;
    private final SecureRandom jitter = new SecureRandom();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean registered = new AtomicBoolean();
    /** A pull is open: the server holds it and counts this client alive meanwhile, so no heartbeat is needed. */
    private final AtomicBoolean pulling = new AtomicBoolean();

    private final AtomicInteger tasksDone = new AtomicInteger();
    private final AtomicInteger tasksFailed = new AtomicInteger();
    private final AtomicInteger rejectedResults = new AtomicInteger();
    private final AtomicInteger computationsFetched = new AtomicInteger();
    private final AtomicInteger argumentsFetched = new AtomicInteger();
    /** The last task's argument, written over by the next one of the same length (only the task loop uses it). */
    private byte[] argumentBuffer;

    private volatile int heartbeatMillis = 1000;
    private volatile long maxResultBytes = ProtocolLimits.DEFAULT_MAX_PAYLOAD_BYTES;
    private Thread thread;

    private FederatedClient(Builder b) throws IOException {
        this.b = b;
        this.signer = b.key == null ? null : new RequestSigner(b.key, ProtocolLimits.VERSION);
        ChannelCredentials credentials = b.insecure
                ? InsecureChannelCredentials.create()
                : TlsChannelCredentials.newBuilder()
                        .trustManager(b.trust.toFile())
                        .build();
        this.channel = NettyChannelBuilder.forTarget(b.server, credentials)
                .maxInboundMessageSize(ProtocolLimits.MAX_MESSAGE_BYTES)
                .initialFlowControlWindow(Chunks.FLOW_CONTROL_WINDOW_BYTES)
                .build();
        this.blocking = FleetGrpc.newBlockingStub(channel);
        this.async = FleetGrpc.newStub(channel);
    }

    /**
     * The factories a client runs by default: training (plain and the variants of FedAvg with a
     * schedule, SCAFFOLD, FedNova, Mime Lite; federated reconstruction's reconstruct-then-train) and the
     * described steps that follow it on a client
     * (field selections, the update's weighting, the aggregators' weighting and encoding), and the
     * chain that carries them in one task ({@link ShippedChain}).
     */
    public static final Set<String> DEFAULT_ALLOWED_FACTORIES = Set.of(
            ClientTraining.Factory.class.getName(),
            ClientTrainingVariant.Factory.class.getName(),
            ClientWorks.Factory.class.getName(),
            ReconstructionTraining.Factory.class.getName(),
            ClientSteps.Factory.class.getName(),
            FieldSelection.Factory.class.getName(),
            EncodedDistribution.DecodeFactory.class.getName(),
            FromInitDistribution.DecodeFactory.class.getName(),
            DeltaDistribution.ClientStepFactory.class.getName(),
            ShippedChain.Factory.class.getName());

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Works for the server until it says the run has finished (returns normally) or {@link #stop()}
     * is called; returns the number of tasks whose results the server accepted.
     */
    public int run() {
        ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fl4j-heartbeat-" + b.clientId);
            t.setDaemon(true);
            return t;
        });
        heartbeats.scheduleWithFixedDelay(this::heartbeat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
        long backoff = b.initialBackoff.toMillis();
        try (TaskContext context = new TaskContext(b.clientId, new ClientStates(b.stateDir))) {
            TaskExecutor executor =
                    new TaskExecutor(b.allowedFactories, this::fetchComputation, b.data, b.batchMap, context);
            while (!stopped.get()) {
                try {
                    if (!registered.get()) {
                        register();
                    }
                    if (!pullAndRun(executor)) {
                        return tasksDone.get();
                    }
                    backoff = b.initialBackoff.toMillis();
                } catch (StatusRuntimeException e) {
                    if (stopped.get()) {
                        break;
                    }
                    Status.Code code = e.getStatus().getCode();
                    if (code == Status.Code.UNAUTHENTICATED
                            || code == Status.Code.UNAVAILABLE
                            || code == Status.Code.DEADLINE_EXCEEDED
                            || code == Status.Code.CANCELLED) {
                        registered.set(false);
                    }
                    long sleep = (long) (jitter.nextDouble() * backoff);
                    LOG.log(Level.INFO, "{0}: {1}; retrying in {2} ms", new Object[] {b.clientId, e.getStatus(), sleep
                    });
                    sleep(sleep);
                    if (code == Status.Code.UNAVAILABLE) {
                        // the channel's own reconnect backoff (gRPC's, growing to 2 minutes, failing calls fast
                        // meanwhile) would otherwise stack on this one, and a server back after an outage would
                        // wait for it whatever this client's cap: the next call starts connecting afresh
                        channel.enterIdle();
                    }
                    backoff = Math.min(backoff * 2, b.maxBackoff.toMillis());
                }
            }
            return tasksDone.get();
        } finally {
            heartbeats.shutdownNow();
        }
    }

    /** Runs {@link #run()} on a thread of its own. */
    public synchronized FederatedClient start() {
        if (thread != null) {
            throw new IllegalStateException("client " + b.clientId + " is already started");
        }
        thread = new Thread(this::run, "fl4j-client-" + b.clientId);
        thread.start();
        return this;
    }

    /** Stops working (a task running now is abandoned) and waits for {@link #start()}'s thread. */
    public void stop() throws InterruptedException {
        stopped.set(true);
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /** Waits for {@link #start()}'s thread to end (the run finished); false on timeout. */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return true;
        }
        t.join(Math.max(1, timeout.toMillis()));
        return !t.isAlive();
    }

    /** This client's id. */
    public String clientId() {
        return b.clientId;
    }

    /** Whether the client is registered with the server now (not yet, or not again after an outage: false). */
    public boolean registered() {
        return registered.get();
    }

    /** Tasks whose results the server accepted. */
    public int tasksDone() {
        return tasksDone.get();
    }

    /** Results the server refused. */
    public int rejectedResults() {
        return rejectedResults.get();
    }

    /**
     * Computations this client fetched from the server: once per distinct computation while it runs
     * (tasks name their computation by digest; the rebuilt computations are kept), again after a restart.
     */
    public int computationsFetched() {
        return computationsFetched.get();
    }

    /**
     * Task arguments this client downloaded (with {@code GetArgument}); a client sharing arguments with others
     * of its host downloads only those none of them had.
     */
    public int argumentsFetched() {
        return argumentsFetched.get();
    }

    /** Tasks this client could not run (reported to the server as failures). */
    public int tasksFailed() {
        return tasksFailed.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }

    /** {@code h} with the signed envelope of a {@code method} request whose unsigned bytes are {@code body}. */
    private ClientHeader signed(ClientHeader h, String method, byte[] body) {
        return signer == null
                ? h
                : h.toBuilder()
                        .setAuth(ByteString.copyFrom(signer.sign(method, body)))
                        .build();
    }

    private RegisterRequest registerRequest() {
        RegisterRequest r = RegisterRequest.newBuilder().setHeader(header()).build();
        return r.toBuilder()
                .setHeader(signed(r.getHeader(), FleetGrpc.getRegisterMethod().getFullMethodName(), r.toByteArray()))
                .build();
    }

    private HeartbeatRequest heartbeatRequest() {
        HeartbeatRequest r = HeartbeatRequest.newBuilder().setHeader(header()).build();
        return r.toBuilder()
                .setHeader(signed(r.getHeader(), FleetGrpc.getHeartbeatMethod().getFullMethodName(), r.toByteArray()))
                .build();
    }

    private PullTaskRequest pullRequest() {
        PullTaskRequest r = PullTaskRequest.newBuilder().setHeader(header()).build();
        return r.toBuilder()
                .setHeader(signed(r.getHeader(), FleetGrpc.getPullTaskMethod().getFullMethodName(), r.toByteArray()))
                .build();
    }

    private ClientHeader header() {
        return ClientHeader.newBuilder()
                .setProtocolVersion(ProtocolLimits.VERSION)
                .setClientId(b.clientId)
                .build();
    }

    /**
     * The computation bytes of {@code task}, from the server. A server that no longer has the task
     * open (its round ended) or refuses the digest makes the task fail with its reason.
     */
    private byte[] fetchComputation(TaskHeader task) {
        GetComputationRequest r = GetComputationRequest.newBuilder()
                .setHeader(header())
                .setComputationSha256(task.getComputationSha256())
                .build();
        r = r.toBuilder()
                .setHeader(signed(
                        r.getHeader(), FleetGrpc.getGetComputationMethod().getFullMethodName(), r.toByteArray()))
                .build();
        try {
            byte[] bytes = blocking.withDeadlineAfter(60, TimeUnit.SECONDS)
                    .getComputation(r)
                    .getComputation()
                    .toByteArray();
            computationsFetched.incrementAndGet();
            return bytes;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new RejectedMessageException(
                        Rejection.UNKNOWN_COMPUTATION,
                        "task " + task.getTaskId() + ": the server did not send its computation: "
                                + e.getStatus().getDescription());
            }
            throw e;
        }
    }

    private void register() {
        RegisterResponse r = blocking.withDeadlineAfter(REGISTER_DEADLINE_SECONDS, TimeUnit.SECONDS)
                .register(registerRequest());
        if (r.getProtocolVersion() != ProtocolLimits.VERSION) {
            throw new IllegalStateException("server speaks protocol version " + r.getProtocolVersion()
                    + ", this client " + ProtocolLimits.VERSION);
        }
        heartbeatMillis = Math.max(100, r.getHeartbeatMillis());
        maxResultBytes = r.getMaxResultBytes();
        registered.set(true);
    }

    private void heartbeat() {
        if (!registered.get() || pulling.get()) {
            return;
        }
        try {
            boolean known = blocking.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .heartbeat(heartbeatRequest())
                    .getKnown();
            if (!known) {
                registered.set(false);
            }
        } catch (StatusRuntimeException e) {
            // the task loop sees the same outage and backs off
        }
    }

    /** Pulls one task and runs it; false when the server says the run has finished. */
    private boolean pullAndRun(TaskExecutor executor) {
        Iterator<TaskChunk> chunks =
                blocking.withDeadlineAfter(60, TimeUnit.SECONDS).pullTask(pullRequest());
        TaskChunk first;
        pulling.set(true);
        try {
            if (!chunks.hasNext()) {
                return true;
            }
            first = chunks.next();
        } finally {
            pulling.set(false);
        }
        if (first.hasNoTask()) {
            while (chunks.hasNext()) {
                chunks.next();
            }
            if (first.getNoTask().getFinished()) {
                return false;
            }
            sleep(first.getNoTask().getRetryAfterMillis());
            return true;
        }
        if (!first.hasHeader()) {
            throw new IllegalStateException("server sent a task without a header");
        }
        TaskHeader task = first.getHeader();
        byte[] result;
        java.util.Map<Integer, long[]> kept = java.util.Map.of();
        boolean indexRead = true;
        String failure = null;
        try {
            if (chunks.hasNext()) {
                throw new IllegalStateException("task " + task.getTaskId() + ": the server sent more than its header");
            }
            Argument argument = argument(task);
            TaskExecutor.Result r = b.slots == null
                    ? executor.run(task, argument.bytes(), argument.like(), null)
                    : b.slots.run(slot -> executor.run(task, argument.bytes(), argument.like(), slot));
            result = r.bytes();
            indexRead = r.clientIndexRead();
            kept = r.kept();
        } catch (InterruptedException e) {
            // stopped while waiting for a training slot: the task is abandoned, as stop() says
            Thread.currentThread().interrupt();
            stopped.set(true);
            return true;
        } catch (RejectedMessageException
                | IllegalStateException
                | IllegalArgumentException
                | UnsupportedOperationException e) {
            result = null;
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.log(Level.WARNING, "{0}: cannot run task {1}: {2}", new Object[] {b.clientId, task.getTaskId(), failure
            });
        }
        if (result != null && result.length > maxResultBytes) {
            failure = "result of " + result.length + " bytes is above the server's limit of " + maxResultBytes;
            result = null;
        }
        PushResultResponse answer = push(task, result, indexRead, failure);
        while (!answer.getAccepted() && answer.getRejection() == Rejection.RETRY_LATER && !stopped.get()) {
            sleep(Math.max(1, answer.getRetryAfterMillis()));
            answer = push(task, result, indexRead, failure);
        }
        if (failure != null) {
            tasksFailed.incrementAndGet();
        } else if (answer.getAccepted()) {
            tasksDone.incrementAndGet();
            if (!kept.isEmpty()) {
                secureAggregation(task, kept);
            }
        } else {
            rejectedResults.incrementAndGet();
            LOG.log(Level.WARNING, "{0}: result refused: {1}", new Object[] {b.clientId, answer.getMessage()});
        }
        return true;
    }

    /**
     * A task's argument bytes, and the host's shared bytes they were written over (null without
     * {@link SharedArguments}), whose decoded value the task's decode takes the equal tensors from.
     */
    private record Argument(byte[] bytes, SharedArguments.Held shared) {
        Supplier<ValueCodec.Decoded> like() {
            return shared == null ? () -> null : shared::decoded;
        }
    }

    /**
     * {@code task}'s argument: the shared bytes the header names by digest (held by this host, or fetched) with
     * the task's own patch written in, in this client's array of its last task.
     */
    private Argument argument(TaskHeader task) throws InterruptedException {
        String what = "task " + task.getTaskId();
        TaskArgumentLayout layout = TaskArgumentLayout.of(task, b.maxTaskBytes, what);
        byte[] sha256 = layout.sha256().toByteArray();
        if (b.sharedArguments == null) {
            // no other client to share with: downloaded into this client's own array, patched there in place
            byte[] mine = SharedArguments.checkDigest(sha256, fetchArgument(task, what, this::ownArgumentArray));
            argumentBuffer = layout.applyTo(mine, argumentBuffer, what);
            return new Argument(argumentBuffer, null);
        }
        SharedArguments.Held shared = b.sharedArguments.get(sha256, () -> fetchArgument(task, what, byte[]::new));
        argumentBuffer = layout.applyTo(shared.bytes(), argumentBuffer, what);
        return new Argument(argumentBuffer, shared);
    }

    /**
     * Downloads the shared argument bytes of {@code task} (a stream of chunks). A server that no longer has the
     * task open (its round ended) makes the task fail with its reason.
     */
    private byte[] fetchArgument(TaskHeader task, String what, IntFunction<byte[]> arrays) {
        GetArgumentRequest r = GetArgumentRequest.newBuilder()
                .setHeader(header())
                .setTaskId(task.getTaskId())
                .build();
        r = r.toBuilder()
                .setHeader(
                        signed(r.getHeader(), FleetGrpc.getGetArgumentMethod().getFullMethodName(), r.toByteArray()))
                .build();
        ChunkAssembler argument = new ChunkAssembler(
                task.getArgumentBytes(), b.maxTaskBytes, ProtocolLimits.MAX_CHUNK_BYTES, what, arrays);
        try {
            Iterator<TaskChunk> chunks =
                    blocking.withDeadlineAfter(60, TimeUnit.SECONDS).getArgument(r);
            while (chunks.hasNext()) {
                TaskChunk c = chunks.next();
                if (!c.hasData()) {
                    throw new IllegalStateException(what + ": an argument chunk without data");
                }
                argument.add(c.getData());
            }
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                throw new IllegalStateException(what + ": the server did not send its argument: "
                        + e.getStatus().getDescription());
            }
            throw e;
        }
        argumentsFetched.incrementAndGet();
        return argument.bytes();
    }

    /** This client's argument array of its last task if it has {@code length} bytes, else a new one. */
    private byte[] ownArgumentArray(int length) {
        return argumentBuffer != null && argumentBuffer.length == length ? argumentBuffer : new byte[length];
    }

    /** Takes part in the SecAgg+ session that sums what {@code task} kept (its inputs are masked here). */
    private void secureAggregation(TaskHeader task, java.util.Map<Integer, long[]> kept) {
        String ended = new SecAggParticipant(b.clientId, blocking, async, this::signed, header(), stopped::get)
                .run(task.getTaskId(), kept, task.getDeadlineMillis() + SECAGG_GRACE_MILLIS);
        LOG.log(Level.FINE, "{0}: secure aggregation of task {1} ended: {2}", new Object[] {
            b.clientId, task.getTaskId(), ended
        });
    }

    /** How long after a task's deadline a client still waits for its secure-aggregation session. */
    private static final long SECAGG_GRACE_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private PushResultResponse push(TaskHeader task, byte[] result, boolean indexRead, String failure) {
        UploadAnswer<ResultChunk, PushResultResponse> answer = new UploadAnswer<>("push");
        StreamObserver<ResultChunk> out =
                async.withDeadlineAfter(120, TimeUnit.SECONDS).pushResult(answer);
        ResultHeader.Builder h = ResultHeader.newBuilder()
                .setClient(header())
                .setTaskId(task.getTaskId())
                .setRound(task.getRound());
        if (failure != null) {
            h.setFailure(failure);
        } else {
            h.setResultBytes(result.length)
                    .setResultSha256(ByteString.copyFrom(Payloads.sha256(result)))
                    .setClientIndexRead(indexRead);
        }
        ResultHeader unsigned = h.build();
        h.setClient(signed(
                unsigned.getClient(), FleetGrpc.getPushResultMethod().getFullMethodName(), unsigned.toByteArray()));
        try {
            out.onNext(ResultChunk.newBuilder().setHeader(h).build());
            if (result != null) {
                for (var chunk : Chunks.split(result, Chunks.SENT_CHUNK_BYTES)) {
                    answer.awaitReady();
                    if (answer.isDone()) {
                        break; // answered early (refused or deferred at its header): the rest is not read
                    }
                    out.onNext(ResultChunk.newBuilder().setData(chunk).build());
                }
            }
            out.onCompleted();
            return answer.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException s) {
                throw s;
            }
            throw new StatusRuntimeException(Status.UNAVAILABLE.withCause(e.getCause()));
        } catch (TimeoutException e) {
            throw new StatusRuntimeException(Status.DEADLINE_EXCEEDED.withDescription("no answer to a pushed result"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StatusRuntimeException(Status.CANCELLED.withDescription("interrupted"));
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped.set(true);
        }
    }

    /** Configures a {@link FederatedClient}: server, client id and data are required. */
    public static final class Builder {
        private String server;
        private String clientId;
        private Dataset data;
        private UnaryOperator<Dataset> batchMap = UnaryOperator.identity();
        private Path trust;
        private ClientKey key;
        private boolean insecure;
        private Set<String> allowedFactories = DEFAULT_ALLOWED_FACTORIES;
        private long maxTaskBytes = ProtocolLimits.DEFAULT_MAX_PAYLOAD_BYTES;
        private Path stateDir;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private TrainingSlots slots;
        private SharedArguments sharedArguments;

        private Builder() {}

        /** The server, {@code HOST:PORT}. */
        public Builder setServer(String hostPort) {
            this.server = Objects.requireNonNull(hostPort, "hostPort");
            return this;
        }

        /**
         * This client's id; with {@link #optKey} it defaults to the key's id (the hex SHA-256 of its public
         * key), which is the only id a server with authorized keys accepts from it.
         */
        public Builder setClientId(String clientId) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
            return this;
        }

        /** This client's examples, unbatched; each task shuffles and batches them as it says. */
        public Builder setData(Dataset data) {
            this.data = Objects.requireNonNull(data, "data");
            return this;
        }

        /** Adapts batches to the model (e.g. flattening images); default none. */
        public Builder optBatchMap(UnaryOperator<Dataset> batchMap) {
            this.batchMap = Objects.requireNonNull(batchMap, "batchMap");
            return this;
        }

        /** Verifies the server's TLS certificate against these trust roots (PEM). */
        public Builder optTrust(Path caPem) {
            this.trust = Objects.requireNonNull(caPem, "caPem");
            return this;
        }

        /** Signs every request with this Ed25519 key (required by a server with authorized keys). */
        public Builder optKey(ClientKey key) {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        /** Plaintext, for a server on a loopback address started with {@code --insecure}. */
        public Builder optInsecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /**
         * The computation factories this client runs, class names (default
         * {@link FederatedClient#DEFAULT_ALLOWED_FACTORIES}). A task whose computation, or any
         * computation of whose chain, names another is refused.
         */
        public Builder optAllowedFactories(Set<String> factoryClassNames) {
            this.allowedFactories = Set.copyOf(factoryClassNames);
            return this;
        }

        /**
         * Keeps this client's own client state (error-feedback residuals, SCAFFOLD control variates)
         * in {@code dir}, one snapshot per round, so that it survives a restart of the client
         * (default: in memory, lost when the client stops; a server that expects state the client
         * lost gets the task's failure, saying so).
         */
        public Builder optStateDir(Path dir) {
            this.stateDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The largest task argument accepted (default 256 MiB). */
        public Builder optMaxTaskBytes(long bytes) {
            this.maxTaskBytes = bytes;
            return this;
        }

        /** Reconnect backoff: first wait and cap (defaults 200 ms, 10 s), doubled each failure, full jitter. */
        public Builder optBackoff(Duration initial, Duration max) {
            this.initialBackoff = Objects.requireNonNull(initial, "initial");
            this.maxBackoff = Objects.requireNonNull(max, "max");
            return this;
        }

        /**
         * Shares these slots with the other clients of this process: a task's local computation (decoding
         * its argument, training, encoding the result) waits for a free slot and runs on that slot's worker
         * resources (default: none, a task trains as soon as it arrives, on resources of this client's own).
         * The slots outlive the client: whoever made them closes them after its clients.
         */
        public Builder optTrainingSlots(TrainingSlots slots) {
            this.slots = Objects.requireNonNull(slots, "slots");
            return this;
        }

        /**
         * Shares task arguments with the other clients of this process: a round's broadcast is downloaded by the
         * first of them that needs it and taken from {@code arguments} by the others (default: none; the client
         * downloads every task's argument into its own array).
         */
        public Builder optSharedArguments(SharedArguments arguments) {
            this.sharedArguments = Objects.requireNonNull(arguments, "arguments");
            return this;
        }

        public FederatedClient build() throws IOException {
            if (clientId == null && key != null) {
                clientId = key.id();
            }
            if (server == null || clientId == null || data == null) {
                throw new IllegalStateException("setServer, setClientId (or optKey) and setData are required");
            }
            if (key != null && !clientId.equals(key.id())) {
                throw new IllegalStateException("setClientId " + clientId + " is not the id of the key, " + key.id()
                        + "; a server with authorized keys knows a client by its key's id");
            }
            if (insecure == (trust != null)) {
                throw new IllegalStateException(
                        insecure
                                ? "optInsecure and optTrust conflict: choose one"
                                : "optTrust (CA PEM) is required unless optInsecure");
            }
            if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalStateException(
                        "optBackoff: need 0 < initial <= max, got " + initialBackoff + ", " + maxBackoff);
            }
            if (insecure) {
                String host = server.contains(":") ? server.substring(0, server.lastIndexOf(':')) : server;
                if (!dev.fl4j.deploy.server.DeployServer.isLoopback(host)) {
                    throw new IllegalStateException("plaintext (optInsecure) only to a loopback server, not " + host);
                }
            }
            return new FederatedClient(this);
        }
    }
}
