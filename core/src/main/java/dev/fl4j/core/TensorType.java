package dev.fl4j.core;

import java.util.Arrays;

/**
 * The type of a tensor: a dtype and a shape whose dimensions may be unknown ({@link #UNKNOWN}, printed
 * {@code ?}). A scalar has the empty shape and prints as the bare dtype, e.g. {@code int32}.
 */
public final class TensorType implements TypeOf<Tensor> {

    /** Marks a dimension of unknown size. */
    public static final int UNKNOWN = -1;

    private final DType dtype;
    private final int[] shape;

    public TensorType(DType dtype, int... shape) {
        for (int d : shape) {
            if (d < UNKNOWN) {
                throw new IllegalArgumentException("invalid dimension " + d + " in " + Arrays.toString(shape));
            }
        }
        this.dtype = dtype;
        this.shape = shape.clone();
    }

    /** A scalar of {@code dtype}. */
    public static TensorType scalar(DType dtype) {
        return new TensorType(dtype);
    }

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Whether every dimension is known. */
    public boolean isFullyDefined() {
        for (int d : shape) {
            if (d == UNKNOWN) {
                return false;
            }
        }
        return true;
    }

    /** Number of elements; fails if a dimension is unknown. */
    public long numElements() {
        long n = 1;
        for (int d : shape) {
            if (d == UNKNOWN) {
                throw new IllegalStateException("shape of " + this + " is not fully defined");
            }
            n *= d;
        }
        return n;
    }

    @Override
    public boolean isAssignableFrom(Type other) {
        if (!(other instanceof TensorType t) || t.dtype != dtype || t.shape.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != UNKNOWN && shape[i] != t.shape[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorType t && t.dtype == dtype && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return dtype.hashCode() * 31 + Arrays.hashCode(shape);
    }

    /** A typed computation body for this type receives a {@link Tensor}. */
    @Override
    public Class<Tensor> valueClass() {
        return Tensor.class;
    }

    @Override
    public String toString() {
        if (shape.length == 0) {
            return dtype.tffName();
        }
        StringBuilder sb = new StringBuilder(dtype.tffName()).append('[');
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(shape[i] == UNKNOWN ? "?" : String.valueOf(shape[i]));
        }
        return sb.append(']').toString();
    }
}
