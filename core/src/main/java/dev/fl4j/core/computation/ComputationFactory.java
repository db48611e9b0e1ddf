package dev.fl4j.core.computation;

import dev.fl4j.core.Value;

/**
 * Rebuilds a local computation from its description in another JVM that has the same jars.
 * Implementations are public classes with a public no-argument constructor; the class's name is
 * what a {@link ComputationDescriptor} records.
 */
public interface ComputationFactory {

    /**
     * Builds the computation described by {@code config} (factory-specific text, e.g. JSON) and
     * {@code payload} (tensors it needs, or null).
     */
    LocalComputation create(String config, Value payload);
}
