package dev.fl4j.deploy.server;

import dev.fl4j.core.Value;
import dev.fl4j.deploy.RejectedMessageException;
import dev.fl4j.deploy.protocol.Rejection;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The tasks the server has for its clients and the results it waits for. A task goes to one
 * client, which pulls it (a pull that finds none parks on the board as a callback, answered when a
 * task for its client is offered: no thread waits for a client); the client's result completes it
 * once. Everything a result must pass before it reaches the fold is checked here, each failure with
 * its own {@link Rejection}, counted: an unknown task id, a task of another client, a round that is
 * not the task's, a task already answered, or one abandoned (past its deadline or its round given
 * up), or, when the round over-selected ({@link #beginQuota}), one whose round already has the
 * results it needs. Task ids are 128 random bits from {@link SecureRandom}, so a client cannot guess
 * another's.
 *
 * <p><b>The result buffer.</b> Results are folded in client order, so a result that arrives before
 * an earlier client's waits in memory. The board bounds those: per pass of client work
 * ({@link #dispatched}), the client the fold waits for is the lowest index whose result has not come
 * back ({@link #returned}); a result of that client is always admitted, any other only while the
 * bytes of admitted and not yet foldable results stay within the budget ({@link #admit}), else its
 * push is answered {@link Rejection#RETRY_LATER} and the client keeps it and pushes it again later.
 * So the buffer holds at most the budget plus the result the fold waits for. A collecting
 * (over-selecting) attempt folds nothing and keeps its results outside this bound.
 */
final class TaskBoard {

    /** Ids of answered or abandoned tasks kept to tell a duplicate or stale result from an unknown one. */
    private static final int FINISHED_REMEMBERED = 1 << 16;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Task> active = new HashMap<>();
    private final Map<String, Deque<Task>> waiting = new HashMap<>();
    private final Map<String, ParkedPoll> parked = new HashMap<>();
    /** Per client, the task last handed to it: the computation it may ask for next, even once the task ended. */
    private final Map<String, HandedOut> lastHandedOut = new HashMap<>();

    /** A handed-out task's computation and its digest (not the task: an ended task's argument may be freed). */
    private record HandedOut(byte[] computationSha256, byte[] computation) {}

    private final Map<String, Task.State> finished = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Task.State> eldest) {
            return size() > FINISHED_REMEMBERED;
        }
    };
    private final EnumMap<Rejection, Long> rejections = new EnumMap<>(Rejection.class);
    /** Over-selection: accepted results after which the open tasks are not needed (0: no quota). */
    private int quota;

    private int quotaTasks;
    private int offeredUnderQuota;
    private final List<String> acceptedUnderQuota = new ArrayList<>();
    /** Completes when the quota is filled, or every expected task was offered and none is open, or it ends. */
    private CompletableFuture<Void> quotaDone = CompletableFuture.completedFuture(null);

    private long bufferBudget = Long.MAX_VALUE;
    private long buffered;
    private long bufferedPeak;
    private final Map<String, Pass> passes = new HashMap<>();

    /** One pass's order: which client index the fold waits for, and which results came back. */
    private static final class Pass {
        final BitSet returned = new BitSet();
        final Map<Integer, Task> admitted = new HashMap<>();
        int waitingFor;
    }

    /** How long a client told {@link Rejection#RETRY_LATER} waits before it pushes again. */
    static final int RETRY_LATER_MILLIS = 200;

    /** Forgets the passes of the last attempt (a new attempt starts). */
    synchronized void resetPasses() {
        for (Pass p : passes.values()) {
            p.admitted.values().forEach(this::unreserve);
        }
        passes.clear();
    }

    /** Bounds the bytes of results admitted ahead of the fold's turn (default: unbounded). */
    synchronized void bufferBudget(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("result buffer budget must be positive, got " + bytes);
        }
        bufferBudget = bytes;
    }

    /**
     * Client {@code index} of the pass of client work {@code passKey} is handed its work ({@code task}, or
     * null when a kept result answers it); an index seen again starts a new pass under that key.
     */
    synchronized void dispatched(String passKey, int index, Task task) {
        Pass p = passes.get(passKey);
        if (p == null || p.returned.get(index) || index < p.waitingFor) {
            if (p != null) {
                p.admitted.values().forEach(this::unreserve);
            }
            p = new Pass();
            passes.put(passKey, p);
        }
        if (task != null) {
            task.passKey = passKey;
            task.passIndex = index;
        }
    }

    /** Client {@code index}'s result of pass {@code passKey} went to the fold: what it unblocks may be folded. */
    synchronized void returned(String passKey, int index) {
        Pass p = passes.get(passKey);
        if (p == null) {
            return;
        }
        p.returned.set(index);
        while (p.returned.get(p.waitingFor)) {
            Task t = p.admitted.remove(p.waitingFor);
            if (t != null) {
                unreserve(t);
            }
            p.waitingFor++;
        }
    }

    /**
     * Admits a result of {@code bytes} for {@code t} into the buffer, or refuses it for now
     * ({@link Rejection#RETRY_LATER}) when it is not the result the fold waits for and would take the
     * buffer over its budget.
     */
    synchronized void admit(Task t, long bytes) {
        if (t.passKey == null || quota > 0) {
            return;
        }
        Pass p = passes.get(t.passKey);
        unreserve(t);
        if (p != null && t.passIndex != p.waitingFor && buffered + bytes > bufferBudget) {
            throw reject(
                    Rejection.RETRY_LATER,
                    "task " + t.id + ": the results waiting for an earlier client's fill the server's buffer of "
                            + bufferBudget + " bytes; push this result again in " + RETRY_LATER_MILLIS + " ms");
        }
        t.reservedBytes = bytes;
        buffered += bytes;
        bufferedPeak = Math.max(bufferedPeak, buffered);
        if (p != null) {
            p.admitted.put(t.passIndex, t);
        }
    }

    /** Gives back the buffer bytes {@code t} holds (its push failed, or it ended). */
    synchronized void unreserve(Task t) {
        buffered -= t.reservedBytes;
        t.reservedBytes = 0;
    }

    /** The most bytes of results the buffer held at once. */
    synchronized long bufferedPeakBytes() {
        return bufferedPeak;
    }

    /** A fresh unguessable task id. */
    synchronized String newTaskId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Adds {@code task}; a poll of its client parked on the board gets it at once. */
    synchronized void offer(Task task) {
        if (quota > 0) {
            offeredUnderQuota++;
        }
        active.put(task.id, task);
        checkQuota();
        waiting.computeIfAbsent(task.clientId, k -> new ArrayDeque<>()).add(task);
        ParkedPoll poll = parked.remove(task.clientId);
        if (poll != null) {
            next(task.clientId).ifPresent(poll::deliver);
        }
    }

    /**
     * A long poll parked on the board until a task for its client is offered or it is withdrawn. The
     * board calls {@link #deliver} at most once, under its lock: it must not block (it hands the
     * sending to another thread).
     */
    interface ParkedPoll {
        /** {@code task} (already marked handed out) is this poll's answer. */
        void deliver(Task task);

        /** The poll is answered with no task: a newer poll of the same client took its place. */
        void displaced();
    }

    /**
     * The next task for {@code clientId} if there is one now (a task handed out but not answered is
     * handed out again: the client may have restarted); else parks {@code poll} until a task for the
     * client is {@linkplain #offer offered}, replacing (and {@linkplain ParkedPoll#displaced
     * answering}) an older parked poll of the same client. No thread waits: a parked poll is a
     * callback.
     */
    synchronized Optional<Task> takeOrPark(String clientId, ParkedPoll poll) {
        Optional<Task> now = next(clientId);
        if (now.isPresent()) {
            return now;
        }
        ParkedPoll older = parked.put(clientId, poll);
        if (older != null && older != poll) {
            older.displaced();
        }
        return Optional.empty();
    }

    /** Unparks {@code poll} if it is still parked (its time is up, its call was cancelled); false if answered. */
    synchronized boolean withdraw(String clientId, ParkedPoll poll) {
        return parked.remove(clientId, poll);
    }

    /** Unparks every parked poll (the run finished, the server stops) and returns them. */
    synchronized List<ParkedPoll> withdrawAll() {
        List<ParkedPoll> all = new ArrayList<>(parked.values());
        parked.clear();
        return all;
    }

    /** Polls parked now. */
    synchronized int parkedPolls() {
        return parked.size();
    }

    private Optional<Task> next(String clientId) {
        Deque<Task> q = waiting.get(clientId);
        if (q == null) {
            return Optional.empty();
        }
        while (!q.isEmpty()
                && q.peekFirst().state != Task.State.WAITING
                && q.peekFirst().state != Task.State.HANDED_OUT) {
            q.pollFirst();
        }
        if (q.isEmpty()) {
            return Optional.empty();
        }
        Task t = q.peekFirst();
        t.state = Task.State.HANDED_OUT;
        lastHandedOut.put(clientId, new HandedOut(t.computationSha256, t.computation));
        return Optional.of(t);
    }

    /**
     * The computation bytes of an open task of {@code clientId}, or of the task last handed to it, whose
     * computation has the SHA-256 {@code digest}; else a {@link RejectedMessageException}
     * ({@link Rejection#UNKNOWN_COMPUTATION}), counted: a client learns only the computations of its own tasks.
     * The task last handed to the client counts even if it ended before the client asked (over-selection
     * filled its round, its deadline passed): the client still gets its computation, and its result is then
     * refused as {@link Rejection#NOT_NEEDED} or {@link Rejection#STALE_ROUND}, as any late result.
     */
    synchronized byte[] computationFor(String clientId, byte[] digest) {
        Deque<Task> q = waiting.get(clientId);
        if (q != null) {
            for (Task t : q) {
                if ((t.state == Task.State.WAITING || t.state == Task.State.HANDED_OUT)
                        && MessageDigest.isEqual(t.computationSha256, digest)) {
                    return t.computation;
                }
            }
        }
        HandedOut last = lastHandedOut.get(clientId);
        if (last != null && MessageDigest.isEqual(last.computationSha256(), digest)) {
            return last.computation();
        }
        throw reject(
                Rejection.UNKNOWN_COMPUTATION,
                "no open task of client " + clientId + " has a computation with SHA-256 "
                        + HexFormat.of().formatHex(digest)
                        + "; a client is sent only the computations of its own open tasks");
    }

    /**
     * The task {@code clientId} answers in {@code round} with id {@code taskId}, if the answer may be
     * taken; else a {@link RejectedMessageException} with the reason, counted.
     */
    synchronized Task claim(String clientId, String taskId, int round) {
        Task t = openTaskOf(clientId, taskId);
        if (t.round != round) {
            throw reject(
                    Rejection.STALE_ROUND,
                    "the result says round " + round + " but task " + taskId + " is of round " + t.round);
        }
        return t;
    }

    /**
     * The argument of the open task {@code taskId} of {@code clientId}; else a {@link RejectedMessageException}
     * saying why (another client's task, one that ended or never was), counted: a client is sent only the
     * arguments of its own open tasks.
     */
    synchronized TaskArgument argumentFor(String clientId, String taskId) {
        return openTaskOf(clientId, taskId).argument;
    }

    private Task openTaskOf(String clientId, String taskId) {
        Task t = active.get(taskId);
        if (t == null) {
            Task.State was = finished.get(taskId);
            if (was == Task.State.DONE) {
                throw reject(
                        Rejection.DUPLICATE_RESULT, "task " + taskId + " was already answered; a result counts once");
            }
            if (was == Task.State.NOT_NEEDED) {
                throw reject(
                        Rejection.NOT_NEEDED,
                        "task " + taskId + ": its round already has the results it needs (over-selection);"
                                + " this one is not aggregated");
            }
            if (was == Task.State.ABANDONED) {
                throw reject(
                        Rejection.STALE_ROUND,
                        "task " + taskId + " is past its deadline or its round was given up; the result is not used");
            }
            throw reject(Rejection.UNKNOWN_TASK, "no task " + taskId + " was given to any client");
        }
        if (!t.clientId.equals(clientId)) {
            throw reject(
                    Rejection.NOT_YOUR_TASK,
                    "task " + taskId + " was given to another client, not to " + clientId
                            + "; a client can only answer its own tasks");
        }
        return t;
    }

    /**
     * Completes {@code t} with {@code result} (checked by the caller); if it ended meanwhile, the
     * rejection saying how. Under a quota, the result that fills it makes every other open task not
     * needed, in the same step, so exactly the quota's results are accepted.
     */
    synchronized Optional<RejectedMessageException> complete(Task t, Value result, boolean clientIndexRead) {
        if (active.remove(t.id) == null) {
            return Optional.of(
                    t.state == Task.State.NOT_NEEDED
                            ? reject(
                                    Rejection.NOT_NEEDED,
                                    "task " + t.id + ": its round got the results it needs while this one arrived"
                                            + " (over-selection); it is not aggregated")
                            : reject(Rejection.STALE_ROUND, "task " + t.id + " ended before its result arrived"));
        }
        t.state = Task.State.DONE;
        t.clientIndexRead = clientIndexRead;
        finished.put(t.id, Task.State.DONE);
        if (quota > 0) {
            acceptedUnderQuota.add(t.clientId);
            if (acceptedUnderQuota.size() == quota) {
                for (Task open : active.values().toArray(Task[]::new)) {
                    end(open, Task.State.NOT_NEEDED);
                }
            }
        }
        t.result.complete(result);
        checkQuota();
        return Optional.empty();
    }

    /**
     * Over-selection: from now on, once {@code n} results are accepted the other open tasks are not
     * needed (their results are refused as {@link Rejection#NOT_NEEDED}); {@code tasks} tasks are
     * expected.
     */
    synchronized void beginQuota(int n, int tasks) {
        if (n < 1 || tasks < n) {
            throw new IllegalArgumentException("quota must be in [1, " + tasks + "], got " + n);
        }
        quota = n;
        quotaTasks = tasks;
        offeredUnderQuota = 0;
        acceptedUnderQuota.clear();
        quotaDone.complete(null);
        quotaDone = new CompletableFuture<>();
    }

    /**
     * Completes when the quota is filled, or every expected task was offered and none is open any
     * more, or the quota ends (at once when there is none); the caller bounds the wait by its deadline.
     */
    synchronized CompletableFuture<Void> quotaDone() {
        return quotaDone;
    }

    private void checkQuota() {
        if (quota == 0 || acceptedUnderQuota.size() >= quota || (offeredUnderQuota >= quotaTasks && active.isEmpty())) {
            quotaDone.complete(null);
        }
    }

    /** Ends the quota; the clients whose results were accepted under it, in the order they came. */
    synchronized List<String> endQuota() {
        quota = 0;
        checkQuota();
        return List.copyOf(acceptedUnderQuota);
    }

    /** Fails {@code t} with the client's own report of failure. */
    synchronized void fail(Task t, RuntimeException failure) {
        unreserve(t);
        if (active.remove(t.id) != null) {
            t.state = Task.State.DONE;
            finished.put(t.id, Task.State.DONE);
            t.result.completeExceptionally(failure);
            checkQuota();
        }
    }

    /** Gives up {@code t} (deadline passed, round abandoned): a later result for it is stale. */
    synchronized void abandon(Task t) {
        end(t, Task.State.ABANDONED);
    }

    /** Gives up {@code t} if it is still open (its deadline passed); an answered task keeps its buffer bytes. */
    synchronized void abandonIfOpen(Task t) {
        if (active.containsKey(t.id)) {
            end(t, Task.State.ABANDONED);
        }
    }

    private void end(Task t, Task.State how) {
        unreserve(t);
        if (active.remove(t.id) != null) {
            t.state = how;
            finished.put(t.id, how);
            t.result.cancel(false);
            checkQuota();
        }
    }

    /** Gives up every open task (a round attempt failed) and forgets the attempt's passes. */
    synchronized void abandonAll() {
        for (Task t : active.values().toArray(Task[]::new)) {
            abandon(t);
        }
        waiting.clear();
        resetPasses();
    }

    /** Counts a refusal and returns the exception that carries it. */
    synchronized RejectedMessageException reject(Rejection reason, String message) {
        rejections.merge(reason, 1L, Long::sum);
        return new RejectedMessageException(reason, message);
    }

    /** Counts a refusal detected elsewhere (decoding, limits). */
    synchronized void count(Rejection reason) {
        rejections.merge(reason, 1L, Long::sum);
    }

    /** Refusals so far, by reason. */
    synchronized Map<Rejection, Long> rejections() {
        return new EnumMap<>(rejections);
    }

    synchronized int openTasks() {
        return active.size();
    }
}
