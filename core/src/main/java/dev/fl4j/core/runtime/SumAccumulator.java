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
 * is the exact one rounded once (to within that bound). Values are folded in the order they are
 * added (client order), so the result is bitwise the same however the clients were scheduled. The
 * cost is a double[] per float32 leaf for the one accumulator. Integer leaves sum in their own dtype.
 */
final class SumAccumulator {

    private final String where;
    private Value template;
    private final List<Object> sums = new ArrayList<>();
    private double totalWeight;

    public SumAccumulator(String where) {
        this.where = where;
    }

    /** Adds {@code value} × {@code weight} (weight 1 for a plain sum; integer leaves need weight 1). */
    public void add(Value value, double weight) {
        List<Tensor> leaves = Structures.leaves(value);
        if (template == null) {
            template = value;
            for (Tensor t : leaves) {
                sums.add(zeros(t));
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
            addLeaf(sums.get(l), leaves.get(l), weight);
        }
        totalWeight += weight;
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

    public double totalWeight() {
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
