package dev.fl4j.core.computation;

import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Value;
import dev.fl4j.core.internal.StandaloneContext;
import dev.fl4j.core.types.FederatedType;
import dev.fl4j.core.types.FunctionType;
import dev.fl4j.core.types.Type;
import dev.fl4j.core.types.TypeMismatchException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A placement-free computation: TFF's {@code tf_computation}. It runs where an intrinsic puts it —
 * on each client inside {@code federated_map}, on the server inside {@code federated_apply} — and
 * sees only non-federated values.
 *
 * <p>Subclasses implement {@link #apply}. A computation that can be rebuilt in another JVM (a Spark
 * executor, a remote client) returns a {@link ComputationDescriptor} from {@link #descriptor()};
 * computations made from lambdas cannot be, and say so by returning empty.
 */
public abstract class LocalComputation implements Computation {

    private final String name;
    private final FunctionType type;

    protected LocalComputation(String name, FunctionType type) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        checkNotFederated(type.parameter(), "parameter");
        checkNotFederated(type.result(), "result");
    }

    private void checkNotFederated(Type t, String what) {
        if (t instanceof FederatedType) {
            throw new TypeMismatchException("local computation '" + name + "' cannot have a federated " + what + " " + t
                    + "; use a FederatedComputation");
        }
    }

    /** A computation from a function of its argument. */
    public static LocalComputation of(String name, Type parameter, Type result, Function<Value, Value> fn) {
        return new Lambda(name, new FunctionType(parameter, result), (v, ctx) -> fn.apply(v));
    }

    /** A computation that also reads its {@link ClientContext} (client id, per-worker resources). */
    public static LocalComputation withContext(String name, Type parameter, Type result, BiFunction<Value, ClientContext, Value> fn) {
        return new Lambda(name, new FunctionType(parameter, result), fn);
    }

    /** A computation without a parameter, for {@code federated_eval}. */
    public static LocalComputation noArg(String name, Type result, Supplier<Value> fn) {
        return new Lambda(name, FunctionType.noArg(result), (v, ctx) -> fn.get());
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final FunctionType type() {
        return type;
    }

    /**
     * The computation's body. {@code arg} has already been checked against the parameter type (it is
     * null for a computation without a parameter).
     */
    protected abstract Value apply(Value arg, ClientContext context);

    /** A description another JVM with the same jars can rebuild this computation from, if any. */
    public Optional<ComputationDescriptor> descriptor() {
        return Optional.empty();
    }

    /** Runs in a context of its own; resources it opens are closed when the call returns. */
    @Override
    public final Value call(Value... args) {
        try (StandaloneContext ctx = new StandaloneContext()) {
            return invoke(Computation.packArguments(this, args), ctx);
        }
    }

    /**
     * Runs with type checks in the given context: the argument against the parameter type before,
     * the result against the result type after. Runtimes call this.
     */
    public final Value invoke(Value arg, ClientContext context) {
        if (type.parameter() != null) {
            Objects.requireNonNull(arg, () -> "computation '" + name + "' needs an argument of type " + type.parameter());
            if (arg instanceof FederatedValue) {
                throw new TypeMismatchException("computation '" + name + "' argument", type.parameter(), arg.type());
            }
            type.parameter().checkAssignableFrom(arg.type(), "computation '" + name + "' argument");
        }
        Value result = apply(arg, context);
        if (result == null) {
            throw new IllegalStateException("computation '" + name + "' returned null");
        }
        type.result().checkAssignableFrom(result.type(), "computation '" + name + "' result");
        return result;
    }

    @Override
    public String toString() {
        return name + " : " + type;
    }

    private static final class Lambda extends LocalComputation {
        private final BiFunction<Value, ClientContext, Value> fn;

        Lambda(String name, FunctionType type, BiFunction<Value, ClientContext, Value> fn) {
            super(name, type);
            this.fn = Objects.requireNonNull(fn, "function");
        }

        @Override
        protected Value apply(Value arg, ClientContext context) {
            return fn.apply(arg, context);
        }
    }
}
