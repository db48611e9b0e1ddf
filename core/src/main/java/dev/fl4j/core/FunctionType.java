package dev.fl4j.core;

/**
 * The type signature of a computation, printed {@code (P -> R)}; a computation without a parameter
 * has a null parameter and prints {@code ( -> R)}.
 */
public record FunctionType(Type parameter, Type result) implements Type {

    public FunctionType {
        if (result == null) {
            throw new IllegalArgumentException("function result type must not be null");
        }
    }

    /** A signature without a parameter. */
    public static FunctionType noArg(Type result) {
        return new FunctionType(null, result);
    }

    @Override
    public boolean isAssignableFrom(Type other) {
        if (!(other instanceof FunctionType f)) {
            return false;
        }
        if ((parameter == null) != (f.parameter == null)) {
            return false;
        }
        boolean params = parameter == null || f.parameter.isAssignableFrom(parameter);
        return params && result.isAssignableFrom(f.result);
    }

    @Override
    public String toString() {
        return "(" + (parameter == null ? " " : parameter + " ") + "-> " + result + ")";
    }
}
