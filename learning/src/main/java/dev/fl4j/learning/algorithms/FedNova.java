package dev.fl4j.learning.algorithms;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;

/**
 * FedNova (Wang et al. 2020, "Tackling the Objective Inconsistency Problem in Heterogeneous Federated
 * Optimization"): normalized averaging for clients that take different numbers of local steps. Client
 * {@code i} takes {@code τ_i} SGD steps and sends its delta divided by {@code a_i = ‖a_i‖₁} ({@code τ_i}
 * for plain SGD, {@code Σ_{k=1..τ_i}(1−ρ^k)/(1−ρ)} with momentum {@code ρ}, {@code Σ_{k<τ_i}(1−ημ)^k}
 * with FedProx's {@code μ}) together with {@code a_i}; the aggregator averages both with the client
 * weights {@code p_i}, and the server applies {@code τ_eff·Σ p_i Δ_i/a_i} with {@code τ_eff = Σ p_i a_i}
 * as the pseudo-gradient (eq. 6 of the paper). With equal {@code a_i} it is FedAvg.
 *
 * <p>The aggregator sees the update as the structure {@code <normalized_update, local_steps_norm>}: a
 * mean (the default), a weighted or compressed mean average both parts as FedNova needs. A norm-bounded
 * aggregator (clipping, zeroing, also under non-finite zeroing) would measure {@code a_i} as part of the
 * update's norm and scale or zero it with the update, which breaks {@code τ_eff}; {@code build()} refuses
 * it, and a differentially private aggregator, with an {@link IllegalStateException} saying why.
 *
 * <p>{@link #builder} returns the FedAvg family's builder; the client optimizer must be {@link Sgd}.
 * Clients with more data take more steps (local epochs over their whole dataset), which is the
 * heterogeneity FedNova corrects.
 */
public final class FedNova {

    private FedNova() {}

    /** FedNova with client SGD at {@code clientLearningRate} and server SGD at 1.0. */
    public static LearningProcess build(ModelSpec model, float clientLearningRate) {
        return builder(model).setClientOptimizer(Sgd.of(clientLearningRate)).build();
    }

    /** A builder for FedNova; set the client optimizer (an {@link Sgd}) and any FedAvg option. */
    public static FedAvg.Builder builder(ModelSpec model) {
        return FedAvg.builder(model).variant(ClientTrainingVariant.Variant.FEDNOVA, 0);
    }
}
