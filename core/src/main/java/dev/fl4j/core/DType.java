package dev.fl4j.core;

/**
 * Element types a {@link Tensor} can hold, named as TensorFlow and TFF name them.
 *
 * <p>{@link #bits()} is the size of one element on the wire when a tensor is sent uncompressed;
 * the runtime's communication accounting uses it. {@code bool} counts 8 bits, as TensorFlow stores it.
 */
public enum DType {
    FLOAT32("float32", 32, true),
    FLOAT64("float64", 64, true),
    INT32("int32", 32, false),
    INT64("int64", 64, false),
    UINT8("uint8", 8, false),
    BOOL("bool", 8, false);

    private final String tffName;
    private final int bits;
    private final boolean floating;

    DType(String tffName, int bits, boolean floating) {
        this.tffName = tffName;
        this.bits = bits;
        this.floating = floating;
    }

    /** The name TFF prints, e.g. {@code float32}. */
    public String tffName() {
        return tffName;
    }

    /** Bits one element occupies when sent uncompressed. */
    public int bits() {
        return bits;
    }

    /** Whether this is a floating-point type. */
    public boolean isFloating() {
        return floating;
    }

    /** Parses a TFF name such as {@code int64}. */
    public static DType fromName(String name) {
        for (DType t : values()) {
            if (t.tffName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unknown dtype '" + name + "', expected one of float32, float64, int32, int64, uint8, bool");
    }

    @Override
    public String toString() {
        return tffName;
    }
}
