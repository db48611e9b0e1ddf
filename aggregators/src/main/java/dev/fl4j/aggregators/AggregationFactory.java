package dev.fl4j.aggregators;

/**
 * A factory of aggregation processes, TFF's {@code AggregationFactory}: generic over the value type,
 * it builds an {@link dev.fl4j.core.templates.AggregationProcess} for one type when asked. Factories
 * compose by nesting: an outer factory takes an inner one and builds the inner process inside its
 * own, so the inner factory's client-side (pre-aggregation) effects happen last on the clients and
 * its server-side (post-aggregation) effects happen first on the server.
 *
 * <p>Implementations are {@link UnweightedAggregationFactory}, {@link WeightedAggregationFactory},
 * or both (like {@link MeanFactory}).
 */
public interface AggregationFactory {

    /**
     * Whether the processes this factory builds take client weights, so a learning process knows
     * which {@code create} to call. A core mechanism is weighted when it is a
     * {@link WeightedAggregationFactory}; a wrapper that can build either kind (zeroing, clipping,
     * non-finite zeroing) is weighted exactly when its inner factory is.
     */
    default boolean isWeighted() {
        return this instanceof WeightedAggregationFactory;
    }
}
