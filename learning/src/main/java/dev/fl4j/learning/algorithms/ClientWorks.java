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
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactory;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.TypeCodec;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.keras.Metrics;
import dev.fl4j.learning.templates.ClientWorkProcess;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Client work processes: local training (FedAvg, FedProx) and gradient computation (FedSGD).
 *
 * <h2>Non-finite updates</h2>
 * As TFF's client work ({@code model_delta_client_work}) does, a client whose update holds NaN or
 * ±Inf sends zeros with update weight 0, whatever the aggregator, so one such client can never
 * cancel the round: a weighted mean is the mean of the finite updates. An unweighted aggregator
 * ignores weights, so there (as in TFF) the zeroed client still counts, e.g. in an unweighted
 * mean's divisor: it dilutes the finite updates, it does not poison them. The measurement
 * {@code non_finite_update_count} counts such clients each round.
 */
public final class ClientWorks {

    private static final TensorType WEIGHT = TensorType.scalar(DType.FLOAT32);
    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    private ClientWorks() {}

    /**
     * Each client runs {@code training} on the received model and its data; the updates and weights
     * stay at the clients for the aggregator, and the clients' unfinalized metrics are summed and
     * finalized at the server into {@code <train=<metric=..>, non_finite_update_count=int32>}.
     */
    public static ClientWorkProcess of(ClientTraining training) {
        return of(training, null);
    }

