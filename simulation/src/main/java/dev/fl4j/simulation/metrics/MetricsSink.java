package dev.fl4j.simulation.metrics;

import java.util.Map;

/**
 * Receives the metrics of each round: TFF's {@code MetricsManager} / release managers. Names are
 * hierarchical, parts separated by {@code /} as TFF flattens nested metrics
 * ({@code client_work/train/loss}, {@code aggregator/mean_value/broadcasted_bits}); values are
 * doubles and may be NaN.
 *
 * <p>A sink writes what it is given when it is given it (or, for files that must stay valid as a
 * whole, rewrites them atomically), so a run killed mid-way leaves the metrics of its finished
 * rounds readable. Sinks are not thread-safe: one training loop writes to them.
 */
public interface MetricsSink extends AutoCloseable {

    /**
     * Records the metrics of {@code round} (0 for the initial state, 1 after the first round…).
     *
     * @throws IllegalArgumentException if {@code round} is negative or a name is empty
     */
    void write(int round, Map<String, Double> metrics);

    /**
     * Told, before any new round is written, that the run resumes from a checkpoint of
     * {@code round}: whatever this sink holds for later rounds came from the interrupted run after
     * its last checkpoint and will be written again. A sink that appends drops or masks those
     * rounds here (JSON lines rewrites its file; a TensorBoard event file gets TensorBoard's restart
     * marker); sinks that rebuild their output from the replayed history need nothing.
     */
    default void resumedAfter(int round) {}

    /** Pushes buffered output to disk; sinks that write through may do nothing. */
    default void flush() {}

    /** Flushes and releases files; further writes fail. */
    @Override
    void close();

    /** Checks what every sink requires of its arguments. */
    static void check(int round, Map<String, Double> metrics) {
        if (round < 0) {
            throw new IllegalArgumentException("round must not be negative, got " + round);
        }
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException("round " + round + ": a metric has an empty name");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("round " + round + ": metric '" + e.getKey() + "' has no value");
            }
        }
    }
}
