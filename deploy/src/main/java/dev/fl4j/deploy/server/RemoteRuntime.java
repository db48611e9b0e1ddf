package dev.fl4j.deploy.server;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.ClientStateStore;
import dev.fl4j.core.runtime.ClientWorkDispatcher;
import dev.fl4j.core.runtime.CommunicationStats;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.runtime.ShippedChain;
import dev.fl4j.deploy.Payloads;
import dev.fl4j.deploy.RemoteClientData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FederatedRuntime} whose client work runs on remote clients that hold their own data.
 *
 * <p><b>What runs where.</b> The learning process runs on the server exactly as in simulation: the
 * runtime is a {@link LocalRuntime} with a {@link ClientWorkDispatcher}, so the intrinsics, their type
 * checks, the communication accounting and the ordered, bounded-memory fold ({@code OrderedFold}) are
 * the local runtime's own. A client map over the clients' data (an argument structure with a
 * {@link RemoteClientData} field) whose computation describes itself
 * ({@link LocalComputation#descriptor()}, e.g. {@code ClientTraining}) becomes a task for that client:
 * the descriptor bytes, the argument's other fields as fl4j value bytes (the broadcast model) and how
 * to prepare the data; the client rebuilds the computation from its allow-list of registered
 * factories (never by loading a class the bytes name), runs it on its data and pushes the result,
 * which is decoded defensively and folded when its turn comes, in client order. The task is the whole
 * described chain of the client's work ({@link dev.fl4j.core.runtime.ShippedChain}): training and
 * the described steps after it (field selections, the update's weighting, an aggregator's weighting
 * and encoding), so what comes back is only what the server reads, the encoded update rather than
 * the update, and the wire carries the encoded bytes. Client work without a descriptor (an
 * undescribed aggregator step, a custom weighting function) runs on the server on what came back.
 * The sums and means hold one accumulator, not one update per client; a result that arrives before
 * its turn waits in the fold's window. The dispatcher is asynchronous
 * ({@link ClientWorkDispatcher#dispatchesAsynchronously()}): every task is handed out at once, no
 * thread waits for a client (a task's result completes a future when its client pushes it, one timer
 * thread fails the tasks whose deadline passed), and the runtime's few workers run the server-side
 * rest of a client's work once its result is in, so the server's threads do not grow with the
 * cohort. In the worst case (the first client in order the slowest) the window would hold the rest
 * of the cohort's results until it reports; the {@link TaskBoard}'s result
 * buffer bounds that ({@link DeployServer.Builder#optResultBufferBytes}): beyond its budget a result
 * that is not the one the fold waits for is refused for now and pushed again by its client later.
 *
 * <p><b>Deadlines.</b> Each round attempt has a deadline ({@link #beginAttempt}); a client that has
 * not delivered an accepted result by then fails its work with a
 * {@link ClientMissedDeadlineException}, and the invocation fails as a whole (no result of it is
 * kept: the round driver retries the round with the clients that reported, or abandons it). Because
 * training is deterministic, a retried round gives bitwise what a first attempt over the same
 * clients would have.
 *
 * <p><b>Over-selection.</b> A round that selects more clients than it needs runs in two attempts.
 * The first ({@link #beginCollection}) hands every selected client its task and keeps the results as
 * they are accepted, until the goal's worth of them is in (the {@link TaskBoard}'s quota: the result
 * that fills it makes the other tasks not needed, their late results refused as
 * {@link dev.fl4j.deploy.protocol.Rejection#NOT_NEEDED}) or the deadline passes; it folds nothing,
 * and ends by failing the invocation on purpose ({@link OverSelectionCollected}). The second runs the
 * round over the clients that counted, in selection order, exactly as a round over only them would
 * run: for each, a kept result is used instead of a new task when the task would be the same (the
 * same computation and argument bytes) or differs only in the client's position and the client says
 * its work did not read it ({@link dev.fl4j.core.runtime.ShippedChain#invokeTracked}: an encoder's
 * seeds, say, do); otherwise the task goes to the client again and, training being deterministic,
 * gives what it would have given at that position. So the model is bitwise that of a local run over
 * the clients that counted, which the round log records.
 *
 * <p>{@link #communication()} counts logical bits as every runtime does; {@link #wire()} counts the
 * bytes the protocol actually sent and received.
 */
public final class RemoteRuntime implements FederatedRuntime {

    private final LocalRuntime local;
    /** Fails the tasks whose deadline passed; one thread however many tasks are out. */
    private final ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "fl4j-remote-deadlines");
        t.setDaemon(true);
        return t;
    });

    private final TaskBoard board;
    private final WireStats wire;
    private final SecAggBoard secagg;
    private final dev.fl4j.core.runtime.SecureSumProtocol secureSum;
    private final Set<String> missed = ConcurrentHashMap.newKeySet();
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private volatile long timeoutMillis;
    private volatile boolean collecting;
    /** Over-selection: the results the collecting attempt accepted, by client, until used or dropped. */
    private final Map<String, Collected> collected = new ConcurrentHashMap<>();
    /** The current round's data stand-ins by client id, for chains that read no client data. */
    private volatile java.util.function.Function<String, RemoteClientData> standIns;

    /** A result the collecting attempt kept, with what tells whether a later task would compute the same. */
    private record Collected(
            byte[] computation, byte[] argumentSha256, int clientIndex, boolean clientIndexRead, Value result) {

        boolean answers(byte[] otherComputation, byte[] otherArgumentSha256, int otherClientIndex) {
            return Arrays.equals(computation, otherComputation)
                    && Arrays.equals(argumentSha256, otherArgumentSha256)
                    && (!clientIndexRead || clientIndex == otherClientIndex);
        }
    }

    RemoteRuntime(TaskBoard board, WireStats wire, int workers) {
        this(board, wire, workers, null, null);
    }

    /**
     * With {@code secureSum} (may be null): {@code federated_secure_sum_bitwidth} runs SecAgg+ with the
     * clients, whose kept inputs {@code secagg} tracks.
     */
    RemoteRuntime(
            TaskBoard board, WireStats wire, int workers, SecAggBoard secagg, SecureSumProtocolFactory secureSum) {
        this.board = board;
        this.wire = wire;
        deadlines.setRemoveOnCancelPolicy(true);
        this.secagg = secagg;
        LocalRuntime.Builder b = LocalRuntime.builder().optWorkers(workers).optClientWorkDispatcher(new Dispatcher());
        if (secureSum != null) {
            this.secureSum = secureSum.create(missed::add);
            b.optSecureSum(this.secureSum);
        } else {
            this.secureSum = null;
        }
        this.local = b.build();
    }

    /** Makes the remote secure sum, given where to report the clients that failed it. */
    interface SecureSumProtocolFactory {
        dev.fl4j.core.runtime.SecureSumProtocol create(java.util.function.Consumer<String> failed);
    }

    /**
     * Starts a round attempt: tasks from now on must be answered within {@code timeoutMillis}. The
     * results a collecting attempt kept stay available to this one (and are dropped at the next).
     */
    void beginAttempt(long timeoutMillis) {
        if (secagg != null) {
            secagg.endAll("a new round attempt started");
        }
        if (secureSum instanceof RemoteSecureSum remote) {
            remote.reset();
        }
        if (!collecting) {
            collected.clear();
        }
        collecting = false;
        arguments.forget();
        board.resetPasses();
        missed.clear();
        this.timeoutMillis = timeoutMillis;
        this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /**
     * The data stand-ins of the round being run, by client id: a chain that reads no client data (a
     * delta broadcast's check of the client's copy, say) still runs on its client, in that round and
     * from the client state the stand-in names.
     */
    void useStandIns(java.util.function.Function<String, RemoteClientData> standIns) {
        this.standIns = standIns;
    }

    /**
     * Starts an over-selecting attempt over {@code selected} clients that needs {@code goal} of their
     * results: the invocation collects them and then fails with {@link OverSelectionCollected};
     * {@link #endCollection} then names the clients that counted.
     */
    void beginCollection(int goal, int selected, long timeoutMillis) {
        beginAttempt(timeoutMillis);
        collected.clear();
        collecting = true;
        board.beginQuota(goal, selected);
    }

    /** The clients whose results the collecting attempt accepted, in the order they came. */
    List<String> endCollection() {
        return board.endQuota();
    }

    /** Results kept by a collecting attempt and not yet used (what over-selection holds in memory). */
    int collectedResults() {
        return collected.size();
    }

    /** The clients of the current attempt whose work failed or missed the deadline. */
    Set<String> failedClients() {
        return Set.copyOf(missed);
    }

    @Override
    public Value invoke(FederatedComputation computation, Value argument) {
        return local.invoke(computation, argument);
    }

    @Override
    public CommunicationStats communication() {
        return local.communication();
    }

    /** Bytes the protocol sent to and received from clients. */
    public WireStats wire() {
        return wire;
    }

    @Override
    public ClientStateStore clientStates() {
        return local.clientStates();
    }

    @Override
    public int workers() {
        return local.workers();
    }

    @Override
    public void close() {
        try {
            local.close();
        } finally {
            deadlines.shutdownNow();
        }
    }

    /** Encodes the tasks' arguments, the broadcast model once per pass rather than once per client. */
    private final TaskArgument.Encoder arguments = new TaskArgument.Encoder(CLIENT_INDEX);

    /** The field of a chain's argument that holds the client's position in the pass. */
    private static final String CLIENT_INDEX = "client_index";

    private static Struct without(Struct s, String field) {
        Struct.Builder b = Struct.builder();
        for (int i = 0; i < s.size(); i++) {
            if (!field.equals(s.nameAt(i))) {
                b.add(s.nameAt(i), s.get(i));
            }
        }
        return b.build();
    }

    /**
     * Keeps {@code task}'s result if it is accepted by the deadline, then, once the round has its
     * results (or no task is open, or the deadline passes), fails {@code out} with
     * {@link OverSelectionCollected}: a collecting attempt folds nothing.
     */
    private void collect(
            Task task,
            byte[] computation,
            byte[] positionFree,
            int clientIndex,
            CompletableFuture<Value> out,
            ScheduledFuture<?> timer) {
        CompletableFuture<Void> quotaDone = board.quotaDone();
        long left = Math.max(0, deadlineNanos - System.nanoTime());
        ScheduledFuture<?> quotaTimer = deadlines.schedule(() -> quotaDone.complete(null), left, TimeUnit.NANOSECONDS);
        task.result.whenComplete((v, failure) -> {
            timer.cancel(false);
            if (failure == null) {
                collected.put(
                        task.clientId, new Collected(computation, positionFree, clientIndex, task.clientIndexRead, v));
            } // else not needed, given up, past the deadline, or the client reported failure: it does not count
            quotaDone.whenComplete((done, never) -> {
                quotaTimer.cancel(false);
                out.completeExceptionally(new OverSelectionCollected(task.clientId));
            });
        });
    }

    /** Turns described client work over client data into tasks whose results complete futures. */
    private final class Dispatcher implements ClientWorkDispatcher {
        /**
         * The chains, and described work outside one that reads a sequence (a client's data: its
         * input was computed on the server, so it could not join the chain); other work outside a
         * chain reads no client data and runs on the server.
         */
        @Override
        public boolean dispatches(LocalComputation fn) {
            return fn instanceof ShippedChain
                    || (fn.descriptor().isPresent() && readsSequence(fn.type().parameter()));
        }

        private static boolean readsSequence(dev.fl4j.core.Type t) {
            if (t instanceof dev.fl4j.core.SequenceType) {
                return true;
            }
            if (t instanceof dev.fl4j.core.StructType st) {
                for (dev.fl4j.core.StructType.Field f : st.fields()) {
                    if (readsSequence(f.type())) {
                        return true;
                    }
                }
            }
            return false;
        }

        @Override
        public boolean dispatchesChains() {
            return true;
        }

        @Override
        public Value dispatch(int clientIndex, String clientId, LocalComputation fn, Value argument)
                throws InterruptedException {
            CompletableFuture<Value> result = start(clientIndex, clientId, fn, argument);
            try {
                return result.get();
            } catch (InterruptedException e) {
                result.cancel(false);
                throw e;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
            }
        }

        /** Yes: a task's result completes a future when its client pushes it (or at the deadline). */
        @Override
        public boolean dispatchesAsynchronously() {
            return true;
        }

        @Override
        public CompletionStage<Value> dispatchAsync(
                int clientIndex, String clientId, LocalComputation fn, Value argument) {
            return start(clientIndex, clientId, fn, argument);
        }

        /**
         * Hands the task out and returns the future its result completes; a failure other than a
         * collecting attempt's end marks the client as failed before the future says so.
         */
        private CompletableFuture<Value> start(int clientIndex, String clientId, LocalComputation fn, Value argument) {
            try {
                return run(clientIndex, clientId, fn, argument);
            } catch (RuntimeException e) {
                missed.add(clientId);
                throw e;
            }
        }

        private CompletableFuture<Value> run(int passIndex, String clientId, LocalComputation fn, Value argument) {
            if (!(argument instanceof Struct a)) {
                throw new IllegalArgumentException("client work '" + fn.name() + "' takes " + argument.type()
                        + "; only a structure with a client-data field can be sent to a client");
            }
            List<String> dataFields = new ArrayList<>();
            RemoteClientData data = null;
            Struct.Builder sent = Struct.builder();
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i) instanceof RemoteClientData d) {
                    if (a.nameAt(i) == null) {
                        throw new IllegalArgumentException(
                                "client work '" + fn.name() + "': the client-data field must be named");
                    }
                    dataFields.add(a.nameAt(i));
                    data = d;
                } else {
                    sent.add(a.nameAt(i), a.get(i));
                }
            }
            if (data == null && fn instanceof ShippedChain && standIns != null) {
                data = standIns.apply(clientId);
            }
            if (data == null) {
                throw new IllegalArgumentException("client work '" + fn.name()
                        + "' has no client-data field in its argument;"
                        + " the remote runtime sends only work on the clients' own data");
            }
            if (!data.clientId().equals(clientId)) {
                throw new IllegalStateException(
                        "client " + clientId + " was handed the data stand-in of " + data.clientId());
            }
            Optional<ComputationDescriptor> descriptor = fn.descriptor();
            byte[] computation = descriptor.orElseThrow().toBytes();
            Struct argumentSent = sent.build();
            int clientIndex = argumentSent.has(CLIENT_INDEX)
                    ? argumentSent.tensor(CLIENT_INDEX).intData()[0]
                    : -1;
            // The digest of the argument without the client's position tells a kept result's task from another. It
            // takes encoding and hashing the whole argument (the model) once more, so only a collecting attempt, which
            // keeps it, and a task a kept result may answer compute it. One read of the flag decides both.
            boolean isCollecting = collecting;
            Collected kept = isCollecting ? null : collected.remove(clientId);
            byte[] positionFree = isCollecting || kept != null
                    ? Payloads.sha256(ValueCodec.encode(without(argumentSent, CLIENT_INDEX)))
                    : null;
            String passKey = HexFormat.of().formatHex(Payloads.sha256(computation));
            if (!isCollecting) {
                if (kept != null && kept.answers(computation, positionFree, clientIndex)) {
                    board.dispatched(passKey, passIndex, null);
                    board.returned(passKey, passIndex);
                    return CompletableFuture.completedFuture(kept.result());
                }
            }
            Task task = new Task(
                    board.newTaskId(),
                    clientId,
                    data.round(),
                    computation,
                    dataFields,
                    data.shuffleSeed(),
                    data.batchSize(),
                    data.examplesCap(),
                    data.stateRound(),
                    arguments.encode(argumentSent),
                    SecureSummedResults.sentType(fn, secagg != null),
                    deadlineNanos);
            int[] secureSummed = fn instanceof ShippedChain chain ? chain.secureSummed() : new int[0];
            boolean keeps = java.util.Arrays.stream(secureSummed).anyMatch(bits -> bits > 0);
            if (keeps) {
                task.secureSummed = secureSummed;
                secagg.keep(clientId, task.id, secureSummed);
            }
            board.dispatched(passKey, passIndex, task);
            board.offer(task);
            CompletableFuture<Value> out = new CompletableFuture<>();
            out.whenComplete((v, failure) -> {
                if (out.isCancelled()) {
                    board.abandon(task); // the round's caller was interrupted
                }
            });
            long left = Math.max(0, deadlineNanos - System.nanoTime());
            ScheduledFuture<?> timer = deadlines.schedule(() -> board.abandonIfOpen(task), left, TimeUnit.NANOSECONDS);
            if (isCollecting) {
                collect(task, computation, positionFree, clientIndex, out, timer);
                return out;
            }
            long timeout = timeoutMillis;
            task.result.whenComplete((result, failure) -> {
                timer.cancel(false);
                if (failure == null) {
                    board.returned(passKey, passIndex);
                    try {
                        out.complete(
                                keeps
                                        ? SecureSummedResults.inflate(
                                                (Struct) result, fn.type().result(), secureSummed)
                                        : result);
                    } catch (RuntimeException e) {
                        fail(out, clientId, e);
                    }
                } else if (failure instanceof CancellationException) {
                    fail(out, clientId, new ClientMissedDeadlineException(clientId, task.round, timeout));
                } else {
                    fail(out, clientId, failure instanceof RuntimeException r ? r : new IllegalStateException(failure));
                }
            });
            return out;
        }

        /** Marks the client as failed, then fails its work (the round reads who failed once the work has). */
        private void fail(CompletableFuture<Value> out, String clientId, RuntimeException failure) {
            missed.add(clientId);
            out.completeExceptionally(failure);
        }
    }
}
