package dev.fl4j.core.internal;

import dev.fl4j.core.AllEqualClientValue;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.Aggregation;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.FederatedContext;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.internal.StandaloneContext.WorkerResources;
import dev.fl4j.core.runtime.ClientStateStore;
import dev.fl4j.core.runtime.CommunicationStats;
import dev.fl4j.core.runtime.Direction;
import dev.fl4j.core.runtime.TrafficRecord;
import dev.fl4j.core.types.Placement;
import dev.fl4j.core.types.StructType;
import dev.fl4j.core.types.TensorType;
import dev.fl4j.core.types.Type;
import dev.fl4j.core.types.TypeMismatchException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One invocation of a federated computation on the local runtime: the intrinsics, evaluated eagerly.
 * The invocation knows its clients (ids, in order) from its {@code {T}@CLIENTS} arguments; that is
 * how many clients a broadcast reaches. Client work runs on the worker pool with results kept in
 * client order, and sums accumulate in client order, so results are bitwise the same for any number
 * of workers.
 */
public final class Invocation implements FederatedContext {

    private final WorkerPool pool;
    private final WorkerResources serverResources;
    private final CommunicationStats stats;
    private final List<String> clientIds;
    private final ClientStateStore.Transaction clientStates;

    public Invocation(WorkerPool pool, WorkerResources serverResources, CommunicationStats stats, List<String> clientIds,
            ClientStateStore.Transaction clientStates) {
        this.pool = pool;
        this.serverResources = serverResources;
        this.stats = stats;
        this.clientIds = clientIds;
        this.clientStates = clientStates;
    }

