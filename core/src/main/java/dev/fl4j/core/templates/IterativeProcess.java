package dev.fl4j.core.templates;

import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.Runtimes;

/**
 * TFF's {@code IterativeProcess}: an {@code initialize} computation that makes a state and a
 * {@code next} computation that takes the state (first) and returns the next state (alone or as the
 * first field of its result). Both are checked when the process is built: {@code initialize} takes
 * nothing ({@link InitializeParameterException}), and the state fits {@code next} both ways
 * ({@link StateNotAssignableException}).
 *
 * <p>State is immutable; a process holds no state of its own, so one process can drive many runs.
 */
public class IterativeProcess {

    private final FederatedComputation initializeFn;
    private final FederatedComputation nextFn;
    private final Type stateType;

    public IterativeProcess(FederatedComputation initialize, FederatedComputation next) {
        this.initializeFn = initialize;
        this.nextFn = next;
        if (initialize.type().parameter() != null) {
            throw new InitializeParameterException(
                    "initialize '" + initialize.name() + "' must take no argument but takes "
                            + initialize.type().parameter() + "; put configuration in the computation instead");
        }
        this.stateType = initialize.type().result();
        if (next.type().parameter() == null) {
            throw new NextArgumentCountException(
                    "next '" + next.name() + "' must take the state as its first argument but takes none");
        }
        Type nextState = stateParameter(next, stateType);
        if (!nextState.isAssignableFrom(stateType)) {
            throw new StateNotAssignableException("next '" + next.name() + "' takes state " + nextState
                    + " but initialize '" + initialize.name() + "' makes " + stateType);
        }
        Type returned = returnedState(next.type().result(), nextState);
        if (!nextState.isAssignableFrom(returned)) {
            throw new StateNotAssignableException("next '" + next.name() + "' returns state " + returned
                    + " but takes state " + nextState + "; the state must keep its type from round to round");
        }
    }

    /**
     * The type of the state parameter of {@code next}: the whole parameter if the state fits it
     * (a one-argument {@code next}), else its first field.
     */
    static Type stateParameter(FederatedComputation next, Type stateType) {
        Type param = next.type().parameter();
        if (!param.isAssignableFrom(stateType) && param instanceof StructType s && s.size() >= 1) {
            return s.get(0);
        }
        return param;
    }

    /**
     * The state part of {@code next}'s result: a field named state, else the whole result if it fits, else the first
     * field.
     */
    static Type returnedState(Type result, Type stateParam) {
        if (result instanceof StructType s && s.size() >= 1) {
            if (s.has("state")) {
                return s.get("state");
            }
            return stateParam.isAssignableFrom(result) ? result : s.get(0);
        }
        return result;
    }

    public FederatedComputation initializeComputation() {
        return initializeFn;
    }

    public FederatedComputation nextComputation() {
        return nextFn;
    }

    /** The type of the state. */
    public Type stateType() {
        return stateType;
    }

    /** Runs {@code initialize} on the current runtime. */
    public Value initialize() {
        return Runtimes.current().invoke(initializeFn);
    }

    /** Runs {@code initialize} on {@code runtime}. */
    public Value initialize(FederatedRuntime runtime) {
        return runtime.invoke(initializeFn);
    }

    /** Runs {@code next(state, args...)} on the current runtime. */
    public Value next(Value state, Value... args) {
        return Runtimes.current().invoke(nextFn, prepend(state, args));
    }

    static Value[] prepend(Value first, Value... rest) {
        Value[] all = new Value[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "<initialize: " + initializeFn.type() + ", next: " + nextFn.type() + ">";
    }
}
