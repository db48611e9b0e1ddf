package dev.fl4j.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Structural helpers over nested values whose leaves are tensors, TF's {@code tf.nest}: map a
 * function over every leaf, zip two values of the same structure, flatten to leaves and pack back.
 *
 * <h2>Float leaves</h2>
 * Element loops (optimizers, robust statistics) work on plain {@code float[]} rather than on
 * tensors. Two views serve them, both in depth-first leaf order:
 * <ul>
 *   <li><b>one array</b>: {@link #flattenFloats} copies every element of every leaf into one
 *       {@code float[]}, {@link #unflattenFloats} builds a value of a given type from one, and
 *       {@link #flatSize} is that array's length for a type;</li>
 *   <li><b>one array per leaf</b>, without copying: {@link #floatArrays} gives the backing arrays of
 *       float32 leaves, {@link #packFloats} wraps new arrays in a template's structure.</li>
 * </ul>
 * {@link #filled}, {@link #zeros} and {@link #zerosLike} make values to start a loop from.
 *
 * <p><b>Which leaves.</b> The one-array view takes <em>floating</em> leaves: float32 elements are
 * copied exactly, float64 elements are rounded to the nearest float32 when flattening and widened
 * exactly when unflattening. The per-leaf view takes float32 leaves only (it shares arrays, so it
 * cannot convert). A leaf of any other dtype (integers, bool) is refused with an
 * {@link IllegalArgumentException} naming the leaf, never converted silently; so is a shape that is
 * not fully defined where a size is needed, and a length that does not match (naming expected and
 * actual).
 */
public final class Structures {

    private Structures() {}

    /** Applies {@code fn} to every tensor leaf, keeping the structure and field names. */
    public static Value map(Value value, UnaryOperator<Tensor> fn) {
        if (value instanceof Tensor t) {
            return fn.apply(t);
        }
        if (value instanceof Struct s) {
            Struct.Builder b = Struct.builder();
            for (int i = 0; i < s.size(); i++) {
                b.add(s.nameAt(i), map(s.get(i), fn));
            }
            return b.build();
        }
        throw new IllegalArgumentException(
                "cannot map over " + value.type() + ": only tensors and structures of tensors");
    }

    /**
     * Combines two values of the same structure leaf by leaf. Fails, naming the path, where the
     * structures differ (field count, field names, tensor versus structure).
     */
    public static Value zip(Value a, Value b, BinaryOperator<Tensor> fn) {
        return zip(a, b, fn, "");
    }

    private static Value zip(Value a, Value b, BinaryOperator<Tensor> fn, String path) {
        if (a instanceof Tensor ta && b instanceof Tensor tb) {
            return fn.apply(ta, tb);
        }
        if (a instanceof Struct sa && b instanceof Struct sb) {
            if (sa.size() != sb.size()) {
                throw new IllegalArgumentException(
                        "structures differ at " + where(path) + ": " + sa.type() + " vs " + sb.type());
            }
            Struct.Builder out = Struct.builder();
            for (int i = 0; i < sa.size(); i++) {
                String na = sa.nameAt(i);
                String nb = sb.nameAt(i);
                if (na != null && nb != null && !na.equals(nb)) {
                    throw new IllegalArgumentException("structures differ at " + where(path) + ": field " + i + " is '"
                            + na + "' vs '" + nb + "'");
                }
                String name = na != null ? na : nb;
                out.add(name, zip(sa.get(i), sb.get(i), fn, path + "/" + (name != null ? name : String.valueOf(i))));
            }
            return out.build();
        }
        throw new IllegalArgumentException("structures differ at " + where(path) + ": " + a.type() + " vs " + b.type());
    }

    private static String where(String path) {
        return path.isEmpty() ? "the top level" : path;
    }

    /** The tensor leaves in depth-first order. */
    public static List<Tensor> leaves(Value value) {
        List<Tensor> out = new ArrayList<>();
        collect(value, out);
        return out;
    }

    private static void collect(Value value, List<Tensor> out) {
        if (value instanceof Tensor t) {
            out.add(t);
        } else if (value instanceof Struct s) {
            for (Value v : s.values()) {
                collect(v, out);
            }
        } else {
            throw new IllegalArgumentException(
                    "cannot flatten " + value.type() + ": only tensors and structures of tensors");
        }
    }

    /** Rebuilds a value with the structure of {@code template} from leaves in depth-first order. */
    public static Value pack(Value template, List<Tensor> leaves) {
        Iterator<Tensor> it = leaves.iterator();
        Value out = pack(template, it, leaves.size());
        if (it.hasNext()) {
            throw new IllegalArgumentException(
                    "template " + template.type() + " has fewer leaves than the " + leaves.size() + " given");
        }
        return out;
    }

    private static Value pack(Value template, Iterator<Tensor> it, int given) {
        if (template instanceof Tensor) {
            if (!it.hasNext()) {
                throw new IllegalArgumentException("template has more leaves than the " + given + " given");
            }
            return it.next();
        }
        Struct s = (Struct) template;
        Struct.Builder b = Struct.builder();
        for (int i = 0; i < s.size(); i++) {
            b.add(s.nameAt(i), pack(s.get(i), it, given));
        }
        return b.build();
    }

    /** Total number of tensor elements. */
    public static long numElements(Value value) {
        long n = 0;
        for (Tensor t : leaves(value)) {
            n += t.size();
        }
        return n;
    }

    /** Whether every leaf is finite. */
    public static boolean isFinite(Value value) {
        for (Tensor t : leaves(value)) {
            if (!t.isFinite()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The number of elements in a value of {@code type}, the length {@link #flattenFloats} gives and
     * {@link #unflattenFloats} takes. Counted with exact arithmetic.
     *
     * @throws IllegalArgumentException if a leaf's shape is not fully defined, {@code type} is not a
     *     tensor type or a structure of them, or the count exceeds {@code Integer.MAX_VALUE}
     */
    public static int flatSize(Type type) {
        long n = flatSizeOf(type);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(type + " has " + n + " elements, more than one array holds (2^31-1)");
        }
        return (int) n;
    }

    private static long flatSizeOf(Type type) {
        if (type instanceof TensorType t) {
            if (!t.isFullyDefined()) {
                throw new IllegalArgumentException("needs fully defined shapes, but a leaf is " + t);
            }
            long n = 1;
            for (int d : t.shape()) {
                n = Math.multiplyExact(n, (long) d);
            }
            return n;
        }
        if (type instanceof StructType s) {
            long n = 0;
            for (StructType.Field f : s.fields()) {
                n = Math.addExact(n, flatSizeOf(f.type()));
            }
            return n;
        }
        throw new IllegalArgumentException("expected a tensor type or a structure of them, got " + type);
    }

    /**
     * Every element of every leaf of {@code value}, depth-first, in a new float array (float64
     * elements rounded to float32).
     *
     * @throws IllegalArgumentException if a leaf is not floating (naming the leaf and its type)
     */
    public static float[] flattenFloats(Value value) {
        long n = floatingElements(value);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "value " + value.type() + " has " + n + " elements, more than one array holds (2^31-1)");
        }
        return copyFloats(value, (int) n);
    }

    /**
     * As {@link #flattenFloats(Value)}, for a value that must hold exactly {@code expectedLength}
     * elements (e.g. {@link #flatSize} of its declared type).
     *
     * @throws IllegalArgumentException if the value holds another number of elements (naming both
     *     counts), or a leaf is not floating
     */
    public static float[] flattenFloats(Value value, int expectedLength) {
        long actual = floatingElements(value);
        if (actual != expectedLength) {
            throw new IllegalArgumentException(
                    "value " + value.type() + " has " + actual + " elements, expected " + expectedLength);
        }
        return copyFloats(value, expectedLength);
    }

    private static long floatingElements(Value value) {
        long n = 0;
        int i = 0;
        for (Tensor t : leaves(value)) {
            if (!t.dtype().isFloating()) {
                throw new IllegalArgumentException("cannot flatten " + value.type() + " to floats: leaf " + i + " is "
                        + t.type() + ", only float32 and float64 leaves flatten");
            }
            n += t.size();
            i++;
        }
        return n;
    }

    private static float[] copyFloats(Value value, int length) {
        float[] out = new float[length];
        int k = 0;
        for (Tensor t : leaves(value)) {
            if (t.dtype() == DType.FLOAT32) {
                System.arraycopy(t.floatData(), 0, out, k, t.size());
            } else {
                double[] d = t.doubleData();
                for (int i = 0; i < d.length; i++) {
                    out[k + i] = (float) d[i];
                }
            }
            k += t.size();
        }
        return out;
    }

    /**
     * A value of {@code type} whose elements, depth-first, are {@code flat} (copied; float64 leaves
     * widen exactly), the inverse of {@link #flattenFloats} for float32 leaves.
     *
     * @throws IllegalArgumentException if {@code flat.length} is not {@link #flatSize}{@code (type)}
     *     (naming both), a leaf type is not floating or not fully defined, or {@code type} is not a
     *     tensor type or a structure of them
     */
    public static Value unflattenFloats(Type type, float[] flat) {
        int expected = flatSize(type);
        if (flat.length != expected) {
            throw new IllegalArgumentException(
                    type + " has " + expected + " elements, but " + flat.length + " floats were given");
        }
        int[] offset = {0};
        return unflatten(type, flat, offset);
    }

    private static Value unflatten(Type type, float[] flat, int[] offset) {
        if (type instanceof TensorType t) {
            int n = (int) t.numElements();
            int from = offset[0];
            offset[0] += n;
            if (t.dtype() == DType.FLOAT32) {
                return Tensor.of(Arrays.copyOfRange(flat, from, from + n), t.shape());
            }
            if (t.dtype() == DType.FLOAT64) {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = flat[from + i];
                }
                return Tensor.of(d, t.shape());
            }
            throw new IllegalArgumentException(
                    "cannot unflatten floats into " + t + ": only float32 and float64 leaves");
        }
        Struct.Builder b = Struct.builder();
        for (StructType.Field f : ((StructType) type).fields()) {
            b.add(f.name(), unflatten(f.type(), flat, offset));
        }
        return b.build();
    }

    /**
     * The backing arrays of {@code value}'s leaves, depth-first: not copies, so loops read them
     * without allocating (and must not modify them, see {@link Tensor}).
     *
     * @throws IllegalArgumentException if a leaf is not float32 (naming the leaf and its type)
     */
    public static List<float[]> floatArrays(Value value) {
        List<Tensor> leaves = leaves(value);
        List<float[]> out = new ArrayList<>(leaves.size());
        for (int i = 0; i < leaves.size(); i++) {
            Tensor t = leaves.get(i);
            if (t.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException(
                        "leaf " + i + " of " + value.type() + " is " + t.type() + ", not float32");
            }
            out.add(t.floatData());
        }
        return out;
    }

    /**
     * {@code template}'s structure with leaf {@code i} (depth-first) replaced by a float32 tensor of
     * that leaf's shape over {@code arrays.get(i)} (taken, not copied), the inverse of
     * {@link #floatArrays}.
     *
     * @throws IllegalArgumentException if the number of arrays is not the number of leaves, or an
     *     array's length does not fit its leaf's shape (naming the leaf, expected and actual)
     */
    public static Value packFloats(Value template, List<float[]> arrays) {
        List<Tensor> leaves = leaves(template);
        if (arrays.size() != leaves.size()) {
            throw new IllegalArgumentException(
                    template.type() + " has " + leaves.size() + " leaves, but " + arrays.size() + " arrays were given");
        }
        List<Tensor> out = new ArrayList<>(leaves.size());
        for (int i = 0; i < leaves.size(); i++) {
            Tensor leaf = leaves.get(i);
            float[] a = arrays.get(i);
            if (a.length != leaf.size()) {
                throw new IllegalArgumentException("leaf " + i + " of " + template.type() + " has " + leaf.size()
                        + " elements, but its array has " + a.length);
            }
            out.add(Tensor.of(a, leaf.shape()));
        }
        return pack(template, out);
    }

    /**
     * A value of {@code type} with every element {@code value} (float64 leaves get it widened).
     *
     * @throws IllegalArgumentException if a leaf type is not floating or not fully defined, or
     *     {@code type} is not a tensor type or a structure of them
     */
    public static Value filled(Type type, float value) {
        flatSize(type);
        return fill(type, value);
    }

    private static Value fill(Type type, float value) {
        if (type instanceof TensorType t) {
            if (t.dtype() == DType.FLOAT32) {
                float[] data = new float[(int) t.numElements()];
                if (value != 0f) {
                    Arrays.fill(data, value);
                }
                return Tensor.of(data, t.shape());
            }
            if (t.dtype() == DType.FLOAT64) {
                double[] data = new double[(int) t.numElements()];
                if (value != 0f) {
                    Arrays.fill(data, value);
                }
                return Tensor.of(data, t.shape());
            }
            throw new IllegalArgumentException(
                    "cannot fill " + t + " with " + value + ": only float32 and float64 leaves");
        }
        Struct.Builder b = Struct.builder();
        for (StructType.Field f : ((StructType) type).fields()) {
            b.add(f.name(), fill(f.type(), value));
        }
        return b.build();
    }

    /**
     * The zero of {@code type}, whatever its dtypes (false for bool), as TFF's sum over no values.
     *
     * @throws IllegalArgumentException if a leaf's shape is not fully defined, or {@code type} is not
     *     a tensor type or a structure of them
     */
    public static Value zeros(Type type) {
        flatSize(type);
        return zerosOf(type);
    }

    private static Value zerosOf(Type type) {
        if (type instanceof TensorType t) {
            return Tensor.zeros(t.dtype(), t.shape());
        }
        Struct.Builder b = Struct.builder();
        for (StructType.Field f : ((StructType) type).fields()) {
            b.add(f.name(), zerosOf(f.type()));
        }
        return b.build();
    }

    /** Zeros with the structure, dtypes and shapes of {@code value}. */
    public static Value zerosLike(Value value) {
        return map(value, Tensor::zerosLike);
    }
}
