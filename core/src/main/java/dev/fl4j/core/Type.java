package dev.fl4j.core;

/**
 * A Federated Core type, printed in TFF's notation by {@link #toString()}:
 * {@code float32[10]}, {@code <a=int32,b=float32>}, {@code float32*},
 * {@code {float32*}@CLIENTS}, {@code float32@SERVER}, {@code ({float32*}@CLIENTS -> float32@SERVER)}.
 */
public sealed interface Type permits TypeOf, FunctionType {

    /**
     * Whether a value of type {@code other} may be used where this type is expected, TFF's
     * {@code is_assignable_from}: unknown dimensions accept any size, named fields must match names
     * where both sides name them, an all-equal federated type accepts only all-equal values,
     * functions are contravariant in the parameter and covariant in the result.
     */
    boolean isAssignableFrom(Type other);

    /** Throws {@link TypeMismatchException} naming {@code where} unless {@code other} is assignable. */
    default void checkAssignableFrom(Type other, String where) {
        if (!isAssignableFrom(other)) {
            throw new TypeMismatchException(where, this, other);
        }
    }
}
