package dev.fl4j.compression;

/**
 * The static description of a {@link Signal}: its kind, its length (elements for floats and
 * symbols; bytes, or {@link #UNKNOWN_LENGTH} when data dependent, for bytes) and, for symbols, the
 * alphabet size {@code levels} (symbols lie in {@code [0, levels)}; 0 for other kinds).
 *
 * <p>Stages compute the shape of their output from the shape of their input and their
 * configuration alone ({@link EncodingStage#outputShape}), which is how a decoder knows every
 * intermediate length from the tensor shape in the header.
 */
public record SignalShape(SignalKind kind, int length, int levels) {

    /** Length of a byte signal whose size depends on the data (e.g. entropy-coded). */
    public static final int UNKNOWN_LENGTH = -1;

    public SignalShape {
        if (kind == null) {
            throw new IllegalArgumentException("signal kind must not be null");
        }
        if (length < 0 && !(kind == SignalKind.BYTES && length == UNKNOWN_LENGTH)) {
            throw new IllegalArgumentException("signal length must be >= 0, got " + length);
        }
        if (kind == SignalKind.SYMBOLS ? levels < 1 : levels != 0) {
            throw new IllegalArgumentException(
                    kind == SignalKind.SYMBOLS
                            ? "symbol signals need levels >= 1, got " + levels
                            : kind + " signals have no levels, got " + levels);
        }
    }

    public static SignalShape floats(int length) {
        return new SignalShape(SignalKind.FLOATS, length, 0);
    }

    public static SignalShape symbols(int length, int levels) {
        return new SignalShape(SignalKind.SYMBOLS, length, levels);
    }

    /** Bytes of a known length, or {@link #UNKNOWN_LENGTH}. */
    public static SignalShape bytes(int length) {
        return new SignalShape(SignalKind.BYTES, length, 0);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case FLOATS -> "floats[" + length + "]";
            case SYMBOLS -> "symbols[" + length + "] in [0," + levels + ")";
            case BYTES -> "bytes[" + (length == UNKNOWN_LENGTH ? "?" : String.valueOf(length)) + "]";
        };
    }
}
