package dev.fl4j.learning.algorithms;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;

/**
 * Federated SGD, TFF's {@code build_fed_sgd}: each client computes the mean loss gradient over its
 * data at the broadcast model (no local steps); the server averages the gradients, weighted by the
 * clients' numbers of examples, and applies the server optimizer. Settings of local training (a
 * client optimizer, local epochs, FedProx's μ) do not apply and are refused by {@code build()}.
 */
public final class FedSgd {

    private FedSgd() {}

    /** FedSGD with the given server optimizer (TFF's default is SGD at 0.1). */
    public static LearningProcess build(ModelSpec model, Optimizer serverOptimizer) {
        return FedAvg.builder(model)
                .gradientMode()
                .optServerOptimizer(serverOptimizer)
                .build();
    }

    /**
     * A builder for FedSGD with server SGD at 0.1 (TFF's default): set the server optimizer,
     * aggregator, weighting and seed; a client optimizer, local epochs other than 1 or a proximal
     * term make {@code build()} fail, since FedSGD's clients take no local steps.
     */
    public static FedAvg.Builder builder(ModelSpec model) {
        return FedAvg.builder(model).gradientMode().optServerOptimizer(Sgd.of(0.1f));
    }
}
