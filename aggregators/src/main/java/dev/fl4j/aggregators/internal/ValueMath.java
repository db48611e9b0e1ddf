package dev.fl4j.aggregators.internal;

import dev.fl4j.core.DType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.types.FederatedType;
import dev.fl4j.core.types.StructType;
import dev.fl4j.core.types.TensorType;
import dev.fl4j.core.types.Type;
import dev.fl4j.core.types.TypeMismatchException;

/** Element-wise arithmetic over structures of floating tensors, used by aggregation factories. */
public final class ValueMath {

    private ValueMath() {
    }

    /** Fails unless {@code type} is a floating tensor or a structure of them. */
    public static void requireFloatStructure(Type type, String factory) {
        if (!isFloatStructure(type)) {
            throw new TypeMismatchException(factory + " aggregates floating tensors or structures of them, but the value type is " + type
                    + (type instanceof FederatedType ? "; pass the member type, not the federated type" : ""));
        }
    }

    public static boolean isFloatStructure(Type type) {
        if (type instanceof TensorType t) {
            return t.dtype().isFloating();
        }
        if (type instanceof StructType s) {
            return s.fields().stream().allMatch(f -> isFloatStructure(f.type()));
        }
        return false;
    }

    /** Fails unless {@code type} is a floating scalar, as client weights are. */
    public static void requireFloatScalar(Type type, String factory) {
        if (!(type instanceof TensorType t) || t.rank() != 0 || !t.dtype().isFloating()) {
            throw new TypeMismatchException(factory + " needs a floating scalar weight (float32), but the weight type is " + type);
        }
    }

    /** {@code value × factor}, leaf by leaf, keeping dtypes. */
    public static Value scale(Value value, double factor) {
        return Structures.map(value, t -> scale(t, factor));
    }

    public static Tensor scale(Tensor t, double factor) {
        if (t.dtype() == DType.FLOAT32) {
            float[] v = t.floatData();
            float[] r = new float[v.length];
            float f = (float) factor;
            for (int i = 0; i < v.length; i++) {
                r[i] = v[i] * f;
            }
            return Tensor.of(r, t.shape());
        }
        if (t.dtype() == DType.FLOAT64) {
            double[] v = t.doubleData();
            double[] r = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                r[i] = v[i] * factor;
            }
            return Tensor.of(r, t.shape());
        }
        throw new TypeMismatchException("cannot scale " + t.type() + ": only floating tensors");
    }

    /** {@code value / divisor}, or zeros when the divisor is zero (TFF's {@code divide_no_nan}). */
    public static Value divideNoNan(Value value, double divisor) {
        return Structures.map(value, t -> {
            if (divisor == 0.0) {
                return Tensor.zerosLike(t);
            }
            if (t.dtype() == DType.FLOAT32) {
                float[] v = t.floatData();
                float[] r = new float[v.length];
                float d = (float) divisor;
                for (int i = 0; i < v.length; i++) {
                    r[i] = v[i] / d;
                }
                return Tensor.of(r, t.shape());
            }
            double[] v = t.doubleData();
            double[] r = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                r[i] = v[i] / divisor;
            }
            return Tensor.of(r, t.shape());
        });
    }

    /** The global L2 norm over every leaf. */
    public static double l2Norm(Value value) {
        double sum = 0;
        for (Tensor t : Structures.leaves(value)) {
            for (int i = 0; i < t.size(); i++) {
                double x = t.getDouble(i);
                sum += x * x;
            }
        }
        return Math.sqrt(sum);
    }

    /** The largest absolute element over every leaf. */
    public static double linfNorm(Value value) {
        double max = 0;
        for (Tensor t : Structures.leaves(value)) {
            for (int i = 0; i < t.size(); i++) {
                max = Math.max(max, Math.abs(t.getDouble(i)));
            }
        }
        return max;
    }

    /** Zeros of the same structure. */
    public static Value zerosLike(Value value) {
        return Structures.map(value, Tensor::zerosLike);
    }

    /**
     * The projection of {@code value} onto the L2 ball of radius {@code bound}: unchanged if its
     * global L2 norm is at most {@code bound}, else scaled by {@code bound / norm}. A value whose norm
     * is not finite has no projection and becomes zeros.
     */
    public static Value clipL2(Value value, double norm, double bound) {
        if (!Double.isFinite(norm)) {
            return zerosLike(value);
        }
        if (norm <= bound) {
            return value;
        }
        return scale(value, bound / norm);
    }

    /** The number of elements over every leaf. */
    public static int flatSize(Type type) {
        if (type instanceof TensorType t) {
            if (!t.isFullyDefined()) {
                throw new TypeMismatchException("needs fully defined shapes, but a leaf is " + t);
            }
            return Math.toIntExact(t.numElements());
        }
        int n = 0;
        for (StructType.Field f : ((StructType) type).fields()) {
            n = Math.addExact(n, flatSize(f.type()));
        }
        return n;
    }

    /** Every element of every leaf (depth-first), as float, in a new array of {@code size} elements. */
    public static float[] flattenToFloats(Value value, int size) {
        float[] out = new float[size];
        int k = 0;
        for (Tensor t : Structures.leaves(value)) {
            if (k + t.size() > size) {
                throw new IllegalArgumentException("value " + value.type() + " has more than the " + size + " elements expected");
            }
            if (t.dtype() == DType.FLOAT32) {
                System.arraycopy(t.floatData(), 0, out, k, t.size());
            } else {
                for (int i = 0; i < t.size(); i++) {
                    out[k + i] = (float) t.getDouble(i);
                }
            }
            k += t.size();
        }
        if (k != size) {
            throw new IllegalArgumentException("value " + value.type() + " has " + k + " elements, expected " + size);
        }
        return out;
    }

    /** A value of floating type {@code type} whose elements (depth-first) are {@code flat}. */
    public static Value unflatten(Type type, float[] flat) {
        int[] offset = {0};
        Value v = unflatten(type, flat, offset);
        if (offset[0] != flat.length) {
            throw new IllegalArgumentException(type + " has " + offset[0] + " elements, got " + flat.length);
        }
        return v;
    }

    private static Value unflatten(Type type, float[] flat, int[] offset) {
        if (type instanceof TensorType t) {
            int n = Math.toIntExact(t.numElements());
            int from = offset[0];
            offset[0] += n;
            if (t.dtype() == DType.FLOAT32) {
                return Tensor.of(java.util.Arrays.copyOfRange(flat, from, from + n), t.shape());
            }
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                d[i] = flat[from + i];
            }
            return Tensor.of(d, t.shape());
        }
        dev.fl4j.core.Struct.Builder b = dev.fl4j.core.Struct.builder();
        for (StructType.Field f : ((StructType) type).fields()) {
            b.add(f.name(), unflatten(f.type(), flat, offset));
        }
        return b.build();
    }
}
