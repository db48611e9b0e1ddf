/**
 * fl4j's federated core: values and their types, computations, the runtime that places them on
 * clients and server, and the process templates built from them.
 *
 * <p>{@code dev.fl4j.core.internal} (the entry point that runs a shipped computation in another JVM) is not
 * exported, so no other module can compile against it; the local runtime's machinery is package-private in
 * {@code dev.fl4j.core.runtime}. Computation factories are found with {@link java.util.ServiceLoader}:
 * a module provides {@link dev.fl4j.core.computation.ComputationFactory} here (and in
 * {@code META-INF/services}, for the class path).
 */
module dev.fl4j.core {
    exports dev.fl4j.core;
    exports dev.fl4j.core.computation;
    exports dev.fl4j.core.io;
    exports dev.fl4j.core.random;
    exports dev.fl4j.core.runtime;
    exports dev.fl4j.core.templates;

    uses dev.fl4j.core.computation.ComputationFactory;
    uses dev.fl4j.core.computation.ShippableAggregationFactory;
    uses dev.fl4j.core.runtime.RuntimeProvider;

    provides dev.fl4j.core.computation.ComputationFactory with
            dev.fl4j.core.computation.FieldSelection.Factory,
            dev.fl4j.core.runtime.ShippedChain.Factory;
}
