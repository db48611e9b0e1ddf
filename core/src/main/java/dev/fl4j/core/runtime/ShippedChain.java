package dev.fl4j.core.runtime;

import dev.fl4j.core.DType;
import dev.fl4j.core.FunctionType;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactories;
import dev.fl4j.core.computation.ComputationFactory;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.runtime.ShippedPass.Ref;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The whole shippable part of a pass of client work ({@link ShippedPass}) for one client, as one
 * described computation: what a {@link ClientWorkDispatcher} that
 * {@linkplain ClientWorkDispatcher#dispatchesChains() takes chains} is handed, so that a remote
 * client runs its training and everything described after it (the field selections, the update's
 * weighting, an aggregator's clipping and encoding) and sends back only what the server reads: the
 * encoded update instead of the update.
 *
 * <p>Its parameter is {@code <client_index=int32, broadcast_0=.., …, input_0=.., …>}: the client's
 * position in the pass (client work such as an encoder derives its seeds from it, so it must be
 * the position the local runtime would give), the values every client receives and the client's
 * members of the pass's client inputs (its data stand-in among them). The types of the broadcasts
 * and inputs are those of the computations that read them. Its result is the structure of the
 * {@linkplain ShippedPass#isReturned returned} nodes' results, positional, in node order.
 *
 * <p>Its descriptor's payload is {@code <plan=uint8[?], broadcasts=int32, inputs=int32,
 * returned=int32[k]>}; {@link Factory} rebuilds it through the registered factories, never a chain
 * inside a chain, and {@link #rebuild(ComputationDescriptor, Set)} only from an allow-list.
 */
public final class ShippedChain extends LocalComputation {

    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    private final byte[] plan;
    private final int broadcastCount;
    private final int inputCount;
    private final int[] returned;
    private final int nodeCount;
    private final ShippedPass.Compiled compiled;

    private ShippedChain(
            byte[] plan, int broadcastCount, int inputCount, int[] returned, ShippedPass.Compiled compiled) {
        super("client_chain", type(compiled, broadcastCount, inputCount, returned));
        this.plan = plan;
        this.broadcastCount = broadcastCount;
        this.inputCount = inputCount;
        this.returned = returned;
        this.nodeCount = compiled.computations().size();
        this.compiled = compiled;
    }

    /**
     * The chain of {@code pass}, whose computations are {@code local} (the runtime's own: a chain is
     * built without rebuilding anything; the receiving side rebuilds it from the descriptor).
     */
    static ShippedChain of(ShippedPass pass, ShippedPass.Compiled local) {
        List<Integer> r = new ArrayList<>();
        for (int n = 0; n < pass.nodeCount(); n++) {
            if (pass.isReturned(n)) {
                r.add(n);
            }
        }
        byte[] plan = pass.plan();
        int b = pass.broadcasts().size();
        int c = pass.clientInputs().size();
        return new ShippedChain(
                plan, b, c, r.stream().mapToInt(Integer::intValue).toArray(), local);
    }

    /**
     * Rebuilds a chain from its descriptor, its computations only from factories in
     * {@code allowedFactories} (class names).
     *
     * @throws MalformedDataException if the descriptor is not a chain's, or names a factory outside
     *     the allow-list
     */
    public static ShippedChain rebuild(ComputationDescriptor descriptor, Set<String> allowedFactories) {
        if (!descriptor.factory().equals(Factory.class.getName())) {
            throw new MalformedDataException("not a client chain: factory " + descriptor.factory());
        }
        Set<String> allowed = new HashSet<>(allowedFactories);
        allowed.remove(Factory.class.getName());
        return read(descriptor.payload(), allowed);
    }

    /** A chain's result, and whether computing it read the client's position in the pass. */
    public record Outcome(Value result, boolean readClientIndex) {}

    /**
     * Runs the chain as {@link #invoke} does, and tells whether any of its computations read the
     * client's position ({@link ClientContext#clientIndex()}, which an encoder derives its seeds
     * from). When none did, the result is the same at every position: a server that learns only
     * later at which position a client's result counts (over-selection) may then use it as is.
     */
    public Outcome invokeTracked(Value arg, ClientContext context) {
        PositionReads reads = new PositionReads(context);
        Value result = invoke(arg, reads);
        return new Outcome(result, reads.read);
    }

    /** Whether {@code descriptor} describes a chain. */
    public static boolean isChain(ComputationDescriptor descriptor) {
        return descriptor.factory().equals(Factory.class.getName());
    }

    private static ShippedChain read(Value payload, Set<String> allowed) {
        if (!(payload instanceof Struct p)
                || p.size() != 4
                || !p.has("plan")
                || !p.has("broadcasts")
                || !p.has("inputs")
                || !p.has("returned")) {
            throw new MalformedDataException("a client chain's payload must be <plan=uint8[?],broadcasts=int32,"
                    + "inputs=int32,returned=int32[k]>, got " + (payload == null ? "none" : payload.type()));
        }
        if (!(p.get("plan") instanceof Tensor planBytes) || planBytes.dtype() != DType.UINT8 || planBytes.rank() != 1) {
            throw new MalformedDataException("a client chain's plan must be uint8[?], got "
                    + p.get("plan").type());
        }
        int b = count(p.get("broadcasts"), "broadcasts");
        int c = count(p.get("inputs"), "inputs");
        if (!(p.get("returned") instanceof Tensor r) || r.dtype() != DType.INT32 || r.rank() != 1) {
            throw new MalformedDataException("a client chain's returned nodes must be int32[k], got "
                    + p.get("returned").type());
        }
        byte[] plan = planBytes.byteData();
        ShippedPass.Compiled compiled = ShippedPass.compile(plan, b, c, allowed);
        int[] returned = r.intData();
        for (int k = 0; k < returned.length; k++) {
            if (returned[k] < 0
                    || returned[k] >= compiled.computations().size()
                    || (k > 0 && returned[k] <= returned[k - 1])) {
                throw new MalformedDataException("a client chain's returned nodes must increase within [0, "
                        + compiled.computations().size() + "), got " + java.util.Arrays.toString(returned));
            }
        }
        return new ShippedChain(plan, b, c, returned, compiled);
    }

    private static int count(Value v, String what) {
        if (!(v instanceof Tensor t) || !I32.isAssignableFrom(t.type()) || t.intData()[0] < 0) {
            throw new MalformedDataException("a client chain's " + what + " must be an int32 count, got " + v.type());
        }
        return t.intData()[0];
    }

    /** The parameter and result types, from the types of the computations that read each input. */
    private static FunctionType type(ShippedPass.Compiled compiled, int broadcastCount, int inputCount, int[] ret) {
        Type[] broadcasts = new Type[broadcastCount];
        Type[] inputs = new Type[inputCount];
        List<LocalComputation> fns = compiled.computations();
        for (int n = 0; n < fns.size(); n++) {
            infer(compiled.inputs().get(n), fns.get(n).type().parameter(), broadcasts, inputs, n);
        }
        StructType.Builder parameter = StructType.builder().add("client_index", I32);
        for (int i = 0; i < broadcastCount; i++) {
            parameter.add("broadcast_" + i, required(broadcasts[i], "broadcast " + i));
        }
        for (int i = 0; i < inputCount; i++) {
            parameter.add("input_" + i, required(inputs[i], "client input " + i));
        }
        StructType.Builder result = StructType.builder();
        for (int n : ret) {
            if (n < 0 || n >= fns.size()) {
                throw new MalformedDataException("a client chain returns node " + n + " of " + fns.size());
            }
            result.add(fns.get(n).type().result());
        }
        return new FunctionType(parameter.build(), result.build());
    }

    private static Type required(Type t, String what) {
        if (t == null) {
            throw new MalformedDataException("a client chain's " + what + " is read by none of its computations");
        }
        return t;
    }

    private static void infer(Ref ref, Type expected, Type[] broadcasts, Type[] inputs, int node) {
        if (ref instanceof Ref.Broadcast b) {
            if (broadcasts[b.index()] == null) {
                broadcasts[b.index()] = expected;
            }
        } else if (ref instanceof Ref.ClientInput c) {
            if (inputs[c.index()] == null) {
                inputs[c.index()] = expected;
            }
        } else if (ref instanceof Ref.Zip z) {
            if (!(expected instanceof StructType st) || st.size() != z.fields().size()) {
                throw new MalformedDataException("client chain node #" + node + ": a zip of "
                        + z.fields().size() + " fields where its computation takes " + expected);
            }
            for (int f = 0; f < z.fields().size(); f++) {
                infer(z.fields().get(f), st.get(f), broadcasts, inputs, node);
            }
        }
    }

    /** The chain's argument for client {@code clientIndex} of the pass. */
    Struct argument(int clientIndex, List<Value> broadcasts, List<Value> clientInputs) {
        Struct.Builder b = Struct.builder().add("client_index", Tensor.scalar(clientIndex));
        for (int i = 0; i < broadcasts.size(); i++) {
            b.add("broadcast_" + i, broadcasts.get(i));
        }
        for (int i = 0; i < clientInputs.size(); i++) {
            b.add("input_" + i, clientInputs.get(i));
        }
        return b.build();
    }

    /** The chain's result spread over the pass's nodes, null for a node that is not returned. */
    List<Value> results(Value result) {
        Struct s = (Struct) result;
        List<Value> out = new ArrayList<>(nodeCount);
        for (int n = 0; n < nodeCount; n++) {
            out.add(null);
        }
        for (int k = 0; k < returned.length; k++) {
            out.set(returned[k], s.get(k));
        }
        return out;
    }

    @Override
    protected Value apply(Value arg, ClientContext context) {
        Struct a = (Struct) arg;
        int clientIndex = a.tensor("client_index").intData()[0];
        List<Value> broadcasts = new ArrayList<>(broadcastCount);
        for (int i = 0; i < broadcastCount; i++) {
            broadcasts.add(a.get("broadcast_" + i));
        }
        List<Value> inputs = new ArrayList<>(inputCount);
        for (int i = 0; i < inputCount; i++) {
            inputs.add(a.get("input_" + i));
        }
        List<Value> all = compiled.runClient(clientIndex, inputs, broadcasts, new AtIndex(context, clientIndex));
        List<Value> out = new ArrayList<>(returned.length);
        for (int n : returned) {
            out.add(all.get(n));
        }
        return Struct.of(out);
    }

    @Override
    public Optional<ComputationDescriptor> descriptor() {
        return Optional.of(ComputationDescriptor.of(
                Factory.class,
                "",
                Struct.builder()
                        .add("plan", Tensor.of(plan, plan.length))
                        .add("broadcasts", Tensor.scalar(broadcastCount))
                        .add("inputs", Tensor.scalar(inputCount))
                        .add("returned", Tensor.of(returned, returned.length))
                        .build()));
    }

    /** The context of the client work the chain runs: the caller's, at the client's position in the pass. */
    private record AtIndex(ClientContext context, int index) implements ClientContext {
        @Override
        public Placement placement() {
            return context.placement();
        }

        @Override
        public int clientIndex() {
            if (context instanceof PositionReads reads) {
                reads.read = true;
            }
            return index;
        }

        @Override
        public String clientId() {
            return context.clientId();
        }

        @Override
        public int workerIndex() {
            return context.workerIndex();
        }

        @Override
        public <T> T workerResource(Object key, Supplier<T> factory) {
            return context.workerResource(key, factory);
        }

        @Override
        public Optional<Value> clientState(String key) {
            return context.clientState(key);
        }

        @Override
        public void setClientState(String key, Value state) {
            context.setClientState(key, state);
        }
    }

    /** The caller's context, noting whether the chain's computations read their position. */
    private static final class PositionReads implements ClientContext {
        private final ClientContext context;
        private volatile boolean read;

        PositionReads(ClientContext context) {
            this.context = context;
        }

        @Override
        public Placement placement() {
            return context.placement();
        }

        @Override
        public int clientIndex() {
            read = true;
            return context.clientIndex();
        }

        @Override
        public String clientId() {
            return context.clientId();
        }

        @Override
        public int workerIndex() {
            return context.workerIndex();
        }

        @Override
        public <T> T workerResource(Object key, Supplier<T> factory) {
            return context.workerResource(key, factory);
        }

        @Override
        public Optional<Value> clientState(String key) {
            return context.clientState(key);
        }

        @Override
        public void setClientState(String key, Value state) {
            context.setClientState(key, state);
        }
    }

    /**
     * Rebuilds a chain from its descriptor through every registered factory except itself (no chain
     * inside a chain).
     */
    public static final class Factory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            Set<String> allowed = new HashSet<>(ComputationFactories.registered());
            allowed.remove(Factory.class.getName());
            return read(payload, allowed);
        }
    }
}
