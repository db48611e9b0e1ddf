package dev.fl4j.core.runtime;

import dev.fl4j.core.Value;
import dev.fl4j.core.computation.Computation;
import dev.fl4j.core.computation.FederatedComputation;

/**
 * Where federated computations run. A runtime owns placement: it decides where client values live
 * and where client work executes, implements the intrinsics, and counts the bits that cross between
 * SERVER and CLIENTS. {@link LocalRuntime} runs everything in this JVM on a worker pool; later
 * backends (Apache Spark executors, remote clients over gRPC) implement the same interface.
 */
public interface FederatedRuntime extends AutoCloseable {

    /**
     * Runs {@code computation} on {@code argument} (null when it has no parameter) after checking
     * the argument's type, and checks the result's type.
     */
    Value invoke(FederatedComputation computation, Value argument);

    /**
     * Runs {@code computation} on {@code args} packed into its one argument ({@link Computation#packArguments}):
     * none for a computation without a parameter, one as it is, several as a structure that takes the
     * parameter's field names. This is TFF's {@code context.invoke(comp, arg)} and how a program calls a
     * federated computation: {@code runtime.invoke(globalAverage, clientReadings)}.
     */
    default Value invoke(FederatedComputation computation, Value... args) {
        return invoke(computation, Computation.packArguments(computation, args));
    }

    /** Cumulative communication since the runtime started. */
    CommunicationStats communication();

    /**
     * The per-client state this runtime keeps for stateful client work
     * ({@link dev.fl4j.core.computation.ClientContext#clientState}); a training loop saves it in
     * checkpoints and restores it on resume.
     */
    ClientStateStore clientStates();

    /** How many client computations run at once. */
    int workers();

    /** Releases workers and their resources. */
    @Override
    void close();
}
