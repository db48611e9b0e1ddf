package dev.fl4j.aggregators;

import dev.fl4j.core.Type;
import dev.fl4j.core.templates.AggregationProcess;

/** Builds unweighted aggregation processes: {@code next(state, {T}@CLIENTS)}. */
public interface UnweightedAggregationFactory extends AggregationFactory {

    /**
     * An aggregation process for client values of {@code valueType}. Fails at once, with a
     * {@link dev.fl4j.core.TypeMismatchException} that says which part does not fit, if this
     * factory (or one nested in it) cannot aggregate that type.
     */
    AggregationProcess create(Type valueType);
}
