package dev.fl4j.deploy.server;

import dev.fl4j.core.Value;
import dev.fl4j.learning.model.ModelWeights;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a deployed run: the final server state and model, the last round, and each round's
 * metrics in the shape of a simulation's (plus the deployment's own counters).
 */
public record DeployResult(Value state, ModelWeights weights, int rounds, List<Map<String, Double>> history) {
    public DeployResult {
        history = List.copyOf(history);
    }
}
