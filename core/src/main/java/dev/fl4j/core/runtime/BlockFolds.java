package dev.fl4j.core.runtime;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ShippableAggregation;
import dev.fl4j.core.computation.ShippableAggregationFactories;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.ShippedPass.Ref;
import java.util.ArrayList;
import java.util.List;

/**
 * The aggregations of a shipped pass, run where its clients run, one block of clients at a time:
 * what lets a {@link ClientWorkShipper} that {@linkplain ClientWorkShipper#foldsBlocks() folds
 * blocks} send the runtime one partial accumulator per block of {@value #BLOCK} clients instead of
 * every client's update.
 *
 * <p>A pass gets block folds ({@link ShippedPass#blockFolds()}) when every aggregation of it is a
 * {@code federated_sum}, a {@code federated_mean} (weighted or not) or a {@code federated_aggregate}
 * of a {@link ShippableAggregation} whose inputs the shipped plan computes, and nothing else of the
 * pass needs a client's results (no glue without a descriptor, no collected value). The fold's shape
 * is core's ({@link SumAccumulator}): the clients of block {@code b} are
 * {@code [b·BLOCK, (b+1)·BLOCK)}; a block's values are added in client order from zero, and the
 * runtime adds the blocks' partials in block order (an aggregate: each block accumulated from
 * {@code zero()} in client order, the blocks' accumulators merged in block order). So a shipper that
 * folds each block with {@link Block} (in client order, every client of the block) and hands the partials back in
 * block order ends bitwise where the local runtime ends, whatever its partitioning: it only has to
 * keep a block's clients together where they are folded.
 *
 * <h2>Layout</h2>
 * An fl4j value {@code <folds=<<kind=int32, sources=<ref, …>>, …>>}, kind {@code 0} a sum, {@code 1}
 * a mean, {@code 2} a weighted mean (sources the value, then the weight), refs as in the pass's plan
 * ({@link ShippedPass}); kind {@code 3}, an aggregate, has a third field
 * {@code aggregation=uint8[?]}: its {@link ShippableAggregation#descriptor() descriptor}, which the
 * receiving side rebuilds through the registered factories only
 * ({@link ShippableAggregationFactories}). A client's {@linkplain #members members} are {@code <<source, …>, …>}, per
 * fold its sources' values; a block's {@linkplain Block#partial partial} is {@code <partial, …>}, per
 * fold its accumulator.
 */
public final class BlockFolds {

    /** Clients per block: the fold's shape (see {@link SumAccumulator}). */
    public static final int BLOCK = SumAccumulator.BLOCK;

    private static final int MAX_FOLDS = 1 << 16;

    private final int[] kinds;
    private final List<List<Ref>> sources;
    private final List<ShippableAggregation<?>> aggregations;

    private BlockFolds(int[] kinds, List<List<Ref>> sources, List<ShippableAggregation<?>> aggregations) {
        this.kinds = kinds;
        this.sources = sources;
        this.aggregations = aggregations;
    }

    /** The block of client {@code clientIndex}. */
    public static int blockOf(int clientIndex) {
        return clientIndex / BLOCK;
    }

    /** How many blocks {@code clients} clients make. */
    public static int blocks(int clients) {
        return (int) (((long) clients + BLOCK - 1) / BLOCK);
    }

    /** The first client of block {@code block}, or {@code clients} past the last block. */
    public static int firstClient(int block, int clients) {
        return (int) Math.min(clients, (long) block * BLOCK);
    }

    /** How many aggregations the pass has. */
    public int size() {
        return kinds.length;
    }

    /** Encodes the folds of a pass: per fold its {@link ClientFold#blockKind} and the refs of its sources. */
    static byte[] encode(List<ClientFold> folds, List<List<Ref>> sources) {
        List<Value> out = new ArrayList<>(folds.size());
        for (int f = 0; f < folds.size(); f++) {
            List<Value> refs = new ArrayList<>();
            for (Ref r : sources.get(f)) {
                refs.add(ShippedPass.encodeRef(r));
            }
            Struct.Builder fold = Struct.builder()
                    .add("kind", Tensor.scalar(folds.get(f).blockKind()))
                    .add("sources", Struct.of(refs));
            ComputationDescriptor aggregation = folds.get(f).blockAggregation();
            if (aggregation != null) {
                byte[] d = aggregation.toBytes();
                fold.add("aggregation", Tensor.of(d, d.length));
            }
            out.add(fold.build());
        }
        return ValueCodec.encode(Struct.named("folds", Struct.of(out)));
    }

