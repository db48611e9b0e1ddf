package dev.fl4j.core.computation;

import dev.fl4j.core.Value;

/**
 * Rebuilds a local computation from its description in another JVM that has the same jars.
 * Implementations are public classes with a public no-argument constructor, registered as
 * {@code ServiceLoader} providers: their class name ({@link Class#getName()}) is listed in a
 * {@code META-INF/services/dev.fl4j.core.computation.ComputationFactory} resource. The class name is
 * what a {@link ComputationDescriptor} records, and only registered factories can be rebuilt
 * ({@link ComputationFactories}).
 */
public interface ComputationFactory {

    /**
     * Builds the computation described by {@code config} (factory-specific text, e.g. JSON) and
     * {@code payload} (tensors it needs, or null). Both may come from another JVM: a config or
     * payload the factory cannot use ends in an exception that says what is wrong with it.
     */
    LocalComputation create(String config, Value payload);
}
