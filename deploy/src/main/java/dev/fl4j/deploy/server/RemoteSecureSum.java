package dev.fl4j.deploy.server;

import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.runtime.SecureSumProtocol;
import dev.fl4j.deploy.protocol.ProtocolLimits;
import dev.fl4j.secagg.SecAggException;
import dev.fl4j.secagg.SecAggPlus;
import dev.fl4j.secagg.SecAggPlusParameters;
import dev.fl4j.secagg.SecAggPlusServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * SecAgg+ between the server and its deployed clients, as the remote runtime's secure sum. The clients
 * mask their own inputs ({@link #masksOnClients}): the secure sum's input is a result of the client chain
 * the client keeps (the chain's result carries a placeholder in its place), so the server never holds an
 * unmasked individual vector.
 *
 * <p>The secure sums of one pass (a {@code SecureSumFactory} makes two: the values and the counts) run as
 * one SecAgg+ session, over the clients whose chain results reached the fold, when the first of them
 * finishes: the sums' inputs concatenated, modulo the largest of their moduli {@code 2^b} (a smaller
 * modulus {@code 2^b'} divides it, so each part reduced modulo {@code 2^b'} is its own exact sum). So one
 * set of survivors holds for all the pass's sums: the counts a mean divides by count exactly the clients
 * whose values are in the sum. Each stage waits until every client it addressed has answered, or for the
 * stage timeout; a client that did not answer has dropped. When too few are left to unmask, the clients
 * that dropped are marked failed and the invocation fails ({@link ClientWorkException}), so the round
 * driver runs the round again without them, or abandons it, as for any client that fails its work.
 */
final class RemoteSecureSum implements SecureSumProtocol {

    private static final Logger LOG = Logger.getLogger(RemoteSecureSum.class.getName());
    /** Bytes of one forwarded share entry (client id and ciphertext) and of the message's header and count. */
    private static final int SHARE_ENTRY_BYTES = 4 + 102;

    private final SecAggPlus protocol;
    private final SecAggBoard board;
    private final Duration stageTimeout;
    private final SecAggObserver observer;
    private final Consumer<String> failed;
    private final List<Sum> pending = new ArrayList<>();

    RemoteSecureSum(
            SecAggPlus protocol,
            SecAggBoard board,
            Duration stageTimeout,
            SecAggObserver observer,
            Consumer<String> failed) {
        this.protocol = protocol;
        this.board = board;
        this.stageTimeout = stageTimeout;
        this.observer = observer;
        this.failed = failed;
    }

    /** Forgets the sums of a failed attempt (their pass will not finish them). */
    synchronized void reset() {
        pending.clear();
    }

    @Override
    public String name() {
        return protocol.name();
    }

    @Override
    public boolean masksOnClients() {
        return true;
    }

    @Override
    public Session begin(List<String> clientIds, int vectorLength, int bitwidth) {
        throw new UnsupportedOperationException(
                "secagg+ over the network sums only inputs the clients computed and kept themselves");
    }

    @Override
    public synchronized Session beginOnClients(
            List<String> clientIds, int chainResult, int vectorLength, int bitwidth) {
        Sum s = new Sum(List.copyOf(clientIds), chainResult, vectorLength, bitwidth);
        pending.add(s);
        return s;
    }

    /** One secure sum of a pass; the pass's sums run together when the first one finishes. */
    private final class Sum implements Session {
        final List<String> clientIds;
        final int chainResult;
        final int length;
        final int bitwidth;
        final Set<Integer> submitted = new TreeSet<>();
        Outcome outcome;
        RuntimeException failure;

        Sum(List<String> clientIds, int chainResult, int length, int bitwidth) {
            this.clientIds = clientIds;
            this.chainResult = chainResult;
            this.length = length;
            this.bitwidth = bitwidth;
        }

        @Override
        public void submit(int index, long[] input) {
            if (input != null) {
                throw new IllegalStateException("secagg+ over the network: the server was handed client " + index
                        + "'s input; clients mask their inputs themselves");
            }
            submitted.add(index);
        }

        @Override
        public Outcome finish() {
            synchronized (RemoteSecureSum.this) {
                if (outcome == null && failure == null) {
                    runSession(this);
                }
                if (failure != null) {
                    throw failure;
                }
                return outcome;
            }
        }
    }

    /** Runs one session for {@code first} and the other unfinished sums over the same clients. */
    private void runSession(Sum first) {
        List<Sum> sums = new ArrayList<>();
        for (Sum s : pending) {
            if (s.outcome == null && s.failure == null && s.clientIds.equals(first.clientIds)) {
                sums.add(s);
            }
        }
        pending.removeAll(sums);
        try {
            Outcome[] outcomes = run(sums);
            for (int i = 0; i < sums.size(); i++) {
                sums.get(i).outcome = outcomes[i];
            }
        } catch (RuntimeException e) {
            for (Sum s : sums) {
                s.failure = e;
            }
        }
    }

    private Outcome[] run(List<Sum> sums) {
        Sum first = sums.get(0);
        Set<Integer> indices = new TreeSet<>(first.submitted);
        int total = 0;
        int bitwidth = 1;
        List<Integer> results = new ArrayList<>();
        for (Sum s : sums) {
            indices.retainAll(s.submitted);
            total = Math.addExact(total, s.length);
            bitwidth = Math.max(bitwidth, s.bitwidth);
            results.add(s.chainResult);
        }
        List<String> participants = new ArrayList<>();
        for (int i : indices) {
            participants.add(first.clientIds.get(i));
        }
        if (participants.isEmpty()) {
            throw new IllegalArgumentException("federated_secure_sum_bitwidth under secagg+: no client to sum");
        }
        SecAggPlusParameters p = protocol.parametersFor(participants.size(), total, bitwidth);
        if ((long) (p.numShares() - 1) * SHARE_ENTRY_BYTES + 64 > ProtocolLimits.MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("secagg+ with num_shares " + p.numShares()
                    + ": one client's forwarded shares would exceed one message of " + ProtocolLimits.MAX_CHUNK_BYTES
                    + " bytes; use fewer shares (SecAgg+ neighbourhoods)");
        }
        SecAggPlusServer server = new SecAggPlusServer(p);
        board.open(server, participants, results);
        try {
            Map<Integer, byte[]> messages = server.start();
            for (SecAggPlusServer.Stage stage : new SecAggPlusServer.Stage[] {
                SecAggPlusServer.Stage.ADVERTISE_KEYS,
                SecAggPlusServer.Stage.SHARE_KEYS,
                SecAggPlusServer.Stage.MASKED_INPUT,
                SecAggPlusServer.Stage.UNMASKING
            }) {
                List<String> addressed = new ArrayList<>();
                for (int id : messages.keySet()) {
                    addressed.add(participants.get(id - 1));
                }
                observer.stageStarted(stage, addressed);
                board.post(messages);
                board.awaitAnswers(System.nanoTime() + stageTimeout.toNanos());
                try {
                    messages = board.advance();
                } catch (SecAggException e) {
                    throw aborted(stage, participants, e);
                }
            }
            long[] sum = board.sum();
            int contributors = board.contributors();
            long[] bytes = board.bytes();
            observer.finished(participants.size(), contributors);
            Outcome[] out = new Outcome[sums.size()];
            int offset = 0;
            for (int i = 0; i < sums.size(); i++) {
                Sum s = sums.get(i);
                long[] part = new long[s.length];
                long mask = (1L << s.bitwidth) - 1;
                for (int j = 0; j < part.length; j++) {
                    part[j] = sum[offset + j] & mask;
                }
                offset += s.length;
                out[i] = new Outcome(part, contributors, i == 0 ? bytes[0] : 0, i == 0 ? bytes[1] : 0);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during secure aggregation", e);
        } finally {
            board.endAll("the secure aggregation session is over");
        }
    }

    /** The round cannot be unmasked: the clients that stopped answering failed their work. */
    private RuntimeException aborted(SecAggPlusServer.Stage stage, List<String> participants, SecAggException e) {
        Set<String> answered = board.answeredLastStage();
        String dropped = null;
        int droppedIndex = -1;
        for (int i = 0; i < participants.size(); i++) {
            if (!answered.contains(participants.get(i))) {
                failed.accept(participants.get(i));
                if (dropped == null) {
                    dropped = participants.get(i);
                    droppedIndex = i;
                }
            }
        }
        String message = "secure aggregation aborted at stage " + stage + ": " + e.getMessage();
        LOG.warning(message);
        if (dropped == null) {
            return new IllegalStateException(message, e);
        }
        return new ClientWorkException(
                "federated_secure_sum_bitwidth (secagg+ " + stage + ")",
                droppedIndex,
                dropped,
                new IllegalStateException(message, e));
    }
}
