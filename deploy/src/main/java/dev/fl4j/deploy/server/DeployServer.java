package dev.fl4j.deploy.server;

import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.aggregators.PrivacyBudgetExceededException;
import dev.fl4j.aggregators.PrivacyBudgetExhausted;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.runtime.CommunicationSnapshot;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.deploy.Chunks;
import dev.fl4j.deploy.NegotiatedTls;
import dev.fl4j.deploy.RemoteClientData;
import dev.fl4j.deploy.protocol.ProtocolLimits;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.security.AuthorizedKeys;
import dev.fl4j.deploy.security.RequestVerifier;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.templates.LearningProcessOutput;
import dev.fl4j.simulation.checkpoint.Checkpoint;
import dev.fl4j.simulation.checkpoint.CheckpointException;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.PrivacyLedgerFile;
import dev.fl4j.simulation.checkpoint.RoundRecord;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.checkpoint.ServerStates;
import dev.fl4j.simulation.training.ClientSampler;
import dev.fl4j.simulation.training.Cohort;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.PrivateRuns;
import dev.fl4j.simulation.training.RoundListener;
import dev.fl4j.simulation.training.TrainingLoop;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.net.ssl.SSLSession;

/**
 * An fl4j server: the gRPC {@code Fleet} service clients connect to, and the round driver that runs
 * a {@link LearningProcess} over them on a {@link RemoteRuntime}.
 *
 * <p><b>A round.</b> The driver waits until {@code clientsPerRound} clients are alive (or, after one
 * round timeout, at least {@code minClients}), samples the cohort from the live clients (in natural
 * order of their ids) with simulation's
 * {@link ClientSampler} and the run seed, and runs the process's {@code next} with a
 * {@link RemoteClientData} stand-in for each selected client's data (carrying the shuffle seed
 * simulation would use, {@link TrainingLoop#clientShuffleSeed}, and the batch size and examples cap),
 * so a deployed run over the same clients and data is bitwise the simulated one. A client that misses
 * the round timeout, or reports failure, fails the attempt: no result of it is kept, and the round is
 * run again over the clients that are left if at least {@code minClients} are; otherwise it is
 * abandoned and started over with a fresh sample once enough clients are alive. A result is thus
 * never counted twice, and one arriving for a given-up attempt is refused as stale. Each attempt is
 * recorded in the {@link ServerStore} when one is configured.
 *
 * <p><b>Over-selection</b> ({@link Builder#optOverSelection}). The driver samples
 * {@code ceil(clientsPerRound × (1 + fraction))} clients instead (as many as are alive, if fewer),
 * hands each its task, and the round counts the first {@code clientsPerRound} results accepted (at the
 * deadline, those accepted if at least {@code minClients}); the later ones are refused as not needed,
 * counted, and never aggregated. The round then runs over the clients that counted, in natural order
 * of their ids, reusing their results ({@link RemoteRuntime}), and the round log records them (attempt
 * outcome {@value #OVER_SELECTED}, then the completed attempt with its participants), so the model is
 * bitwise that of the local runtime over the participants the log names.
 *
 * <p><b>Differentially private runs</b> ({@link Builder#optPrivacy}), what {@code fl4j simulate}'s
 * private runs are ({@link dev.fl4j.simulation.training.TrainingLoop}), over deployed clients:
 * <ul>
 *   <li><em>Sampling.</em> The population is the authorized clients ({@link Builder#optAuthorizedKeys}),
 *       fixed for the run; each round every one of them is sampled independently with probability
 *       exactly the accountant's {@code q = clientsPerRound / population}, from a {@link SecureRandom}
 *       (not the run seed, so no client can predict who is sampled), whether connected or not
 *       ({@link PoissonCohorts}). Connectivity only decides when a round starts (as in a non-private
 *       run: once {@code clientsPerRound} authorized clients are alive, or after one round timeout
 *       {@code minClients}), never who is sampled. The same RDP accountant as simulate's (the DP
 *       aggregator's) reports ε per round, with the same {@code q}, noise multiplier and δ, so the
 *       figures are simulate's for the same rounds.</li>
 *   <li><em>Dropouts.</em> The noise is calibrated to the clip and the division is by the expected
 *       {@code clientsPerRound} (DP-FedAvg's fixed denominator), neither ever by who reports. A sampled
 *       client that is not alive when the round starts gets no task; one that fails or misses the
 *       deadline is left out and the round runs again over the others that are left (they compute
 *       the same results again; no result is counted twice). A dropout therefore only removes its own
 *       contribution: the sensitivity bound is unchanged, and since a client is then included with
 *       probability at most {@code q}, and the sampled Gaussian mechanism's RDP does not grow as the
 *       rate falls, ε stays an upper bound. This assumes that who is sampled is not influenced by the
 *       clients' data or by anyone who could see it (the draw is the server's, from
 *       {@link SecureRandom}), that nobody but the server learns who was sampled, and that each round
 *       is released once: a private round is never abandoned or sampled again, however few report
 *       (with none, it releases noise alone), since a second draw would be a release the accountant
 *       does not count and a retry decided by the count of reporting clients would reveal it.
 *       {@code minClients} thus does not apply once the cohort is drawn. A round attempt that failed
 *       released nothing; with a ledger (checkpoints) the aggregator still counts it, on the side of
 *       more ε, as it counts a round re-run after a crash.</li>
 *   <li><em>Releases.</em> As in simulate: a round's metrics are only the DP aggregator's
 *       {@code privacy/…} and {@code dp_query_metrics/…} and the server-held evaluation; the counts of
 *       sampled and reporting clients, bits, wire bytes, rejected messages and round time, which
 *       reveal the cohort, are not released, and checkpoints hold zero bits. The trust model is
 *       central DP: the server sees each update in the clear (unless secure aggregation sums them),
 *       and its own records ({@link ServerStore}: who took part in each attempt; its log) are not
 *       releases and must stay with its operator. What a client can observe on its own connection
 *       (when tasks come, a round run again) is outside ε.</li>
 *   <li><em>Budget and resume.</em> With an ε budget the run stops after the last round it allows
 *       (the typed {@link DifferentiallyPrivateFactory#exhaustedAfter}); with checkpoints the
 *       aggregator records every round in its {@link PrivacyLedgerFile} in the checkpoint directory
 *       before the round's release, checkpoints are saved every round, and the DP settings join the
 *       configuration a resume must match.</li>
 *   <li><em>With secure aggregation</em> ({@link Builder#optSecureAggregation}): central DP after the
 *       secure sum, TFF's DP factory with a secure record aggregation. The DP aggregator must sum its
 *       clipped updates with a {@code SecureSumFactory} of fixed bounds and clip to a fixed bound; each
 *       sampled client clips, quantizes and masks its own update, the server unmasks only the sum of the
 *       clients that submitted their masked inputs, adds the Gaussian noise (calibrated to the clip plus
 *       the quantization's bound) and releases the noised mean. Claims: against anyone who sees only the
 *       releases, ε as above; against the server, SecAgg+'s (semi-honest server): it learns the cohort and
 *       the sum of its clipped, quantized updates, no single update beyond what that sum reveals (for a
 *       cohort of one, the sum is that client's update); ε does not hold against the server, which is
 *       trusted to add the noise. A client that drops out during the secure sum is left out of it (or, when
 *       too few are left to unmask, the attempt fails and is run again without it), so it only removes its
 *       own contribution and ε stays an upper bound, as for any dropout. An aggregator whose sum is not
 *       secure, an adaptive clip and a privately estimated zeroing bound are refused (the server would see
 *       updates, or their norms, in the clear). Fixed-bound wrappers around the DP core (zeroing,
 *       non-finite zeroing) cannot be seen from here and are not refused: each tells the server one flag
 *       per client (whether its bound applied) in the clear. fl4j has no distributed DP (clients adding discrete noise
 *       before the secure sum, TFF's {@code DistributedDpSumFactory}).</li>
 * </ul>
 *
 * <p><b>Transport and authentication.</b> TLS from PEM files ({@link Builder#optTls}) with client
 * authentication ({@link Builder#optAuthorizedKeys}: each request signed by an authorized Ed25519
 * key, fresh and never replayed, for the client id it claims), or, only on a loopback address,
 * plaintext ({@link Builder#optInsecure}, authentication optional); messages are limited to
 * {@link ProtocolLimits#MAX_MESSAGE_BYTES} and payloads to {@link Builder#optMaxPayloadBytes}.
 */
