package dev.fl4j.learning.algorithms;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;

/**
 * Mime Lite (Karimireddy et al. 2020, "Mime: Mimicking Centralized Stochastic Algorithms in Federated
 * Learning"), TFF's {@code build_mime_lite}, with SGD (optionally with heavy-ball momentum {@code β})
 * as the base optimizer. The server keeps the base optimizer's state, the momentum accumulator
 * {@code m}, in the client work's state and broadcasts it with the model. Clients take local steps
 * with the base optimizer from that state without updating it: {@code y ← y − η(g + β·m)}, which is
 * SGD-with-momentum's step from state {@code m}; they also compute their full-batch mean gradient
 * {@code ∇f_i(x)} at the received model. The server applies the weighted mean of the deltas with the
 * server optimizer (SGD at 1.0 by default) and updates the state with the weighted mean gradient:
 * {@code m ← β·m + ḡ}.
 *
 * <p>With plain SGD ({@code β = 0}) the state does nothing and Mime Lite is FedAvg (the clients
 * still compute the full-batch gradient). Set the base optimizer with
 * {@link FedAvg.Builder#setClientOptimizer}; Nesterov momentum and a proximal term are refused.
 */
public final class MimeLite {

    private MimeLite() {}

    /** {@code build_mime_lite} with {@code baseOptimizer} and server SGD at 1.0. */
    public static LearningProcess build(ModelSpec model, Sgd baseOptimizer) {
        return builder(model).setClientOptimizer(baseOptimizer).build();
    }

    /** A builder for Mime Lite; its client optimizer is the base optimizer (an {@link Sgd}). */
    public static FedAvg.Builder builder(ModelSpec model) {
        return FedAvg.builder(model).variant(ClientTrainingVariant.Variant.MIME_LITE, 0);
    }
}
