package dev.fl4j.secagg;

import dev.fl4j.core.runtime.SecureSumProtocol;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * SecAgg+ run in-process, as the local runtime's secure sum
 * ({@link dev.fl4j.core.runtime.LocalRuntime.Builder#optSecureSum}): every client of an intrinsic call
 * gets its own {@link SecAggPlusClient}, the session its {@link SecAggPlusServer}, and they exchange
 * exactly the bytes a deployment would carry, here by method call. The stages before the inputs
 * (advertise keys, share keys) run when the session begins; each client masks its input when the runtime
 * submits it and the server folds the masked vector into its one accumulator; the unmasking stage runs
 * when the session finishes. So the sum is the protocol's, bitwise equal to the plain modular sum of the
 * counted inputs, and the bytes counted are the protocol's messages.
 *
 * <p>Parameters as Flower's {@code SecAggPlusWorkflow} names them: {@code num_shares}
 * ({@link Builder#setNumShares}) is capped at the clients of a call (everyone then shares with
 * everyone); {@code reconstruction_threshold} defaults to a majority of the (capped) shares; the modulus is
 * the intrinsic's {@code 2^bitwidth}. Clients may drop out by a {@link DropoutPlan}; a dropped client's
 * input is not in the sum.
 */
public final class SecAggPlus implements SecureSumProtocol {

    private final int numShares;
    private final int reconstructionThreshold;
    private final DropoutPlan dropouts;

    private SecAggPlus(Builder b) {
        this.numShares = b.numShares;
        this.reconstructionThreshold = b.reconstructionThreshold;
        this.dropouts = b.dropouts;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "secagg+";
    }

    /**
     * The session parameters for {@code clients} clients: {@code num_shares} capped at the clients,
     * the threshold as set or a majority.
     *
     * @throws IllegalArgumentException if they cannot work together (the message names the capping)
     */
    public SecAggPlusParameters parametersFor(int clients, int vectorLength, int bitwidth) {
        int shares = Math.min(numShares, clients);
        int threshold = reconstructionThreshold > 0 ? reconstructionThreshold : shares / 2 + 1;
        try {
            return new SecAggPlusParameters(clients, shares, threshold, bitwidth, vectorLength);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "secagg+ over " + clients + " clients"
                            + (shares < numShares
                                    ? " (num_shares " + numShares + " capped at the " + clients + " clients)"
                                    : "")
                            + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public Session begin(List<String> clientIds, int vectorLength, int bitwidth) {
        return new InProcessSession(parametersFor(clientIds.size(), vectorLength, bitwidth), dropouts);
    }

    /** One session: the server and its clients in this JVM. */
    static final class InProcessSession implements Session {
        private final SecAggPlusServer server;
        private final SecAggPlusClient[] clients;
        private final boolean[] dropped;
        private final DropoutPlan dropouts;
        private final Map<Integer, byte[]> forwarded;
        private long up;
        private long down;

        InProcessSession(SecAggPlusParameters p, DropoutPlan dropouts) {
            this.dropouts = dropouts;
            this.server = new SecAggPlusServer(p);
            this.clients = new SecAggPlusClient[p.clients()];
            this.dropped = new boolean[p.clients()];
            for (int i = 0; i < clients.length; i++) {
                clients[i] = new SecAggPlusClient();
            }
            Map<Integer, byte[]> setup = server.start();
            exchange(setup, SecAggPlusServer.Stage.ADVERTISE_KEYS, (c, m) -> c.onSetup(m));
            Map<Integer, byte[]> neighbourKeys = server.advance();
            exchange(neighbourKeys, SecAggPlusServer.Stage.SHARE_KEYS, (c, m) -> c.onNeighbourKeys(m));
            this.forwarded = server.advance();
            for (byte[] m : forwarded.values()) {
                down += m.length;
            }
        }

        private interface Step {
            byte[] answer(SecAggPlusClient client, byte[] message);
        }

        private void exchange(Map<Integer, byte[]> messages, SecAggPlusServer.Stage stage, Step step) {
            for (Map.Entry<Integer, byte[]> e : messages.entrySet()) {
                int index = e.getKey() - 1;
                down += e.getValue().length;
                if (drops(stage, index)) {
                    continue;
                }
                byte[] answer = step.answer(clients[index], e.getValue());
                up += answer.length;
                server.receive(answer);
            }
        }

        private boolean drops(SecAggPlusServer.Stage stage, int index) {
            if (!dropped[index] && dropouts.drops(stage, index, clients.length)) {
                dropped[index] = true;
            }
            return dropped[index];
        }

        @Override
        public void submit(int index, long[] input) {
            byte[] message = forwarded.remove(index + 1);
            if (message == null || drops(SecAggPlusServer.Stage.MASKED_INPUT, index)) {
                return; // left the round earlier, or drops now: its input is not counted
            }
            byte[] masked = clients[index].onForwardedShares(message, input);
            up += masked.length;
            server.receive(masked);
        }

        @Override
        public Outcome finish() {
            forwarded.clear();
            Map<Integer, byte[]> requests = server.advance();
            exchange(requests, SecAggPlusServer.Stage.UNMASKING, (c, m) -> c.onUnmaskRequest(m));
            server.advance();
            return new Outcome(server.sum(), server.contributors().size(), up, down);
        }
    }

    /** Configures {@link SecAggPlus}. */
    public static final class Builder {
        private int numShares;
        private int reconstructionThreshold;
        private DropoutPlan dropouts = DropoutPlan.none();

        private Builder() {}

        /**
         * {@code num_shares}: each client's secrets are split into this many shares, one kept and one per
         * neighbour; odd (or at least the number of clients of a call, which makes it plain SecAgg).
         * Required.
         */
        public Builder setNumShares(int numShares) {
            this.numShares = numShares;
            return this;
        }

        /** {@code reconstruction_threshold}: shares that rebuild a secret; default a majority of num_shares. */
        public Builder optReconstructionThreshold(int threshold) {
            if (threshold < 1) {
                throw new IllegalArgumentException("reconstruction_threshold must be at least 1, got " + threshold);
            }
            this.reconstructionThreshold = threshold;
            return this;
        }

        /** Simulated dropouts (default none). */
        public Builder optDropouts(DropoutPlan plan) {
            this.dropouts = Objects.requireNonNull(plan, "plan");
            return this;
        }

        public SecAggPlus build() {
            if (numShares < 1) {
                throw new IllegalArgumentException("num_shares must be set, at least 1, got " + numShares);
            }
            if (numShares % 2 == 0) {
                throw new IllegalArgumentException("num_shares must be odd (a client keeps one share and gives one to"
                        + " each neighbour, half on either side of it on the ring), got " + numShares);
            }
            if (reconstructionThreshold > numShares) {
                throw new IllegalArgumentException("reconstruction_threshold " + reconstructionThreshold
                        + " exceeds num_shares " + numShares + ": the secrets could never be rebuilt");
            }
            if (reconstructionThreshold > 0 && 2 * reconstructionThreshold <= numShares) {
                throw new IllegalArgumentException("reconstruction_threshold " + reconstructionThreshold
                        + " must be more than half of num_shares " + numShares + " (at least " + (numShares / 2 + 1)
                        + "), so no client's self-mask seed and mask key can both be rebuilt");
            }
            return new SecAggPlus(this);
        }
    }
}
