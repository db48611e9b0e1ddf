package dev.fl4j.compression;

/**
 * What flows between two {@link EncodingStage}s of a chain: flat float32 values, integer symbols
 * with an alphabet size, or bytes. Like {@link dev.fl4j.core.Tensor}, a signal takes ownership of
 * the array it is given and returns its backing array without copying; stages must not modify an
 * array after handing it over nor the array they are handed.
 */
public final class Signal {

    private final SignalShape shape;
    private final float[] floats;
    private final int[] symbols;
    private final byte[] bytes;

    private Signal(SignalShape shape, float[] floats, int[] symbols, byte[] bytes) {
        this.shape = shape;
        this.floats = floats;
        this.symbols = symbols;
        this.bytes = bytes;
    }

    /** A float signal over {@code values} (taken, not copied). */
    public static Signal floats(float[] values) {
        return new Signal(SignalShape.floats(values.length), values, null, null);
    }

    /** A symbol signal over {@code symbols} (taken, not copied); each must lie in {@code [0, levels)}. */
    public static Signal symbols(int[] symbols, int levels) {
        return new Signal(SignalShape.symbols(symbols.length, levels), null, symbols, null);
    }

    /** A byte signal over {@code bytes} (taken, not copied). */
    public static Signal bytes(byte[] bytes) {
        return new Signal(SignalShape.bytes(bytes.length), null, null, bytes);
    }

    public SignalShape shape() {
        return shape;
    }

    public SignalKind kind() {
        return shape.kind();
    }

    public int length() {
        return shape.length();
    }

    /** The backing float array; fails unless this is a float signal. */
    public float[] floats() {
        require(SignalKind.FLOATS);
        return floats;
    }

    /** The backing symbol array; fails unless this is a symbol signal. */
    public int[] symbols() {
        require(SignalKind.SYMBOLS);
        return symbols;
    }

    /** Alphabet size of a symbol signal. */
    public int levels() {
        require(SignalKind.SYMBOLS);
        return shape.levels();
    }

    /** The backing byte array; fails unless this is a byte signal. */
    public byte[] bytes() {
        require(SignalKind.BYTES);
        return bytes;
    }

    private void require(SignalKind kind) {
        if (shape.kind() != kind) {
            throw new IllegalStateException("signal is " + shape + ", not " + kind);
        }
    }

    @Override
    public String toString() {
        return "Signal " + shape;
    }
}
