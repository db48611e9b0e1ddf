package dev.fl4j.core.computation;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.FunctionType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.TypeOf;
import dev.fl4j.core.Value;
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

    /**
     * The body of a computation whose parameter type is a {@link TypeOf}{@code <P>}: it receives its argument
     * as a {@code P} (a {@code Tensor}, {@code SequenceValue}, {@code Struct}), so it needs no cast.
     *
     * <p>It is a {@code Function<Value, Value>} only so that {@link #of(String, TypeOf, Type, Body)} is chosen
     * over the untyped {@link #of(String, Type, Type, Function)} for the same lambda; called through that
     * interface, {@link #apply} casts unchecked. {@code of} checks the argument's class before the body runs.
     *
     * @param <P> the class of the argument
     */
    @FunctionalInterface
    public interface Body<P extends Value> extends Function<Value, Value> {

        /** Computes the result from the argument, already checked against the parameter type and class. */
        Value compute(P argument);

        /** Unchecked: prefer calling the computation, which checks the argument first. */
        @Override
        @SuppressWarnings("unchecked")
        default Value apply(Value argument) {
            return compute((P) argument);
        }
    }

    /**
     * A computation from a function of its argument, typed by the parameter type: for a {@code SequenceType}
     * the body receives a {@link dev.fl4j.core.SequenceValue}, for a {@code TensorType} a
     * {@link dev.fl4j.core.Tensor}, for a {@code StructType} a {@link dev.fl4j.core.Struct}:
     *
     * <pre>{@code
     * LocalComputation.of("local_average", new SequenceType(f32), f32, readings -> {
     *     float sum = 0; int n = 0;
     *     for (Tensor r : readings.tensors()) { sum += r.floatValue(); n++; }
     *     return Tensor.scalar(sum / n);
     * });
     * }</pre>
     *
     * An argument is checked against the parameter type and then against its class before the body runs; either
     * mismatch is a {@link TypeMismatchException} naming the computation, the expected and the actual type.
     */
    public static <P extends Value> LocalComputation of(String name, TypeOf<P> parameter, Type result, Body<P> body) {
        Objects.requireNonNull(body, "function");
        String where = "computation '" + name + "' argument";
        return new Lambda(
                name,
                new FunctionType(parameter, result),
                (v, ctx) -> body.compute(TypedArgument.cast(parameter, v, where)));
    }

    /**
     * A computation from a function of its argument, untyped: the body receives a {@link Value} (already checked
     * against the parameter type) and casts it itself. For a parameter type known where the computation is written,
     * prefer the typed {@link #of(String, TypeOf, Type, Body)}, which the compiler picks for a lambda when the
     * parameter's static type is a {@link TypeOf}.
     */
    public static LocalComputation of(String name, Type parameter, Type result, Function<Value, Value> fn) {
        Objects.requireNonNull(fn, "function");
        return new Lambda(name, new FunctionType(parameter, result), (v, ctx) -> fn.apply(v));
    }

    /**
     * The body of a computation that also reads its {@link ClientContext}, typed like {@link Body}: the argument
     * arrives as the class of the parameter type's values. A {@code BiFunction} only so that the typed
     * {@link #withContext(String, TypeOf, Type, ContextBody)} is chosen for a lambda; {@link #apply} casts unchecked.
     *
     * @param <P> the class of the argument
     */
    @FunctionalInterface
    public interface ContextBody<P extends Value> extends BiFunction<Value, ClientContext, Value> {

        /** Computes the result from the argument, already checked against the parameter type and class. */
        Value compute(P argument, ClientContext context);

        /** Unchecked: prefer calling the computation, which checks the argument first. */
        @Override
        @SuppressWarnings("unchecked")
        default Value apply(Value argument, ClientContext context) {
            return compute((P) argument, context);
        }
    }

    /**
     * A computation that also reads its {@link ClientContext} (client id, per-worker resources), its body typed by
     * the parameter type as in {@link #of(String, TypeOf, Type, Body)}.
     */
    public static <P extends Value> LocalComputation withContext(
            String name, TypeOf<P> parameter, Type result, ContextBody<P> body) {
        Objects.requireNonNull(body, "function");
        String where = "computation '" + name + "' argument";
        return new Lambda(
                name,
                new FunctionType(parameter, result),
                (v, ctx) -> body.compute(TypedArgument.cast(parameter, v, where), ctx));
    }

    /** A computation that also reads its {@link ClientContext} (client id, per-worker resources); untyped. */
    public static LocalComputation withContext(
            String name, Type parameter, Type result, BiFunction<Value, ClientContext, Value> fn) {
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

    /**
     * Runs the computation on {@code args}, packed as {@link Computation#packArguments} says, in a context of its
     * own; resources it opens are closed when the call returns.
     */
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
            Objects.requireNonNull(
                    arg, () -> "computation '" + name + "' needs an argument of type " + type.parameter());
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

    /**
     * {@code fn} with a description another JVM rebuilds it from: {@code descriptor}'s factory must
     * build a computation of the same type that computes the same (the aggregators' and learning
     * algorithms' client steps use this, each with a factory of its own module). The name and type
     * are {@code fn}'s.
     */
    public static LocalComputation described(LocalComputation fn, ComputationDescriptor descriptor) {
        return new Described(fn, descriptor);
    }

    private static final class Described extends LocalComputation {
        private final LocalComputation fn;
        private final ComputationDescriptor descriptor;

        Described(LocalComputation fn, ComputationDescriptor descriptor) {
            super(fn.name(), fn.type());
            this.fn = fn;
            this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
        }

        @Override
        protected Value apply(Value arg, ClientContext context) {
            return fn.apply(arg, context);
        }

        @Override
        public Optional<ComputationDescriptor> descriptor() {
            return Optional.of(descriptor);
        }
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
