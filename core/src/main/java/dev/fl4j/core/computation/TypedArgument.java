package dev.fl4j.core.computation;

import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.TypeOf;
import dev.fl4j.core.Value;

/**
 * The check that stands between a computation's untyped argument and its typed body: a mismatch is never a
 * ClassCastException.
 */
final class TypedArgument {

    private TypedArgument() {}

    /**
     * {@code arg} as the class of {@code parameter}'s values, or a {@link TypeMismatchException} naming {@code where},
     * the expected type and class and the actual ones.
     */
    static <V extends Value> V cast(TypeOf<V> parameter, Value arg, String where) {
        if (arg == null) {
            throw TypeMismatchException.withMessage(
                    where + ": expected " + parameter + " but got no argument", parameter, null);
        }
        Class<V> valueClass = parameter.valueClass();
        if (!valueClass.isInstance(arg)) {
            throw TypeMismatchException.withMessage(
                    where + ": expected " + parameter + " (a " + valueClass.getSimpleName() + ") but got " + arg.type()
                            + " (a " + arg.getClass().getName() + ")",
                    parameter,
                    arg.type());
        }
        return valueClass.cast(arg);
    }
}
