package dev.fl4j.core.computation;

import dev.fl4j.core.Type;
import dev.fl4j.core.Value;

/**
 * The four parts of {@code federated_aggregate}: an accumulator starts at {@link #zero()}, takes
 * each client's value with {@link #accumulate}, partial accumulators combine with {@link #merge},
 * and {@link #report} turns the final accumulator into the server's result.
 *
 * <p>An accumulator belongs to the runtime for the duration of the aggregation, so
 * {@code accumulate} and {@code merge} may update it in place and return it: memory is one
 * accumulator (per partition), never one value per client. The local runtime accumulates in client
 * order into a single accumulator; runtimes that accumulate partitions in parallel merge them in
 * partition order.
 *
 * @param <A> the accumulator
 */
public interface Aggregation<A> {

    /** A fresh, empty accumulator. */
    A zero();

    /** Adds one client's value; may update {@code accumulator} in place. */
    A accumulate(A accumulator, Value clientValue);

    /** Combines two accumulators; may update {@code a} in place. */
    A merge(A a, A b);

    /** The server's result from the final accumulator. */
    Value report(A accumulator);

    /**
     * The type of what {@link #report} returns, when known before any client has been folded; null
     * (the default) when not. A runtime that folds client work as it finishes returns the result of
     * {@code federated_aggregate} as a deferred value when it knows its type, so other aggregations
     * of the same client work can join the same pass; without a type it must run the pending client
     * work as soon as this aggregation is called, and a later aggregation of the same client work
     * then fails (see {@link dev.fl4j.core.runtime.LocalRuntime}). Implement it.
     */
    default Type reportType() {
        return null;
    }
}