    /**
     * As {@link #of(ClientTraining)}, with each client's update weight computed from its local
     * unfinalized metrics by {@code weightFromMetrics} (TFF's callable {@code client_weighting}).
     * The function runs on the clients; being a Java lambda, it is not part of the shippable
     * training description, so runtimes that ship client work to other JVMs need the built-in
     * weightings. A weight that is negative or not finite fails the client's work, naming it.
     */
    public static ClientWorkProcess of(ClientTraining training, ToDoubleFunction<Struct> weightFromMetrics) {
        StructType weights = training.spec().model().weightsType();
        Type data = new SequenceType(training.spec().model().inputSpec());
        StructType resultMember = StructType.builder()
                .add("update", weights.get("trainable"))
                .add("update_weight", WEIGHT)
                .build();
        List<Metric> metrics = training.spec().model().metrics();
        StructType unfinalized = Metrics.unfinalizedType(metrics);
        StructType finalizedMetrics = finalizedType(metrics);
        StructType measurements = StructType.builder()
                .add("train", finalizedMetrics)
                .add("non_finite_update_count", I32)
                .build();
        FederatedType state = FederatedType.server(StructType.of());

        LocalComputation updateAndWeight = weightFromMetrics == null
                ? updateAndWeight(training.type().result())
                : LocalComputation.of(
                        "update_and_weight",
                        training.type().result(),
                        checkedType(training.type().result()),
                        v -> updateAndWeight((Struct) v, weightFromMetrics));
        LocalComputation finalize = LocalComputation.of(
                "finalize_metrics",
                StructType.of(unfinalized, I32),
                measurements,
                v -> Struct.named(
                        "train",
                        Metrics.finalizeAll(metrics, (Struct) ((Struct) v).get(0)),
                        "non_finite_update_count",
                        ((Struct) v).get(1)));

        FederatedComputation init = FederatedComputation.noArg(
                "client_work_initialize", state, (ctx, a) -> ctx.federatedValue(Struct.empty(), Placement.SERVER));
        FederatedComputation next = FederatedComputation.of(
                "client_work_next",
                ClientWorkProcess.nextParameterType(state, weights, data),
                ClientWorkProcess.nextResultType(state, resultMember, measurements),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue trained = ctx.federatedMap(
                            training,
                            ctx.federatedZip(Struct.named("weights", a.get("weights"), "data", a.get("data"))));
                    FederatedValue checked = ctx.federatedMap(updateAndWeight, trained);
                    FederatedValue result = ctx.federatedZip(Struct.named(
                            "update",
                            ctx.federatedField(checked, "update"),
                            "update_weight",
                            ctx.federatedField(checked, "update_weight")));
                    FederatedValue summed = ctx.federatedSum(ctx.federatedField(trained, "metrics"));
                    FederatedValue nonFinite = ctx.federatedSum(ctx.federatedField(checked, "non_finite"));
                    Value finalized = ctx.federatedMap(finalize, ctx.federatedZip(Struct.of(summed, nonFinite)));
                    return new MeasuredProcessOutput(a.get("state"), result, finalized);
                });
        return new ClientWorkProcess(init, next);
    }

    /** {@code <update, update_weight, non_finite>} for a training result of type {@code trained}. */
    private static StructType checkedType(Type trained) {
        if (!(trained instanceof StructType st) || !st.has("update") || !st.has("update_weight")) {
            throw new IllegalArgumentException(
                    "update_and_weight takes a training result <update,update_weight,..>, not " + trained);
        }
        return StructType.builder()
                .add("update", st.get("update"))
                .add("update_weight", WEIGHT)
                .add("non_finite", I32)
                .build();
    }

    /**
     * The clients' step from a training result to {@code <update, update_weight, non_finite>} with the
     * weight training reported, described ({@link Factory}) so it runs where the training runs.
     */
    private static LocalComputation updateAndWeight(Type trained) {
        LocalComputation step = LocalComputation.of(
                "update_and_weight", trained, checkedType(trained), v -> updateAndWeight((Struct) v, null));
        return LocalComputation.described(
                step, ComputationDescriptor.of(Factory.class, "update_and_weight", TypeCodec.toValue(trained)));
    }

    /**
     * Rebuilds the clients' {@code update_and_weight} step (config {@code update_and_weight}, payload
     * the training result's type as {@link TypeCodec} writes it) in another JVM.
     */
    public static final class Factory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            if (!config.equals("update_and_weight")) {
                throw new MalformedDataException("unknown client work step '" + config + "'; known: update_and_weight");
            }
            if (payload == null) {
                throw new MalformedDataException("update_and_weight needs the training result's type as payload");
            }
            Type trained = TypeCodec.fromValue(payload);
            try {
                return updateAndWeight(trained);
            } catch (IllegalArgumentException e) {
                throw new MalformedDataException(e.getMessage());
            }
        }
    }

    /**
     * One client's {@code <update, update_weight, non_finite>}: zeros, weight 0 and flag 1 when the
     * update is not finite; else the update with its weight (from the metrics when a weighting
     * function is given), which must be finite and {@code >= 0}.
     */
    private static Struct updateAndWeight(Struct trained, ToDoubleFunction<Struct> weightFromMetrics) {
        Value update = trained.get("update");
        if (!Structures.isFinite(update)) {
            return Struct.named(
                    "update",
                    Structures.zerosLike(update),
                    "update_weight",
                    Tensor.scalar(0f),
                    "non_finite",
                    Tensor.scalar(1));
        }
        float weight = weightFromMetrics == null
                ? trained.tensor("update_weight").floatValue()
                : (float) weightFromMetrics.applyAsDouble(trained.struct("metrics"));
        if (!(weight >= 0) || Float.isInfinite(weight)) {
            throw new IllegalArgumentException(
                    "client weighting gave update weight " + weight + "; weights must be finite and >= 0");
        }
        return Struct.named("update", update, "update_weight", Tensor.scalar(weight), "non_finite", Tensor.scalar(0));
    }

    /** {@code <metric=float64 or int64>}: what each metric finalizes to. */
    static StructType finalizedType(List<Metric> metrics) {
        StructType.Builder b = StructType.builder();
        for (Metric m : metrics) {
            b.add(m.metricName(), TensorType.scalar(m.isMean() ? DType.FLOAT64 : DType.INT64));
        }
        return b.build();
    }
}
