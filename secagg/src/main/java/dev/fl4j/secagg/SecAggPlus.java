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
 * <p>Parameters as Flower's {@code SecAggPlusWorkflow} names them, as counts or, as Flower allows, as
 * fractions resolved for each call's cohort ({@link #parametersFor}). {@code num_shares}
 * ({@link Builder#setNumShares}) is capped at the clients of a call (everyone then shares with everyone);
 * as a fraction ({@link Builder#setNumSharesFraction}) it is that proportion of the call's clients.
 * {@code reconstruction_threshold} ({@link Builder#optReconstructionThreshold}) defaults to a majority of
 * the (capped) shares; as a fraction ({@link Builder#optReconstructionThresholdFraction}) it is that
 * proportion of the session's {@code num_shares}, as in Flower. The modulus is the intrinsic's
 * {@code 2^bitwidth}. Clients may drop out by a {@link DropoutPlan}; a dropped client's input is not in
 * the sum.
 */
public final class SecAggPlus implements SecureSumProtocol {

    private final int numShares;
    private final double numSharesFraction;
    private final int reconstructionThreshold;
    private final double thresholdFraction;
    private final DropoutPlan dropouts;

    private SecAggPlus(Builder b) {
        this.numShares = b.numShares;
        this.numSharesFraction = b.numSharesFraction;
        this.reconstructionThreshold = b.reconstructionThreshold;
        this.thresholdFraction = b.thresholdFraction;
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
     * The session parameters for {@code clients} clients. {@code num_shares}: a count is capped at the
     * clients; a fraction {@code f} gives Flower's {@code round(f · clients)}, made odd by adding one when it
     * is even and below the clients, and all the clients when that leaves 2 or fewer. The threshold: a
     * count as set; a fraction {@code g} gives {@code round(g · num_shares)}, at least 2 (as Flower) and at
     * least a majority of {@code num_shares} (fl4j's safety bound: no client's self-mask seed and mask key
     * can both be rebuilt); by default a majority. Rounding is half up ({@link Math#round}), where Python's
     * {@code round} in Flower rounds a half to even.
     *
     * @throws IllegalArgumentException if they cannot work together (the message names the capping or the
     *     fractions)
     */
    public SecAggPlusParameters parametersFor(int clients, int vectorLength, int bitwidth) {
        int shares = sharesFor(clients);
        int threshold = thresholdFor(shares);
        try {
            return new SecAggPlusParameters(clients, shares, threshold, bitwidth, vectorLength);
        } catch (IllegalArgumentException e) {
            String how = numSharesFraction > 0
                    ? " (num_shares " + numSharesFraction + " of the clients is " + shares
                            + (thresholdFraction > 0
                                    ? ", reconstruction_threshold " + thresholdFraction + " of it is " + threshold
                                    : "")
                            + ")"
                    : shares < numShares ? " (num_shares " + numShares + " capped at the " + clients + " clients)" : "";
            throw new IllegalArgumentException("secagg+ over " + clients + " clients" + how + ": " + e.getMessage(), e);
        }
    }

    private int sharesFor(int clients) {
        if (numSharesFraction <= 0) {
            return Math.min(numShares, clients);
        }
        int shares = (int) Math.min(clients, Math.round(numSharesFraction * clients));
        if (shares < clients && shares % 2 == 0) {
            shares++;
        }
        return shares <= 2 ? clients : shares;
    }

    private int thresholdFor(int shares) {
        int majority = shares / 2 + 1;
        if (thresholdFraction > 0) {
            return Math.min(shares, Math.max(Math.max(2, majority), (int) Math.round(thresholdFraction * shares)));
        }
        return reconstructionThreshold > 0 ? reconstructionThreshold : majority;
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
        private double numSharesFraction;
        private int reconstructionThreshold;
        private double thresholdFraction;
        private DropoutPlan dropouts = DropoutPlan.none();

        private Builder() {}

        /**
         * {@code num_shares}: each client's secrets are split into this many shares, one kept and one per
         * neighbour; odd (or at least the number of clients of a call, which makes it plain SecAgg). This or
         * {@link #setNumSharesFraction} is required.
         */
        public Builder setNumShares(int numShares) {
            this.numShares = numShares;
            this.numSharesFraction = 0;
            return this;
        }

        /**
         * {@code num_shares} as a float in Flower's sense: the proportion {@code (0, 1]} of each call's
         * clients ({@link SecAggPlus#parametersFor} says how it is rounded). Replaces a count.
         */
        public Builder setNumSharesFraction(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException(
                        "num_shares as a fraction of the clients must be in (0, 1], got " + fraction);
            }
            this.numSharesFraction = fraction;
            this.numShares = 0;
            return this;
        }

        /** {@code reconstruction_threshold}: shares that rebuild a secret; default a majority of num_shares. */
        public Builder optReconstructionThreshold(int threshold) {
            if (threshold < 1) {
                throw new IllegalArgumentException("reconstruction_threshold must be at least 1, got " + threshold);
            }
            this.reconstructionThreshold = threshold;
            this.thresholdFraction = 0;
            return this;
        }

        /**
         * {@code reconstruction_threshold} as a float in Flower's sense: the proportion of {@code num_shares}
         * that rebuilds a secret, more than one half (so a majority; fl4j refuses less) and at most 1.
         * Replaces a count.
         */
        public Builder optReconstructionThresholdFraction(double fraction) {
            if (!(fraction > 0.5 && fraction <= 1)) {
                throw new IllegalArgumentException("reconstruction_threshold as a fraction of num_shares must be in"
                        + " (0.5, 1], got " + fraction + ": at half or less a server asking different holders could"
                        + " rebuild both the self-mask seed and the mask key of one client");
            }
            this.thresholdFraction = fraction;
            this.reconstructionThreshold = 0;
            return this;
        }

        /** Simulated dropouts (default none). */
        public Builder optDropouts(DropoutPlan plan) {
            this.dropouts = Objects.requireNonNull(plan, "plan");
            return this;
        }

        public SecAggPlus build() {
            if (numSharesFraction > 0) {
                if (reconstructionThreshold > 0) {
                    throw new IllegalArgumentException("reconstruction_threshold " + reconstructionThreshold
                            + " is a count but num_shares " + numSharesFraction + " a fraction of the clients, so"
                            + " the count may exceed the shares of a small cohort; give the threshold as a fraction of"
                            + " num_shares");
                }
                return new SecAggPlus(this);
            }
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
