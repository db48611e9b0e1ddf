package dev.fl4j.core.computation;

import dev.fl4j.core.Value;

/**
 * Rebuilds a {@link ShippableAggregation} in another JVM that has the same jars. Implementations are
 * public classes with a public no-argument constructor, registered as {@code ServiceLoader}
 * providers (their class name listed in a
 * {@code META-INF/services/dev.fl4j.core.computation.ShippableAggregationFactory} resource, and in
 * {@code module-info}); only registered factories can be named by a descriptor
 * ({@link ShippableAggregationFactories}).
 */
public interface ShippableAggregationFactory {

    /**
     * Builds the aggregation described by {@code config} and {@code payload} (or null), which may come
     * from another JVM: what the factory cannot use ends in an exception that says what is wrong.
     */
    ShippableAggregation<?> create(String config, Value payload);
}
