package dev.fl4j.learning.algorithms;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.core.types.FederatedType;
import dev.fl4j.core.types.Placement;
import dev.fl4j.core.types.SequenceType;
import dev.fl4j.core.types.StructType;
import dev.fl4j.core.types.TensorType;
import dev.fl4j.core.types.Type;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.keras.Metrics;
import dev.fl4j.learning.templates.ClientWorkProcess;
import java.util.List;

/** Client work processes: local training (FedAvg, FedProx) and gradient computation (FedSGD). */
public final class ClientWorks {

    private ClientWorks() {
    }

    /**
     * Each client runs {@code training} on the received model and its data; the updates and weights
     * stay at the clients for the aggregator, and the clients' unfinalized metrics are summed and
     * finalized at the server into {@code <train=<metric=..>>}.
     */
    public static ClientWorkProcess of(ClientTraining training) {
        return of(training, null);
    }

    /**
     * As {@link #of(ClientTraining)}, with each client's update weight computed from its local
     * unfinalized metrics by {@code weightFromMetrics} (TFF's callable {@code client_weighting}).
     * The function runs on the clients; being a Java lambda, it is not part of the shippable
     * training description, so runtimes that ship client work to other JVMs need the built-in
     * weightings.
     */
    public static ClientWorkProcess of(ClientTraining training, java.util.function.ToDoubleFunction<Struct> weightFromMetrics) {
        StructType weights = training.spec().model().weightsType();
        Type data = new SequenceType(training.spec().model().inputSpec());
        StructType resultMember = StructType.builder()
                .add("update", weights.get("trainable"))
                .add("update_weight", TensorType.scalar(DType.FLOAT32))
                .build();
        List<Metric> metrics = training.spec().model().metrics();
        StructType unfinalized = Metrics.unfinalizedType(metrics);
        StructType finalizedMetrics = finalizedType(metrics);
        StructType measurements = StructType.builder().add("train", finalizedMetrics).build();
        FederatedType state = FederatedType.server(StructType.of());

        LocalComputation updateAndWeight = LocalComputation.of("update_and_weight", training.type().result(), resultMember,
                v -> Struct.named("update", ((Struct) v).get("update"), "update_weight", weightFromMetrics == null
                        ? ((Struct) v).get("update_weight")
                        : dev.fl4j.core.Tensor.scalar((float) weightFromMetrics.applyAsDouble(((Struct) v).struct("metrics")))));
        LocalComputation finalize = LocalComputation.of("finalize_metrics", unfinalized, measurements,
                v -> Struct.named("train", Metrics.finalizeAll(metrics, (Struct) v)));

        FederatedComputation init = FederatedComputation.noArg("client_work_initialize", state,
                (ctx, a) -> ctx.federatedValue(Struct.empty(), Placement.SERVER));
        FederatedComputation next = FederatedComputation.of("client_work_next",
                StructType.builder().add("state", state).add("weights", FederatedType.clients(weights)).add("data", FederatedType.clients(data)).build(),
                MeasuredProcess.outputType(state, FederatedType.clients(resultMember), FederatedType.server(measurements)),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue trained = ctx.federatedMap(training,
                            ctx.federatedZip(Struct.named("weights", a.get("weights"), "data", a.get("data"))));
                    FederatedValue result = ctx.federatedMap(updateAndWeight, trained);
                    FederatedValue summed = ctx.federatedSum(ctx.federatedField(trained, "metrics"));
                    Value finalized = ctx.federatedMap(finalize, summed);
                    return new MeasuredProcessOutput(a.get("state"), result, finalized);
                });
        return new ClientWorkProcess(init, next);
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
