/** Aggregation processes: weighted and robust means, and differential privacy ({@code dev.fl4j.privacy}). */
module dev.fl4j.aggregators {
    requires transitive dev.fl4j.core;
    requires transitive dev.fl4j.compression;

    exports dev.fl4j.aggregators;
    exports dev.fl4j.aggregators.robust;
    exports dev.fl4j.privacy;

    provides dev.fl4j.core.computation.ComputationFactory with
            dev.fl4j.aggregators.ClientSteps.Factory;
    provides dev.fl4j.core.computation.ShippableAggregationFactory with
            dev.fl4j.aggregators.ShippedAggregations.Factory;
}
