package dev.fl4j.learning.keras;

import dev.fl4j.core.Value;

/**
 * Turns a metric's summed unfinalized state into its reported value on the server, TFF's metric
 * finalizer. Finalizers are values of the metric description (no captured code), so the server can
 * finalize what clients in other JVMs reported.
 */
@FunctionalInterface
public interface MetricFinalizer {
    Value finalize(Value unfinalized);
}
