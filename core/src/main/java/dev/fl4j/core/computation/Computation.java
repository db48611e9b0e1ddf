package dev.fl4j.core.computation;

import dev.fl4j.core.FunctionType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;

/**
 * A typed computation invoked like a function. Arguments are checked against the declared parameter
 * type before it runs and the result against the declared result type after; a mismatch throws
 * {@link TypeMismatchException} naming the computation, the expected and the actual type. Several
 * arguments are packed into a structure named after the parameter's fields.
 */
public interface Computation {

    /** A name used in errors and logs. */
    String name();

    /** The type signature, e.g. {@code ({float32*}@CLIENTS -> float32@SERVER)}. */
    FunctionType type();

    /**
     * Packs call arguments into the single parameter value: none for a computation without a
     * parameter, one as it is, several as a structure that takes the parameter's field names.
     */
    static Value packArguments(Computation c, Value... args) {
        FunctionType t = c.type();
        if (t.parameter() == null) {
            if (args.length != 0) {
                throw new TypeMismatchException(
                        "computation '" + c.name() + "' " + t + " takes no argument but got " + args.length);
            }
            return null;
        }
        if (args.length == 0) {
            throw new TypeMismatchException(
                    "computation '" + c.name() + "' " + t + " needs an argument of type " + t.parameter());
        }
        if (args.length == 1) {
            return args[0];
        }
        Struct.Builder b = Struct.builder();
        StructType st = t.parameter() instanceof StructType s && s.size() == args.length ? s : null;
        for (int i = 0; i < args.length; i++) {
            b.add(st == null ? null : st.fields().get(i).name(), args[i]);
        }
        return b.build();
    }
}
