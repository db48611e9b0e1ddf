package dev.fl4j.learning.algorithms;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.templates.LearningProcess;

/**
 * FedProx (Li et al. 2020): FedAvg whose local objective adds the proximal term
 * {@code μ/2·‖w − w_global‖²}, keeping heterogeneous clients near the global model. With μ = 0 it is
 * exactly FedAvg.
 */
public final class FedProx {

    private FedProx() {}

    /** Weighted FedProx with server SGD at 1.0. */
    public static LearningProcess weighted(ModelSpec model, Optimizer clientOptimizer, float mu) {
        if (!(mu >= 0f) || Float.isInfinite(mu)) {
            throw new IllegalArgumentException("FedProx's mu must be finite and >= 0, got " + mu);
        }
        return FedAvg.builder(model)
                .setClientOptimizer(clientOptimizer)
                .optProximalMu(mu)
                .build();
    }
}
