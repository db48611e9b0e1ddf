package dev.fl4j.core.types;

/**
 * A value or computation of one type was used where another was expected. The message names where
 * (the computation, intrinsic or process part), the expected type and the actual type.
 */
public class TypeMismatchException extends IllegalArgumentException {

    private final transient Type expected;
    private final transient Type actual;

    public TypeMismatchException(String where, Type expected, Type actual) {
        super(where + ": expected " + expected + " but got " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public TypeMismatchException(String message) {
        super(message);
        this.expected = null;
        this.actual = null;
    }

    /** The type that was expected, when known. */
    public Type expected() {
        return expected;
    }

    /** The type that came, when known. */
    public Type actual() {
        return actual;
    }
}
