package dev.fl4j.deploy.server;

import dev.fl4j.core.Value;
import dev.fl4j.deploy.RejectedMessageException;
import dev.fl4j.deploy.protocol.Rejection;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tasks the server has for its clients and the results it waits for. A task goes to one
 * client, which pulls it (a pull that finds none parks on the board as a callback, answered when a
 * task for its client is offered: no thread waits for a client); the client's result completes it
 * once. Everything a result must pass before it reaches the fold is checked here, each failure with
 * its own {@link Rejection}, counted: an unknown task id, a task of another client, a round that is
 * not the task's, a task already answered, or one abandoned (past its deadline or its round given
 * up). Task ids are 128 random bits from {@link SecureRandom}, so a client cannot guess another's.
 */
final class TaskBoard {

    /** Ids of answered or abandoned tasks kept to tell a duplicate or stale result from an unknown one. */
    private static final int FINISHED_REMEMBERED = 1 << 16;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Task> active = new HashMap<>();
    private final Map<String, Deque<Task>> waiting = new HashMap<>();
    private final Map<String, ParkedPoll> parked = new HashMap<>();
    private final Map<String, Task.State> finished = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Task.State> eldest) {
            return size() > FINISHED_REMEMBERED;
        }
    };
    private final EnumMap<Rejection, Long> rejections = new EnumMap<>(Rejection.class);

    /** A fresh unguessable task id. */
    synchronized String newTaskId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Adds {@code task}; a poll of its client parked on the board gets it at once. */
    synchronized void offer(Task task) {
        active.put(task.id, task);
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
        return Optional.of(t);
    }

    /**
     * The computation bytes of an open task of {@code clientId} whose computation has the SHA-256
     * {@code digest}; else a {@link RejectedMessageException} ({@link Rejection#UNKNOWN_COMPUTATION}),
     * counted: a client learns only the computations of its own tasks.
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
        Task t = active.get(taskId);
        if (t == null) {
            Task.State was = finished.get(taskId);
            if (was == Task.State.DONE) {
                throw reject(
                        Rejection.DUPLICATE_RESULT, "task " + taskId + " was already answered; a result counts once");
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
        if (t.round != round) {
            throw reject(
                    Rejection.STALE_ROUND,
                    "the result says round " + round + " but task " + taskId + " is of round " + t.round);
        }
        return t;
    }

    /** Completes {@code t} with {@code result} (checked by the caller); false if it ended meanwhile. */
    synchronized boolean complete(Task t, Value result) {
        if (active.remove(t.id) == null) {
            return false;
        }
        t.state = Task.State.DONE;
        finished.put(t.id, Task.State.DONE);
        t.result.complete(result);
        return true;
    }

    /** Fails {@code t} with the client's own report of failure. */
    synchronized void fail(Task t, RuntimeException failure) {
        if (active.remove(t.id) != null) {
            t.state = Task.State.DONE;
            finished.put(t.id, Task.State.DONE);
            t.result.completeExceptionally(failure);
        }
    }

    /** Gives up {@code t} (deadline passed, round abandoned): a later result for it is stale. */
    synchronized void abandon(Task t) {
        if (active.remove(t.id) != null) {
            t.state = Task.State.ABANDONED;
            finished.put(t.id, Task.State.ABANDONED);
            t.result.cancel(false);
        }
    }

    /** Gives up every open task (a round attempt failed). */
    synchronized void abandonAll() {
        for (Task t : active.values().toArray(Task[]::new)) {
            abandon(t);
        }
        waiting.clear();
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
