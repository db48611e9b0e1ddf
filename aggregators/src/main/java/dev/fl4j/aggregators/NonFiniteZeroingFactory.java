package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.ValueMath;
import dev.fl4j.aggregators.internal.Wrapping;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.Objects;

/**
 * Keeps a client whose update holds NaN or ±Inf from poisoning the round, as TFF's learning
 * processes do: the update becomes zeros and, in a weighted process, its weight becomes zero (a
 * non-finite weight counts too). So a weighted mean is the mean of the finite updates, and a round
 * in which every update was non-finite yields zeros (by {@link MeanFactory}'s no-NaN division).
 * Unweighted, the zeroed update still counts as one client (e.g. in a mean's divisor).
 *
 * <p>State {@code <inner_agg=..>}; measurements {@code <non_finite_count=int32,
 * non_finite_zeroing=<inner measurements>>}: the number of clients zeroed this round, then the
 * inner factory's measurements.
 */
public final class NonFiniteZeroingFactory implements UnweightedAggregationFactory, WeightedAggregationFactory {

    private static final TensorType I32 = TensorType.scalar(DType.INT32);
    private final AggregationFactory inner;

    public NonFiniteZeroingFactory(AggregationFactory inner) {
        this.inner = Objects.requireNonNull(inner, "inner factory");
    }

    @Override
    public AggregationProcess create(Type valueType) {
        return build(valueType, null);
    }

    @Override
    public AggregationProcess create(Type valueType, Type weightType) {
        ValueMath.requireFloatScalar(weightType, "NonFiniteZeroingFactory");
        return build(valueType, weightType);
    }

    private AggregationProcess build(Type valueType, Type weightType) {
        ValueMath.requireFloatStructure(valueType, "NonFiniteZeroingFactory");
        AggregationProcess innerProcess = Wrapping.createInner(inner, valueType, weightType, "NonFiniteZeroingFactory");
        Type state =
                StructType.builder().add("inner_agg", innerProcess.stateType()).build();
        Type measurements = StructType.builder()
                .add("non_finite_count", FederatedType.server(I32))
                .add("non_finite_zeroing", innerProcess.measurementsType())
                .build();
        FederatedComputation init = FederatedComputation.noArg(
                "non_finite_zeroing_initialize",
                state,
                (ctx, arg) -> Struct.named("inner_agg", ctx.invoke(innerProcess.initializeComputation(), null)));
        LocalComputation check = ClientSteps.zeroNonFinite(valueType, weightType);
        return Wrapping.process(
                "non_finite_zeroing", init, valueType, weightType, measurements, (ctx, s, value, weight) -> {
                    FederatedValue checked = ctx.federatedMap(
                            check, weight == null ? value : ctx.federatedZip(Struct.of(value, weight)));
                    FederatedValue count = ctx.federatedSum(ctx.federatedField(checked, "non_finite"));
                    MeasuredProcessOutput innerOut = Wrapping.nextInner(
                            ctx,
                            innerProcess,
                            s.get("inner_agg"),
                            ctx.federatedField(checked, "value"),
                            weight == null ? null : ctx.federatedField(checked, "weight"));
                    return new MeasuredProcessOutput(
                            Struct.named("inner_agg", innerOut.state()),
                            innerOut.result(),
                            Struct.named("non_finite_count", count, "non_finite_zeroing", innerOut.measurements()));
                });
    }

    /** Weighted exactly when the inner factory is: the wrapper builds whichever kind its inner factory can. */
    @Override
    public boolean isWeighted() {
        return inner.isWeighted();
    }

    /** The wrapped factory. */
    public AggregationFactory inner() {
        return inner;
    }

    @Override
    public String toString() {
        return "non_finite_zeroing(" + inner + ")";
    }
}
