package dev.fl4j.learning.algorithms;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;

/**
 * SCAFFOLD (Karimireddy et al. 2020, "SCAFFOLD: Stochastic Controlled Averaging for Federated
 * Learning", Algorithm 1 with option II): control variates correct each client's drift. The server
 * keeps {@code c} in the client work's state and broadcasts it with the model; client {@code i} keeps
 * {@code c_i} as client state (the runtime keeps it across rounds and a {@code TrainingLoop} saves it
 * in its checkpoints), starting at zeros. Each local SGD step is {@code y ← y − η(g + c − c_i)}: the
 * client optimizer's step on the gradient {@code g}, then {@code y ← y − η(c − c_i)} outside the
 * optimizer's slots (with momentum the correction is not accumulated by the momentum, as NIID-Bench and
 * Flower's baseline apply it; inside the momentum it would grow by {@code 1/(1−β)}: fl4j's NIID-Bench
 * run at momentum 0.9 then ended at chance accuracy); after {@code K} steps the client sets
 * {@code c_i⁺ = c_i − c + (x − y)/(Kη)} and sends {@code Δy = x − y} and {@code Δc = c_i⁺ − c_i}. The
 * server applies the weighted mean of {@code Δy} with its optimizer ({@code x ← x − η_g·mean Δy} for SGD
 * at {@code η_g}) and sets {@code c ← c + Σ Δc / N}, {@code N} the total number of clients.
 *
 * <p>In a round where {@code c} and every participating {@code c_i} are zero (the first round, say)
 * SCAFFOLD is FedAvg: the client steps are FedAvg's bit for bit. The client optimizer must be
 * {@link Sgd} (momentum is allowed, as in NIID-Bench, whose control-variate update also divides by
 * {@code Kη}). {@link #builder} returns the FedAvg family's builder, so the aggregator, server
 * optimizer, schedules, epochs and weighting are set as for FedAvg.
 */
public final class Scaffold {

    private Scaffold() {}

    /** SCAFFOLD with client SGD at {@code clientLearningRate} over {@code totalClients} clients; server SGD at 1.0. */
    public static LearningProcess build(ModelSpec model, float clientLearningRate, int totalClients) {
        return builder(model, totalClients)
                .setClientOptimizer(Sgd.of(clientLearningRate))
                .build();
    }

    /**
     * A builder for SCAFFOLD over a population of {@code totalClients} clients (the {@code N} of the
     * server control update); set the client optimizer (an {@link Sgd}) and any FedAvg option.
     *
     * @throws IllegalArgumentException if {@code totalClients < 1}
     */
    public static FedAvg.Builder builder(ModelSpec model, int totalClients) {
        if (totalClients < 1) {
            throw new IllegalArgumentException(
                    "SCAFFOLD needs the total number of clients N >= 1, got " + totalClients);
        }
        return FedAvg.builder(model).variant(ClientTrainingVariant.Variant.SCAFFOLD, totalClients);
    }
}
