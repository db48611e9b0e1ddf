package dev.fl4j.core.computation;

import dev.fl4j.core.Placement;
import dev.fl4j.core.Value;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a local computation may know about where it runs: the placement, which client (index in the
 * computation's client order and id), which worker, a per-worker cache of expensive resources
 * (an engine session, say) that lives across clients and rounds and is closed with the runtime, and
 * the client's own state kept across rounds.
 *
 * <p><b>Client state</b> belongs to a client, not to a worker: an error-feedback residual that the
 * client adds to its next update, say. The runtime keeps it ({@link dev.fl4j.core.runtime.LocalRuntime}
 * in memory, see {@link dev.fl4j.core.runtime.ClientStateStore}; a runtime for deployed clients is
 * meant to keep it on the device) and it never crosses to the server, so it is not counted as
 * communication. A state written in a round becomes visible to later invocations only if the whole
 * invocation succeeds, and a client may write a key once per invocation, so the result is the same
 * whatever the worker order.
 */
public interface ClientContext {

    /** {@link Placement#CLIENTS} inside a federated map over clients, {@link Placement#SERVER} otherwise. */
    Placement placement();

    /** The client's position in the computation's client order, or -1 when not on a client. */
    int clientIndex();

    /** The client's id, or null when not on a client. */
    String clientId();

    /** The worker running this call, 0-based. */
    int workerIndex();

    /**
     * The resource under {@code key} on this worker, made by {@code factory} on first use. Resources
     * that are {@link AutoCloseable} are closed when the runtime (or, for a direct call, the call)
     * ends. Keys should include everything that makes resources different (e.g. a model spec).
     */
    <T> T workerResource(Object key, Supplier<T> factory);

    /**
     * This client's state under {@code key}, as it last wrote it in an earlier (successful)
     * invocation, or empty the first time. Keys name the computation that owns the state, e.g.
     * {@code "encoded_sum/topk:0.01"}.
     *
     * @throws IllegalStateException when not running on a client of a federated runtime
     */
    Optional<Value> clientState(String key);

    /**
     * Replaces this client's state under {@code key}, effective when the invocation succeeds.
     *
     * @throws IllegalStateException when not running on a client of a federated runtime, or if this
     *     client already wrote {@code key} in this invocation
     */
    void setClientState(String key, Value state);
}
