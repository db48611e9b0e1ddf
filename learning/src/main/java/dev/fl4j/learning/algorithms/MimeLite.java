package dev.fl4j.learning.algorithms;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.templates.LearningProcess;

/**
 * Mime Lite (Karimireddy et al. 2020, "Mime: Mimicking Centralized Stochastic Algorithms in Federated
 * Learning"), TFF's {@code build_mime_lite}. The server keeps the base optimizer's state in the client
 * work's state and broadcasts it with the model; clients take local steps with the base optimizer from
 * that state without updating it, and compute their full-batch mean gradient {@code ∇f_i(x)} at the
 * received model. The server applies the weighted mean of the deltas with the server optimizer (SGD at
 * 1.0 by default) and updates the state with the base optimizer's rule on the weighted mean gradient
 * {@code ḡ}.
 *
 * <ul>
 *   <li>SGD with heavy-ball momentum {@code β} as base optimizer: the state is the momentum accumulator
 *       {@code m}; a client step is {@code y ← y − η(g + β·m)}, SGD-with-momentum's step from state
 *       {@code m}, run in the engine's graph; the server sets {@code m ← β·m + ḡ}. With plain SGD
 *       ({@code β = 0}) the state does nothing and Mime Lite is FedAvg (the clients still compute the
 *       full-batch gradient).
 *   <li>Adam, Adagrad, Yogi or RMSprop as base optimizer: the state is that optimizer's (Adam's
 *       {@code <step, accumulator=m, preconditioner=v>}, zeros at step 0); a client step is the optimizer's
 *       rule from the frozen state, e.g. for Adam at server step {@code t}
 *       {@code y ← y − η·sqrt(1−β2^(t+1))/(1−β1^(t+1)) · m'/(sqrt(v') + ε)} with
 *       {@code m' = β1·m + (1−β1)·g}, {@code v' = β2·v + (1−β2)·g²}; the server sets the state to the
 *       rule's new state for {@code ḡ} (Adam: {@code m ← β1·m + (1−β1)·ḡ}, {@code v ← β2·v + (1−β2)·ḡ²},
 *       {@code t ← t + 1}). These steps run in Java on the engine's per-batch gradients, one weight copy
 *       into the engine per step. With one client whose data is one batch, one epoch and server SGD at 1.0,
 *       a round is one step of the base optimizer on the full-batch gradient: centralized full-batch Adam.
 * </ul>
 *
 * <p>Set the base optimizer with {@link FedAvg.Builder#setClientOptimizer}; Nesterov momentum, weight
 * decay and a proximal term are refused.
 */
public final class MimeLite {

    private MimeLite() {}

    /** {@code build_mime_lite} with {@code baseOptimizer} and server SGD at 1.0. */
    public static LearningProcess build(ModelSpec model, Optimizer baseOptimizer) {
        return builder(model).setClientOptimizer(baseOptimizer).build();
    }

    /** A builder for Mime Lite; its client optimizer is the base optimizer. */
    public static FedAvg.Builder builder(ModelSpec model) {
        return FedAvg.builder(model).variant(ClientTrainingVariant.Variant.MIME_LITE, 0);
    }
}
