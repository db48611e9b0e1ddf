package dev.fl4j.learning.algorithms;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;

/**
 * Federated SGD, TFF's {@code build_fed_sgd}: each client computes the mean loss gradient over its
 * data at the broadcast model (no local steps); the server averages the gradients, weighted by the
 * clients' numbers of examples, and applies the server optimizer.
 */
public final class FedSgd {

    private FedSgd() {
    }

    /** FedSGD with the given server optimizer (TFF's default is SGD at 0.1). */
    public static LearningProcess build(ModelSpec model, Optimizer serverOptimizer) {
        return FedAvg.builder(model).setClientOptimizer(Sgd.of(0f)).optServerOptimizer(serverOptimizer).gradientMode().build();
    }

    /** A builder for FedSGD: the client optimizer is unused; set the server optimizer and other options. */
    public static FedAvg.Builder builder(ModelSpec model) {
        return FedAvg.builder(model).setClientOptimizer(Sgd.of(0f)).optServerOptimizer(Sgd.of(0.1f)).gradientMode();
    }
}
