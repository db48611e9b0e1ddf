package dev.fl4j.core.runtime;

import dev.fl4j.core.AllEqualClientValue;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.computation.WorkerResources;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The client work of one top-level invocation that has not run yet, and the aggregations waiting
 * for it: the local runtime's answer to "a sum over N clients holds one accumulator, not N updates".
 *
 * <p>{@code federated_map} (and {@code federated_eval}, and {@code federated_zip} over a deferred
 * field) over CLIENTS returns a {@link DeferredClientValue}; an aggregation over a deferred value
 * registers its {@link ClientFold} here and returns a {@linkplain ServerValue#deferred deferred}
 * server value. When something first needs a server value computed from client work (a read of a
 * deferred server value, a broadcast of one, the end of the invocation), {@link #runPending()} runs
 * all pending client work in one pass: each client, on a worker, computes every pending deferred
 * value for itself (each once, in the order the computation created them, so client state is
 * written in program order) and the members every registered fold needs; an {@link OrderedFold}
 * then folds those into every registered fold in client order, with at most
 * {@link #capacity} clients started and not yet folded, and drops them. Memory is
 * O(capacity × model) whatever the number of clients, results are bitwise the same for any number
 * of workers, and folding overlaps the other workers' training.
 *
 * <p>Aggregations must therefore be created before anything needs a server value computed from the
 * same client work: a consumer of a deferred value created after its pass ran fails with an
 * {@link IllegalStateException} that says so (the members are gone). Every algorithm and aggregator
 * composition in fl4j consumes its client work single-pass. A computation that returns a
 * {@code {T}@CLIENTS} value gets every member collected (that is what returning it means).
 *
 * <p>A failing client stops the pass at the lowest failing client: the invocation throws
 * ({@link ClientWorkException} naming the client for client work), nothing of the pass is returned,
 * and every later read of its results throws the same exception.
 */
final class PendingClientWork {

    /** Makes the context client work runs in. */
    @FunctionalInterface
    interface Contexts {
        ClientContext forClient(int index, String clientId, int workerIndex, WorkerResources resources);
    }

    private final WorkerPool pool;
    private final CommunicationStats stats;
    private final Contexts contexts;
    private final ClientWorkShipper shipper;
    private final WorkerResources shipperSideResources;
    private final ClientWorkDispatcher dispatcher;
    private final int capacity;
    private final List<DeferredClientValue> nodes = new ArrayList<>();
    private final List<ClientFold> folds = new ArrayList<>();
    private final List<ServerValue> deferredServerValues = new ArrayList<>();
    private final Map<ClientValues, Struct> zips = new IdentityHashMap<>();
    private RuntimeException failure;

    /**
     * With a {@linkplain RuntimeOptions#shipper() shipper}, a pass's shippable computations
     * ({@link ShippedPassBuilder}) run where the shipper runs them, and the rest of each client's work
     * and the folds run on the calling thread as the shipper hands back each client's results, in
     * client order, with {@code shipperSideResources} as the worker resources of that glue. With a
     * {@linkplain RuntimeOptions#dispatcher() dispatcher}, the client computations it accepts run
     * through it on the worker that runs the client; an asynchronous one gets every client's chain at
     * once from this thread, and the rest of a client's work runs on a worker when its result is in.
     */
    PendingClientWork(
            WorkerPool pool,
            CommunicationStats stats,
            Contexts contexts,
            RuntimeOptions options,
            WorkerResources shipperSideResources) {
        this.pool = pool;
        this.stats = stats;
        this.contexts = contexts;
        this.shipper = options.shipper();
        this.dispatcher = options.dispatcher();
        this.shipperSideResources = shipperSideResources;
        this.capacity = Math.multiplyExact(2, pool.size());
    }

    /** Clients started and not yet folded at most, per pass. */
    int capacity() {
        return capacity;
    }

    DeferredClientValue add(DeferredClientValue node) {
        nodes.add(node);
        return node;
    }

    /**
     * Remembers that {@code zipped}'s members zip {@code parts} (CLIENTS values at hand, all-equal or
     * not), so a shipper can send the parts (a broadcast once, not a copy per client).
     */
    ClientValues registerZip(ClientValues zipped, Struct parts) {
        if (shipper != null || chains()) {
            zips.put(zipped, parts);
        }
        return zipped;
    }

    /** Whether the dispatcher takes the shippable part of a pass as one chain per client. */
    private boolean chains() {
        return dispatcher != null && dispatcher.dispatchesChains();
    }

    /** Whether {@code v}'s members are computed by pending client work (a done one is an error). */
    boolean isDeferred(FederatedValue v, String consumer) {
        if (v instanceof DeferredClientValue d) {
            if (d.isDone()) {
                throw new IllegalStateException(
                        consumer + ": the clients' results of " + d.describe() + " were already folded into the"
                                + " aggregations registered on them and dropped, when a server value computed from "
                                + "them was first needed."
                                + " Create every consumer of a client map (sum, mean, aggregate, zip, map) before "
                                + "reading a server value that"
                                + " depends on it (ServerValue.value(), federated_broadcast of it): a round folds "
                                + "each client's result once, in"
                                + " bounded memory");
            }
            return true;
        }
        return false;
    }

    /** Registers {@code fold} and returns its deferred result, of type {@code memberType@SERVER}. */
    ServerValue register(ClientFold fold, Type memberType) {
        folds.add(fold);
        ServerValue v = ServerValue.deferred(memberType, () -> {
            runPending();
            return fold.result();
        });
        deferredServerValues.add(v);
        return v;
    }

    /**
     * Registers {@code fold} without a server value: a collected result, or a fold read as soon as the pass has run.
     */
    void registerFold(ClientFold fold) {
        folds.add(fold);
    }

    /** A server value computed from deferred ones when first read (or at the end of the invocation). */
    ServerValue deferServer(Type memberType, Supplier<? extends Value> compute) {
        ServerValue v = ServerValue.deferred(memberType, compute);
        deferredServerValues.add(v);
        return v;
    }

    /** Runs the pending client work in one pass per client population and finishes the registered folds. */
    void runPending() {
        if (failure != null) {
            throw failure;
        }
        if (nodes.isEmpty() && folds.isEmpty()) {
            return;
        }
        Map<List<String>, List<DeferredClientValue>> nodesByClients = new LinkedHashMap<>();
        Map<List<String>, List<ClientFold>> foldsByClients = new LinkedHashMap<>();
        for (DeferredClientValue d : nodes) {
            d.markDone();
            nodesByClients
                    .computeIfAbsent(d.clientIds(), k -> new ArrayList<>())
                    .add(d);
        }
        for (ClientFold f : folds) {
            List<String> ids = clientIdsOf(f);
            nodesByClients.computeIfAbsent(ids, k -> new ArrayList<>());
            foldsByClients.computeIfAbsent(ids, k -> new ArrayList<>()).add(f);
        }
        nodes.clear();
        folds.clear();
        try {
            for (Map.Entry<List<String>, List<DeferredClientValue>> e : nodesByClients.entrySet()) {
                runPass(e.getKey(), e.getValue(), foldsByClients.getOrDefault(e.getKey(), List.of()));
            }
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    /** Runs everything pending and computes every deferred server value (the end of an invocation). */
    void finishAll() {
        runPending();
        for (int i = 0; i < deferredServerValues.size(); i++) {
            deferredServerValues.get(i).value();
        }
        deferredServerValues.clear();
    }

    private static List<String> clientIdsOf(ClientFold f) {
        for (FederatedValue s : f.sources()) {
            if (s instanceof DeferredClientValue d) {
                return d.clientIds();
            }
        }
        throw new IllegalStateException(f.intrinsic + " was registered without deferred client work");
    }

    private void runPass(List<String> ids, List<DeferredClientValue> passNodes, List<ClientFold> passFolds) {
        int n = ids.size();
        ShippedPassBuilder shipped = (shipper == null && !chains()) || n == 0
                ? null
                : ShippedPassBuilder.of(ids, passNodes, passFolds, zips, shipper != null && shipper.foldsBlocks());
        if (shipped != null && shipper != null) {
            runShipped(ids, shipped, passNodes, passFolds);
        } else if (n > 0) {
            ShippedPass pass = shipped == null ? null : shipped.build();
            ShippedChain chain = pass == null ? null : ShippedChain.of(pass, shipped.local(), shipped.secureSummed());
            OrderedFold.Sink<Value[][]> sink = (i, members) -> {
                for (int f = 0; f < members.length; f++) {
                    passFolds.get(f).add(i, ids.get(i), members[f]);
                }
            };
            try {
                if (chain != null && dispatcher.dispatchesAsynchronously() && dispatcher.dispatches(chain)) {
                    pool.runOrderedAsync(
                            n,
                            i -> startChain(chain, pass, i, ids.get(i)),
                            (i, result, failure, worker, resources) -> {
                                ClientContext ctx = contexts.forClient(i, ids.get(i), worker, resources);
                                Map<DeferredClientValue, Value> memo = new IdentityHashMap<>();
                                shipped.prefill(memo, chainResults(chain, i, ctx, result, failure));
                                return clientMembers(i, ctx, memo, shipped, passNodes, passFolds);
                            },
                            sink);
                } else {
                    pool.runOrdered(
                            n,
                            capacity,
                            (i, worker, resources) -> {
                                ClientContext ctx = contexts.forClient(i, ids.get(i), worker, resources);
                                Map<DeferredClientValue, Value> memo = new IdentityHashMap<>();
                                if (chain != null) {
                                    shipped.prefill(memo, runChain(chain, pass, i, ctx));
                                }
                                return clientMembers(
                                        i, ctx, memo, chain == null ? null : shipped, passNodes, passFolds);
                            },
                            sink);
                }
            } catch (WorkerPool.TaskFailure tf) {
                Throwable cause = tf.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new ClientWorkException("federated_map", tf.index(), ids.get(tf.index()), cause);
            }
        }
        for (ClientFold f : passFolds) {
            f.finish(stats);
        }
    }

    /**
     * Client {@code i}'s members of every fold of the pass, computing what it has not yet (with a
     * chain, {@code shipped} names what the chain computed into {@code memo}; else null).
     */
    private Value[][] clientMembers(
            int i,
            ClientContext ctx,
            Map<DeferredClientValue, Value> memo,
            ShippedPassBuilder shipped,
            List<DeferredClientValue> passNodes,
            List<ClientFold> passFolds) {
        for (DeferredClientValue d : passNodes) {
            if (shipped != null && (shipped.ships(d) || d.kind == DeferredClientValue.Kind.ZIP)) {
                continue; // in the chain, or a zip computed when something reads it
            }
            memberOf(d, i, ctx, memo, "federated_map");
        }
        Value[][] members = new Value[passFolds.size()][];
        for (int f = 0; f < members.length; f++) {
            ClientFold fold = passFolds.get(f);
            List<FederatedValue> sources = fold.sources();
            members[f] = new Value[sources.size()];
            for (int s = 0; s < sources.size(); s++) {
                members[f][s] = memberOf(sources.get(s), i, ctx, memo, fold.intrinsic);
            }
        }
        return members;
    }

    /**
     * Runs a pass whose shippable part the shipper runs: for each client, in client order on this
     * thread, the rest of its work is computed from the shipped results and folded.
     */
    private void runShipped(
            List<String> ids,
            ShippedPassBuilder shipped,
            List<DeferredClientValue> passNodes,
            List<ClientFold> passFolds) {
        ShippedPass pass = shipped.build();
        if (shipper.foldsBlocks() && pass.blockFolds().isPresent()) {
            runBlocks(pass, passFolds);
            return;
        }
        try {
            shipper.run(pass, (i, results) -> {
                ClientContext ctx = contexts.forClient(i, ids.get(i), 0, shipperSideResources);
                Map<DeferredClientValue, Value> memo = new IdentityHashMap<>();
                shipped.prefill(memo, results);
                for (DeferredClientValue d : passNodes) {
                    if (shipped.ships(d) || d.kind == DeferredClientValue.Kind.ZIP) {
                        continue; // shipped (only what is read need have come back), or a zip read lazily
                    }
                    memberOf(d, i, ctx, memo, "federated_map");
                }
                for (ClientFold fold : passFolds) {
                    List<FederatedValue> sources = fold.sources();
                    Value[] members = new Value[sources.size()];
                    for (int s = 0; s < sources.size(); s++) {
                        members[s] = memberOf(sources.get(s), i, ctx, memo, fold.intrinsic);
                    }
                    fold.add(i, ids.get(i), members);
                }
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("shipped client work failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs a pass whose folds the shipper runs where the clients run: the folds take one partial per
     * block, in block order (see {@link BlockFolds}).
     */
    private void runBlocks(ShippedPass pass, List<ClientFold> passFolds) {
        int blocks = BlockFolds.blocks(pass.clientIds().size());
        int[] next = {0};
        try {
            shipper.runBlocks(pass, (b, partial) -> {
                if (b != next[0]) {
                    throw new IllegalStateException("the shipper handed block " + b + " where block " + next[0]
                            + " was next (blocks come in block order)");
                }
                next[0]++;
                if (!(partial instanceof Struct p) || p.size() != passFolds.size()) {
                    throw new IllegalStateException("the shipper handed " + partial.type() + " for block " + b + " of "
                            + passFolds.size() + " folds");
                }
                for (int f = 0; f < passFolds.size(); f++) {
                    passFolds.get(f).mergeBlock(p.get(f));
                }
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("shipped client work failed: " + e.getMessage(), e);
        }
        if (next[0] != blocks) {
            throw new IllegalStateException(
                    "the shipper handed " + next[0] + " blocks' partials for " + blocks + " blocks of clients");
        }
    }

    /** Client {@code index}'s member of {@code v}, computing (once per client) what is deferred. */
    private Value memberOf(
            FederatedValue v, int index, ClientContext ctx, Map<DeferredClientValue, Value> memo, String consumer) {
        if (v instanceof DeferredClientValue d) {
            Value known = memo.get(d);
            if (known != null) {
                return known;
            }
            Value m = switch (d.kind) {
                case MAP -> {
                    Value in = memberOf(d.input, index, ctx, memo, "federated_map");
                    yield run(d, "federated_map", in, index, ctx);
                }
                case EVAL -> run(d, "federated_eval", null, index, ctx);
                case ZIP -> {
                    Struct.Builder b = Struct.builder();
                    for (int f = 0; f < d.zipped.size(); f++) {
                        b.add(
                                d.zipped.nameAt(f),
                                memberOf((FederatedValue) d.zipped.get(f), index, ctx, memo, "federated_zip"));
                    }
                    yield b.build();
                }
            };
            memo.put(d, m);
            return m;
        }
        if (v instanceof ClientValues c) {
            try {
                return c.member(index);
            } catch (RuntimeException e) {
                throw new ClientWorkException(consumer, index, c.clientId(index), e);
            }
        }
        if (v instanceof AllEqualClientValue a) {
            return a.value();
        }
        throw new IllegalArgumentException(consumer + ": not a CLIENTS value: " + v.type());
    }

    private Value run(DeferredClientValue d, String intrinsic, Value arg, int index, ClientContext ctx) {
        try {
            if (dispatcher != null && dispatcher.dispatches(d.fn)) {
                return dispatched(d, arg, index, ctx);
            }
            return d.fn.invoke(arg, ctx);
        } catch (RuntimeException | Error e) {
            throw new ClientWorkException(intrinsic, index, ctx.clientId(), e);
        }
    }

    /** Client {@code index}'s results of the pass's shipped nodes, from the chain (null where not returned). */
    private List<Value> runChain(ShippedChain chain, ShippedPass pass, int index, ClientContext ctx) {
        Value arg = chain.argument(index, pass.broadcasts(), pass.clientInputMembers(index));
        try {
            Value result = dispatcher.dispatches(chain) ? dispatched(chain, arg, index, ctx) : chain.invoke(arg, ctx);
            return chain.results(result);
        } catch (RuntimeException | Error e) {
            throw new ClientWorkException("federated_map of '" + chain.name() + "'", index, ctx.clientId(), e);
        }
    }

    /** Starts client {@code index}'s chain through the asynchronous dispatcher; what it throws fails the stage. */
    private java.util.concurrent.CompletionStage<Value> startChain(
            ShippedChain chain, ShippedPass pass, int index, String clientId) {
        Value arg = chain.argument(index, pass.broadcasts(), pass.clientInputMembers(index));
        try {
            return dispatcher.dispatchAsync(index, clientId, chain, arg);
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Client {@code index}'s results of the pass's shipped nodes from its chain's asynchronous
     * outcome, failing as {@link #runChain} does.
     */
    private List<Value> chainResults(
            ShippedChain chain, int index, ClientContext ctx, Value result, Throwable failure) {
        try {
            return chain.results(checked(chain, result, failure));
        } catch (RuntimeException | Error e) {
            throw new ClientWorkException("federated_map of '" + chain.name() + "'", index, ctx.clientId(), e);
        }
    }

    /** {@code d}'s member for client {@code index} from the dispatcher, checked against its result type. */
    private Value dispatched(DeferredClientValue d, Value arg, int index, ClientContext ctx) {
        return dispatched(d.fn, arg, index, ctx);
    }

    /** {@code fn}'s result for client {@code index} from the dispatcher, checked against its result type. */
    private Value dispatched(dev.fl4j.core.computation.LocalComputation fn, Value arg, int index, ClientContext ctx) {
        try {
            return checked(fn, dispatcher.dispatch(index, ctx.clientId(), fn, arg), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return checked(fn, null, e);
        } catch (Exception e) {
            return checked(fn, null, e);
        }
    }

    /** {@code fn}'s dispatched {@code result}, or its {@code failure} (null when none) thrown unchecked. */
    private static Value checked(dev.fl4j.core.computation.LocalComputation fn, Value result, Throwable failure) {
        if (failure instanceof java.util.concurrent.ExecutionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure instanceof InterruptedException e) {
            throw new IllegalStateException("interrupted while waiting for client work '" + fn.name() + "'", e);
        }
        if (failure != null) {
            throw new IllegalStateException(failure.getMessage(), failure);
        }
        if (result == null) {
            throw new IllegalStateException("client work '" + fn.name() + "' was dispatched and returned null");
        }
        fn.type().result().checkAssignableFrom(result.type(), "dispatched client work '" + fn.name() + "' result");
        return result;
    }
}