    /** Runs {@code computation} on {@code arg}, with type checks on both sides. */
    public Value run(FederatedComputation computation, Value arg) {
        checkArgument(computation, arg);
        Value result = computation.body().apply(this, withParameterNames(arg, computation.type().parameter()));
        if (result == null) {
            throw new IllegalStateException("federated computation '" + computation.name() + "' returned null");
        }
        computation.type().result().checkAssignableFrom(result.type(), "federated computation '" + computation.name() + "' result");
        return result;
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
                throw new TypeMismatchException("federated computation '" + computation.name() + "' takes no argument but got " + arg.type());
            }
            return;
        }
        if (arg == null) {
            throw new TypeMismatchException("federated computation '" + computation.name() + "' needs an argument of type " + param);
        }
        param.checkAssignableFrom(arg.type(), "federated computation '" + computation.name() + "' argument");
    }

    /**
     * The client ids of the {@code {T}@CLIENTS} values in {@code arg} (at the top level or in a
     * top-level structure), which must agree; {@code inherited} when there are none.
     */
    public static List<String> clientIdsOf(Value arg, List<String> inherited) {
        List<ClientValues> found = new ArrayList<>();
        if (arg instanceof ClientValues c) {
            found.add(c);
        } else if (arg instanceof Struct s) {
            for (Value v : s.values()) {
                if (v instanceof ClientValues c) {
                    found.add(c);
                }
            }
        }
        List<String> ids = found.isEmpty() ? inherited : found.get(0).clientIds();
        for (ClientValues c : found) {
            if (!c.clientIds().equals(ids)) {
                throw new IllegalArgumentException("CLIENTS arguments disagree on the clients: " + summary(ids) + " vs " + summary(c.clientIds()));
            }
        }
        if (inherited != null && !found.isEmpty() && !inherited.equals(ids)) {
            throw new IllegalArgumentException("a nested computation's clients " + summary(ids) + " differ from its caller's " + summary(inherited));
        }
        return ids;
    }

    private static String summary(List<String> ids) {
        return ids.size() + " clients " + (ids.size() <= 4 ? ids.toString() : ids.subList(0, 4) + "...");
    }

    private int cardinality(String intrinsic) {
        if (clientIds == null) {
            throw new IllegalStateException(intrinsic + ": the number of clients is unknown because the computation has no {T}@CLIENTS argument");
        }
        return clientIds.size();
    }

    private static void requirePlacement(String intrinsic, FederatedValue v, Placement p, String expected) {
        if (v == null || v.placement() != p) {
            throw new TypeMismatchException(intrinsic + ": expected " + expected + " but got " + (v == null ? "null" : v.type()));
        }
    }

    @Override
    public FederatedValue federatedBroadcast(FederatedValue serverValue) {
        requireFederated("federated_broadcast", serverValue, "T@SERVER");
        requirePlacement("federated_broadcast", serverValue, Placement.SERVER, "T@SERVER");
        int n = cardinality("federated_broadcast");
        Value v = ((ServerValue) serverValue).value();
        stats.record(new TrafficRecord("federated_broadcast", Direction.BROADCAST, n, Math.multiplyExact(v.sizeInBits(), (long) n)));
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
            throw new TypeMismatchException("federated_map: computation '" + fn.name() + "' takes no argument; use federated_eval");
        }
        param.checkAssignableFrom(value.type().member(), "federated_map of '" + fn.name() + "' over " + value.type());
        if (value instanceof ServerValue s) {
            return new ServerValue(runOnServer(fn, s.value()));
        }
        int n = value instanceof ClientValues c ? c.count() : cardinality("federated_map");
        List<String> ids = value instanceof ClientValues c ? c.clientIds() : clientIds;
        List<Value> results = runOnClients("federated_map", n, ids, (i, ctx) -> fn.invoke(memberOf(value, i), ctx));
        return ClientValues.of(fn.type().result(), ids, results);
    }

    /** Server-side work runs on the calling thread; its exceptions propagate as they are. */
    private Value runOnServer(LocalComputation fn, Value arg) {
        return fn.invoke(arg, new Context(Placement.SERVER, -1, null, 0, serverResources, clientStates));
    }

    @FunctionalInterface
    private interface ClientWork {
        Value run(int clientIndex, ClientContext context);
    }

    private List<Value> runOnClients(String intrinsic, int n, List<String> ids, ClientWork work) {
        try {
            return pool.runAll(n, (i, worker, resources) -> work.run(i, new Context(Placement.CLIENTS, i, ids.get(i), worker, resources, clientStates)));
        } catch (WorkerPool.TaskFailure f) {
            throw new ClientWorkException(intrinsic, f.index(), ids.get(f.index()), f.getCause());
        }
    }

    private Value memberOf(FederatedValue value, int index) {
        if (value instanceof ClientValues c) {
            return c.member(index);
        }
        if (value instanceof AllEqualClientValue a) {
            return a.value();
        }
        throw new IllegalArgumentException("not a CLIENTS value: " + value.type());
    }

    /** Streams every client's member of {@code value} to {@code sink}, in client order. */
    private void forEachMember(String intrinsic, FederatedValue value, MemberSink sink) {
        requireFederated(intrinsic, value, "{T}@CLIENTS");
        requirePlacement(intrinsic, value, Placement.CLIENTS, "{T}@CLIENTS");
        int n = value instanceof ClientValues c ? c.count() : cardinality(intrinsic);
        List<String> ids = value instanceof ClientValues c ? c.clientIds() : clientIds;
        for (int i = 0; i < n; i++) {
            Value member;
            try {
                member = memberOf(value, i);
            } catch (RuntimeException e) {
                throw new ClientWorkException(intrinsic, i, ids.get(i), e);
            }
            sink.accept(i, ids.get(i), member);
        }
    }

    @FunctionalInterface
    private interface MemberSink {
        void accept(int index, String clientId, Value member);
    }

    @Override
    public FederatedValue federatedSum(FederatedValue clientValue) {
        SumAccumulator acc = new SumAccumulator("federated_sum");
        long[] bits = {0};
        int[] clients = {0};
        forEachMember("federated_sum", clientValue, (i, id, v) -> {
            acc.add(v, 1.0);
            bits[0] += v.sizeInBits();
            clients[0]++;
        });
        stats.record(new TrafficRecord("federated_sum", Direction.AGGREGATION, clients[0], bits[0]));
        if (acc.isEmpty()) {
            return new ServerValue(zeros(clientValue.type().member(), "federated_sum over zero clients"));
        }
        return new ServerValue(acc.sum());
    }

    /**
     * The zero of {@code type}, as TFF's {@code federated_sum} returns over no clients (a round of
     * differentially private training may sample none: its noised sum still has to exist).
     */
    private static Value zeros(Type type, String what) {
        if (type instanceof TensorType t) {
            if (!t.isFullyDefined()) {
                throw new IllegalArgumentException(what + ": the member type " + t + " has no fixed shape, so its zero is not defined");
            }
            return Tensor.zeros(t.dtype(), t.shape());
        }
        if (type instanceof StructType st) {
            Struct.Builder b = Struct.builder();
            for (StructType.Field f : st.fields()) {
                b.add(f.name(), zeros(f.type(), what));
            }
            return b.build();
        }
        throw new IllegalArgumentException(what + ": the member type " + type + " is not tensors or structures of them, so its zero is not defined");
    }

    @Override
    public FederatedValue federatedMean(FederatedValue clientValue) {
        SumAccumulator acc = new SumAccumulator("federated_mean");
        long[] bits = {0};
        forEachMember("federated_mean", clientValue, (i, id, v) -> {
            requireFloating("federated_mean", v);
            acc.add(v, 1.0);
            bits[0] += v.sizeInBits();
        });
        int n = (int) acc.totalWeight();
        stats.record(new TrafficRecord("federated_mean", Direction.AGGREGATION, n, bits[0]));
        if (acc.isEmpty()) {
            throw new IllegalArgumentException("federated_mean over zero clients has no defined value");
        }
        return new ServerValue(acc.divided(n));
    }

    private static void requireFloating(String intrinsic, Value v) {
        for (Tensor t : Structures.leaves(v)) {
            if (!t.dtype().isFloating()) {
                throw new TypeMismatchException(intrinsic + ": needs floating-point values but got " + v.type());
            }
        }
    }

    @Override
    public FederatedValue federatedMean(FederatedValue clientValue, FederatedValue clientWeight) {
        requireFederated("federated_mean", clientWeight, "{float32}@CLIENTS");
        requirePlacement("federated_mean", clientWeight, Placement.CLIENTS, "a weight {float32}@CLIENTS");
        if (!(clientWeight.type().member() instanceof TensorType wt) || wt.rank() != 0 || !wt.dtype().isFloating()) {
            throw new TypeMismatchException("federated_mean: the weight must be a floating scalar {float32}@CLIENTS but got " + clientWeight.type());
        }
        SumAccumulator acc = new SumAccumulator("federated_mean");
        long[] bits = {0};
        int[] clients = {0};
        forEachMember("federated_mean", clientValue, (i, id, v) -> {
            requireFloating("federated_mean", v);
            Tensor w = (Tensor) memberOf(clientWeight, i);
            double weight = w.doubleValue();
            if (!(weight >= 0) || weight == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("federated_mean: client " + id + " (#" + i + ") has weight " + weight
                        + "; weights must be finite and >= 0");
            }
            acc.add(v, weight);
            bits[0] += v.sizeInBits() + w.sizeInBits();
            clients[0]++;
        });
        stats.record(new TrafficRecord("federated_mean", Direction.AGGREGATION, clients[0], bits[0]));
        if (acc.isEmpty()) {
            throw new IllegalArgumentException("federated_mean over zero clients has no defined value");
        }
        return new ServerValue(acc.divided(acc.totalWeight()));
    }

    @Override
    public <A> FederatedValue federatedAggregate(FederatedValue clientValue, Aggregation<A> aggregation) {
        @SuppressWarnings("unchecked")
        A[] acc = (A[]) new Object[] {aggregation.zero()};
        long[] bits = {0};
        int[] clients = {0};
        forEachMember("federated_aggregate", clientValue, (i, id, v) -> {
            try {
                acc[0] = aggregation.accumulate(acc[0], v);
            } catch (RuntimeException e) {
                throw new ClientWorkException("federated_aggregate (accumulate)", i, id, e);
            }
            bits[0] += v.sizeInBits();
            clients[0]++;
        });
        stats.record(new TrafficRecord("federated_aggregate", Direction.AGGREGATION, clients[0], bits[0]));
        Value report = aggregation.report(acc[0]);
        if (report == null) {
            throw new IllegalStateException("federated_aggregate: report returned null");
        }
        return new ServerValue(report);
    }

    @Override
    public FederatedValue federatedSecureSumBitwidth(FederatedValue clientValue, int bitwidth) {
        if (bitwidth < 1 || bitwidth > 62) {
            throw new IllegalArgumentException("federated_secure_sum_bitwidth: bitwidth must be in [1, 62], got " + bitwidth);
        }
        long modulus = 1L << bitwidth;
        List<long[]> sums = new ArrayList<>();
        Value[] template = {null};
        long[] bits = {0};
        int[] clients = {0};
        forEachMember("federated_secure_sum_bitwidth", clientValue, (i, id, v) -> {
            List<Tensor> leaves = Structures.leaves(v);
            if (template[0] == null) {
                template[0] = v;
                for (int l = 0; l < leaves.size(); l++) {
                    Tensor t = leaves.get(l);
                    if (t.dtype() != DType.INT32 && t.dtype() != DType.INT64) {
                        throw new TypeMismatchException("federated_secure_sum_bitwidth: needs int32 or int64 values but got " + v.type());
                    }
                    if (t.dtype() == DType.INT32 && bitwidth > 31) {
                        throw new IllegalArgumentException("federated_secure_sum_bitwidth: bitwidth " + bitwidth + " does not fit the int32 leaf "
                                + t.type() + " (leaf " + l + " of " + v.type() + "): a sum modulo 2^" + bitwidth
                                + " can exceed the int32 maximum, so int32 values take a bitwidth of at most 31; send int64 values for wider sums");
                    }
                    sums.add(new long[t.size()]);
                }
            } else if (!template[0].type().equals(v.type())) {
                throw new TypeMismatchException("federated_secure_sum_bitwidth: client " + id, template[0].type(), v.type());
            }
            for (int l = 0; l < leaves.size(); l++) {
                Tensor t = leaves.get(l);
                long[] s = sums.get(l);
                for (int j = 0; j < s.length; j++) {
                    long x = t.getLong(j);
                    if (x < 0 || x >= modulus) {
                        throw new IllegalArgumentException("federated_secure_sum_bitwidth: client " + id + " (#" + i + ") leaf " + l + " element " + j
                                + " is " + x + ", outside [0, " + modulus + ") for bitwidth " + bitwidth);
                    }
                    s[j] = (s[j] + x) & (modulus - 1);
                }
                bits[0] += (long) t.size() * bitwidth;
            }
            clients[0]++;
        });
        stats.record(new TrafficRecord("federated_secure_sum_bitwidth", Direction.AGGREGATION, clients[0], bits[0]));
        if (template[0] == null) {
            throw new IllegalArgumentException("federated_secure_sum_bitwidth over zero clients has no defined value");
        }
        List<Tensor> templateLeaves = Structures.leaves(template[0]);
        List<Tensor> out = new ArrayList<>();
        for (int l = 0; l < sums.size(); l++) {
            Tensor t = templateLeaves.get(l);
            long[] s = sums.get(l);
            if (t.dtype() == DType.INT32) {
                int[] r = new int[s.length];
                for (int j = 0; j < s.length; j++) {
                    r[j] = (int) s[j];
                }
                out.add(Tensor.of(r, t.shape()));
            } else {
                out.add(Tensor.of(s, t.shape()));
            }
        }
        return new ServerValue(Structures.pack(template[0], out));
    }

    @Override
    public FederatedValue federatedZip(Struct federatedValues) {
        if (federatedValues.size() == 0) {
            throw new IllegalArgumentException("federated_zip: nothing to zip");
        }
        Placement placement = null;
        boolean allEqual = true;
        List<String> ids = null;
        StructType.Builder memberType = StructType.builder();
        for (int i = 0; i < federatedValues.size(); i++) {
            Value v = federatedValues.get(i);
            String field = federatedValues.nameAt(i) != null ? "'" + federatedValues.nameAt(i) + "'" : "#" + i;
            if (!(v instanceof FederatedValue f)) {
                throw new TypeMismatchException("federated_zip: field " + field + " is the non-federated " + v.type() + "; every field must be federated");
            }
            if (placement == null) {
                placement = f.placement();
            } else if (placement != f.placement()) {
                throw new TypeMismatchException("federated_zip: field " + field + " is at " + f.placement() + " but earlier fields are at " + placement);
            }
            if (f instanceof ClientValues c) {
                allEqual = false;
                if (ids == null) {
                    ids = c.clientIds();
                } else if (!ids.equals(c.clientIds())) {
                    throw new IllegalArgumentException("federated_zip: field " + field + " has " + summary(c.clientIds()) + " but earlier fields have " + summary(ids));
                }
            }
            memberType.add(federatedValues.nameAt(i), f.type().member());
        }
        if (placement == Placement.SERVER || allEqual) {
            Struct.Builder b = Struct.builder();
            for (int i = 0; i < federatedValues.size(); i++) {
                Value v = federatedValues.get(i);
                b.add(federatedValues.nameAt(i), v instanceof ServerValue s ? s.value() : ((AllEqualClientValue) v).value());
            }
            Struct zipped = b.build();
            return placement == Placement.SERVER ? new ServerValue(zipped) : new AllEqualClientValue(zipped);
        }
        Map<String, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            indexOf.put(ids.get(i), i);
        }
        return ClientValues.lazy(memberType.build(), ids, id -> {
            int index = indexOf.get(id);
            Struct.Builder b = Struct.builder();
            for (int i = 0; i < federatedValues.size(); i++) {
                b.add(federatedValues.nameAt(i), memberOf((FederatedValue) federatedValues.get(i), index));
            }
            return b.build();
        });
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
            throw new TypeMismatchException("federated_eval: computation '" + fn.name() + "' must take no argument but takes " + fn.type().parameter());
        }
        if (placement == Placement.SERVER) {
            return new ServerValue(runOnServer(fn, null));
        }
        int n = cardinality("federated_eval");
        List<Value> results = runOnClients("federated_eval", n, clientIds, (i, ctx) -> fn.invoke(null, ctx));
        return ClientValues.of(fn.type().result(), clientIds, results);
    }

    @Override
    public Value invoke(FederatedComputation computation, Value argument) {
        List<String> ids = clientIdsOf(argument, clientIds);
        return new Invocation(pool, serverResources, stats, ids, clientStates).run(computation, argument);
    }

    /** The context handed to local computations. */
    private record Context(Placement placement, int clientIndex, String clientId, int workerIndex, WorkerResources resources,
            ClientStateStore.Transaction states) implements ClientContext {
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
                throw new IllegalStateException("client state '" + key + "' is only available to work on a client (federated_map over CLIENTS),"
                        + " not at " + placement);
            }
            return clientId;
        }
    }
}
