package dev.fl4j.cli.simulate;

import java.nio.file.Path;
import java.util.Map;

/**
 * The options of {@code simulate} and {@code server} that choose how the model trains beyond the
 * algorithm: {@code --client-optimizer}, {@code --client-weight-decay}, {@code --server-optimizer},
 * {@code --server-weight-decay} and {@code --init}; each null when not given (the algorithm's own
 * optimizers, no weight decay, the seeded initial weights).
 */
public record TrainingOptions(
        String clientOptimizer, Float clientWeightDecay, String serverOptimizer, Float serverWeightDecay, Path init) {

    /** None of them given. */
    public static final TrainingOptions NONE = new TrainingOptions(null, null, null, null, null);

    /** Adds the options given to {@code options} (provenance and run configuration), by option name. */
    void putGiven(Map<String, String> options) {
        put(options, "client-optimizer", clientOptimizer);
        put(options, "client-weight-decay", clientWeightDecay);
        put(options, "server-optimizer", serverOptimizer);
        put(options, "server-weight-decay", serverWeightDecay);
        put(options, "init", init);
    }

    private static void put(Map<String, String> options, String name, Object value) {
        if (value != null) {
            options.put(name, value.toString().trim());
        }
    }
}
