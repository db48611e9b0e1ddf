package dev.fl4j.core.runtime;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The part of a pass of client work that can run in another JVM: the client computations of the
 * pass that have a {@link ComputationDescriptor} and whose inputs are client data, values every
 * client receives (broadcasts) or other shipped computations' results, zipped or not. What a
 * {@link ClientWorkShipper} gets.
 *
 * <p>A pass has a {@linkplain #plan() plan} (bytes, the same for every client), the
 * {@linkplain #broadcasts() values all clients share}, and the {@linkplain #clientInputs() client
 * values} each client reads its own member of. The receiving JVM {@linkplain #compile compiles} the
 * plan once, which rebuilds each computation through the registered factories
 * ({@link dev.fl4j.core.computation.ComputationFactories}: no class is loaded by a name that
 * arrived), and {@linkplain Compiled#runClient runs} it per client.
 *
 * <h2>Plan layout</h2>
 * An fl4j value ({@link ValueCodec}) {@code <plan_version=int32, nodes=<node, …>>}, a node
 * {@code <descriptor=uint8[?], input=ref>} (the descriptor's own bytes), a ref
 * {@code <source=int32, index=int32, names=<uint8[?], …>, fields=<ref, …>>} where source is
 * {@code 0} a client input, {@code 1} a broadcast, {@code 2} an earlier node's result, {@code 3} a
 * structure of refs (a zip; an empty name is a positional field) and {@code 4} no argument (an
 * eval). A node's results, in node order, are what {@link Compiled#runClient} returns.
 */
public final class ShippedPass {

    /** The plan layout version {@link #plan()} writes. */
    public static final int PLAN_VERSION = 1;

    /** How deep refs may nest (zips of zips), so hostile plans cannot exhaust the stack. */
    private static final int MAX_DEPTH = 32;

    private final List<String> clientIds;
    private final byte[] plan;
    private final List<Value> broadcasts;
    private final List<ClientValues> clientInputs;
    private final int nodeCount;
    private final boolean[] returned;
    private final byte[] blockFolds;

    /**
     * Made by the runtime from its pending client work; every node's result is read back.
     *
     * @param clientIds the clients of the pass, in order
     * @param plan the encoded plan (see the class comment)
     * @param broadcasts the values the plan's broadcast refs name
     * @param clientInputs the client values the plan's client-input refs name, each over {@code clientIds}
     * @param nodeCount the plan's number of nodes
     */
    public ShippedPass(
            List<String> clientIds,
            byte[] plan,
            List<Value> broadcasts,
            List<ClientValues> clientInputs,
            int nodeCount) {
        this(clientIds, plan, broadcasts, clientInputs, allReturned(nodeCount));
    }

    /**
     * As the other constructor, saying which nodes' results the rest of the pass reads
     * ({@link #isReturned}); the others need not travel back.
     *
     * @param returned for each node of the plan, whether its result is read back
     */
    public ShippedPass(
            List<String> clientIds,
            byte[] plan,
            List<Value> broadcasts,
            List<ClientValues> clientInputs,
            boolean[] returned) {
        this(clientIds, plan, broadcasts, clientInputs, returned, null);
    }

    /**
     * As the other constructors, with the pass's aggregations as {@link BlockFolds} when all of them
     * can fold where the clients run (null when not).
     */
    ShippedPass(
            List<String> clientIds,
            byte[] plan,
            List<Value> broadcasts,
            List<ClientValues> clientInputs,
            boolean[] returned,
            byte[] blockFolds) {
        this.blockFolds = blockFolds == null ? null : blockFolds.clone();
        this.clientIds = List.copyOf(clientIds);
        this.plan = plan.clone();
        this.broadcasts = List.copyOf(broadcasts);
        this.clientInputs = List.copyOf(clientInputs);
        this.nodeCount = returned.length;
        this.returned = returned.clone();
        for (ClientValues c : clientInputs) {
            if (!c.clientIds().equals(this.clientIds)) {
                throw new IllegalArgumentException("a shipped pass's client input is over " + c.count()
                        + " clients, not the pass's " + clientIds.size());
            }
        }
    }

    public List<String> clientIds() {
        return clientIds;
    }

    /** The encoded plan, the same for every client (a copy). */
    public byte[] plan() {
        return plan.clone();
    }

    /** The values every client receives, which broadcast refs name by index. */
    public List<Value> broadcasts() {
        return broadcasts;
    }

    /** The client values whose member for client {@code i} client-input refs name by index. */
    public List<ClientValues> clientInputs() {
        return clientInputs;
    }

    /** How many results each client produces (the plan's nodes). */
    public int nodeCount() {
        return nodeCount;
    }

    /**
     * Whether the rest of the pass (glue that stays with the runtime, the folds) reads node
     * {@code node}'s result. A node whose result only feeds other shipped nodes (the full update
     * an encoder compresses, say) need not travel back: a shipper may hand null in its place.
     */
    public boolean isReturned(int node) {
        return returned[node];
    }

    /**
     * The pass's aggregations, encoded as {@link BlockFolds}, when every one of them can fold where
     * the clients run and nothing else of the pass reads a client's results; empty otherwise. A
     * {@linkplain ClientWorkShipper#foldsBlocks() shipper that folds blocks} is then handed the pass
     * through {@link ClientWorkShipper#runBlocks}.
     */
    public java.util.Optional<byte[]> blockFolds() {
        return java.util.Optional.ofNullable(blockFolds).map(byte[]::clone);
    }

    private static boolean[] allReturned(int nodeCount) {
        boolean[] all = new boolean[nodeCount];
        java.util.Arrays.fill(all, true);
        return all;
    }

    /** Client {@code index}'s members of the client inputs, in order (read where the data lives). */
    public List<Value> clientInputMembers(int index) {
        List<Value> out = new ArrayList<>(clientInputs.size());
        for (ClientValues c : clientInputs) {
            out.add(c.member(index));
        }
        return out;
    }

    // ------------------------------------------------------------------ plan building (the runtime)

    /** Where a node's argument comes from. */
    public sealed interface Ref {
        /** Client {@code index}'s member of client input {@code index}. */
        record ClientInput(int index) implements Ref {}

        /** Broadcast value {@code index}. */
        record Broadcast(int index) implements Ref {}

        /** The result of earlier node {@code index}. */
        record Node(int index) implements Ref {}

        /** A structure of refs; a null name is a positional field. */
        record Zip(List<String> names, List<Ref> fields) implements Ref {
            public Zip {
                names = java.util.Collections.unmodifiableList(new ArrayList<>(names));
                fields = List.copyOf(fields);
                if (names.size() != fields.size()) {
                    throw new IllegalArgumentException("zip has " + names.size() + " names for " + fields.size());
                }
            }
        }

        /** No argument (the node is an eval). */
        record None() implements Ref {}
    }

    /** Encodes a plan of nodes: each a computation's descriptor and where its argument comes from. */
    public static byte[] encodePlan(List<ComputationDescriptor> descriptors, List<Ref> inputs) {
        if (descriptors.size() != inputs.size()) {
            throw new IllegalArgumentException(descriptors.size() + " descriptors for " + inputs.size() + " inputs");
        }
        List<Value> nodes = new ArrayList<>();
        for (int i = 0; i < descriptors.size(); i++) {
            byte[] d = descriptors.get(i).toBytes();
            nodes.add(Struct.named("descriptor", Tensor.of(d, d.length), "input", encodeRef(inputs.get(i))));
        }
        return ValueCodec.encode(Struct.named("plan_version", Tensor.scalar(PLAN_VERSION), "nodes", Struct.of(nodes)));
    }

    static Value encodeRef(Ref ref) {
        int source;
        int index = 0;
        List<Value> names = new ArrayList<>();
        List<Value> fields = new ArrayList<>();
        if (ref instanceof Ref.ClientInput c) {
            source = 0;
            index = c.index();
        } else if (ref instanceof Ref.Broadcast b) {
            source = 1;
            index = b.index();
        } else if (ref instanceof Ref.Node n) {
            source = 2;
            index = n.index();
        } else if (ref instanceof Ref.Zip z) {
            source = 3;
            for (int i = 0; i < z.fields().size(); i++) {
                names.add(text(z.names().get(i) == null ? "" : z.names().get(i)));
                fields.add(encodeRef(z.fields().get(i)));
            }
        } else {
            source = 4;
        }
        return Struct.builder()
                .add("source", Tensor.scalar(source))
                .add("index", Tensor.scalar(index))
                .add("names", Struct.of(names))
                .add("fields", Struct.of(fields))
                .build();
    }

    private static Tensor text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Tensor.of(b, b.length);
    }

    // ------------------------------------------------------------------ the receiving side

    /**
     * Reads a plan and rebuilds its computations from their descriptors, through the registered
     * factories only.
     *
     * @throws MalformedDataException if the bytes are not a plan of this layout, a ref points
     *     forward or out of range, or a descriptor cannot be rebuilt (the message says which node)
     * @throws dev.fl4j.core.computation.UnknownComputationFactoryException if a descriptor names a
     *     factory not registered on this JVM
     */
    public static Compiled compile(byte[] plan, int broadcastCount, int clientInputCount) {
        return compile(plan, broadcastCount, clientInputCount, null);
    }

    /**
     * As {@link #compile(byte[], int, int)}, rebuilding only computations whose factory is in
     * {@code allowedFactories} (class names; null: every registered factory), e.g. a deployed
     * client's allow-list.
     *
     * @throws MalformedDataException as the other form, and when a node names a factory outside
     *     {@code allowedFactories} (before anything of that factory is loaded)
     */
    public static Compiled compile(
            byte[] plan, int broadcastCount, int clientInputCount, Set<String> allowedFactories) {
        Value v = ValueCodec.decode(plan);
        if (!(v instanceof Struct s) || s.size() != 2 || !s.has("plan_version") || !s.has("nodes")) {
            throw new MalformedDataException(
                    "not a shipped pass plan: " + v.type() + ", expected <plan_version=int32,nodes=<...>>");
        }
        int version = scalarInt(s.get("plan_version"), "plan_version");
        if (version != PLAN_VERSION) {
            throw new MalformedDataException(
                    "unsupported shipped pass plan version " + version + ", this reader knows " + PLAN_VERSION);
        }
        if (!(s.get("nodes") instanceof Struct nodes)) {
            throw new MalformedDataException(
                    "shipped pass plan: 'nodes' is " + s.get("nodes").type());
        }
        List<LocalComputation> fns = new ArrayList<>();
        List<Ref> inputs = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String where = "shipped pass plan node #" + i;
            if (!(nodes.get(i) instanceof Struct node)
                    || node.size() != 2
                    || !node.has("descriptor")
                    || !node.has("input")) {
                throw new MalformedDataException(where + " must be <descriptor=uint8[?],input=ref>, got "
                        + nodes.get(i).type());
            }
            Ref input = decodeRef(node.get("input"), i, broadcastCount, clientInputCount, where, 0);
            ComputationDescriptor d = ComputationDescriptor.fromBytes(bytes(node.get("descriptor"), where));
            if (allowedFactories != null && !allowedFactories.contains(d.factory())) {
                throw new MalformedDataException(where + ": computation factory " + d.factory()
                        + " is not allowed here; allowed: " + new java.util.TreeSet<>(allowedFactories));
            }
            LocalComputation fn = d.rebuild();
            if ((fn.type().parameter() == null) != (input instanceof Ref.None)) {
                throw new MalformedDataException(where + ": computation '" + fn.name() + "' of type " + fn.type()
                        + (input instanceof Ref.None ? " needs an argument but the plan gives none" : " takes none"));
            }
            fns.add(fn);
            inputs.add(input);
        }
        return new Compiled(fns, inputs);
    }

    static Ref decodeRef(Value v, int node, int broadcasts, int clientInputs, String where, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedDataException(where + ": refs nest deeper than " + MAX_DEPTH);
        }
        if (!(v instanceof Struct r)
                || r.size() != 4
                || !r.has("source")
                || !r.has("index")
                || !r.has("names")
                || !r.has("fields")) {
            throw new MalformedDataException(
                    where + ": a ref must be <source=int32,index=int32,names=<...>,fields=<...>>, got " + v.type());
        }
        int source = scalarInt(r.get("source"), where + " source");
        int index = scalarInt(r.get("index"), where + " index");
        return switch (source) {
            case 0 -> new Ref.ClientInput(checkIndex(index, clientInputs, where, "client input"));
            case 1 -> new Ref.Broadcast(checkIndex(index, broadcasts, where, "broadcast"));
            case 2 -> new Ref.Node(checkIndex(index, node, where, "earlier node"));
            case 3 -> {
                if (!(r.get("names") instanceof Struct names)
                        || !(r.get("fields") instanceof Struct fields)
                        || names.size() != fields.size()
                        || fields.size() == 0) {
                    throw new MalformedDataException(
                            where + ": a zip ref needs as many names as fields, at least one, got " + r.type());
                }
                List<String> ns = new ArrayList<>();
                List<Ref> fs = new ArrayList<>();
                for (int i = 0; i < fields.size(); i++) {
                    String name = new String(bytes(names.get(i), where + " zip name"), StandardCharsets.UTF_8);
                    ns.add(name.isEmpty() ? null : name);
                    fs.add(decodeRef(fields.get(i), node, broadcasts, clientInputs, where, depth + 1));
                }
                yield new Ref.Zip(ns, fs);
            }
            case 4 -> new Ref.None();
            default -> throw new MalformedDataException(where + ": unknown ref source " + source);
        };
    }

    private static int checkIndex(int index, int bound, String where, String what) {
        if (index < 0 || index >= bound) {
            throw new MalformedDataException(where + ": " + what + " " + index + " outside [0, " + bound + ")");
        }
        return index;
    }

    private static int scalarInt(Value v, String where) {
        if (!(v instanceof Tensor t) || t.dtype() != DType.INT32 || t.rank() != 0) {
            throw new MalformedDataException(where + " must be an int32 scalar, got " + v.type());
        }
        return t.intData()[0];
    }

    private static byte[] bytes(Value v, String where) {
        if (!(v instanceof Tensor t) || t.dtype() != DType.UINT8 || t.rank() != 1) {
            throw new MalformedDataException(where + " must be uint8[?] bytes, got " + v.type());
        }
        return t.byteData();
    }

    /** A plan rebuilt on the receiving JVM: keep it across clients and rounds (it is immutable). */
    public static final class Compiled {
        private final List<LocalComputation> fns;
        private final List<Ref> inputs;

        /** The runtime's own computations and refs of a plan it encoded (nothing rebuilt). */
        static Compiled of(List<LocalComputation> fns, List<Ref> inputs) {
            return new Compiled(fns, inputs);
        }

        private Compiled(List<LocalComputation> fns, List<Ref> inputs) {
            this.fns = List.copyOf(fns);
            this.inputs = List.copyOf(inputs);
        }

        /** The rebuilt computations, in node order. */
        public List<LocalComputation> computations() {
            return fns;
        }

        /** Where each node's argument comes from, in node order. */
        public List<Ref> inputs() {
            return inputs;
        }

        /**
         * Runs every node for one client, in node order (so client state is written in program order)
         * and returns their results.
         *
         * @param clientIndex the client's position in the pass (for error messages)
         * @param clientInputs the client's members of the pass's client inputs
         * @param broadcasts the pass's broadcast values
         * @throws ClientWorkException naming the client and computation when one fails; an
         *     {@link Error} (out of memory, a lost resource) is not the client's failure and passes
         *     unwrapped, so that the runtime can retry the client's work elsewhere
         */
        public List<Value> runClient(
                int clientIndex, List<Value> clientInputs, List<Value> broadcasts, ClientContext context) {
            Objects.requireNonNull(context, "context");
            List<Value> results = new ArrayList<>(fns.size());
            for (int n = 0; n < fns.size(); n++) {
                LocalComputation fn = fns.get(n);
                Value arg = resolve(inputs.get(n), clientInputs, broadcasts, results);
                try {
                    results.add(fn.invoke(arg, context));
                } catch (RuntimeException e) {
                    throw new ClientWorkException(
                            "federated_map of '" + fn.name() + "'", clientIndex, context.clientId(), e);
                }
            }
            return results;
        }

        static Value resolve(Ref ref, List<Value> clientInputs, List<Value> broadcasts, List<Value> nodes) {
            if (ref instanceof Ref.ClientInput c) {
                return clientInputs.get(c.index());
            }
            if (ref instanceof Ref.Broadcast b) {
                return broadcasts.get(b.index());
            }
            if (ref instanceof Ref.Node n) {
                return nodes.get(n.index());
            }
            if (ref instanceof Ref.Zip z) {
                Struct.Builder b = Struct.builder();
                for (int i = 0; i < z.fields().size(); i++) {
                    b.add(z.names().get(i), resolve(z.fields().get(i), clientInputs, broadcasts, nodes));
                }
                return b.build();
            }
            return null;
        }
    }
}
