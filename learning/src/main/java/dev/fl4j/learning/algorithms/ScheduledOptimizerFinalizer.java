package dev.fl4j.learning.algorithms;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.LearningRateSchedule;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.templates.FinalizerProcess;
import java.util.function.UnaryOperator;

/**
 * {@link ApplyOptimizerFinalizer} with a server learning-rate schedule, and FedNova's server step.
 * The state is {@code <round=int32, optimizer=S>}: each round the server optimizer runs at
 * {@code schedule.rateAt(round)} with its other hyperparameters and its state kept. Measurements
 * {@code <update_non_finite=int32, server_learning_rate=float32>}; a non-finite update leaves model and
 * optimizer state as they were (the round still counts).
 *
 * <p>{@link #fedNova}: the aggregate is {@code <normalized_update=d, local_steps_norm=τ_eff>} (the
 * weighted means of the clients' {@code Δ_i/a_i} and {@code a_i}), and the pseudo-gradient the server
 * optimizer applies is {@code τ_eff·d} (Wang et al. 2020, eq. 6; with server SGD at 1.0 the new model is
 * {@code x − τ_eff·Σ p_i Δ_i/a_i}).
 */
public final class ScheduledOptimizerFinalizer {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    private ScheduledOptimizerFinalizer() {}

    /** The server optimizer at the schedule's rate, applied to the aggregated model delta. */
    public static FinalizerProcess build(
            Optimizer optimizer, LearningRateSchedule schedule, StructType modelWeightsType) {
        Type trainable = modelWeightsType.get("trainable");
        return build(optimizer, schedule, modelWeightsType, trainable, u -> u, "apply_scheduled_optimizer");
    }

    /** FedNova's server step: the optimizer at the schedule's rate applied to {@code τ_eff·d}. */
    public static FinalizerProcess fedNova(
            Optimizer optimizer, LearningRateSchedule schedule, StructType modelWeightsType) {
        Type trainable = modelWeightsType.get("trainable");
        return build(
                optimizer,
                schedule,
                modelWeightsType,
                ClientTrainingVariant.fedNovaUpdateType(trainable),
                u -> {
                    Struct s = (Struct) u;
                    float tauEff = s.tensor("local_steps_norm").floatValue();
                    return Structures.map(s.get("normalized_update"), t -> scaled(t, tauEff));
                },
                "apply_fednova");
    }

    private static FinalizerProcess build(
            Optimizer optimizer,
            LearningRateSchedule schedule,
            StructType modelWeightsType,
            Type updateType,
            UnaryOperator<Value> toPseudoGradient,
            String name) {
        StructType trainable = (StructType) modelWeightsType.get("trainable");
        Struct initialOptimizerState = optimizer.initialize(trainable);
        StructType stateMember = StructType.builder()
                .add("round", I32)
                .add("optimizer", initialOptimizerState.type())
                .build();
        FederatedType state = FederatedType.server(stateMember);
        StructType measurements = StructType.builder()
                .add("update_non_finite", I32)
                .add("server_learning_rate", F32)
                .build();
        StructType stepInput = StructType.builder()
                .add("state", stateMember)
                .add("weights", modelWeightsType)
                .add("update", updateType)
                .build();
        StructType stepOutput = StructType.builder()
                .add("state", stateMember)
                .add("weights", modelWeightsType)
                .add("measurements", measurements)
                .build();
        LocalComputation step = LocalComputation.of(name, stepInput, stepOutput, v -> {
            Struct in = (Struct) v;
            Struct s = in.struct("state");
            int round = s.tensor("round").intData()[0];
            float lr = schedule.rateAt(round);
            Tensor nextRound = Tensor.scalar(round + 1);
            ModelWeights weights = ModelWeights.fromStruct(in.get("weights"));
            Value pseudoGradient = toPseudoGradient.apply(in.get("update"));
            if (!Structures.isFinite(pseudoGradient)) {
                return Struct.named(
                        "state",
                        Struct.named("round", nextRound, "optimizer", s.get("optimizer")),
                        "weights",
                        in.get("weights"),
                        "measurements",
                        Struct.named("update_non_finite", Tensor.scalar(1), "server_learning_rate", Tensor.scalar(lr)));
            }
            Optimizer.Step o =
                    optimizer.withLearningRate(lr).next(s.struct("optimizer"), weights.trainable(), pseudoGradient);
            ModelWeights next = ModelWeights.of((Struct) o.weights(), weights.nonTrainable());
            return Struct.named(
                    "state",
                    Struct.named("round", nextRound, "optimizer", o.state()),
                    "weights",
                    next.asStruct(),
                    "measurements",
                    Struct.named("update_non_finite", Tensor.scalar(0), "server_learning_rate", Tensor.scalar(lr)));
        });
        FederatedComputation init = FederatedComputation.noArg(
                "finalizer_initialize",
                state,
                (ctx, a) -> ctx.federatedValue(
                        Struct.named("round", Tensor.scalar(0), "optimizer", optimizer.initialize(trainable)),
                        Placement.SERVER));
        return FinalizerProcess.ofServerStep(init, state, modelWeightsType, updateType, measurements, step);
    }

    private static Tensor scaled(Tensor t, float factor) {
        float[] x = t.floatData();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * factor;
        }
        return Tensor.of(out, t.shape());
    }
}
