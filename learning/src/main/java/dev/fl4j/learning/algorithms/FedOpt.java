package dev.fl4j.learning.algorithms;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Adagrad;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Yogi;
import dev.fl4j.learning.templates.LearningProcess;

/**
 * Adaptive federated optimization (Reddi et al. 2020): FedAvg whose server optimizer is adaptive —
 * FedAdam, FedYogi, FedAdagrad — applied to the averaged client delta as a pseudo-gradient.
 */
public final class FedOpt {

    private FedOpt() {}

    /** FedAdam. */
    public static LearningProcess adam(ModelSpec model, Optimizer clientOptimizer, float serverLearningRate) {
        return with(model, clientOptimizer, Adam.of(serverLearningRate));
    }

    /** FedYogi. */
    public static LearningProcess yogi(ModelSpec model, Optimizer clientOptimizer, float serverLearningRate) {
        return with(model, clientOptimizer, Yogi.of(serverLearningRate));
    }

    /** FedAdagrad. */
    public static LearningProcess adagrad(ModelSpec model, Optimizer clientOptimizer, float serverLearningRate) {
        return with(model, clientOptimizer, Adagrad.of(serverLearningRate));
    }

    /** Weighted FedAvg with {@code serverOptimizer}. */
    public static LearningProcess with(ModelSpec model, Optimizer clientOptimizer, Optimizer serverOptimizer) {
        return FedAvg.builder(model)
                .setClientOptimizer(clientOptimizer)
                .optServerOptimizer(serverOptimizer)
                .build();
    }
}
