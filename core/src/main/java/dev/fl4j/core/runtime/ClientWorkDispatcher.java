package dev.fl4j.core.runtime;

import dev.fl4j.core.Value;
import dev.fl4j.core.computation.LocalComputation;

/**
 * Runs some client work somewhere other than this JVM's workers: on a remote client that holds the
 * client's data, say. A {@link LocalRuntime} built with a dispatcher
 * ({@link LocalRuntime.Builder#optClientWorkDispatcher}) still owns the round: it defers client
 * maps, runs one pass over the clients and folds their results in client order in bounded memory
 * ({@link OrderedFold}); for each client and each pending client computation that
 * {@link #dispatches} accepts, the worker that runs the client calls {@link #dispatch} instead of
 * invoking the computation itself, and folds what it returns. Everything else a client computes
 * (the cheap post-processing of a result, say) runs on the worker as usual. So the fold, the
 * communication accounting of the intrinsics and the bitwise determinism are the local runtime's,
 * whichever process computed a result.
 *
 * <p>{@link #dispatch} runs on a worker thread and blocks until the result is there; a runtime
 * that waits on remote clients wants as many workers as clients in flight. An exception fails that
 * client's work: the invocation throws a
 * {@link dev.fl4j.core.computation.ClientWorkException} naming the client, and nothing of the
 * round is kept.
 */
public interface ClientWorkDispatcher {

    /** Whether client work {@code fn} runs through {@link #dispatch} rather than on the worker. */
    boolean dispatches(LocalComputation fn);

    /**
     * Whether the runtime hands this dispatcher, per client, the whole shippable part of a pass as
     * one {@link ShippedChain} (default false: each computation on its own). With chains, a client
     * computes the described work that follows its training too (field selections, the weighting of
     * its update, an aggregator's clipping and encoding: everything with a descriptor whose inputs
     * are client inputs, broadcasts or other such results) and only what the rest of the round reads
     * comes back: the encoded update, not the update. {@link #dispatches} is then asked about the
     * chain; work outside the chain still runs on the worker, each computation asked about as usual.
     */
    default boolean dispatchesChains() {
        return false;
    }

    /**
     * Runs {@code fn} for client {@code clientId} (index {@code clientIndex} of the invocation's
     * clients) on {@code argument} and returns its result, which must be of {@code fn}'s result
     * type (the runtime checks it).
     */
    Value dispatch(int clientIndex, String clientId, LocalComputation fn, Value argument) throws Exception;
}
