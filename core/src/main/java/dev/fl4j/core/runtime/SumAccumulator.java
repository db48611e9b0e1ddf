package dev.fl4j.core.runtime;

import dev.fl4j.core.DType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * One running sum over values of one structure, leaf by leaf. Adding never keeps a reference to the
 * added value, so an aggregation over N clients holds this accumulator and nothing else.
 *
 * <p>Floating leaves accumulate in double, float32 ones included, and are rounded to their own
 * dtype once, when the sum is read. A float32 running sum loses up to half a float32 ulp of the
 * running total at every client, an error that grows with the client count (0.1f summed over
 * 100,000 clients gives 9998.557, over 1,000,000 clients 100958.34, almost 1% off). The double sum of n values is off
 * by at most (n−1)·2^-53·Σ|xᵢ|, which
 * stays below float32 resolution for any round of fewer than 2^29 clients, so a float32 sum or mean
 * is the exact one rounded once (to within that bound). The cost is a double[] per float32 leaf (two
 * past the first block). Integer leaves sum in their own dtype (exact, so their order does not matter).
 *
 * <h2>The fold's shape: blocks of {@value #BLOCK} clients</h2>
 * Double addition is not associative, so the order of the additions is part of the result. It is
 * fixed by the clients' order alone, never by scheduling or partitioning: clients are cut into
 * consecutive blocks of {@link #BLOCK} (the last may be shorter); a block's values are added one by
 * one, in client order, starting from zero; the blocks' sums are then added in block order, the
 * first block's sum being the start. A runtime that folds in parallel (a Spark executor per
 * partition, say) cuts its partitions on block boundaries, folds each block into an accumulator of
 * its own, and merges those block by block in block order ({@link #mergeBlock}): bitwise the answer
 * of one accumulator fed every client in order, whatever the number of partitions. A round of at
 * most {@link #BLOCK} clients is one block, i.e. the plain sequential fold. The weights of a weighted
 * mean ({@link #totalWeight()}) are summed in the same shape.
 */
final class SumAccumulator {

    /** Clients per block of the fold (see the class comment); a fixed part of every sum's definition. */
    static final int BLOCK = 1024;

    private final String where;
    private Value template;
    /** Per leaf: the integer sums, or for floating leaves the sum of the blocks closed so far (null before). */
    private final List<Object> sums = new ArrayList<>();
    /** Per leaf: the open block's double sums, null for integer leaves. */
    private final List<double[]> block = new ArrayList<>();

    private int inBlock;
    private int blocksClosed;
    private double totalWeight;
    private double blockWeight;

    public SumAccumulator(String where) {
        this.where = where;
    }

    /** Adds {@code value} × {@code weight} (weight 1 for a plain sum; integer leaves need weight 1). */
    public void add(Value value, double weight) {
        List<Tensor> leaves = Structures.leaves(value);
        if (template == null) {
            template = value;
            for (Tensor t : leaves) {
                Object zero = zeros(t);
                sums.add(zero instanceof double[] ? null : zero);
                block.add(zero instanceof double[] d ? d : null);
            }
        } else {
            Structures.zip(template, value, (a, b) -> {
                if (a.dtype() != b.dtype() || !java.util.Arrays.equals(a.shape(), b.shape())) {
                    throw new IllegalArgumentException(
                            where + ": values differ in type, " + a.type() + " vs " + b.type());
                }
                return a;
            });
        }
        for (int l = 0; l < leaves.size(); l++) {
            double[] open = block.get(l);
            if (open == null && sums.get(l) instanceof double[] closed) {
                open = new double[closed.length];
                block.set(l, open);
            }
            addLeaf(open != null ? open : sums.get(l), leaves.get(l), weight);
        }
        blockWeight += weight;
        if (++inBlock == BLOCK) {
            closeBlock();
        }
    }

    /**
     * Adds {@code partial}, one whole block's accumulator (at most {@link #BLOCK} values, fed in client
     * order), as this accumulator's next block: the way partition-wise folds are merged, in block order.
     *
     * @throws IllegalStateException if this accumulator is inside a block (its value count is not a
     *     multiple of {@link #BLOCK}), or {@code partial} holds more than one block
     * @throws IllegalArgumentException if the two sum values of different types
     */
    void mergeBlock(SumAccumulator partial) {
        if (inBlock != 0) {
            throw new IllegalStateException(where + ": a block can only be merged at a block boundary, this"
                    + " accumulator is " + inBlock + " values into its block");
        }
        boolean closed = partial.blocksClosed == 1 && partial.inBlock == 0;
        if (!closed && partial.blocksClosed != 0) {
            throw new IllegalStateException(where + ": the partial accumulator holds more than one block");
        }
        if (partial.isEmpty()) {
            return;
        }
        List<Tensor> leaves = Structures.leaves(partial.template);
        if (template == null) {
            template = partial.template;
            for (int l = 0; l < leaves.size(); l++) {
                sums.add(leaves.get(l).dtype().isFloating() ? null : copy(partial.sums.get(l)));
                block.add(null);
            }
        } else if (!template.type().equals(partial.template.type())) {
            throw new IllegalArgumentException(
                    where + ": values differ in type, " + template.type() + " vs " + partial.template.type());
        } else {
            for (int l = 0; l < leaves.size(); l++) {
                if (!leaves.get(l).dtype().isFloating()) {
                    addIntegers(l, partial.sums.get(l));
                }
            }
        }
        for (int l = 0; l < leaves.size(); l++) {
            if (leaves.get(l).dtype().isFloating()) {
                double[] p = closed ? (double[]) partial.sums.get(l) : partial.block.get(l);
                block.set(l, p.clone());
            }
        }
        inBlock = closed ? BLOCK : partial.inBlock;
        blockWeight = closed ? partial.totalWeight : partial.blockWeight;
        closeBlock();
    }

    /**
     * This accumulator, fed at most one block of values (fewer than {@link #BLOCK}, or exactly
     * {@link #BLOCK}), as a value that crosses JVMs losslessly ({@link dev.fl4j.core.io.ValueCodec}):
     * {@code <sums=S, float32=uint8[L], weight=float64>} where {@code S} has the structure of the
     * values added with the block's sums as leaves (float64 for floating leaves, their own dtype for
     * integer ones) and {@code float32} flags the leaves that were float32; or {@code <>} when nothing
     * was added. {@link #decodeBlock} reads it back as an accumulator to {@link #mergeBlock}.
     *
     * @throws IllegalStateException if more than one block was added
     */
    Value encodeBlock() {
        boolean closed = blocksClosed == 1 && inBlock == 0;
        if (!closed && blocksClosed != 0) {
            throw new IllegalStateException(where + ": only an accumulator of at most one block can be encoded");
        }
        if (template == null) {
            return dev.fl4j.core.Struct.empty();
        }
        List<Tensor> leaves = Structures.leaves(template);
        List<Tensor> out = new ArrayList<>(leaves.size());
        byte[] float32 = new byte[leaves.size()];
        for (int l = 0; l < leaves.size(); l++) {
            Tensor t = leaves.get(l);
            if (t.dtype().isFloating()) {
                double[] d = closed ? (double[]) sums.get(l) : block.get(l);
                out.add(Tensor.of(d.clone(), t.shape()));
                float32[l] = (byte) (t.dtype() == DType.FLOAT32 ? 1 : 0);
            } else if (sums.get(l) instanceof int[] a) {
                out.add(Tensor.of(a.clone(), t.shape()));
            } else {
                out.add(Tensor.of(((long[]) sums.get(l)).clone(), t.shape()));
            }
        }
        return dev.fl4j.core.Struct.named(
                "sums",
                Structures.pack(template, out),
                "float32",
                Tensor.of(float32, float32.length),
                "weight",
                Tensor.scalar(closed ? totalWeight : blockWeight));
    }

    /**
     * An accumulator of one block from {@link #encodeBlock}'s value.
     *
     * @throws IllegalArgumentException if {@code encoded} is not such a value
     */
    static SumAccumulator decodeBlock(String where, Value encoded) {
        SumAccumulator acc = new SumAccumulator(where);
        if (encoded instanceof dev.fl4j.core.Struct e && e.size() == 0) {
            return acc;
        }
        if (!(encoded instanceof dev.fl4j.core.Struct e)
                || e.size() != 3
                || !e.has("sums")
                || !(e.get("float32") instanceof Tensor flags)
                || flags.dtype() != DType.UINT8
                || !(e.get("weight") instanceof Tensor weight)
                || weight.dtype() != DType.FLOAT64
                || weight.rank() != 0) {
            throw new IllegalArgumentException(where + ": not an encoded block accumulator <sums=..,float32=uint8[L],"
                    + "weight=float64>: " + encoded.type());
        }
        List<Tensor> leaves = Structures.leaves(e.get("sums"));
        byte[] float32 = flags.byteData();
        if (float32.length != leaves.size()) {
            throw new IllegalArgumentException(
                    where + ": " + float32.length + " float32 flags for " + leaves.size() + " leaves");
        }
        List<Tensor> templateLeaves = new ArrayList<>(leaves.size());
        for (int l = 0; l < leaves.size(); l++) {
            Tensor t = leaves.get(l);
            switch (t.dtype()) {
                case FLOAT64 -> {
                    acc.sums.add(t.doubleData().clone());
                    templateLeaves.add(float32[l] == 1 ? Tensor.of(new float[t.size()], t.shape()) : t);
                }
                case INT32 -> {
                    acc.sums.add(t.intData().clone());
                    templateLeaves.add(t);
                }
                case INT64 -> {
                    acc.sums.add(t.longData().clone());
                    templateLeaves.add(t);
                }
                default ->
                    throw new IllegalArgumentException(where + ": an encoded block sum has a " + t.type()
                            + " leaf; sums are float64, int32 or int64");
            }
            acc.block.add(null);
        }
        acc.template = Structures.pack(e.get("sums"), templateLeaves);
        acc.totalWeight = weight.doubleValue();
        acc.blocksClosed = 1;
        return acc;
    }

    private static Object copy(Object integerSums) {
        return integerSums instanceof int[] a ? a.clone() : ((long[]) integerSums).clone();
    }

    private void addIntegers(int leaf, Object partial) {
        Tensor t = Structures.leaves(template).get(leaf);
        if (partial instanceof int[] p) {
            addLeaf(sums.get(leaf), Tensor.of(p, t.shape()), 1.0);
        } else {
            addLeaf(sums.get(leaf), Tensor.of((long[]) partial, t.shape()), 1.0);
        }
    }

    /** Adds the open block's sums to the closed blocks' (the first block's sums become the start). */
    private void closeBlock() {
        if (inBlock == 0) {
            return;
        }
        for (int l = 0; l < block.size(); l++) {
            double[] open = block.get(l);
            if (open == null) {
                continue;
            }
            if (sums.get(l) instanceof double[] closed) {
                for (int i = 0; i < closed.length; i++) {
                    closed[i] += open[i];
                }
                java.util.Arrays.fill(open, 0.0);
            } else {
                sums.set(l, open);
                block.set(l, null);
            }
        }
        totalWeight = blocksClosed > 0 ? totalWeight + blockWeight : blockWeight;
        blockWeight = 0;
        inBlock = 0;
        blocksClosed++;
    }

    private Object zeros(Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32, FLOAT64 -> new double[t.size()];
            case INT32 -> new int[t.size()];
            case INT64 -> new long[t.size()];
            default ->
                throw new IllegalArgumentException(where + ": cannot sum " + t.dtype() + " tensors (" + t.type() + ")");
        };
    }

    private void addLeaf(Object acc, Tensor t, double weight) {
        switch (t.dtype()) {
            case FLOAT32 -> {
                double[] a = (double[]) acc;
                float[] v = t.floatData();
                if (weight == 1.0) {
                    for (int i = 0; i < a.length; i++) {
                        a[i] += v[i];
                    }
                } else {
                    for (int i = 0; i < a.length; i++) {
                        a[i] += weight * v[i];
                    }
                }
            }
            case FLOAT64 -> {
                double[] a = (double[]) acc;
                double[] v = t.doubleData();
                for (int i = 0; i < a.length; i++) {
                    a[i] += weight * v[i];
                }
            }
            case INT32 -> {
                requireUnitWeight(t, weight);
                int[] a = (int[]) acc;
                int[] v = t.intData();
                for (int i = 0; i < a.length; i++) {
                    int sum = a[i] + v[i];
                    if (((a[i] ^ sum) & (v[i] ^ sum)) < 0) {
                        throw overflow(t, i, a[i], v[i]);
                    }
                    a[i] = sum;
                }
            }
            case INT64 -> {
                requireUnitWeight(t, weight);
                long[] a = (long[]) acc;
                long[] v = t.longData();
                for (int i = 0; i < a.length; i++) {
                    long sum = a[i] + v[i];
                    if (((a[i] ^ sum) & (v[i] ^ sum)) < 0) {
                        throw overflow(t, i, a[i], v[i]);
                    }
                    a[i] = sum;
                }
            }
            default -> throw new IllegalArgumentException(where + ": cannot sum " + t.type());
        }
    }

    private IllegalArgumentException overflow(Tensor t, int element, long sum, long value) {
        return new IllegalArgumentException(
                where + ": the " + t.dtype() + " sum overflows at element " + element + " of "
                        + t.type() + " (" + sum + " + " + value + "); integer sums do not wrap: use a wider type, or "
                        + "federated_secure_sum_bitwidth for modular sums");
    }

    private void requireUnitWeight(Tensor t, double weight) {
        if (weight != 1.0) {
            throw new IllegalArgumentException(
                    where + ": cannot weight integer tensor " + t.type() + "; weighted means need floating values");
        }
    }

    public boolean isEmpty() {
        return template == null;
    }

    /** The sum of the weights (closes the open block: read it when every value has been added). */
    public double totalWeight() {
        closeBlock();
        return totalWeight;
    }

    /** The sum, with the structure and names of the values added. */
    public Value sum() {
        return scaled(1.0);
    }

    /** The sum divided by {@code divisor} (floating leaves only). */
    public Value divided(double divisor) {
        return scaled(divisor);
    }

    private Value scaled(double divisor) {
        if (template == null) {
            throw new IllegalStateException(where + ": nothing was added");
        }
        closeBlock();
        List<Tensor> templateLeaves = Structures.leaves(template);
        List<Tensor> out = new ArrayList<>(sums.size());
        for (int l = 0; l < sums.size(); l++) {
            Tensor leaf = templateLeaves.get(l);
            Object acc = sums.get(l);
            if (acc instanceof double[] a) {
                out.add(
                        leaf.dtype() == DType.FLOAT32
                                ? float32(a, divisor, leaf.shape())
                                : float64(a, divisor, leaf.shape()));
            } else if (divisor != 1.0) {
                throw new IllegalArgumentException(where + ": cannot average integer tensor " + leaf.type());
            } else if (acc instanceof int[] a) {
                out.add(Tensor.of(a.clone(), leaf.shape()));
            } else {
                out.add(Tensor.of(((long[]) acc).clone(), leaf.shape()));
            }
        }
        return Structures.pack(template, out);
    }

    /** {@code acc / divisor}, each element rounded once from double to float32. */
    private static Tensor float32(double[] acc, double divisor, int[] shape) {
        float[] r = new float[acc.length];
        for (int i = 0; i < acc.length; i++) {
            r[i] = (float) (acc[i] / divisor);
        }
        return Tensor.of(r, shape);
    }

    private static Tensor float64(double[] acc, double divisor, int[] shape) {
        double[] r = new double[acc.length];
        for (int i = 0; i < acc.length; i++) {
            r[i] = acc[i] / divisor;
        }
        return Tensor.of(r, shape);
    }

    /** Whether {@code t} is a dtype this accumulator sums. */
    public static boolean summable(DType t) {
        return t == DType.FLOAT32 || t == DType.FLOAT64 || t == DType.INT32 || t == DType.INT64;
    }
}
