package dev.fl4j.core.computation;

import dev.fl4j.core.types.Placement;
import java.util.function.Supplier;

/**
 * What a local computation may know about where it runs: the placement, which client (index in the
 * computation's client order and id), which worker, and a per-worker cache of expensive resources
 * (an engine session, say) that lives across clients and rounds and is closed with the runtime.
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
}
