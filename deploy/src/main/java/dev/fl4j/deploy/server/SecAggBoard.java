package dev.fl4j.deploy.server;

import dev.fl4j.deploy.RejectedMessageException;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.secagg.SecAggException;
import dev.fl4j.secagg.SecAggMessages;
import dev.fl4j.secagg.SecAggPlusServer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where the SecAgg+ session of a round meets the clients: what each client kept for a secure sum (by
 * task), the protocol message each one is to fetch next, and the server's side of the session
 * ({@link SecAggPlusServer}, which is not thread-safe: every call to it is made under this board's
 * lock). Clients fetch their messages by long poll ({@link #poll}) and answer through {@link #submit};
 * the round's thread opens a session, posts each stage's messages and waits for the answers
 * ({@link RemoteSecureSum}). A refused client message is counted twice: as
 * {@link Rejection#SECURE_AGGREGATION} with the other refused requests, and by its
 * {@link SecAggException.Kind}.
 */
final class SecAggBoard {

    private static final Logger LOG = Logger.getLogger(SecAggBoard.class.getName());

    /** What one client kept of one task for a secure sum, and what it is to fetch next. */
    private static final class Kept {
        final String taskId;
        final int[] secureSummed;
        byte[] next;
        List<Integer> results = List.of();
        String end;

        Kept(String taskId, int[] secureSummed) {
            this.taskId = taskId;
            this.secureSummed = secureSummed;
        }
    }

    /** What a poll gets: a message to answer, nothing yet, or the end of the protocol for this client. */
    record Poll(byte[] message, List<Integer> results, String end) {}

    private final TaskBoard board;
    private final Map<String, Kept> kept = new HashMap<>();
    private final EnumMap<SecAggException.Kind, Long> refused = new EnumMap<>(SecAggException.Kind.class);

    private SecAggPlusServer server;
    private Map<String, Integer> ids = Map.of();
    private final Set<String> awaiting = new HashSet<>();
    private final Set<String> answered = new HashSet<>();
    private long up;
    private long down;

    SecAggBoard(TaskBoard board) {
        this.board = board;
    }

    /** Client {@code clientId} keeps the secure-summed results of task {@code taskId} (replacing any earlier). */
    synchronized void keep(String clientId, String taskId, int[] secureSummed) {
        kept.put(clientId, new Kept(taskId, secureSummed.clone()));
        notifyAll();
    }

    /** The task whose results {@code clientId} keeps, or null. */
    synchronized String keptTask(String clientId) {
        Kept k = kept.get(clientId);
        return k == null || k.end != null ? null : k.taskId;
    }

    /** Ends the protocol for every client that kept something (a round attempt ended, the session is over). */
    synchronized void endAll(String reason) {
        for (Kept k : kept.values()) {
            if (k.end == null) {
                k.end = reason;
                k.next = null;
            }
        }
        server = null;
        ids = Map.of();
        awaiting.clear();
        notifyAll();
    }

    /**
     * The next message for {@code clientId} about task {@code taskId}, waiting up to {@code timeoutMillis}
     * for one. A task the client does not keep (any more) ends the protocol for it.
     */
    synchronized Poll poll(String clientId, String taskId, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            Kept k = kept.get(clientId);
            if (k == null || !k.taskId.equals(taskId)) {
                return new Poll(
                        null,
                        List.of(),
                        "the server keeps no secure sum for task " + taskId + " of client " + clientId
                                + " (its round ended or was started again)");
            }
            if (k.end != null) {
                kept.remove(clientId);
                return new Poll(null, List.of(), k.end);
            }
            if (k.next != null) {
                byte[] m = k.next;
                k.next = null;
                down += m.length;
                return new Poll(m, k.results, null);
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return new Poll(null, List.of(), null);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /**
     * Takes {@code clientId}'s protocol message about task {@code taskId}.
     *
     * @throws RejectedMessageException ({@link Rejection#SECURE_AGGREGATION}) if no session awaits it, the
     *     client is not in it, the message names another sender, or the protocol refuses it (the session is
     *     then as it was)
     */
    synchronized void submit(String clientId, String taskId, byte[] message) {
        Kept k = kept.get(clientId);
        if (k == null || !k.taskId.equals(taskId) || k.end != null) {
            throw refuse(
                    SecAggException.Kind.UNKNOWN_CLIENT,
                    "client " + clientId + " sent a secure-aggregation message for task " + taskId
                            + ", which is in no open session");
        }
        Integer id = ids.get(clientId);
        if (server == null || id == null) {
            throw refuse(
                    SecAggException.Kind.UNKNOWN_CLIENT,
                    "client " + clientId + " sent a secure-aggregation message but is not in the running session");
        }
        int sender;
        try {
            sender = SecAggMessages.senderOf(message);
        } catch (SecAggException e) {
            throw refuse(e.kind(), "client " + clientId + ": " + e.getMessage());
        }
        if (sender != id) {
            throw refuse(
                    SecAggException.Kind.MISADDRESSED,
                    "client " + clientId + " is client " + id + " of the session but its message claims sender "
                            + sender);
        }
        try {
            server.receive(message);
        } catch (SecAggException e) {
            throw refuse(e.kind(), "client " + clientId + " (session client " + id + "): " + e.getMessage());
        }
        up += message.length;
        awaiting.remove(clientId);
        answered.add(clientId);
        notifyAll();
    }

    private RejectedMessageException refuse(SecAggException.Kind kind, String message) {
        refused.merge(kind, 1L, Long::sum);
        return board.reject(Rejection.SECURE_AGGREGATION, kind + ": " + message);
    }

    /**
     * Opens a session: {@code server} over {@code participants} (session client {@code i + 1} is
     * {@code participants.get(i)}), summing each one's kept task results {@code results}, in order.
     *
     * @throws IllegalStateException if a participant keeps nothing
     */
    synchronized void open(SecAggPlusServer server, List<String> participants, List<Integer> results) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < participants.size(); i++) {
            Kept k = kept.get(participants.get(i));
            if (k == null || k.end != null) {
                throw new IllegalStateException("client " + participants.get(i) + " keeps no secure-sum input");
            }
            k.results = List.copyOf(results);
            m.put(participants.get(i), i + 1);
        }
        this.server = server;
        this.ids = m;
        this.up = 0;
        this.down = 0;
        awaiting.clear();
        answered.clear();
    }

    /** Posts the protocol's messages by session client id; the session's other clients are left out. */
    synchronized void post(Map<Integer, byte[]> messages) {
        awaiting.clear();
        answered.clear();
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            Kept k = kept.get(e.getKey());
            byte[] m = messages.get(e.getValue());
            if (k == null || k.end != null) {
                continue;
            }
            if (m == null) {
                k.end = "left out of the session (it missed a stage, or too few of its neighbours remain)";
                k.next = null;
            } else {
                k.next = m;
                awaiting.add(e.getKey());
            }
        }
        notifyAll();
    }

    /** Waits until every client posted to has answered, or until {@code deadlineNanos}. */
    synchronized void awaitAnswers(long deadlineNanos) throws InterruptedException {
        while (!awaiting.isEmpty()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                LOG.log(Level.INFO, "secure aggregation: no answer from {0} at stage {1}", new Object[] {
                    awaiting, server == null ? null : server.stage()
                });
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Closes the current stage ({@link SecAggPlusServer#advance}) and returns the next stage's messages. */
    synchronized Map<Integer, byte[]> advance() {
        return server.advance();
    }

    /** The session's sum, once the unmasking stage closed. */
    synchronized long[] sum() {
        return server.sum();
    }

    synchronized int contributors() {
        return server.contributors().size();
    }

    /** The session's clients that answered the stage posted last. */
    synchronized Set<String> answeredLastStage() {
        return Set.copyOf(answered);
    }

    /** The session's clients, in session order. */
    synchronized List<String> participants() {
        return new ArrayList<>(ids.keySet());
    }

    /** Protocol bytes the clients sent (accepted) and the server's messages fetched, in this session. */
    synchronized long[] bytes() {
        return new long[] {up, down};
    }

    /** Refused protocol messages so far, by the rule they broke. */
    synchronized Map<SecAggException.Kind, Long> refused() {
        return new EnumMap<>(refused);
    }
}
