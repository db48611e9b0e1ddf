package dev.fl4j.core.computation;

import dev.fl4j.core.FunctionType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeOf;
import dev.fl4j.core.Value;
import java.util.Objects;

/**
 * A federated computation: TFF's {@code federated_computation}. Its body orchestrates placed values
 * through the intrinsics of a {@link FederatedContext}; it never loops over clients itself, which is
 * what lets the same computation run on the local runtime, on a cluster or on remote clients.
 *
 * <p>A runtime runs it: {@code runtime.invoke(computation, args...)} (TFF's {@code context.invoke}), or
 * {@code Runtimes.current().invoke(...)} for the runtime installed on this thread. The computation knows no
 * runtime, which keeps the runtimes (package {@code dev.fl4j.core.runtime}) above the computations they run.
 * The argument is checked against the parameter type (a non-federated value
 * where a federated one is declared is a {@link dev.fl4j.core.TypeMismatchException}) and
 * the result against the result type.
 */
public final class FederatedComputation implements Computation {

    /** The body of a federated computation. */
    @FunctionalInterface
    public interface Body {
        /** Computes the result from {@code arg} (null when there is no parameter) using intrinsics. */
        Value apply(FederatedContext context, Value arg);
    }

    /**
     * The body of a federated computation whose parameter type is a {@link TypeOf}{@code <P>}: a
     * {@code FederatedType} parameter arrives as a {@link dev.fl4j.core.FederatedValue}, a {@code StructType} one
     * (several placed arguments) as a {@link dev.fl4j.core.Struct}, so the body passes it to intrinsics without a cast.
     *
     * <p>It is a {@link Body} only so that {@link #of(String, TypeOf, Type, TypedBody)} is chosen over the untyped
     * {@link #of(String, Type, Type, Body)} for the same lambda; called through {@link Body}, {@link #apply} casts
     * unchecked. {@code of} checks the argument's class before the body runs.
     *
     * @param <P> the class of the argument
     */
    @FunctionalInterface
    public interface TypedBody<P extends Value> extends Body {

        /** Computes the result from the argument, already checked against the parameter type and class. */
        Value compute(FederatedContext context, P argument);

        /** Unchecked: prefer calling the computation, which checks the argument first. */
        @Override
        @SuppressWarnings("unchecked")
        default Value apply(FederatedContext context, Value arg) {
            return compute(context, (P) arg);
        }
    }

    private final String name;
    private final FunctionType type;
    private final Body body;

    private FederatedComputation(String name, FunctionType type, Body body) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.body = Objects.requireNonNull(body, "body");
    }

    /**
     * A federated computation whose body receives its argument typed by the parameter type:
     *
     * <pre>{@code
     * FederatedComputation.of("global_average",
     *         FederatedType.clients(new SequenceType(f32)), FederatedType.server(f32),
     *         (ctx, readings) -> ctx.federatedMean(ctx.federatedMap(localAverage, readings)));
     * }</pre>
     *
     * The runtime checks the argument against the parameter type; the body's wrapper then checks its class, so a
     * mismatch is a {@link dev.fl4j.core.TypeMismatchException} naming the computation, the expected and the
     * actual type, never a {@code ClassCastException}. Client values may reach the body before their work has run
     * (deferred by the runtime); they are {@code FederatedValue}s all the same.
     */
    public static <P extends Value> FederatedComputation of(
            String name, TypeOf<P> parameter, Type result, TypedBody<P> body) {
        Objects.requireNonNull(body, "body");
        String where = "computation '" + name + "' argument";
        return new FederatedComputation(
                name,
                new FunctionType(parameter, result),
                (ctx, arg) -> body.compute(ctx, TypedArgument.cast(parameter, arg, where)));
    }

    /**
     * A federated computation with the given signature, untyped: the body receives a {@link Value} and casts it
     * itself. For a parameter type known where the computation is written, prefer the typed
     * {@link #of(String, TypeOf, Type, TypedBody)}, which the compiler picks for a lambda when the parameter's static
     * type is a {@link TypeOf}.
     */
    public static FederatedComputation of(String name, Type parameter, Type result, Body body) {
        return new FederatedComputation(name, new FunctionType(parameter, result), body);
    }

    /** A federated computation without a parameter, e.g. a process's {@code initialize}. */
    public static FederatedComputation noArg(String name, Type result, Body body) {
        return new FederatedComputation(name, FunctionType.noArg(result), body);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public FunctionType type() {
        return type;
    }

    /** The body; runtimes call it after checking the argument. */
    public Body body() {
        return body;
    }

    @Override
    public String toString() {
        return name + " : " + type;
    }
}
