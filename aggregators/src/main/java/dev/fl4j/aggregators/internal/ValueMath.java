package dev.fl4j.aggregators.internal;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;

/** Element-wise arithmetic over structures of floating tensors, used by aggregation factories. */
public final class ValueMath {

    private ValueMath() {}

    /** Fails unless {@code type} is a floating tensor or a structure of them. */
    public static void requireFloatStructure(Type type, String factory) {
        if (!isFloatStructure(type)) {
            throw new TypeMismatchException(
                    factory + " aggregates floating tensors or structures of them, but the value type is " + type
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
            throw new TypeMismatchException(
                    factory + " needs a floating scalar weight (float32), but the weight type is " + type);
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

    /**
     * The projection of {@code value} onto the L2 ball of radius {@code bound}: unchanged if its
     * global L2 norm is at most {@code bound}, else scaled by {@code bound / norm}. A value whose norm
     * is not finite has no projection and becomes zeros.
     */
    public static Value clipL2(Value value, double norm, double bound) {
        if (!Double.isFinite(norm)) {
            return Structures.zerosLike(value);
        }
        if (norm <= bound) {
            return value;
        }
        return scale(value, bound / norm);
    }

    /**
     * The length of a {@code factory}'s value type flattened ({@link Structures#flatSize}), failing with a
     * {@link TypeMismatchException} that names the factory when the type has none (a shape not fully defined, or more
     * than 2^31-1 elements).
     */
    public static int requireFlatSize(Type type, String factory) {
        try {
            return Structures.flatSize(type);
        } catch (IllegalArgumentException e) {
            throw new TypeMismatchException(factory + " " + e.getMessage());
        }
    }
}
