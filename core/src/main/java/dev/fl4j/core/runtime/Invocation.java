package dev.fl4j.core.runtime;

import dev.fl4j.core.AllEqualClientValue;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructContainer;
import dev.fl4j.core.StructType;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.Aggregation;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.FederatedContext;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.computation.WorkerResources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One invocation of a federated computation on the local runtime. The invocation knows its clients
 * (ids, in order) from its {@code {T}@CLIENTS} arguments; that is how many clients a broadcast
 * reaches.
 *
 * <p>Client work is deferred and aggregations fold it as it finishes ({@link PendingClientWork}):
 * {@code federated_map} over CLIENTS returns a value whose members are computed later, and a sum,
 * mean, aggregate or secure sum over it returns a server value computed when first needed; then one
 * pass over the clients runs their work on the worker pool and folds each client's result, in client
 * order, into every aggregation waiting for it. So a round holds O(workers × model), not
 * O(clients × model), and results are bitwise the same for any number of workers. Aggregations over
 * values already at hand (arguments, broadcasts) run at once, as do server-side maps of computed
 * values. A top-level invocation ends by running whatever is pending, so its result, and any
 * failure, is complete when {@link #run} returns.
 */
final class Invocation implements FederatedContext {

    private final WorkerPool pool;
    private final WorkerResources serverResources;
    private final CommunicationStats stats;
    private final List<String> clientIds;
    private final ClientStateStore.Transaction clientStates;
    private final PendingClientWork pending;
    private final boolean topLevel;
    private final SecureSumProtocol secureSum;

    /**
     * An invocation whose client work runs where {@code options} say (a shipper, a dispatcher, or all
     * on the pool) and whose {@code federated_secure_sum_bitwidth} runs {@code options.secureSum()}
     * (the plain modular sum when it is null).
     */
    Invocation(
            WorkerPool pool,
            WorkerResources serverResources,
            CommunicationStats stats,
            List<String> clientIds,
            ClientStateStore.Transaction clientStates,
            RuntimeOptions options) {
        this(
                pool,
                serverResources,
                stats,
                clientIds,
                clientStates,
                new PendingClientWork(
                        pool,
                        stats,
                        (i, id, worker, resources) ->
                                new Context(Placement.CLIENTS, i, id, worker, resources, clientStates),
                        options,
                        serverResources),
                true,
                options.secureSum());
    }

    private Invocation(
            WorkerPool pool,
            WorkerResources serverResources,
            CommunicationStats stats,
            List<String> clientIds,
            ClientStateStore.Transaction clientStates,
            PendingClientWork pending,
            boolean topLevel,
            SecureSumProtocol secureSum) {
        this.secureSum = secureSum;
        this.pool = pool;
        this.serverResources = serverResources;
        this.stats = stats;
        this.clientIds = clientIds;
        this.clientStates = clientStates;
        this.pending = pending;
        this.topLevel = topLevel;
    }

    /** Runs {@code computation} on {@code arg}, with type checks on both sides. */
    public Value run(FederatedComputation computation, Value arg) {
        checkArgument(computation, arg);
        Value result = computation
                .body()
                .apply(this, withParameterNames(arg, computation.type().parameter()));
        if (result == null) {
            throw new IllegalStateException("federated computation '" + computation.name() + "' returned null");
        }
        computation
                .type()
                .result()
                .checkAssignableFrom(result.type(), "federated computation '" + computation.name() + "' result");
        return topLevel ? completed(result) : result;
    }

    /**
     * {@code result} with everything pending run: deferred client values it holds are collected
     * (registered before the pass, so they take part in it), every deferred server value computed.
     */
    private Value completed(Value result) {
        Map<DeferredClientValue, ClientFold.Collect> collected = new IdentityHashMap<>();
        findDeferred(result, collected);
        pending.finishAll();
        return collected.isEmpty() ? result : replaceDeferred(result, collected);
    }

    private void findDeferred(Value v, Map<DeferredClientValue, ClientFold.Collect> out) {
        if (v instanceof DeferredClientValue d) {
            if (!out.containsKey(d) && pending.isDeferred(d, "the computation's result")) {
                ClientFold.Collect c = new ClientFold.Collect(d);
                pending.registerFold(c);
                out.put(d, c);
            }
        } else if (v instanceof Struct s) {
            for (Value f : s.values()) {
                findDeferred(f, out);
            }
        } else if (v instanceof StructContainer c) {
            findDeferred(c.toStruct(), out);
        }
    }

    private static Value replaceDeferred(Value v, Map<DeferredClientValue, ClientFold.Collect> collected) {
        if (v instanceof DeferredClientValue d) {
            return collected.get(d).collected();
        } else if (v instanceof Struct s) {
            Struct.Builder b = Struct.builder();
            for (int i = 0; i < s.size(); i++) {
                b.add(s.nameAt(i), replaceDeferred(s.get(i), collected));
            }
            return b.build();
        } else if (v instanceof StructContainer c) {
            return c.withFields((Struct) replaceDeferred(c.toStruct(), collected));
        }
        return v;
    }

    /**
     * A positional structure argument takes the field names of the parameter type, so a body can read
     * {@code arg.get("state")} however it was called.
     */
    static Value withParameterNames(Value arg, Type param) {
        if (!(arg instanceof Struct s) || !(param instanceof StructType st) || st.size() != s.size()) {
            return arg;
        }
        Struct.Builder b = Struct.builder();
        boolean renamed = false;
        for (int i = 0; i < s.size(); i++) {
            String name = s.nameAt(i);
            if (name == null && st.fields().get(i).name() != null) {
                name = st.fields().get(i).name();
                renamed = true;
            }
            b.add(name, s.get(i));
        }
        return renamed ? b.build() : arg;
    }

    /** Checks a federated computation's argument against its parameter type. */
    public static void checkArgument(FederatedComputation computation, Value arg) {
        Type param = computation.type().parameter();
        if (param == null) {
            if (arg != null) {
                throw new TypeMismatchException(
                        "federated computation '" + computation.name() + "' takes no argument but got " + arg.type());
            }
            return;
        }
        if (arg == null) {
            throw new TypeMismatchException(
                    "federated computation '" + computation.name() + "' needs an argument of type " + param);
        }
        param.checkAssignableFrom(arg.type(), "federated computation '" + computation.name() + "' argument");
    }

    /**
     * The client ids of the {@code {T}@CLIENTS} values in {@code arg} (at the top level or in a
     * top-level structure), which must agree; {@code inherited} when there are none.
     */
    public static List<String> clientIdsOf(Value arg, List<String> inherited) {
        List<List<String>> found = new ArrayList<>();
        List<Value> candidates = arg instanceof Struct s ? s.values() : arg == null ? List.of() : List.of(arg);
        for (Value v : candidates) {
            List<String> ids = idsOf(v);
            if (ids != null) {
                found.add(ids);
            }
        }
        List<String> ids = found.isEmpty() ? inherited : found.get(0);
        for (List<String> c : found) {
            if (!c.equals(ids)) {
                throw new IllegalArgumentException(
                        "CLIENTS arguments disagree on the clients: " + summary(ids) + " vs " + summary(c));
            }
        }
        if (inherited != null && !found.isEmpty() && !inherited.equals(ids)) {
            throw new IllegalArgumentException("a nested computation's clients " + summary(ids)
                    + " differ from its caller's " + summary(inherited));
        }
        return ids;
    }

    /** The client ids of a client value that has its own (not all-equal), else null. */
    private static List<String> idsOf(Value v) {
        if (v instanceof ClientValues c) {
            return c.clientIds();
        }
        if (v instanceof DeferredClientValue d) {
            return d.clientIds();
        }
        return null;
    }

    private static String summary(List<String> ids) {
        return ids.size() + " clients " + (ids.size() <= 4 ? ids.toString() : ids.subList(0, 4) + "...");
    }

    private int cardinality(String intrinsic) {
        if (clientIds == null) {
            throw new IllegalStateException(intrinsic
                    + ": the number of clients is unknown because the computation has no {T}@CLIENTS argument");
        }
        return clientIds.size();
    }

    private static void requirePlacement(String intrinsic, FederatedValue v, Placement p, String expected) {
        if (v == null || v.placement() != p) {
            throw new TypeMismatchException(
                    intrinsic + ": expected " + expected + " but got " + (v == null ? "null" : v.type()));
        }
    }

    @Override
    public FederatedValue federatedBroadcast(FederatedValue serverValue) {
        requireFederated("federated_broadcast", serverValue, "T@SERVER");
        requirePlacement("federated_broadcast", serverValue, Placement.SERVER, "T@SERVER");
        int n = cardinality("federated_broadcast");
        Value v = ((ServerValue) serverValue).value();
        stats.record(new TrafficRecord(
                "federated_broadcast", Direction.BROADCAST, n, Math.multiplyExact(v.sizeInBits(), (long) n)));
        return new AllEqualClientValue(v);
    }

    private static void requireFederated(String intrinsic, Value v, String expected) {
        if (!(v instanceof FederatedValue)) {
            throw new TypeMismatchException(intrinsic + ": expected a federated value " + expected + " but got "
                    + (v == null ? "null" : "the non-federated " + v.type()));
        }
    }

    @Override
    public FederatedValue federatedMap(LocalComputation fn, FederatedValue value) {
        requireFederated("federated_map", value, "{T}@CLIENTS or T@SERVER");
        Type param = fn.type().parameter();
        if (param == null) {
            throw new TypeMismatchException(
                    "federated_map: computation '" + fn.name() + "' takes no argument; use federated_eval");
        }
        param.checkAssignableFrom(value.type().member(), "federated_map of '" + fn.name() + "' over " + value.type());
        if (value instanceof ServerValue s) {
            if (s.isComputed()) {
                return new ServerValue(runOnServer(fn, s.value()));
            }
            return pending.deferServer(fn.type().result(), () -> runOnServer(fn, s.value()));
        }
        pending.isDeferred(value, "federated_map of '" + fn.name() + "'");
        List<String> ids = clientIdsOf(value, "federated_map");
        return pending.add(DeferredClientValue.map(fn, value, ids));
    }

    /** The clients of a CLIENTS value: its own, or the invocation's for an all-equal value. */
    private List<String> clientIdsOf(FederatedValue value, String intrinsic) {
        List<String> own = idsOf(value);
        if (own != null) {
            return own;
        }
        cardinality(intrinsic);
        return clientIds;
    }

    /** Server-side work runs on the calling thread; its exceptions propagate as they are. */
    private Value runOnServer(LocalComputation fn, Value arg) {
        return fn.invoke(arg, new Context(Placement.SERVER, -1, null, 0, serverResources, clientStates));
    }

    private static Value memberOf(FederatedValue value, int index) {
        if (value instanceof ClientValues c) {
            return c.member(index);
        }
        if (value instanceof AllEqualClientValue a) {
            return a.value();
        }
        throw new IllegalArgumentException("not a CLIENTS value: " + value.type());
    }

    /**
     * Runs {@code fold} over its sources: registered with the pending client work (and its result
     * deferred) when a source is deferred, else at once, on this thread, in client order.
     */
    private FederatedValue aggregate(ClientFold fold, Type resultMember) {
        List<FederatedValue> sources = fold.sources();
        boolean deferred = false;
        for (FederatedValue source : sources) {
            requireFederated(fold.intrinsic, source, "{T}@CLIENTS");
            requirePlacement(fold.intrinsic, source, Placement.CLIENTS, "{T}@CLIENTS");
            deferred |= pending.isDeferred(source, fold.intrinsic);
        }
        List<String> ids = clientIdsOf(sources.get(0), fold.intrinsic);
        fold.over(ids);
        for (FederatedValue source : sources) {
            List<String> own = idsOf(source);
            if (own != null && !own.equals(ids)) {
                throw new IllegalArgumentException(
                        fold.intrinsic + ": the value has " + summary(ids) + " but its weight has " + summary(own));
            }
        }
        if (deferred && resultMember != null) {
            return pending.register(fold, resultMember);
        }
        if (deferred) {
            pending.registerFold(fold);
            pending.runPending();
            return new ServerValue(fold.result());
        }
        for (int i = 0; i < ids.size(); i++) {
            Value[] members = new Value[sources.size()];
            for (int s = 0; s < members.length; s++) {
                try {
                    members[s] = memberOf(sources.get(s), i);
                } catch (RuntimeException e) {
                    throw new ClientWorkException(fold.intrinsic, i, ids.get(i), e);
                }
            }
            fold.add(i, ids.get(i), members);
        }
        fold.finish(stats);
        return new ServerValue(fold.result());
    }

    @Override
    public FederatedValue federatedSum(FederatedValue clientValue) {
        requireFederated("federated_sum", clientValue, "{T}@CLIENTS");
        return aggregate(new ClientFold.Sum(clientValue), clientValue.type().member());
    }

    @Override
    public FederatedValue federatedMean(FederatedValue clientValue) {
        requireFederated("federated_mean", clientValue, "{T}@CLIENTS");
        return aggregate(new ClientFold.Mean(clientValue), clientValue.type().member());
    }

    @Override
    public FederatedValue federatedMean(FederatedValue clientValue, FederatedValue clientWeight) {
        requireFederated("federated_mean", clientWeight, "{float32}@CLIENTS");
        requirePlacement("federated_mean", clientWeight, Placement.CLIENTS, "a weight {float32}@CLIENTS");
        if (!(clientWeight.type().member() instanceof TensorType wt)
                || wt.rank() != 0
                || !wt.dtype().isFloating()) {
            throw new TypeMismatchException(
                    "federated_mean: the weight must be a floating scalar {float32}@CLIENTS but got "
                            + clientWeight.type());
        }
        requireFederated("federated_mean", clientValue, "{T}@CLIENTS");
        return aggregate(
                new ClientFold.WeightedMean(clientValue, clientWeight),
                clientValue.type().member());
    }

    @Override
    public <A> FederatedValue federatedAggregate(FederatedValue clientValue, Aggregation<A> aggregation) {
        requireFederated("federated_aggregate", clientValue, "{T}@CLIENTS");
        return aggregate(new ClientFold.Aggregate<>(clientValue, aggregation), aggregation.reportType());
    }

    @Override
    public FederatedValue federatedSecureSumBitwidth(FederatedValue clientValue, int bitwidth) {
        if (bitwidth < 1 || bitwidth > 62) {
            throw new IllegalArgumentException(
                    "federated_secure_sum_bitwidth: bitwidth must be in [1, 62], got " + bitwidth);
        }
        requireFederated("federated_secure_sum_bitwidth", clientValue, "{T}@CLIENTS");
        return aggregate(
                new ClientFold.SecureSum(clientValue, bitwidth, secureSum),
                clientValue.type().member());
    }

    @Override
    public FederatedValue federatedZip(Struct federatedValues) {
        if (federatedValues.size() == 0) {
            throw new IllegalArgumentException("federated_zip: nothing to zip");
        }
        Placement placement = null;
        boolean allEqual = true;
        boolean deferred = false;
        List<String> ids = null;
        StructType.Builder memberType = StructType.builder();
        for (int i = 0; i < federatedValues.size(); i++) {
            Value v = federatedValues.get(i);
            String field = federatedValues.nameAt(i) != null ? "'" + federatedValues.nameAt(i) + "'" : "#" + i;
            if (!(v instanceof FederatedValue f)) {
                throw new TypeMismatchException("federated_zip: field " + field + " is the non-federated " + v.type()
                        + "; every field must be federated");
            }
            if (placement == null) {
                placement = f.placement();
            } else if (placement != f.placement()) {
                throw new TypeMismatchException("federated_zip: field " + field + " is at " + f.placement()
                        + " but earlier fields are at " + placement);
            }
            List<String> own = idsOf(f);
            if (own != null) {
                allEqual = false;
                if (ids == null) {
                    ids = own;
                } else if (!ids.equals(own)) {
                    throw new IllegalArgumentException("federated_zip: field " + field + " has " + summary(own)
                            + " but earlier fields have " + summary(ids));
                }
            }
            deferred |= f instanceof ServerValue s ? !s.isComputed() : pending.isDeferred(f, "federated_zip");
            memberType.add(federatedValues.nameAt(i), f.type().member());
        }
        if (placement == Placement.SERVER) {
            return deferred
                    ? pending.deferServer(memberType.build(), () -> zipServer(federatedValues))
                    : new ServerValue(zipServer(federatedValues));
        }
        if (allEqual) {
            Struct.Builder b = Struct.builder();
            for (int i = 0; i < federatedValues.size(); i++) {
                b.add(federatedValues.nameAt(i), ((AllEqualClientValue) federatedValues.get(i)).value());
            }
            return new AllEqualClientValue(b.build());
        }
        if (deferred) {
            return pending.add(DeferredClientValue.zip(federatedValues, memberType.build(), ids));
        }
        Map<String, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            indexOf.put(ids.get(i), i);
        }
        return pending.registerZip(
                ClientValues.lazy(memberType.build(), ids, id -> {
                    int index = indexOf.get(id);
                    Struct.Builder b = Struct.builder();
                    for (int i = 0; i < federatedValues.size(); i++) {
                        b.add(federatedValues.nameAt(i), memberOf((FederatedValue) federatedValues.get(i), index));
                    }
                    return b.build();
                }),
                federatedValues);
    }

    private static Struct zipServer(Struct federatedValues) {
        Struct.Builder b = Struct.builder();
        for (int i = 0; i < federatedValues.size(); i++) {
            b.add(federatedValues.nameAt(i), ((ServerValue) federatedValues.get(i)).value());
        }
        return b.build();
    }

    @Override
    public FederatedValue federatedField(FederatedValue value, String name) {
        if (value instanceof ServerValue sv && !sv.isComputed()) {
            if (!(value.type().member() instanceof StructType st) || !st.has(name)) {
                throw new TypeMismatchException(
                        "federated field '" + name + "' of " + value.type() + ": no such field");
            }
            return pending.deferServer(st.get(name), () -> ((Struct) sv.value()).get(name));
        }
        return FederatedContext.super.federatedField(value, name);
    }

    @Override
    public FederatedValue federatedValue(Value value, Placement placement) {
        if (value instanceof FederatedValue) {
            throw new TypeMismatchException("federated_value: expected a non-federated value but got " + value.type());
        }
        return placement == Placement.SERVER ? new ServerValue(value) : new AllEqualClientValue(value);
    }

    @Override
    public FederatedValue federatedEval(LocalComputation fn, Placement placement) {
        if (fn.type().parameter() != null) {
            throw new TypeMismatchException("federated_eval: computation '" + fn.name()
                    + "' must take no argument but takes " + fn.type().parameter());
        }
        if (placement == Placement.SERVER) {
            return new ServerValue(runOnServer(fn, null));
        }
        cardinality("federated_eval");
        return pending.add(DeferredClientValue.eval(fn, clientIds));
    }

    @Override
    public Value invoke(FederatedComputation computation, Value argument) {
        List<String> ids = clientIdsOf(argument, clientIds);
        return new Invocation(pool, serverResources, stats, ids, clientStates, pending, false, secureSum)
                .run(computation, argument);
    }

    /** The context handed to local computations. */
    private record Context(
            Placement placement,
            int clientIndex,
            String clientId,
            int workerIndex,
            WorkerResources resources,
            ClientStateStore.Transaction states)
            implements ClientContext {
        @Override
        public <T> T workerResource(Object key, Supplier<T> factory) {
            return resources.get(key, factory);
        }

        @Override
        public Optional<Value> clientState(String key) {
            return states.get(requireClient(key), key);
        }

        @Override
        public void setClientState(String key, Value state) {
            states.put(requireClient(key), key, state);
        }

        private String requireClient(String key) {
            if (placement != Placement.CLIENTS) {
                throw new IllegalStateException(
                        "client state '" + key + "' is only available to work on a client (federated_map over CLIENTS),"
                                + " not at " + placement);
            }
            return clientId;
        }
    }
}
