package dev.fl4j.core.runtime;

import java.util.List;

/**
 * A secure-aggregation protocol that {@code federated_secure_sum_bitwidth} runs instead of the plain
 * modular sum, so the server learns the sum and nothing else about any client's input. Core holds only
 * this seam; a protocol library implements it (fl4j's SecAgg+ is {@code dev.fl4j.secagg.SecAggPlus} in
 * module {@code fl4j-secagg}) and a runtime is given one explicitly
 * ({@link LocalRuntime.Builder#optSecureSum}); nothing is found by class-path scanning.
 *
 * <p>Contract. One {@link #begin} per intrinsic call, over that call's clients. The runtime then
 * {@linkplain Session#submit submits} each client's input at most once, in client order, as the
 * client's work finishes (the client side of the protocol masks it; only the masked vector reaches the
 * server side, which folds it into one accumulator), and finally {@linkplain Session#finish finishes}:
 * the unmasking stage, giving the sum modulo {@code 2^bitwidth} of the inputs of the clients the
 * protocol counted. Inputs are flat {@code long} vectors with every element in {@code [0, 2^bitwidth)}
 * (the runtime checks that before submitting). A protocol that simulates dropouts leaves out the
 * inputs of clients that dropped before their masked input reached the server, and says how many
 * inputs it counted; a protocol that cannot complete (too few clients left to unmask) throws from
 * {@link Session#finish} with an explanation.
 */
public interface SecureSumProtocol {

    /** A short name for messages and measurements, e.g. {@code "secagg+"}. */
    String name();

    /**
     * Starts one secure sum over {@code clientIds} (in client order) of vectors of {@code vectorLength}
     * elements modulo {@code 2^bitwidth}; runs whatever stages precede the clients' inputs.
     *
     * @throws IllegalArgumentException if the protocol's settings are impossible for this many clients
     */
    Session begin(List<String> clientIds, int vectorLength, int bitwidth);

    /**
     * Whether the clients mask their own inputs, so that no unmasked input ever reaches the runtime
     * that folds them (a protocol carried over a network to remote clients). The runtime then calls
     * {@link #beginOnClients} instead of {@link #begin}, and only for a secure sum whose input is a
     * result of the client work it dispatches as a chain ({@link ShippedChain#secureSummed}): the
     * client keeps that result and gives it to its side of the protocol, the chain's result carries a
     * placeholder in its place, and {@link Session#submit} is given {@code null}, marking only that the
     * client's work reached the fold. A secure sum whose input the runtime itself computes is refused.
     * Default false.
     */
    default boolean masksOnClients() {
        return false;
    }

    /**
     * For a protocol that {@linkplain #masksOnClients masks on the clients}: starts one secure sum of the
     * value each client's chain returned at position {@code chainResult} (as the clients keep it), of
     * {@code vectorLength} elements modulo {@code 2^bitwidth}.
     */
    default Session beginOnClients(List<String> clientIds, int chainResult, int vectorLength, int bitwidth) {
        throw new UnsupportedOperationException(name() + " does not mask on the clients");
    }

    /** One secure sum in progress. */
    interface Session {

        /**
         * Client {@code index}'s input, which its side of the protocol masks and sends to the server
         * ({@code null} under {@link #masksOnClients}: the client holds its input itself).
         */
        void submit(int index, long[] input);

        /** Runs the unmasking stage and returns the sum of the counted inputs. */
        Outcome finish();
    }

    /**
     * The result of one secure sum.
     *
     * @param sum the sum modulo {@code 2^bitwidth} of the counted clients' inputs
     * @param contributors how many clients' inputs the sum holds
     * @param clientToServerBytes bytes every client sent the server over all stages, summed over clients
     * @param serverToClientBytes bytes the server sent the clients over all stages, summed over clients
     */
    record Outcome(long[] sum, int contributors, long clientToServerBytes, long serverToClientBytes) {}
}