    /**
     * Reads block folds for a plan of {@code nodeCount} nodes, {@code broadcasts} broadcasts and
     * {@code clientInputs} client inputs.
     *
     * @throws MalformedDataException if the bytes are not block folds of this layout, a kind is
     *     unknown, a fold has the wrong number of sources or a ref is out of range
     */
    public static BlockFolds decode(byte[] bytes, int nodeCount, int broadcasts, int clientInputs) {
        Value v = ValueCodec.decode(bytes);
        if (!(v instanceof Struct s) || s.size() != 1 || !s.has("folds") || !(s.get("folds") instanceof Struct folds)) {
            throw new MalformedDataException("not block folds: " + v.type() + ", expected <folds=<...>>");
        }
        if (folds.size() > MAX_FOLDS) {
            throw new MalformedDataException("block folds: " + folds.size() + " folds, at most " + MAX_FOLDS);
        }
        int[] kinds = new int[folds.size()];
        List<List<Ref>> sources = new ArrayList<>();
        List<ShippableAggregation<?>> aggregations = new ArrayList<>();
        for (int f = 0; f < folds.size(); f++) {
            String where = "block fold #" + f;
            if (!(folds.get(f) instanceof Struct fold)
                    || fold.size() < 2
                    || !fold.has("kind")
                    || !fold.has("sources")
                    || !(fold.get("kind") instanceof Tensor kind)
                    || kind.dtype() != DType.INT32
                    || kind.rank() != 0
                    || !(fold.get("sources") instanceof Struct refs)) {
                throw new MalformedDataException(where + " must be <kind=int32,sources=<ref,...>>, got "
                        + folds.get(f).type());
            }
            kinds[f] = kind.intData()[0];
            int expected = switch (kinds[f]) {
                case ClientFold.SUM, ClientFold.MEAN, ClientFold.AGGREGATE -> 1;
                case ClientFold.WEIGHTED_MEAN -> 2;
                default -> throw new MalformedDataException(where + ": unknown kind " + kinds[f]);
            };
            aggregations.add(aggregation(fold, kinds[f], where));
            if (refs.size() != expected) {
                throw new MalformedDataException(
                        where + ": kind " + kinds[f] + " takes " + expected + " sources, got " + refs.size());
            }
            List<Ref> rs = new ArrayList<>();
            for (int r = 0; r < refs.size(); r++) {
                Ref ref = ShippedPass.decodeRef(refs.get(r), nodeCount, broadcasts, clientInputs, where, 0);
                if (ref instanceof Ref.None) {
                    throw new MalformedDataException(where + ": source " + r + " is no value");
                }
                rs.add(ref);
            }
            sources.add(List.copyOf(rs));
        }
        return new BlockFolds(kinds, List.copyOf(sources), java.util.Collections.unmodifiableList(aggregations));
    }

    /**
     * The aggregation a fold of kind {@link ClientFold#AGGREGATE} names in its third field
     * {@code aggregation=uint8[?]} (a descriptor), rebuilt through the registered factories only; null
     * for the other kinds, which have no third field.
     */
    private static ShippableAggregation<?> aggregation(Struct fold, int kind, String where) {
        if (kind != ClientFold.AGGREGATE) {
            if (fold.size() != 2) {
                throw new MalformedDataException(
                        where + ": kind " + kind + " has fields <kind,sources>, got " + fold.type());
            }
            return null;
        }
        if (fold.size() != 3
                || !fold.has("aggregation")
                || !(fold.get("aggregation") instanceof Tensor d)
                || d.dtype() != DType.UINT8
                || d.rank() != 1) {
            throw new MalformedDataException(where
                    + ": an aggregate must be <kind=int32,sources=<ref>,aggregation=uint8[?]>, got " + fold.type());
        }
        return ShippableAggregationFactories.rebuild(ComputationDescriptor.fromBytes(d.byteData()));
    }

    /**
     * One client's members of every fold's sources, from its results of the plan's nodes
     * ({@link ShippedPass.Compiled#runClient}), its client inputs and the pass's broadcasts.
     */
    public Value members(List<Value> nodeResults, List<Value> clientInputs, List<Value> broadcasts) {
        List<Value> out = new ArrayList<>(kinds.length);
        for (List<Ref> refs : sources) {
            List<Value> m = new ArrayList<>(refs.size());
            for (Ref r : refs) {
                m.add(ShippedPass.Compiled.resolve(r, clientInputs, broadcasts, nodeResults));
            }
            out.add(Struct.of(m));
        }
        return Struct.of(out);
    }

    /** A fresh block: the pass's folds, empty. */
    public Block newBlock() {
        return new Block();
    }

    /** The folds of one block of clients, fed in client order. */
    public final class Block {
        private final List<ClientFold> folds = new ArrayList<>(kinds.length);

        private Block() {
            for (int f = 0; f < kinds.length; f++) {
                folds.add(ClientFold.forBlock(kinds[f], aggregations.get(f)));
            }
        }

        /**
         * Folds client {@code clientIndex}'s {@link #members} into every fold, with the checks and
         * messages of the runtime's own fold.
         *
         * @throws IllegalArgumentException when a fold refuses the client's value (a negative
         *     weight, a value of another shape), naming the client
         */
        public void add(int clientIndex, String clientId, Value members) {
            if (!(members instanceof Struct m) || m.size() != folds.size()) {
                throw new IllegalArgumentException("client " + clientId + " (#" + clientIndex + "): members "
                        + members.type() + " for " + folds.size() + " folds");
            }
            for (int f = 0; f < folds.size(); f++) {
                folds.get(f)
                        .add(clientIndex, clientId, ((Struct) m.get(f)).values().toArray(new Value[0]));
            }
        }

        /** The block's partial accumulators, to hand back to the runtime. */
        public Value partial() {
            List<Value> out = new ArrayList<>(folds.size());
            for (ClientFold f : folds) {
                out.add(f.blockPartial());
            }
            return Struct.of(out);
        }
    }
}
