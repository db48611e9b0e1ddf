package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.Bound;
import dev.fl4j.aggregators.internal.ValueMath;
import dev.fl4j.aggregators.internal.Wrapping;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.Objects;

/**
 * What zeroing and clipping share (TFF's {@code robust._make_wrapper}): a bound (constant or
 * adaptive) broadcast to the clients, a per-client transformation by the value's norm, a count of
 * affected clients, the inner factory on the transformed values, and the clients' norms fed to the
 * bound's estimation process. Names follow TFF with a prefix: state
 * {@code <PREFIXing_norm, inner_agg>}, measurements {@code <PREFIXing_norm, PREFIXed_count,
 * PREFIXing>}.
 */
abstract class NormBoundFactory implements UnweightedAggregationFactory, WeightedAggregationFactory {

    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    private final Bound bound;
    private final Norm norm;
    private final AggregationFactory inner;
    private final String boundName;
    private final String countName;
    private final String innerName;

    NormBoundFactory(Bound bound, Norm norm, AggregationFactory inner, String prefix, String countName) {
        this.bound = Objects.requireNonNull(bound, "bound");
        this.norm = Objects.requireNonNull(norm, "norm");
        this.inner = Objects.requireNonNull(inner, "inner factory");
        this.boundName = prefix + "ing_norm";
        this.countName = countName;
        this.innerName = prefix + "ing";
    }

    /** Whether the client counts as affected. */
    static boolean exceeds(double norm, double bound) {
        return !(norm <= bound);
    }

    abstract String factoryName();

    /** The factory name of clipping ({@link ClippingFactory}). */
    static final String CLIPPING = "clipping";
    /** The factory name of zeroing ({@link ZeroingFactory}). */
    static final String ZEROING = "zeroing";

    /**
     * The clients' step of {@code kind} ({@link #CLIPPING} or {@link #ZEROING}) by {@code norm}:
     * {@code <value, bound> -> <value, norm, affected>}, the value clipped to the L2 ball of radius
     * bound, or zeroed when its norm exceeds the bound (a non-finite value has no projection, and
     * becomes zeros either way). Described ({@link ClientSteps}), so it runs where the client's update
     * is computed.
     */
    static LocalComputation clientStep(String kind, Norm norm, Type valueType) {
        if (!kind.equals(CLIPPING) && !kind.equals(ZEROING)) {
            throw new IllegalArgumentException("a norm bound is clipping or zeroing, not '" + kind + "'");
        }
        if (kind.equals(CLIPPING) && norm != Norm.L2) {
            throw new IllegalArgumentException("clipping projects onto the L2 ball; it has no " + norm + " form");
        }
        Type clientOut = StructType.builder()
                .add("value", valueType)
                .add("norm", Bound.F32)
                .add("affected", I32)
                .build();
        LocalComputation step =
                LocalComputation.of(kind + "_client", StructType.of(valueType, Bound.F32), clientOut, v -> {
                    Struct s = (Struct) v;
                    Value value = s.get(0);
                    double limit = s.tensor(1).doubleValue();
                    double n = norm.of(value);
                    Value bounded = kind.equals(CLIPPING)
                            ? ValueMath.clipL2(value, n, limit)
                            : exceeds(n, limit) ? Structures.zerosLike(value) : value;
                    return Struct.builder()
                            .add("value", bounded)
                            .add("norm", Tensor.scalar((float) n))
                            .add("affected", Tensor.scalar(exceeds(n, limit) ? 1 : 0))
                            .build();
                });
        return LocalComputation.described(step, ClientSteps.normBoundDescriptor(kind, norm, valueType));
    }

    @Override
    public AggregationProcess create(Type valueType) {
        return build(valueType, null);
    }

    @Override
    public AggregationProcess create(Type valueType, Type weightType) {
        Objects.requireNonNull(weightType, "weightType");
        return build(valueType, weightType);
    }

    private AggregationProcess build(Type valueType, Type weightType) {
        dev.fl4j.aggregators.internal.ValueMath.requireFloatStructure(valueType, factoryName());
        AggregationProcess innerProcess = Wrapping.createInner(inner, valueType, weightType, factoryName());
        Type state = StructType.builder()
                .add(boundName, bound.stateType())
                .add("inner_agg", innerProcess.stateType())
                .build();
        Type measurements = StructType.builder()
                .add(boundName, FederatedType.server(Bound.F32))
                .add(countName, FederatedType.server(I32))
                .add(innerName, innerProcess.measurementsType())
                .build();
        FederatedComputation init = FederatedComputation.noArg(
                factoryName() + "_initialize",
                state,
                (ctx, arg) -> Struct.named(
                        boundName,
                        bound.initialize(ctx),
                        "inner_agg",
                        ctx.invoke(innerProcess.initializeComputation(), null)));
        LocalComputation perClient = clientStep(factoryName(), norm, valueType);
        return Wrapping.process(factoryName(), init, valueType, weightType, measurements, (ctx, s, value, weight) -> {
            FederatedValue limit = bound.current(ctx, s.get(boundName));
            FederatedValue out =
                    ctx.federatedMap(perClient, ctx.federatedZip(Struct.of(value, ctx.federatedBroadcast(limit))));
            FederatedValue count = ctx.federatedSum(ctx.federatedField(out, "affected"));
            MeasuredProcessOutput innerOut =
                    Wrapping.nextInner(ctx, innerProcess, s.get("inner_agg"), ctx.federatedField(out, "value"), weight);
            Value nextBound = bound.update(ctx, s.get(boundName), ctx.federatedField(out, "norm"));
            return new MeasuredProcessOutput(
                    Struct.named(boundName, nextBound, "inner_agg", innerOut.state()),
                    innerOut.result(),
                    Struct.named(boundName, limit, countName, count, innerName, innerOut.measurements()));
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

    String describe() {
        return factoryName() + "(" + norm + " " + bound + ", " + inner + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
