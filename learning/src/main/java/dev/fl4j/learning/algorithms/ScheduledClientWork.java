package dev.fl4j.learning.algorithms;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.keras.Metrics;
import dev.fl4j.learning.optimizers.LearningRateSchedule;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.templates.ClientWorkProcess;
import java.util.List;

/**
 * Client work whose state is kept at the server across rounds: the round number, which a
 * {@link LearningRateSchedule} turns into the round's client learning rate (TFF's
 * {@code build_weighted_fed_avg_with_optimizer_schedule} keeps it in the client work's state the same
 * way), and for SCAFFOLD and Mime Lite a server state of the trainable weights' structure. Each round
 * the server computes the rate, broadcasts it (one float32 per client, counted) with the server state,
 * and the clients run a {@link ClientTrainingVariant}.
 *
 * <p>State {@code <round=int32[, server_control=T | momentum_accumulator=T | base_optimizer_state=S]>}, measurements
 * {@code <train=<metric=..>, non_finite_update_count=int32, client_learning_rate=float32>}. After the
 * round:
 *
 * <ul>
 *   <li>SCAFFOLD: {@code c ← c + (Σ_i Δc_i)/N}, {@code N} the total number of clients (the paper's
 *       {@code |S|/N · mean}, which stays right when clients drop out).
 *   <li>Mime Lite: {@code m ← β·m + ḡ}, {@code ḡ} the clients' full-batch gradients averaged with the
 *       update weights (SGD-with-momentum's state update at the server); {@code m} stays when every
 *       weight is 0.
 *   <li>Mime Lite with another base optimizer: its state {@code s} (initially the optimizer's own, e.g. Adam's
 *       zero moments at step 0) becomes {@code next(s, x, ḡ).state}, the optimizer's rule on the weighted mean
 *       full-batch gradient (TFF's server update of {@code build_mime_lite}); the base optimizer has no weight
 *       decay, so its state does not depend on the weights {@code x}, and zeros are passed for them. {@code s}
 *       stays when every weight is 0.
 * </ul>
 */
public final class ScheduledClientWork {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    private ScheduledClientWork() {}

