package dev.fl4j.core.runtime;

import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.WorkerResources;

/**
 * Runs federated computations in this JVM. Client work ({@code federated_map},
 * {@code federated_eval} at CLIENTS) runs on a pool of workers, one client per worker at a time;
 * each worker keeps its resources (an engine session, say) across clients and rounds until the
 * runtime closes.
 *
 * <p><b>Rounds in bounded memory.</b> {@code federated_map} over CLIENTS does not run at once: it
 * returns a deferred client value, and a sum, mean, aggregate or secure sum over it a server value
 * computed when first needed. The first time a computation needs such a server value (reads it,
 * broadcasts it, or returns), the runtime runs all pending client work in one pass: each client's
 * work runs on a worker, and its results are folded, in client order, into every aggregation
 * waiting for them as soon as it is their turn, then dropped ({@link OrderedFold}; at most twice the
 * workers' clients are started and not folded at once, and a worker waits rather than start a client
 * beyond that). So a round holds O(workers × model) however many clients take part, folding overlaps
 * training, and the same inputs give bitwise the same results whatever the number of workers
 * (computations that draw from {@code SecureRandom}, such as differential-privacy noise, are not
 * reproducible by design).
 * Consequence for computation authors: create every aggregation of a client map before reading a
 * server value computed from it; an aggregation created later fails with an
 * {@link IllegalStateException} saying so, because the clients' results are gone. Aggregations over
 * values already at hand (arguments, broadcasts) run at once. A computation that returns a
 * {@code {T}@CLIENTS} value gets every member kept.
 *
 * <p>The runtime counts communication as values cross placements ({@link #communication()}):
 * a broadcast adds the value's size times the receiving clients, an aggregation the sum of what each
 * client sends. Sizes are {@link Value#sizeInBits()} of the values as they cross, so an encoded
 * (compressed) value counts its encoded bytes.
 *
 * <p>Each simulated client's state ({@link dev.fl4j.core.computation.ClientContext#clientState})
 * lives in this runtime's {@link #clientStates()}, in memory, until the runtime closes; an
 * invocation's writes apply only when it returns normally.
 */
public final class LocalRuntime implements FederatedRuntime {

    private final WorkerPool pool;
    private final WorkerResources serverResources = new WorkerResources();
    private final CommunicationStats stats = new CommunicationStats();
    private final ClientStateStore clientStates;
    private final RuntimeOptions options;

    private LocalRuntime(int workers, RuntimeOptions options, ClientStateStore clientStates) {
        this.pool = new WorkerPool(workers, "fl4j-worker-");
        this.options = options;
        this.clientStates = clientStates;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Value invoke(FederatedComputation computation, Value argument) {
        ClientStateStore.Transaction states = clientStates.begin();
        Value result;
        try {
            result = new Invocation(
                            pool, serverResources, stats, Invocation.clientIdsOf(argument, null), states, options)
                    .run(computation, argument);
        } catch (RuntimeException | Error e) {
            states.abort();
            throw e;
        }
        states.commit();
        return result;
    }

    @Override
    public ClientStateStore clientStates() {
        return clientStates;
    }

    @Override
    public CommunicationStats communication() {
        return stats;
    }

    @Override
    public int workers() {
        return pool.size();
    }

    /**
     * Stops the workers and frees their resources. Each worker closes its own resources (its engine
     * session) after its last client work has returned, so a close after an interrupted or abandoned
     * invocation waits for work still running (interrupting it) rather than freeing a session under
     * it; the interrupt status of the calling thread is kept.
     *
     * @throws IllegalStateException if client work is still running two minutes after close began
     *     (its worker frees its resources when it returns), or if closing a resource failed
     */
    @Override
    public void close() {
        try {
            pool.close();
        } finally {
            serverResources.close();
        }
    }

    /** Configures a {@link LocalRuntime}. */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private SecureSumProtocol secureSum;
        private ClientWorkShipper shipper;
        private ClientWorkDispatcher dispatcher;
        private ClientStateStore.External externalStates;

        private Builder() {}

        /**
         * Keeps the state of client work that runs elsewhere in {@code external} (a Spark runtime's
         * state on its cluster, which its shipper reads and commits); see {@link ClientStateStore}.
         * Default: none, every client's state lives in this JVM.
         */
        public Builder optExternalClientStates(ClientStateStore.External external) {
            this.externalStates = java.util.Objects.requireNonNull(external, "external");
            return this;
        }

        /**
         * Runs the shippable part of each pass of client work with {@code shipper} (a Spark runtime's
         * executors, say) instead of on this runtime's workers; the rest of the clients' work, and
         * every fold, stays here, in client order, so results are bitwise the same. Null (the
         * default) runs everything here.
         */
        public Builder optClientWorkShipper(ClientWorkShipper shipper) {
            this.shipper = shipper;
            return this;
        }

        /**
         * Hands the client work {@code dispatcher} accepts to it instead of running it on the workers
         * (default: none, all client work runs here). See {@link ClientWorkDispatcher}: an asynchronous
         * one gets every client's chain at once and no worker waits for it, so the workers need not
         * follow the number of clients. A runtime has a dispatcher or a
         * {@linkplain #optClientWorkShipper shipper}, not both.
         */
        public Builder optClientWorkDispatcher(ClientWorkDispatcher dispatcher) {
            this.dispatcher = java.util.Objects.requireNonNull(dispatcher, "dispatcher");
            return this;
        }

        /** Number of workers running client work at once (default: the number of cores). */
        public Builder optWorkers(int workers) {
            this.workers = workers;
            return this;
        }

        /**
         * Runs every {@code federated_secure_sum_bitwidth} through {@code protocol} (a secure-aggregation
         * protocol simulated in this JVM, e.g. {@code dev.fl4j.secagg.SecAggPlus}) instead of the plain
         * modular sum, the default. The sums are the same bitwise (the protocol's sum modulo
         * {@code 2^bitwidth} is exact) unless the protocol simulates dropouts; what the protocol sends is
         * counted as the intrinsic's traffic. Costlier than the plain sum by design: use it to measure the
         * protocol's cost or to test a pipeline with it.
         */
        public Builder optSecureSum(SecureSumProtocol protocol) {
            this.secureSum = java.util.Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        public LocalRuntime build() {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            return new LocalRuntime(
                    workers,
                    new RuntimeOptions(shipper, dispatcher, secureSum),
                    externalStates == null ? new ClientStateStore() : new ClientStateStore(externalStates));
        }
    }
}
