package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.ValueMath;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.Objects;

/**
 * TFF's {@code UnweightedMeanFactory}: the sum of client values (by an inner value-sum factory)
 * divided by the number of clients (summed by an inner count-sum factory). Measurements are
 * {@code <mean_value=..,mean_count=..>}, the inner factories' measurements.
 */
public final class UnweightedMeanFactory implements UnweightedAggregationFactory {

    private static final TensorType COUNT = TensorType.scalar(DType.FLOAT32);
    private final UnweightedAggregationFactory valueSum;
    private final UnweightedAggregationFactory countSum;

    public UnweightedMeanFactory() {
        this(new SumFactory(), new SumFactory());
    }

    public UnweightedMeanFactory(UnweightedAggregationFactory valueSum, UnweightedAggregationFactory countSum) {
        this.valueSum = Objects.requireNonNull(valueSum, "valueSum");
        this.countSum = Objects.requireNonNull(countSum, "countSum");
    }

    @Override
    public AggregationProcess create(Type valueType) {
        ValueMath.requireFloatStructure(valueType, "UnweightedMeanFactory");
        AggregationProcess values = valueSum.create(valueType);
        AggregationProcess counts = countSum.create(COUNT);
        Type state = StructType.builder()
                .add("value_sum_process", values.stateType())
                .add("count_sum_process", counts.stateType())
                .build();
        Type measurements = StructType.builder()
                .add("mean_value", values.measurementsType())
                .add("mean_count", counts.measurementsType())
                .build();
        FederatedComputation init = FederatedComputation.noArg(
                "unweighted_mean_initialize",
                state,
                (ctx, arg) -> Struct.named(
                        "value_sum_process", ctx.invoke(values.initializeComputation(), null),
                        "count_sum_process", ctx.invoke(counts.initializeComputation(), null)));
        LocalComputation one = LocalComputation.noArg("one", COUNT, () -> Tensor.scalar(1f));
        LocalComputation divide = LocalComputation.of(
                "divide",
                StructType.of(valueType, COUNT),
                valueType,
                v -> ValueMath.divideNoNan(
                        ((Struct) v).get(0), ((Struct) v).tensor(1).doubleValue()));
        FederatedComputation next = FederatedComputation.of(
                "unweighted_mean_next",
                StructType.builder()
                        .add("state", state)
                        .add("value", FederatedType.clients(valueType))
                        .build(),
                MeasuredProcess.outputType(state, FederatedType.server(valueType), measurements),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    Struct s = (Struct) a.get("state");
                    MeasuredProcessOutput sum = MeasuredProcessOutput.from(ctx.invoke(
                            values.nextComputation(), Struct.of(s.get("value_sum_process"), a.get("value"))));
                    MeasuredProcessOutput count = MeasuredProcessOutput.from(ctx.invoke(
                            counts.nextComputation(),
                            Struct.of(s.get("count_sum_process"), ctx.federatedEval(one, Placement.CLIENTS))));
                    FederatedValue mean =
                            ctx.federatedMap(divide, ctx.federatedZip(Struct.of(sum.result(), count.result())));
                    return new MeasuredProcessOutput(
                            Struct.named("value_sum_process", sum.state(), "count_sum_process", count.state()),
                            mean,
                            Struct.named("mean_value", sum.measurements(), "mean_count", count.measurements()));
                });
        return new AggregationProcess(init, next);
    }

    @Override
    public String toString() {
        return "unweighted_mean(" + valueSum + ", " + countSum + ")";
    }
}
