package dev.fl4j.core.internal;

import dev.fl4j.core.DType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * One running sum over values of one structure, leaf by leaf, in each leaf's own dtype (float32
 * sums in float32, as TensorFlow does). Adding never keeps a reference to the added value, so an
 * aggregation over N clients holds this accumulator and nothing else.
 */
public final class SumAccumulator {

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
                    throw new IllegalArgumentException(where + ": values differ in type, " + a.type() + " vs " + b.type());
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
            case FLOAT32 -> new float[t.size()];
            case FLOAT64 -> new double[t.size()];
            case INT32 -> new int[t.size()];
            case INT64 -> new long[t.size()];
            default -> throw new IllegalArgumentException(where + ": cannot sum " + t.dtype() + " tensors (" + t.type() + ")");
        };
    }

    private void addLeaf(Object acc, Tensor t, double weight) {
        switch (t.dtype()) {
            case FLOAT32 -> {
                float[] a = (float[]) acc;
                float[] v = t.floatData();
                if (weight == 1.0) {
                    for (int i = 0; i < a.length; i++) {
                        a[i] += v[i];
                    }
                } else {
                    float w = (float) weight;
                    for (int i = 0; i < a.length; i++) {
                        a[i] += w * v[i];
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
                    a[i] += v[i];
                }
            }
            case INT64 -> {
                requireUnitWeight(t, weight);
                long[] a = (long[]) acc;
                long[] v = t.longData();
                for (int i = 0; i < a.length; i++) {
                    a[i] += v[i];
                }
            }
            default -> throw new IllegalArgumentException(where + ": cannot sum " + t.type());
        }
    }

    private void requireUnitWeight(Tensor t, double weight) {
        if (weight != 1.0) {
            throw new IllegalArgumentException(where + ": cannot weight integer tensor " + t.type() + "; weighted means need floating values");
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
            int[] shape = templateLeaves.get(l).shape();
            Object acc = sums.get(l);
            if (divisor == 1.0) {
                out.add(wrap(acc, shape));
            } else if (acc instanceof float[] a) {
                float[] r = new float[a.length];
                float d = (float) divisor;
                for (int i = 0; i < a.length; i++) {
                    r[i] = a[i] / d;
                }
                out.add(Tensor.of(r, shape));
            } else if (acc instanceof double[] a) {
                double[] r = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    r[i] = a[i] / divisor;
                }
                out.add(Tensor.of(r, shape));
            } else {
                throw new IllegalArgumentException(where + ": cannot average integer tensor " + templateLeaves.get(l).type());
            }
        }
        return Structures.pack(template, out);
    }

    private static Tensor wrap(Object acc, int[] shape) {
        if (acc instanceof float[] a) {
            return Tensor.of(a.clone(), shape);
        } else if (acc instanceof double[] a) {
            return Tensor.of(a.clone(), shape);
        } else if (acc instanceof int[] a) {
            return Tensor.of(a.clone(), shape);
        }
        return Tensor.of(((long[]) acc).clone(), shape);
    }

    /** Whether {@code t} is a dtype this accumulator sums. */
    public static boolean summable(DType t) {
        return t == DType.FLOAT32 || t == DType.FLOAT64 || t == DType.INT32 || t == DType.INT64;
    }
}
