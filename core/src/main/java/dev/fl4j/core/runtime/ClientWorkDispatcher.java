package dev.fl4j.core.runtime;

import dev.fl4j.core.Value;
import dev.fl4j.core.computation.LocalComputation;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
 * <p>{@link #dispatch} runs on a worker thread and blocks until the result is there, so a blocking
 * dispatcher holds one worker per client in flight. A dispatcher whose results arrive on their own
 * (from the network, say) says so with {@link #dispatchesAsynchronously()}: the runtime then starts
 * every client's chain at once through {@link #dispatchAsync} on the thread that runs the pass,
 * holds no thread while a client computes, and runs the rest of each client's work on its workers
 * when the client's result is there; the fold's order, and so every result, is the same. Every
 * client's work being out at once, such a dispatcher bounds the results it lets complete ahead of
 * the fold's turn itself (the deployed server's result buffer does).
 *
 * <p>An exception (thrown, or completing the stage) fails that client's work: the invocation throws a
 * {@link dev.fl4j.core.computation.ClientWorkException} naming the client, and nothing of the
 * round is kept. A failed invocation waits until every dispatched stage has completed; an
 * interrupted one cancels the stages it is still waiting for.
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

    /**
     * Whether the runtime starts this dispatcher's chains with {@link #dispatchAsync} (default false:
     * {@link #dispatch} on a worker). Asked only of a dispatcher that {@linkplain #dispatchesChains()
     * dispatches chains}: a pass's chain is the first thing each client computes, so the runtime can
     * start every client's chain before any result is there; client work outside a chain that this
     * dispatcher accepts still goes through {@link #dispatch} on a worker.
     */
    default boolean dispatchesAsynchronously() {
        return false;
    }

    /**
     * Starts {@code fn} for client {@code clientId} (index {@code clientIndex}) on {@code argument}
     * and returns the stage its result completes, of {@code fn}'s result type (the runtime checks it);
     * cancelling the stage (the runtime does when its caller is interrupted) gives the work up. Called
     * on the thread that runs the pass, in client order, so it must not wait for the result. The
     * default runs {@link #dispatch} on the calling thread and returns its outcome, complete.
     */
    default CompletionStage<Value> dispatchAsync(
            int clientIndex, String clientId, LocalComputation fn, Value argument) {
        try {
            return CompletableFuture.completedFuture(dispatch(clientIndex, clientId, fn, argument));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return CompletableFuture.failedFuture(e);
        }
    }
}
