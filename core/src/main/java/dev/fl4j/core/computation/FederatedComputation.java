package dev.fl4j.core.computation;

import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.Runtimes;
import dev.fl4j.core.types.FunctionType;
import dev.fl4j.core.types.Type;
import java.util.Objects;

/**
 * A federated computation: TFF's {@code federated_computation}. Its body orchestrates placed values
 * through the intrinsics of a {@link FederatedContext}; it never loops over clients itself, which is
 * what lets the same computation run on the local runtime, on a cluster or on remote clients.
 *
 * <p>{@link #call} runs it on the current runtime ({@link Runtimes#current()}); {@link #invoke}
 * names the runtime. The argument is checked against the parameter type (a non-federated value
 * where a federated one is declared is a {@link dev.fl4j.core.types.TypeMismatchException}) and
 * the result against the result type.
 */
public final class FederatedComputation implements Computation {

    /** The body of a federated computation. */
    @FunctionalInterface
    public interface Body {
        /** Computes the result from {@code arg} (null when there is no parameter) using intrinsics. */
        Value apply(FederatedContext context, Value arg);
    }

    private final String name;
    private final FunctionType type;
    private final Body body;

    private FederatedComputation(String name, FunctionType type, Body body) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.body = Objects.requireNonNull(body, "body");
    }

    /** A federated computation with the given signature. */
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
    public Value call(Value... args) {
        return invoke(Runtimes.current(), args);
    }

    /** Runs on {@code runtime}. */
    public Value invoke(FederatedRuntime runtime, Value... args) {
        return runtime.invoke(this, Computation.packArguments(this, args));
    }

    @Override
    public String toString() {
        return name + " : " + type;
    }
}
