package dev.fl4j.aggregators;

import dev.fl4j.core.Type;
import dev.fl4j.core.templates.AggregationProcess;

/** Builds weighted aggregation processes: {@code next(state, {T}@CLIENTS, {W}@CLIENTS)}. */
public interface WeightedAggregationFactory extends AggregationFactory {

    /**
     * An aggregation process for client values of {@code valueType} weighted by {@code weightType} (a float scalar).
     */
    AggregationProcess create(Type valueType, Type weightType);
}
