package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.ValueMath;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.Objects;

/**
 * TFF's {@code MeanFactory}: the weighted mean Σ wᵢ·vᵢ / Σ wᵢ. Each client multiplies its value by
 * its weight; an inner value-sum factory sums the products and an inner weight-sum factory the
 * weights; the server divides. When the total weight is zero the mean is zero
 * ({@code divide_no_nan}), so a round in which every client was zero-weighted (e.g. all updates
 * were non-finite) leaves the model unchanged instead of poisoning it. Measurements are
 * {@code <mean_value=..,mean_weight=..>}.
 *
 * <p>Used without weights ({@link #create(Type)}) it is {@link UnweightedMeanFactory} over the same
 * value-sum factory.
 */
public final class MeanFactory implements WeightedAggregationFactory, UnweightedAggregationFactory {

    private final UnweightedAggregationFactory valueSum;
    private final UnweightedAggregationFactory weightSum;

    public MeanFactory() {
        this(new SumFactory(), new SumFactory());
    }

    public MeanFactory(UnweightedAggregationFactory valueSum, UnweightedAggregationFactory weightSum) {
        this.valueSum = Objects.requireNonNull(valueSum, "valueSum");
        this.weightSum = Objects.requireNonNull(weightSum, "weightSum");
    }

    @Override
    public AggregationProcess create(Type valueType) {
        return new UnweightedMeanFactory(valueSum, weightSum).create(valueType);
    }

    @Override
    public AggregationProcess create(Type valueType, Type weightType) {
        ValueMath.requireFloatStructure(valueType, "MeanFactory");
        ValueMath.requireFloatScalar(weightType, "MeanFactory");
        AggregationProcess values = valueSum.create(valueType);
        AggregationProcess weights = weightSum.create(weightType);
        Type state = StructType.builder()
                .add("value_sum_process", values.stateType())
                .add("weight_sum_process", weights.stateType())
                .build();
        Type measurements = StructType.builder()
                .add("mean_value", values.measurementsType())
                .add("mean_weight", weights.measurementsType())
                .build();
        FederatedComputation init = FederatedComputation.noArg(
                "mean_initialize",
                state,
                (ctx, arg) -> Struct.named(
                        "value_sum_process", ctx.invoke(values.initializeComputation(), null),
                        "weight_sum_process", ctx.invoke(weights.initializeComputation(), null)));
        LocalComputation multiply = ClientSteps.multiplyByWeight(valueType, weightType);
        LocalComputation divide = LocalComputation.of(
                "divide_no_nan",
                StructType.of(valueType, weightType),
                valueType,
                v -> ValueMath.divideNoNan(
                        ((Struct) v).get(0), ((Struct) v).tensor(1).doubleValue()));
        FederatedComputation next = FederatedComputation.of(
                "mean_next",
                StructType.builder()
                        .add("state", state)
                        .add("value", FederatedType.clients(valueType))
                        .add("weight", FederatedType.clients(weightType))
                        .build(),
                MeasuredProcess.outputType(state, FederatedType.server(valueType), measurements),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    Struct s = (Struct) a.get("state");
                    FederatedValue weight = (FederatedValue) a.get("weight");
                    FederatedValue weighted =
                            ctx.federatedMap(multiply, ctx.federatedZip(Struct.of(a.get("value"), weight)));
                    MeasuredProcessOutput sum = MeasuredProcessOutput.from(
                            ctx.invoke(values.nextComputation(), Struct.of(s.get("value_sum_process"), weighted)));
                    MeasuredProcessOutput total = MeasuredProcessOutput.from(
                            ctx.invoke(weights.nextComputation(), Struct.of(s.get("weight_sum_process"), weight)));
                    FederatedValue mean =
                            ctx.federatedMap(divide, ctx.federatedZip(Struct.of(sum.result(), total.result())));
                    return new MeasuredProcessOutput(
                            Struct.named("value_sum_process", sum.state(), "weight_sum_process", total.state()),
                            mean,
                            Struct.named("mean_value", sum.measurements(), "mean_weight", total.measurements()));
                });
        return new AggregationProcess(init, next);
    }

    @Override
    public String toString() {
        return "mean(" + valueSum + ", " + weightSum + ")";
    }
}