public final class DeployServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeployServer.class.getName());

    private final Builder b;
    private final TaskBoard board = new TaskBoard();
    private final SecAggBoard secagg = new SecAggBoard(board);
    private final WireStats wire = new WireStats();
    private final AtomicReference<NegotiatedTls> negotiatedTls = new AtomicReference<>();
    private final ClientRegistry registry;
    private final RemoteRuntime runtime;
    private final ServerStore store;
    /** The run's configuration, with the DP settings when private; null without checkpoints. */
    private final RunConfig runConfig;
    /** A private run's Poisson cohorts over the authorized clients, or null. */
    private final PoissonCohorts poisson;
    /** Per client, the last round whose result of it was kept: the round of the client state it holds. */
    private final Map<String, Integer> stateRounds = new java.util.concurrent.ConcurrentHashMap<>();

    private volatile boolean finished;
    private volatile boolean closed;
    private Server server;
    private FleetService service;
    private ThreadPoolExecutor callExecutor;
    private ScheduledThreadPoolExecutor pollTimer;

    private DeployServer(Builder b) {
        this.b = b;
        this.store = b.storeFile == null ? null : ServerStore.open(b.storeFile);
        if (store != null) {
            wire.sent(store.wireSentBytes());
            wire.received(store.wireReceivedBytes());
            wire.argumentsShared(store.argumentBytesShared());
        }
        this.registry = new ClientRegistry(Math.max(3L * b.heartbeatMillis, 2000), store);
        this.poisson = b.privacy == null
                ? null
                : new PoissonCohorts(b.authorizedKeys.ids(), b.privacy.samplingRate(), new SecureRandom());
        this.runConfig = b.privacy != null && b.runConfig != null
                ? PrivateRuns.withSettings(b.runConfig, b.privacy)
                : b.runConfig;
        this.runtime = new RemoteRuntime(
                board,
                wire,
                // no worker waits for a client (the dispatch is asynchronous): as many as the server-side work can use
                Runtime.getRuntime().availableProcessors(),
                secagg,
                b.secureAggregation == null
                        ? null
                        : failed -> new RemoteSecureSum(
                                b.secureAggregation,
                                secagg,
                                b.secAggStageTimeout != null ? b.secAggStageTimeout : b.roundTimeout,
                                b.secAggObserver,
                                failed));
        board.bufferBudget(b.resultBufferBytes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the service; {@link #address()} then tells where. */
    public DeployServer start() throws IOException {
        ServerCredentials credentials = b.insecure
                ? InsecureServerCredentials.create()
                : TlsServerCredentials.create(b.tlsCert.toFile(), b.tlsKey.toFile());
        callExecutor = new ThreadPoolExecutor(
                b.serviceThreads,
                b.serviceThreads,
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                daemonThreads("fl4j-fleet-"));
        pollTimer = new ScheduledThreadPoolExecutor(1, daemonThreads("fl4j-poll-timer-"));
        pollTimer.setRemoveOnCancelPolicy(true);
        service = new FleetService(
                registry,
                board,
                wire,
                b.maxPayloadBytes,
                b.heartbeatMillis,
                () -> finished,
                b.authorizedKeys == null ? null : new RequestVerifier(b.authorizedKeys, ProtocolLimits.VERSION),
                secagg,
                b.pollTimeout.toMillis(),
                callExecutor,
                pollTimer);
        server = NettyServerBuilder.forAddress(new InetSocketAddress(b.host, b.port), credentials)
                .executor(callExecutor)
                .maxInboundMessageSize(ProtocolLimits.MAX_MESSAGE_BYTES)
                .initialFlowControlWindow(Chunks.FLOW_CONTROL_WINDOW_BYTES)
                .handshakeTimeout(b.handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .addService(ServerInterceptors.intercept(service, new TlsRecorder()))
                .build()
                .start();
        return this;
    }

    /**
     * The TLS of the first call that came over TLS (its protocol, cipher suite and engine), as the server's
     * side of the connection saw it; empty before any did, and always with {@code optInsecure}.
     */
    public Optional<NegotiatedTls> negotiatedTls() {
        return Optional.ofNullable(negotiatedTls.get());
    }

    /** Keeps the TLS session of the first call that has one. */
    private final class TlsRecorder implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            if (negotiatedTls.get() == null) {
                SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                if (session != null) {
                    negotiatedTls.compareAndSet(null, NegotiatedTls.of(session));
                }
            }
            return next.startCall(call, headers);
        }
    }

    /** The bound address (the port is the real one when 0 was asked for). */
    public InetSocketAddress address() {
        if (server == null) {
            throw new IllegalStateException("the server is not started");
        }
        return new InetSocketAddress(b.host, server.getPort());
    }

    /**
     * Runs every round and returns the outcome; clients pulling after it are told the run has finished. A
     * run that fails or is {@linkplain #close() closed} part way tells them nothing of the kind: they keep
     * retrying (with backoff) until a server, this one restarted from its checkpoint, has work for them.
     */
    public DeployResult run() throws InterruptedException {
        if (server == null) {
            throw new IllegalStateException("start() the server before run()");
        }
        LearningProcess process = b.process;
        Type memberType = ((FederatedType) process.clientDataType()).member();
        Type elementType = ((SequenceType) memberType).element();
        List<Map<String, Double>> history = new ArrayList<>();
        List<RoundRecord> records = new ArrayList<>();
        Value state;
        int startRound = 0;
        long broadcast = 0;
        long aggregated = 0;
        DifferentiallyPrivateFactory dp = b.privacy;
        if (dp != null) {
            b.listener.privacy(PrivateRuns.statement(dp) + "; deployed: Poisson over the "
                    + poisson.population().size()
                    + " authorized clients, a sampled client that is not connected, fails or misses the deadline only"
                    + " removes its own contribution, and a round is never abandoned or sampled again");
        }
        Optional<Checkpoint> latest = b.checkpoints == null ? Optional.empty() : b.checkpoints.loadLatest(runConfig);
        int lastRound = b.rounds;
        long noisedThisRun = 0;
        boolean completed = false;
        try (LocalRuntime evalRuntime = LocalRuntime.builder().optWorkers(1).build()) {
            if (latest.isPresent()) {
                Checkpoint c = latest.get();
                if (dp != null && dp.ledger() instanceof PrivacyLedgerFile ledger && !ledger.exists()) {
                    throw new CheckpointException(
                            ledger.file(),
                            "is missing, but this differentially private run has checkpoints: without the count of"
                                    + " noised rounds it has spent, a resumed run could forget budget");
                }
                state = ServerStates.restore(c.state(), process.stateType());
                runtime.clientStates().restore(c.clientStates());
                startRound = c.round();
                if (store != null) {
                    for (int r = 1; r <= startRound; r++) {
                        for (String id : store.participants(r)) {
                            stateRounds.put(id, r);
                        }
                    }
                }
                broadcast = c.broadcastedBits();
                aggregated = c.aggregatedBits();
                records.addAll(c.history());
                for (RoundRecord r : c.history()) {
                    history.add(r.metrics());
                }
                b.listener.resumed(c);
            } else {
                state = process.initialize(runtime);
                if (b.evaluation != null) {
                    Map<String, Double> m =
                            new LinkedHashMap<>(b.evaluation.evaluate(evalRuntime, process.getModelWeights(state)));
                    b.listener.roundFinished(0, m);
                    history.add(m);
                    records.add(new RoundRecord(0, m));
                }
            }
            for (int round = startRound + 1; round <= b.rounds; round++) {
                long started = System.nanoTime();
                Map<String, Double> m;
                if (dp != null) {
                    Optional<RoundOutcome> released = runPrivateRound(round, process, state, memberType, elementType);
                    if (released.isEmpty()) {
                        lastRound = round - 1;
                        break;
                    }
                    noisedThisRun++;
                    state = released.get().out.state();
                    m = new LinkedHashMap<>(
                            PrivateRuns.released(released.get().out.flatMetrics()));
                } else {
                    RoundOutcome r = runRound(round, process, state, memberType, elementType);
                    state = r.out.state();
                    CommunicationSnapshot used = r.used;
                    broadcast += used.broadcastBits();
                    aggregated += used.aggregatedBits();
                    m = new LinkedHashMap<>(r.out.flatMetrics());
                    m.put(TrainingLoop.CLIENTS_SAMPLED, (double) r.selected);
                    m.put(TrainingLoop.CLIENTS_REPORTING, (double) r.reported.size());
                    m.put(TrainingLoop.BROADCASTED_BITS, (double) broadcast);
                    m.put(TrainingLoop.AGGREGATED_BITS, (double) aggregated);
                    m.put(TrainingLoop.ROUND_SECONDS, (System.nanoTime() - started) / 1e9);
                    m.put(WIRE_SENT_BYTES, (double) wire.sentBytes());
                    m.put(WIRE_RECEIVED_BYTES, (double) wire.receivedBytes());
                    m.put(ARGUMENT_BYTES_SHARED, (double) wire.argumentBytesShared());
                    m.put(REJECTED_MESSAGES, (double) rejections().values().stream()
                            .mapToLong(Long::longValue)
                            .sum());
                }
                Optional<PrivacyBudgetExhausted> stop = dp != null && round < b.rounds
                        ? dp.exhaustedAfter(
                                dp.ledger() == null
                                        ? noisedThisRun
                                        : Math.max(dp.ledger().spent(), noisedThisRun))
                        : Optional.empty();
                boolean last = round == b.rounds || stop.isPresent();
                if (b.evaluation != null && (round % b.evaluateEvery == 0 || last)) {
                    m.putAll(b.evaluation.evaluate(evalRuntime, process.getModelWeights(state)));
                }
                history.add(m);
                records.add(new RoundRecord(round, m));
                b.listener.roundFinished(round, m);
                if (b.checkpoints != null && (round % b.checkpointEvery == 0 || last)) {
                    Path file = b.checkpoints.save(new Checkpoint(
                            round,
                            ServerStates.strip(state),
                            broadcast,
                            aggregated,
                            runConfig,
                            records,
                            runtime.clientStates().snapshot()));
                    b.listener.checkpointSaved(round, file);
                }
                if (stop.isPresent()) {
                    b.listener.stoppedEarly(round, stop.get().reason());
                    lastRound = round;
                    break;
                }
            }
            completed = true;
        } finally {
            // only a run that completed sends its clients home; after a failure (or close() mid-run) they are
            // answered "no task" and keep retrying, so a server restarted from its checkpoint finds them again
            finished = completed;
            service.releaseParkedPolls();
        }
        return new DeployResult(state, process.getModelWeights(state), Math.max(lastRound, startRound), history);
    }

    /** The longest pull hold: below the 60 s a {@code FederatedClient} waits for a pull's answer. */
    public static final Duration MAX_POLL_TIMEOUT = Duration.ofSeconds(50);
    /**
     * The longest {@link Builder#optHandshakeTimeout}: Netty ends a TLS handshake after 10 s whatever gRPC is
     * told (grpc-java creates the {@code SslHandler} and does not expose its timeout), so a longer one would
     * not hold for TLS.
     */
    public static final Duration MAX_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** The largest over-selection fraction: at most ten times the goal selected. */
    public static final double MAX_OVER_SELECTION = 9;

    /** How long {@link #close()} after a finished run waits for the live clients to learn it. */
    static final long FINISH_GRACE_MILLIS = 5000;

    /**
     * Cumulative bytes sent to clients (metric name); with a {@linkplain Builder#optStore store}, over the
     * whole run across restarts (as of the last attempt recorded before a restart).
     */
    public static final String WIRE_SENT_BYTES = "wire_sent_bytes";
    /** Cumulative bytes received from clients (metric name). */
    public static final String WIRE_RECEIVED_BYTES = "wire_received_bytes";
    /**
     * Cumulative argument bytes of handed-out tasks that no {@code GetArgument} fetched, because the client's host
     * already held them (metric name): the broadcast bytes the logical accounting counts but the wire did not
     * carry.
     */
    public static final String ARGUMENT_BYTES_SHARED = "argument_bytes_shared";
    /** Cumulative refused requests and results (metric name). */
    public static final String REJECTED_MESSAGES = "rejected_messages";

    private record RoundOutcome(
            LearningProcessOutput out, int selected, List<String> reported, CommunicationSnapshot used) {}

    private RoundOutcome runRound(int round, LearningProcess process, Value state, Type memberType, Type elementType)
            throws InterruptedException {
        int attempt = 0;
        while (true) {
            checkOpen();
            List<String> population = awaitPopulation(round);
            int cohort = Math.min(b.selectedPerRound(), population.size());
            List<String> selected = new ClientSampler(population, cohort, 0, b.seed)
                    .sample(round)
                    .sampled();
            b.listener.roundStarted(new Cohort(round, selected, selected));
            List<String> reporting = new ArrayList<>(selected);
            if (selected.size() > b.clientsPerRound) {
                attempt++;
                Optional<List<String>> counted =
                        collect(round, attempt, process, state, population, selected, memberType, elementType);
                if (counted.isEmpty()) {
                    continue;
                }
                reporting = new ArrayList<>(counted.get());
            }
            while (true) {
                attempt++;
                runtime.beginAttempt(b.roundTimeout.toMillis());
                List<String> ids = List.copyOf(reporting);
                ClientValues data = clientData(round, population, ids, memberType, elementType);
                CommunicationSnapshot before = runtime.communication().snapshot();
                try {
                    LearningProcessOutput out = process.next(runtime, state, data);
                    CommunicationSnapshot used =
                            runtime.communication().snapshot().minus(before);
                    record(round, attempt, selected.size(), ids, ServerStore.COMPLETED);
                    for (String id : ids) {
                        stateRounds.put(id, round);
                    }
                    return new RoundOutcome(out, selected.size(), ids, used);
                } catch (ClientWorkException e) {
                    checkOpen();
                    Set<String> failed = runtime.failedClients();
                    board.abandonAll();
                    if (failed.isEmpty()) {
                        throw e;
                    }
                    reporting.removeAll(failed);
                    boolean retry = reporting.size() >= b.minClients && !reporting.isEmpty();
                    record(round, attempt, selected.size(), reporting, retry ? "retried" : "abandoned");
                    LOG.warning("round " + round + " attempt " + attempt + ": " + failed.size() + " of " + ids.size()
                            + " clients failed (" + e.getMessage() + "); "
                            + (retry
                                    ? "running the round again over the " + reporting.size() + " that reported"
                                    : "fewer than --min-clients " + b.minClients
                                            + " left, abandoning it and sampling again"));
                    if (!retry) {
                        break;
                    }
                }
            }
        }
    }

    /**
     * A private round (see the class comment): the Poisson cohort over the authorized clients, tasks for
     * those of it that are alive, and the round run again over the others whenever some fail or miss
     * the deadline, down to none; never abandoned. Empty when the DP aggregator refuses the round for its
     * budget (the listener is told the run stops after the round before).
     */
    private Optional<RoundOutcome> runPrivateRound(
            int round, LearningProcess process, Value state, Type memberType, Type elementType)
            throws InterruptedException {
        checkOpen();
        Cohort cohort = poisson.draw(round, awaitPopulation(round));
        b.listener.roundStarted(cohort);
        int sampled = cohort.sampled().size();
        List<String> reporting = new ArrayList<>(cohort.reporting());
        for (int attempt = 1; ; attempt++) {
            runtime.beginAttempt(b.roundTimeout.toMillis());
            List<String> ids = List.copyOf(reporting);
            ClientValues data = clientData(round, poisson.population(), ids, memberType, elementType);
            try {
                LearningProcessOutput out = process.next(runtime, state, data);
                record(round, attempt, sampled, ids, ServerStore.COMPLETED);
                for (String id : ids) {
                    stateRounds.put(id, round);
                }
                return Optional.of(new RoundOutcome(out, sampled, ids, null));
            } catch (ClientWorkException e) {
                checkOpen();
                Set<String> failed = runtime.failedClients();
                board.abandonAll();
                if (failed.isEmpty()) {
                    throw e;
                }
                reporting.removeAll(failed);
                record(round, attempt, sampled, reporting, "retried");
                LOG.warning("private round " + round + " attempt " + attempt + ": " + failed.size() + " of "
                        + ids.size() + " clients failed (" + e.getMessage() + "); running the round again over the "
                        + reporting.size() + " left (a private round is never abandoned or sampled again)");
            } catch (RuntimeException e) {
                Optional<PrivacyBudgetExceededException> refusal = budgetRefusal(e);
                if (refusal.isEmpty()) {
                    throw e;
                }
                board.abandonAll();
                b.listener.stoppedEarly(round - 1, refusal.get().getMessage());
                return Optional.empty();
            }
        }
    }

    /** The DP aggregator's refusal to exceed its budget, if {@code e} is (or was caused by) one. */
    private static Optional<PrivacyBudgetExceededException> budgetRefusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PrivacyBudgetExceededException refusal) {
                return Optional.of(refusal);
            }
        }
        return Optional.empty();
    }

    /** Outcome in the round log of an over-selecting attempt whose counted clients the round then ran over. */
    static final String OVER_SELECTED = "over-selected";

    /**
     * The collecting attempt of an over-selected round ({@link RemoteRuntime#beginCollection}): every
     * selected client gets its task; the first {@code clientsPerRound} accepted results count (or, at
     * the deadline, those accepted if at least {@code minClients}), in natural order of their ids, as
     * the round log lists them, so the log alone reproduces the round. Empty when
     * too few counted: the round is abandoned and sampled again.
     */
    private Optional<List<String>> collect(
            int round,
            int attempt,
            LearningProcess process,
            Value state,
            List<String> population,
            List<String> selected,
            Type memberType,
            Type elementType)
            throws InterruptedException {
        runtime.beginCollection(b.clientsPerRound, selected.size(), b.roundTimeout.toMillis());
        List<String> accepted;
        try {
            process.next(runtime, state, clientData(round, population, selected, memberType, elementType));
            throw new IllegalStateException("over-selection: round " + round
                    + " sent no work to its clients, so there is nothing to select the first results from");
        } catch (ClientWorkException e) {
            checkOpen();
            accepted = runtime.endCollection();
            board.abandonAll();
            if (!collected(e)) {
                throw e;
            }
        } catch (RuntimeException e) {
            runtime.endCollection();
            board.abandonAll();
            throw e;
        }
        List<String> counted = new ArrayList<>(accepted);
        counted.sort(NaturalOrder.INSTANCE);
        boolean enough = counted.size() >= b.minClients && !counted.isEmpty();
        record(round, attempt, selected.size(), counted, enough ? OVER_SELECTED : "abandoned");
        if (!enough) {
            LOG.warning("round " + round + " attempt " + attempt + ": " + counted.size() + " of " + selected.size()
                    + " over-selected clients reported by the deadline, fewer than --min-clients " + b.minClients
                    + "; abandoning it and sampling again");
            return Optional.empty();
        }
        LOG.info("round " + round + ": " + counted.size() + " of " + selected.size()
                + " selected clients count; the others' results are not needed");
        return Optional.of(counted);
    }

    private static boolean collected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OverSelectionCollected) {
                return true;
            }
        }
        return false;
    }

    /** The stand-ins for the data of {@code ids} in {@code round}, each with simulation's shuffle seed. */
    private ClientValues clientData(
            int round, List<String> population, List<String> ids, Type memberType, Type elementType) {
        runtime.useStandIns(id -> standIn(round, population, id, elementType));
        return ClientValues.lazy(memberType, List.copyOf(ids), id -> standIn(round, population, id, elementType));
    }

    private RemoteClientData standIn(int round, List<String> population, String id, Type elementType) {
        return new RemoteClientData(
                elementType,
                id,
                round,
                TrainingLoop.clientShuffleSeed(b.seed, round, population.indexOf(id)),
                b.batchSize,
                b.examplesCap,
                stateRounds.getOrDefault(id, 0));
    }

    /**
     * The live clients to sample round {@code round} from: as soon as {@code clientsPerRound} are
     * alive (and, before the first round, {@code minPopulation}); failing that, after waiting one
     * round timeout, whoever is alive if at least {@code minClients} are; else it keeps waiting.
     */
    private List<String> awaitPopulation(int round) throws InterruptedException {
        int goal = Math.max(b.clientsPerRound, round == 1 ? b.minPopulation : 0);
        while (true) {
            checkOpen();
            List<String> alive = registry.awaitAlive(goal, b.roundTimeout.toMillis());
            if (alive.size() >= goal || (alive.size() >= b.minClients && !(round == 1 && b.minPopulation > 0))) {
                return alive;
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the server was closed during the run");
        }
    }

    private void record(int round, int attempt, int selected, List<String> reported, String outcome) {
        if (store != null) {
            store.recordAttempt(round, attempt, selected, reported, outcome, wire);
        }
    }

    /**
     * Secure-aggregation messages refused so far, by the protocol rule they broke (each is also counted
     * as {@link Rejection#SECURE_AGGREGATION} in {@link #rejections()}).
     */
    public Map<dev.fl4j.secagg.SecAggException.Kind, Long> secAggRejections() {
        return secagg.refused();
    }

    /** Refused requests and results so far, by reason. */
    public Map<Rejection, Long> rejections() {
        return board.rejections();
    }

    /** Pulls held open now, waiting for a task (each parked without a thread). */
    public int heldPulls() {
        return board.parkedPolls();
    }

    /** Bytes the protocol has sent and received. */
    public WireStats wire() {
        return wire;
    }

    /** The most bytes of results held at once ahead of the fold's turn ({@link Builder#optResultBufferBytes}). */
    public long resultBufferPeakBytes() {
        return board.bufferedPeakBytes();
    }

    /** Clients selected per round when enough are alive: the goal, over-selected if configured. */
    public int selectedPerRound() {
        return b.selectedPerRound();
    }

    /** How long a pull that finds no task is held open ({@link Builder#optPollTimeout}). */
    public Duration pollTimeout() {
        return b.pollTimeout;
    }

    /** Threads that run the service's calls ({@link Builder#optServiceThreads}). */
    public int serviceThreads() {
        return b.serviceThreads;
    }

    /** The runtime the rounds run on. */
    public RemoteRuntime runtime() {
        return runtime;
    }

    /**
     * Stops the server. After a finished run it first waits (at most {@value #FINISH_GRACE_MILLIS} ms)
     * until every live client has pulled and been told the run has finished, so that none is left
     * retrying a server that is gone.
     */
    @Override
    public void close() throws InterruptedException {
        boolean runFinished = finished && !closed;
        closed = true;
        try {
            if (runFinished && server != null) {
                registry.awaitAllToldFinished(FINISH_GRACE_MILLIS);
            }
            if (server != null) {
                // let clients pulling now learn that the run has finished
                server.shutdown();
                service.releaseParkedPolls();
                if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                }
                pollTimer.shutdownNow();
                callExecutor.shutdown();
            }
        } finally {
            board.abandonAll();
            runtime.close();
            if (store != null) {
                store.close();
            }
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Configures a {@link DeployServer}: process, cohort, rounds and batch size are required. */
    public static final class Builder {
        private LearningProcess process;
        private int clientsPerRound;
        private int minClients = -1;
        private int minPopulation;
        private int rounds = -1;
        private int batchSize;
        private int examplesCap;
        private long seed;
        private Duration roundTimeout = Duration.ofSeconds(60);
        private String host = "127.0.0.1";
        private int port;
        private boolean insecure;
        private Path tlsCert;
        private Path tlsKey;
        private ModelEvaluation evaluation;
        private int evaluateEvery = 1;
        private RoundListener listener = new RoundListener() {};
        private Path storeFile;
        private CheckpointStore checkpoints;
        private AuthorizedKeys authorizedKeys;
        private RunConfig runConfig;
        private int checkpointEvery = 1;
        private long maxPayloadBytes = ProtocolLimits.DEFAULT_MAX_PAYLOAD_BYTES;
        private int heartbeatMillis = 1000;
        private dev.fl4j.secagg.SecAggPlus secureAggregation;
        private Duration secAggStageTimeout;
        private SecAggObserver secAggObserver = new SecAggObserver() {};
        private Duration pollTimeout = Duration.ofSeconds(10);
        private Duration handshakeTimeout = MAX_HANDSHAKE_TIMEOUT;
        private int serviceThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        private double overSelection;
        private long resultBufferBytes = Long.MAX_VALUE;
        private DifferentiallyPrivateFactory privacy;

        private Builder() {}

        /**
         * Makes this a differentially private run for {@code dp}, the DP aggregator inside the process
         * (see the class comment): every round each authorized client is sampled independently with
         * probability {@code dp.samplingRate()} from {@link SecureRandom}, the round is never abandoned
         * or sampled again, and only what ε covers is released. {@code dp} must be built with the number
         * of authorized clients as its population ({@link DifferentiallyPrivateFactory.Builder#optPopulation})
         * and this server's clients per round; with checkpoints, saved every round, and with its ledger in
         * the checkpoint directory ({@code optLedger(PrivacyLedgerFile.in(store))}). Requires
         * {@link #optAuthorizedKeys}; refused with {@link #optOverSelection}, which would select a
         * cohort that is neither Poisson nor at rate q. A process with a DP aggregator is refused without it.
         */
        public Builder optPrivacy(DifferentiallyPrivateFactory dp) {
            this.privacy = Objects.requireNonNull(dp, "dp");
            return this;
        }

        /**
         * Runs every {@code federated_secure_sum_bitwidth} (the {@code secure} aggregator's sums, a
         * {@code SecureSumFactory}'s) as SecAgg+ with the clients: each client encodes and keeps its input
         * in its chain and masks it itself, so the server holds only masked vectors, ciphertexts it cannot
         * read and the shares that unmask the sum. The client steps before the secure sum must be
         * described client work; a secure sum whose input the server would compute is refused. With
         * {@link #optPrivacy}: central DP after the secure sum (see the class comment), refused unless the DP
         * aggregator clips to a fixed bound and sums with a {@code SecureSumFactory} of fixed bounds.
         */
        public Builder optSecureAggregation(dev.fl4j.secagg.SecAggPlus protocol) {
            this.secureAggregation = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /**
         * How long each SecAgg+ stage waits for the clients' answers before it counts those that did not
         * answer as dropped (default: the round timeout). A stage ends sooner when every client answered.
         */
        public Builder optSecAggStageTimeout(Duration timeout) {
            this.secAggStageTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Follows the SecAgg+ sessions (default: nothing). */
        public Builder optSecAggObserver(SecAggObserver observer) {
            this.secAggObserver = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Bounds the memory of results that arrive before an earlier client's (results are folded in
         * client order, for bitwise equivalence): beyond {@code bytes} (counted as the results' value
         * bytes) a result that is not the one the fold waits for is refused for now
         * ({@code RETRY_LATER}), and its client keeps it and pushes it again a moment later. The buffer
         * then holds at most {@code bytes} plus the result the fold waits for; the order of the fold,
         * and so the model, is unchanged. Over-selection's collecting attempt keeps up to
         * {@code clientsPerRound} results outside this bound. Default: unbounded.
         */
        public Builder optResultBufferBytes(long bytes) {
            this.resultBufferBytes = bytes;
            return this;
        }

        /** Clients selected per round: the goal, over-selected by the fraction, rounded up. */
        int selectedPerRound() {
            return new BigDecimal(clientsPerRound)
                    .multiply(BigDecimal.ONE.add(BigDecimal.valueOf(overSelection)))
                    .setScale(0, RoundingMode.CEILING)
                    .intValueExact();
        }

        /**
         * Over-selection (as Google's federated compute does): each round selects
         * {@code ceil(clientsPerRound × (1 + fraction))} of the live clients and completes as soon as
         * {@code clientsPerRound} results are in (or, at the deadline, with those in if at least
         * {@code minClients}); the others' results are refused as not needed and never aggregated.
         * Which clients counted is in the round log ({@link ServerStore#participants}); the model is
         * bitwise that of a local run over them. Default 0: select exactly the goal.
         */
        public Builder optOverSelection(double fraction) {
            this.overSelection = fraction;
            return this;
        }

        public Builder setProcess(LearningProcess process) {
            this.process = Objects.requireNonNull(process, "process");
            return this;
        }

        /** Clients selected each round (the goal). */
        public Builder setClientsPerRound(int n) {
            this.clientsPerRound = n;
            return this;
        }

        public Builder setRounds(int rounds) {
            this.rounds = rounds;
            return this;
        }

        /** The batch size clients prepare their data with. */
        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Below this many reporting clients a round is abandoned and sampled again (default: clients per round);
         * after one round timeout, a round starts with this many live clients. A private run
         * ({@link #optPrivacy}) never abandons a round: there it only lets a round start.
         */
        public Builder optMinClients(int n) {
            this.minClients = n;
            return this;
        }

        /**
         * Before the first round, wait until this many clients are alive (default: clients per round),
         * so the first sample is drawn from the whole expected population rather than from the first
         * clients to connect.
         */
        public Builder optMinPopulation(int n) {
            this.minPopulation = n;
            return this;
        }

        /** At most this many examples per client and round (default 0: all). */
        public Builder optExamplesCap(int cap) {
            this.examplesCap = cap;
            return this;
        }

        /** The run seed (sampling, client shuffles; default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How long a round attempt waits for results (default 60 s). */
        public Builder optRoundTimeout(Duration timeout) {
            this.roundTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The address to bind (default 127.0.0.1). */
        public Builder optHost(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port (default 0: any free port). */
        public Builder optPort(int port) {
            this.port = port;
            return this;
        }

        /** TLS with this certificate chain and private key, PEM files. */
        public Builder optTls(Path certChain, Path privateKey) {
            this.tlsCert = Objects.requireNonNull(certChain, "certChain");
            this.tlsKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /**
         * Admits only clients whose Ed25519 keys are in {@code keys}: every request must carry a signed
         * envelope ({@link RequestVerifier}) for the client id it claims; required with TLS.
         */
        public Builder optAuthorizedKeys(AuthorizedKeys keys) {
            this.authorizedKeys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /** Plaintext, refused unless the host is a loopback address. */
        public Builder optInsecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /** Evaluates the model on a server-held test set every {@code everyRounds} rounds and after the last. */
        public Builder optEvaluation(ModelEvaluation evaluation, int everyRounds) {
            this.evaluation = Objects.requireNonNull(evaluation, "evaluation");
            this.evaluateEvery = everyRounds;
            return this;
        }

        public Builder optListener(RoundListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Keeps registered clients and the round log in this SQLite database. */
        public Builder optStore(Path databaseFile) {
            this.storeFile = Objects.requireNonNull(databaseFile, "databaseFile");
            return this;
        }

        /**
         * Saves a checkpoint after every round and, when started again with the same {@code config},
         * resumes from the newest one: a restarted server continues the run, and since every draw
         * derives from the seed and the round, ends with the model an uninterrupted run over the
         * same clients would have.
         */
        public Builder optCheckpoints(CheckpointStore store, RunConfig config) {
            return optCheckpoints(store, 1, config);
        }

        /**
         * As {@link #optCheckpoints(CheckpointStore, RunConfig)}, saving after every {@code everyRounds}-th
         * round and the last (a restart then repeats at most {@code everyRounds - 1} rounds).
         */
        public Builder optCheckpoints(CheckpointStore store, int everyRounds, RunConfig config) {
            this.checkpoints = Objects.requireNonNull(store, "store");
            this.runConfig = Objects.requireNonNull(config, "config");
            this.checkpointEvery = everyRounds;
            return this;
        }

        /** The largest result payload accepted (default 256 MiB). */
        public Builder optMaxPayloadBytes(long bytes) {
            this.maxPayloadBytes = bytes;
            return this;
        }

        /** How often clients are asked to send a heartbeat (default 1000 ms). */
        public Builder optHeartbeatMillis(int millis) {
            this.heartbeatMillis = millis;
            return this;
        }

        /**
         * How long a pull that finds no task is held open before it is answered with none (default
         * 10 s). A held pull is parked without a thread and answered as soon as a task for its
         * client is handed out, so a longer hold costs no latency; it only makes idle clients ask
         * less often. Clients wait 60 s for an answer, so at most 50 s.
         */
        public Builder optPollTimeout(Duration timeout) {
            this.pollTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How long a new connection may take to negotiate before it is closed: the TLS handshake and the
         * HTTP/2 connection preface, up to the first call (gRPC's {@code ServerBuilder.handshakeTimeout},
         * whose own default is 120 s). Default and at most {@link #MAX_HANDSHAKE_TIMEOUT} (10 s, Netty's
         * fixed limit on the TLS part); a client that connects and stalls, before or after its TLS
         * handshake, holds a connection no longer than this. Plaintext connections (optInsecure) have
         * only the preface to send and get the same limit.
         */
        public Builder optHandshakeTimeout(Duration timeout) {
            this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Threads that run the service's calls and send the answers to held pulls (default: twice the
         * processors, at least 4). No call blocks waiting for a client, so the number of connected
         * clients does not need as many threads; TLS and HTTP/2 run on Netty's event loops.
         */
        public Builder optServiceThreads(int threads) {
            this.serviceThreads = threads;
            return this;
        }

        public DeployServer build() {
            if (process == null) {
                throw new IllegalStateException("setProcess is required");
            }
            if (clientsPerRound < 1) {
                throw new IllegalStateException("setClientsPerRound must be at least 1, got " + clientsPerRound);
            }
            if (rounds < 1) {
                throw new IllegalStateException("setRounds must be at least 1, got " + rounds);
            }
            if (batchSize < 1) {
                throw new IllegalStateException("setBatchSize must be at least 1, got " + batchSize);
            }
            if (minClients == -1) {
                minClients = clientsPerRound;
            }
            if (minClients < 1 || minClients > clientsPerRound) {
                throw new IllegalStateException(
                        "optMinClients must be in [1, clients per round " + clientsPerRound + "], got " + minClients);
            }
            if (!(overSelection >= 0 && overSelection <= MAX_OVER_SELECTION)) {
                throw new IllegalArgumentException("optOverSelection must be in [0, " + MAX_OVER_SELECTION
                        + "] (a fraction of the clients per round), got " + overSelection);
            }
            if (secureAggregation != null && overSelection > 0) {
                throw new IllegalArgumentException("optOverSelection " + overSelection + " with optSecureAggregation:"
                        + " an over-selected round reuses results kept from its collecting attempt, but a client's"
                        + " secure-sum input is masked in the session of the task it ran; select exactly the goal");
            }
            if (resultBufferBytes < 1) {
                throw new IllegalArgumentException("optResultBufferBytes must be positive, got " + resultBufferBytes);
            }
            if (minPopulation < 0) {
                throw new IllegalStateException("optMinPopulation must be >= 0, got " + minPopulation);
            }
            if (secAggStageTimeout != null && (secAggStageTimeout.isNegative() || secAggStageTimeout.isZero())) {
                throw new IllegalStateException("optSecAggStageTimeout must be positive, got " + secAggStageTimeout);
            }
            if (roundTimeout.isNegative() || roundTimeout.isZero()) {
                throw new IllegalStateException("optRoundTimeout must be positive, got " + roundTimeout);
            }
            if (evaluateEvery < 1) {
                throw new IllegalStateException("optEvaluation: evaluate every N >= 1 rounds, got " + evaluateEvery);
            }
            if (checkpointEvery < 1) {
                throw new IllegalStateException("optCheckpoints: save every N >= 1 rounds, got " + checkpointEvery);
            }
            if (pollTimeout.isNegative() || pollTimeout.isZero() || pollTimeout.compareTo(MAX_POLL_TIMEOUT) > 0) {
                throw new IllegalArgumentException(
                        "optPollTimeout must be in (0, " + MAX_POLL_TIMEOUT.toSeconds() + " s], got " + pollTimeout);
            }
            if (handshakeTimeout.isNegative()
                    || handshakeTimeout.isZero()
                    || handshakeTimeout.compareTo(MAX_HANDSHAKE_TIMEOUT) > 0) {
                throw new IllegalArgumentException("optHandshakeTimeout must be in (0, "
                        + MAX_HANDSHAKE_TIMEOUT.toSeconds() + " s] (Netty ends a TLS handshake after 10 s), got "
                        + handshakeTimeout);
            }
            if (serviceThreads < 1) {
                throw new IllegalArgumentException("optServiceThreads must be at least 1, got " + serviceThreads);
            }
            if (maxPayloadBytes < 1) {
                throw new IllegalStateException("optMaxPayloadBytes must be positive, got " + maxPayloadBytes);
            }
            if (insecure && tlsCert != null) {
                throw new IllegalStateException("optInsecure and optTls conflict: choose one");
            }
            if (!insecure && tlsCert == null) {
                throw new IllegalStateException(
                        "the server needs TLS (optTls with PEM certificate and key) or, on loopback only, optInsecure");
            }
            if (!insecure && authorizedKeys == null) {
                throw new IllegalStateException("a TLS server authenticates its clients:"
                        + " optAuthorizedKeys (the authorized_keys file) is required");
            }
            if (insecure && !isLoopback(host)) {
                throw new IllegalStateException(
                        "plaintext (optInsecure) is allowed only on a loopback address, not " + host + "; use TLS");
            }
            checkPrivacy();
            return new DeployServer(this);
        }

        /** That a private run is what its DP aggregator accounts for, and that a DP aggregator has a private run. */
        private void checkPrivacy() {
            if (privacy == null) {
                if (PrivateRuns.hasPrivacyMeasurements(
                        process.nextComputation().type().result())) {
                    throw new IllegalStateException("the process has a differentially private aggregator (it reports"
                            + " privacy/epsilon): give that factory to optPrivacy, so that the authorized clients are"
                            + " Poisson-sampled at its rate from SecureRandom and only what epsilon covers is"
                            + " released");
                }
                return;
            }
            if (authorizedKeys == null) {
                throw new IllegalStateException("optPrivacy needs optAuthorizedKeys: the authorized clients are the"
                        + " population each round's Poisson sample is drawn from, the one its rate q is accounted"
                        + " for");
            }
            if (overSelection > 0) {
                throw new IllegalArgumentException("optOverSelection " + overSelection + " with optPrivacy: an"
                        + " over-selected round keeps the first results of more clients than it needs, so its"
                        + " cohort would be neither Poisson-sampled nor at the rate q = " + privacy.samplingRate()
                        + " the accountant assumes; a private run samples each authorized client with"
                        + " probability q and takes every sampled client's result");
            }
            if (privacy.population() != authorizedKeys.size()) {
                throw new IllegalArgumentException("the DP aggregator accounts q = " + privacy.samplingRate()
                        + " for a population of "
                        + (privacy.population() == 0 ? "unknown size (q = 1)" : privacy.population() + " clients")
                        + ", but " + authorizedKeys.size() + " clients are authorized: build it with"
                        + " toBuilder().optPopulation(" + authorizedKeys.size() + ")");
            }
            if (privacy.clientsPerRound() != clientsPerRound) {
                throw new IllegalArgumentException("the DP aggregator expects " + privacy.clientsPerRound()
                        + " clients per round but the server samples " + clientsPerRound
                        + " in expectation; use the same number for both");
            }
            PrivateRuns.check(privacy, authorizedKeys.size(), clientsPerRound, checkpoints, checkpointEvery);
            if (secureAggregation != null) {
                checkPrivacyWithSecureAggregation();
            }
        }

        /**
         * Central DP after SecAgg+: the clients clip, quantize and mask their updates, the server unmasks only
         * the sum and noises it. Refused where the server would still see a client's update or a function of it.
         */
        private void checkPrivacyWithSecureAggregation() {
            if (!(privacy.recordAggregation() instanceof dev.fl4j.aggregators.SecureSumFactory)) {
                throw new IllegalArgumentException("optSecureAggregation with optPrivacy: the DP aggregator sums the"
                        + " clipped updates with " + privacy.recordAggregation() + ", not a secure sum, so SecAgg+"
                        + " would protect nothing and the server would see every clipped update; build it with"
                        + " toBuilder().optRecordAggregation(SecureSumFactory.symmetric(clip)) (fl4j server"
                        + " --aggregator dp-fixed:Z:CLIP:secure)");
            }
            if (privacy.hasAdaptiveClip() || privacy.countStddevs().length > 0) {
                throw new IllegalArgumentException("optSecureAggregation with optPrivacy: the DP aggregator estimates"
                        + " a bound privately (an adaptive clip or zeroing bound): the server would read every"
                        + " client's update norm in the clear before noising their count, which SecAgg+ is meant to"
                        + " hide; use a fixed clip (DifferentiallyPrivateFactory.gaussianFixed, fl4j server"
                        + " --aggregator dp-fixed:Z:CLIP:secure) and no adaptive zeroing");
            }
        }
    }

    /** Whether {@code host} names only loopback addresses. */
    public static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
