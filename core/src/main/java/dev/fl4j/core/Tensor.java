package dev.fl4j.core;

import java.util.Arrays;

/**
 * An engine-neutral dense tensor: an element {@link DType}, a shape, and flat row-major storage in
 * one primitive array ({@code float[]}, {@code double[]}, {@code int[]}, {@code long[]},
 * {@code byte[]} for uint8, {@code boolean[]} for bool).
 *
 * <p><b>Ownership.</b> Tensors are immutable by contract, and they are built for hot loops: the
 * {@code of(...)} factories take ownership of the array they are given (no copy), and the
 * {@code ...Data()} accessors return the backing array (no copy). Callers must not modify an array
 * after handing it to a tensor, nor the array a tensor returns; use {@link #copy()} or the
 * {@code to...Array()} methods when a private copy is needed.
 */
public final class Tensor implements Value {

    private final DType dtype;
    private final int[] shape;
    private final Object data;
    private final int size;

    private Tensor(DType dtype, int[] shape, Object data, int length) {
        int expected = checkedSize(shape);
        if (expected != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + expected
                    + " elements but " + length + " were given");
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
        this.size = length;
    }

    private static int checkedSize(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    /** A float32 tensor of the given shape over {@code data} (taken, not copied). An empty shape
     * means a scalar; the shape must hold exactly {@code data.length} elements. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(DType.FLOAT32, shape, data, data.length);
    }

    /** A float64 tensor over {@code data} (taken, not copied). */
    public static Tensor of(double[] data, int... shape) {
        return new Tensor(DType.FLOAT64, shape, data, data.length);
    }

    /** An int32 tensor over {@code data} (taken, not copied). */
    public static Tensor of(int[] data, int... shape) {
        return new Tensor(DType.INT32, shape, data, data.length);
    }

    /** An int64 tensor over {@code data} (taken, not copied). */
    public static Tensor of(long[] data, int... shape) {
        return new Tensor(DType.INT64, shape, data, data.length);
    }

    /** A uint8 tensor over {@code data} (taken, not copied); bytes are read as 0..255. */
    public static Tensor of(byte[] data, int... shape) {
        return new Tensor(DType.UINT8, shape, data, data.length);
    }

    /** A bool tensor over {@code data} (taken, not copied). */
    public static Tensor of(boolean[] data, int... shape) {
        return new Tensor(DType.BOOL, shape, data, data.length);
    }

    /** A float32 vector. */
    public static Tensor vector(float... data) {
        return of(data, data.length);
    }

    /** A float64 vector. */
    public static Tensor vector(double... data) {
        return of(data, data.length);
    }

    /** An int32 vector. */
    public static Tensor vector(int... data) {
        return of(data, data.length);
    }

    /** An int64 vector. */
    public static Tensor vector(long... data) {
        return of(data, data.length);
    }

    public static Tensor scalar(float v) {
        return new Tensor(DType.FLOAT32, new int[0], new float[] {v}, 1);
    }

    public static Tensor scalar(double v) {
        return new Tensor(DType.FLOAT64, new int[0], new double[] {v}, 1);
    }

    public static Tensor scalar(int v) {
        return new Tensor(DType.INT32, new int[0], new int[] {v}, 1);
    }

    public static Tensor scalar(long v) {
        return new Tensor(DType.INT64, new int[0], new long[] {v}, 1);
    }

    public static Tensor scalar(boolean v) {
        return new Tensor(DType.BOOL, new int[0], new boolean[] {v}, 1);
    }

    /** A tensor of zeros (false for bool). */
    public static Tensor zeros(DType dtype, int... shape) {
        int n = checkedSize(shape);
        return new Tensor(dtype, shape, newArray(dtype, n), n);
    }

    /** A tensor of zeros with the dtype and shape of {@code like}. */
    public static Tensor zerosLike(Tensor like) {
        return zeros(like.dtype, like.shape);
    }

    static Object newArray(DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
            case UINT8 -> new byte[n];
            case BOOL -> new boolean[n];
        };
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    @Override
    public TensorType type() {
        return new TensorType(dtype, shape);
    }

    @Override
    public long sizeInBits() {
        return (long) size * dtype.bits();
    }

    /** The backing float32 array (not a copy; do not modify). */
    public float[] floatData() {
        return (float[]) require(DType.FLOAT32);
    }

    /** The backing float64 array (not a copy; do not modify). */
    public double[] doubleData() {
        return (double[]) require(DType.FLOAT64);
    }

    /** The backing int32 array (not a copy; do not modify). */
    public int[] intData() {
        return (int[]) require(DType.INT32);
    }

    /** The backing int64 array (not a copy; do not modify). */
    public long[] longData() {
        return (long[]) require(DType.INT64);
    }

    /** The backing uint8 array (not a copy; do not modify). */
    public byte[] byteData() {
        return (byte[]) require(DType.UINT8);
    }

    /** The backing bool array (not a copy; do not modify). */
    public boolean[] boolData() {
        return (boolean[]) require(DType.BOOL);
    }

    private Object require(DType expected) {
        if (dtype != expected) {
            throw new IllegalStateException("tensor is " + dtype + ", not " + expected);
        }
        return data;
    }

    /** Element {@code i} (row-major flat index) widened to double, whatever the dtype. */
    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT32 -> ((float[]) data)[i];
            case FLOAT64 -> ((double[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case UINT8 -> ((byte[]) data)[i] & 0xFF;
            case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
        };
    }

    /** Element {@code i} as long (floating types truncate toward zero). */
    public long getLong(int i) {
        return switch (dtype) {
            case INT32 -> ((int[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case UINT8 -> ((byte[]) data)[i] & 0xFF;
            case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
            default -> (long) getDouble(i);
        };
    }

    /** The single element of a scalar (or one-element) tensor, as float. */
    public float floatValue() {
        return (float) scalarValue();
    }

    /** The single element of a scalar (or one-element) tensor, as double. */
    public double doubleValue() {
        return scalarValue();
    }

    /** The single element of a scalar (or one-element) integer tensor. */
    public long longValue() {
        requireOneElement();
        return getLong(0);
    }

    private double scalarValue() {
        requireOneElement();
        return getDouble(0);
    }

    private void requireOneElement() {
        if (size != 1) {
            throw new IllegalStateException("expected a single element, tensor is " + type());
        }
    }

    /** Elements widened to double, in a new array. */
    public double[] toDoubleArray() {
        double[] out = new double[size];
        if (dtype == DType.FLOAT64) {
            System.arraycopy(data, 0, out, 0, size);
        } else if (dtype == DType.FLOAT32) {
            float[] f = (float[]) data;
            for (int i = 0; i < size; i++) {
                out[i] = f[i];
            }
        } else {
            for (int i = 0; i < size; i++) {
                out[i] = getDouble(i);
            }
        }
        return out;
    }

    /** Elements converted to float, in a new array. */
    public float[] toFloatArray() {
        float[] out = new float[size];
        if (dtype == DType.FLOAT32) {
            System.arraycopy(data, 0, out, 0, size);
        } else {
            for (int i = 0; i < size; i++) {
                out[i] = (float) getDouble(i);
            }
        }
        return out;
    }

    /** A tensor with its own copy of the storage. */
    public Tensor copy() {
        Object copy = newArray(dtype, size);
        System.arraycopy(data, 0, copy, 0, size);
        return new Tensor(dtype, shape, copy, size);
    }

    /** The same storage viewed with another shape of the same number of elements. */
    public Tensor reshape(int... newShape) {
        return new Tensor(dtype, newShape, data, size);
    }

    /** This tensor converted to {@code target} (floating to integer truncates toward zero). */
    public Tensor cast(DType target) {
        if (target == dtype) {
            return this;
        }
        Object out = newArray(target, size);
        for (int i = 0; i < size; i++) {
            switch (target) {
                case FLOAT32 -> ((float[]) out)[i] = (float) getDouble(i);
                case FLOAT64 -> ((double[]) out)[i] = getDouble(i);
                case INT32 -> ((int[]) out)[i] = (int) getLong(i);
                case INT64 -> ((long[]) out)[i] = getLong(i);
                case UINT8 -> ((byte[]) out)[i] = (byte) getLong(i);
                case BOOL -> ((boolean[]) out)[i] = getDouble(i) != 0;
            }
        }
        return new Tensor(target, shape, out, size);
    }

    /** Whether every element is finite (always true for integer and bool tensors). */
    public boolean isFinite() {
        if (dtype == DType.FLOAT32) {
            for (float v : (float[]) data) {
                if (!Float.isFinite(v)) {
                    return false;
                }
            }
        } else if (dtype == DType.FLOAT64) {
            for (double v : (double[]) data) {
                if (!Double.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Same dtype, same shape, bitwise the same elements. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Tensor t) || t.dtype != dtype || !Arrays.equals(t.shape, shape)) {
            return false;
        }
        return switch (dtype) {
            case FLOAT32 -> Arrays.equals((float[]) data, (float[]) t.data);
            case FLOAT64 -> Arrays.equals((double[]) data, (double[]) t.data);
            case INT32 -> Arrays.equals((int[]) data, (int[]) t.data);
            case INT64 -> Arrays.equals((long[]) data, (long[]) t.data);
            case UINT8 -> Arrays.equals((byte[]) data, (byte[]) t.data);
            case BOOL -> Arrays.equals((boolean[]) data, (boolean[]) t.data);
        };
    }

    @Override
    public int hashCode() {
        int h = dtype.hashCode() * 31 + Arrays.hashCode(shape);
        return switch (dtype) {
            case FLOAT32 -> h * 31 + Arrays.hashCode((float[]) data);
            case FLOAT64 -> h * 31 + Arrays.hashCode((double[]) data);
            case INT32 -> h * 31 + Arrays.hashCode((int[]) data);
            case INT64 -> h * 31 + Arrays.hashCode((long[]) data);
            case UINT8 -> h * 31 + Arrays.hashCode((byte[]) data);
            case BOOL -> h * 31 + Arrays.hashCode((boolean[]) data);
        };
    }

    /** The type followed by up to 8 elements, e.g. {@code float32[3] [1.0, 2.0, 3.0]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(type().toString()).append(' ');
        if (rank() == 0) {
            return sb.append(formatElement(0)).toString();
        }
        sb.append('[');
        int shown = Math.min(size, 8);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(formatElement(i));
        }
        if (shown < size) {
            sb.append(", ...");
        }
        return sb.append(']').toString();
    }

    private String formatElement(int i) {
        return switch (dtype) {
            case FLOAT32 -> Float.toString(((float[]) data)[i]);
            case FLOAT64 -> Double.toString(((double[]) data)[i]);
            case BOOL -> Boolean.toString(((boolean[]) data)[i]);
            default -> Long.toString(getLong(i));
        };
    }
}
