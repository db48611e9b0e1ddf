package dev.fl4j.core;

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

    private TypeMismatchException(Type expected, Type actual, String message) {
        super(message);
        this.expected = expected;
        this.actual = actual;
    }

    /**
     * A mismatch whose message says more than "expected E but got A", e.g. that the FC types agree but the value
     * is not of the Java class the type's values have; either type may be null when not known.
     */
    public static TypeMismatchException withMessage(String message, Type expected, Type actual) {
        return new TypeMismatchException(expected, actual, message);
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