    /**
     * @param schedule the client learning rate per round
     * @param totalClients SCAFFOLD's {@code N} (ignored by the other variants)
     * @param mimeMomentum Mime Lite's {@code β} (ignored by the other variants)
     */
    public static ClientWorkProcess of(
            ClientTrainingVariant training, LearningRateSchedule schedule, int totalClients, float mimeMomentum) {
        ClientTrainingVariant.Variant variant = training.variant();
        if (variant == ClientTrainingVariant.Variant.SCAFFOLD && totalClients < 1) {
            throw new IllegalArgumentException(
                    "SCAFFOLD needs the total number of clients N >= 1, got " + totalClients);
        }
        StructType weights = training.spec().model().weightsType();
        Type trainable = weights.get("trainable");
        Type data = new SequenceType(training.spec().model().inputSpec());
        boolean optimizerState = ClientTrainingVariant.isOptimizerStateMime(training.spec(), variant);
        Optimizer base = training.spec().clientOptimizer();
        String serverField = variant == ClientTrainingVariant.Variant.SCAFFOLD
                ? "server_control"
                : optimizerState ? "base_optimizer_state" : "momentum_accumulator";
        Type serverStateType = ClientTrainingVariant.serverStateType(training.spec(), variant);
        Value initialServerState = optimizerState ? base.initialize(trainable) : Structures.zeros(trainable);
        StructType.Builder stateBuilder = StructType.builder().add("round", I32);
        if (variant.hasServerState()) {
            stateBuilder.add(serverField, serverStateType);
        }
        StructType stateMember = stateBuilder.build();
        FederatedType state = FederatedType.server(stateMember);
        Type update = ClientTrainingVariant.updateType(training.spec(), variant);
        StructType resultMember = StructType.builder()
                .add("update", update)
                .add("update_weight", F32)
                .build();
        List<Metric> metrics = training.spec().model().metrics();
        StructType unfinalized = Metrics.unfinalizedType(metrics);
        StructType measurements = StructType.builder()
                .add("train", ClientWorks.finalizedType(metrics))
                .add("non_finite_update_count", I32)
                .add("client_learning_rate", F32)
                .build();

        LocalComputation rate = LocalComputation.of(
                "client_learning_rate", I32, F32, v -> Tensor.scalar(schedule.rateAt(((Tensor) v).intData()[0])));
        LocalComputation finalize =
                LocalComputation.of("finalize_metrics", StructType.of(unfinalized, I32, F32), measurements, v -> {
                    Struct s = (Struct) v;
                    return Struct.named(
                            "train",
                            Metrics.finalizeAll(metrics, (Struct) s.get(0)),
                            "non_finite_update_count",
                            s.get(1),
                            "client_learning_rate",
                            s.get(2));
                });
        LocalComputation weighted = LocalComputation.of(
                "weighted_gradient",
                StructType.builder()
                        .add("extra", trainable)
                        .add("update_weight", F32)
                        .build(),
                trainable,
                v -> {
                    float w = ((Struct) v).tensor("update_weight").floatValue();
                    return Structures.map(((Struct) v).get("extra"), t -> scale(t, w));
                });
        StructType serverUpdateIn = StructType.builder()
                .add("state", stateMember)
                .add("sum", trainable)
                .add("weight_sum", F32)
                .build();
        LocalComputation nextState = LocalComputation.of("next_client_work_state", serverUpdateIn, stateMember, v -> {
            Struct in = (Struct) v;
            Struct s = in.struct("state");
            Tensor round = Tensor.scalar(s.tensor("round").intData()[0] + 1);
            if (!variant.hasServerState()) {
                return Struct.named("round", round);
            }
            Value old = s.get(serverField);
            Value sum = in.get("sum");
            Value next;
            if (variant == ClientTrainingVariant.Variant.SCAFFOLD) {
                float n = totalClients;
                next = Structures.zip(old, sum, (c, d) -> combine(c, 1f, d, 1f / n));
            } else if (optimizerState) {
                float wsum = in.tensor("weight_sum").floatValue();
                next = wsum > 0f
                        ? base.next(
                                        (Struct) old,
                                        Structures.zeros(trainable),
                                        Structures.map(sum, g -> scale(g, 1f / wsum)))
                                .state()
                        : old;
            } else {
                float wsum = in.tensor("weight_sum").floatValue();
                next = wsum > 0f ? Structures.zip(old, sum, (m, g) -> combine(m, mimeMomentum, g, 1f / wsum)) : old;
            }
            return Struct.named("round", round, serverField, next);
        });
        LocalComputation roundOf = LocalComputation.of("round", stateMember, I32, v -> ((Struct) v).get("round"));
        LocalComputation serverStateOf =
                LocalComputation.of("server_state", stateMember, serverStateType, v -> ((Struct) v).get(serverField));

        FederatedComputation init = FederatedComputation.noArg(
                "client_work_initialize",
                state,
                (ctx, a) -> ctx.federatedValue(
                        variant.hasServerState()
                                ? Struct.named("round", Tensor.scalar(0), serverField, initialServerState)
                                : Struct.named("round", Tensor.scalar(0)),
                        Placement.SERVER));
        FederatedComputation next = FederatedComputation.of(
                "client_work_next",
                ClientWorkProcess.nextParameterType(state, weights, data),
                ClientWorkProcess.nextResultType(state, resultMember, measurements),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue s = (FederatedValue) a.get("state");
                    FederatedValue lr = ctx.federatedMap(rate, ctx.federatedMap(roundOf, s));
                    Struct.Builder clientArgs = Struct.builder()
                            .add("weights", a.get("weights"))
                            .add("data", a.get("data"))
                            .add("learning_rate", ctx.federatedBroadcast(lr));
                    if (variant.hasServerState()) {
                        clientArgs.add("server_state", ctx.federatedBroadcast(ctx.federatedMap(serverStateOf, s)));
                    }
                    FederatedValue trained = ctx.federatedMap(training, ctx.federatedZip(clientArgs.build()));
                    FederatedValue result = ctx.federatedZip(Struct.named(
                            "update",
                            ctx.federatedField(trained, "update"),
                            "update_weight",
                            ctx.federatedField(trained, "update_weight")));
                    FederatedValue summed = ctx.federatedSum(ctx.federatedField(trained, "metrics"));
                    FederatedValue nonFinite = ctx.federatedSum(ctx.federatedField(trained, "non_finite"));
                    Value finalized = ctx.federatedMap(finalize, ctx.federatedZip(Struct.of(summed, nonFinite, lr)));
                    FederatedValue sum;
                    FederatedValue weightSum;
                    if (variant == ClientTrainingVariant.Variant.SCAFFOLD) {
                        sum = ctx.federatedSum(ctx.federatedField(trained, "extra"));
                        weightSum = ctx.federatedValue(Tensor.scalar(0f), Placement.SERVER);
                    } else if (variant == ClientTrainingVariant.Variant.MIME_LITE) {
                        sum = ctx.federatedSum(ctx.federatedMap(
                                weighted,
                                ctx.federatedZip(Struct.named(
                                        "extra",
                                        ctx.federatedField(trained, "extra"),
                                        "update_weight",
                                        ctx.federatedField(trained, "update_weight")))));
                        weightSum = ctx.federatedSum(ctx.federatedField(trained, "update_weight"));
                    } else {
                        sum = ctx.federatedValue(Structures.zeros(trainable), Placement.SERVER);
                        weightSum = ctx.federatedValue(Tensor.scalar(0f), Placement.SERVER);
                    }
                    FederatedValue newState = ctx.federatedMap(
                            nextState, ctx.federatedZip(Struct.named("state", s, "sum", sum, "weight_sum", weightSum)));
                    return new MeasuredProcessOutput(newState, result, finalized);
                });
        return new ClientWorkProcess(init, next);
    }

    /** {@code a·fa + b·fb}, element by element, in float32. */
    private static Tensor combine(Tensor a, float fa, Tensor b, float fb) {
        float[] x = a.floatData();
        float[] y = b.floatData();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = fa * x[i] + fb * y[i];
        }
        return Tensor.of(out, a.shape());
    }

    private static Tensor scale(Tensor t, float factor) {
        float[] x = t.floatData();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * factor;
        }
        return Tensor.of(out, t.shape());
    }
}
