package dev.fl4j.aggregators.internal;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.aggregators.UnweightedAggregationFactory;
import dev.fl4j.aggregators.WeightedAggregationFactory;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.FederatedContext;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;

/**
 * Shared plumbing of factories that wrap an inner factory and work weighted or unweighted alike:
 * a {@code null} weight type means unweighted throughout.
 */
public final class Wrapping {

    private Wrapping() {}

    /** The body of a wrapper's {@code next}; {@code weight} is null for an unweighted process. */
    @FunctionalInterface
    public interface Body {
        MeasuredProcessOutput apply(FederatedContext ctx, Struct state, FederatedValue value, FederatedValue weight);
    }

    /**
     * The inner factory's process for the same value (and weight) type.
     *
     * @throws TypeMismatchException naming {@code outer} if the inner factory cannot be used that way
     */
    public static AggregationProcess createInner(
            AggregationFactory inner, Type valueType, Type weightType, String outer) {
        if (weightType == null) {
            if (inner instanceof UnweightedAggregationFactory u) {
                return u.create(valueType);
            }
            throw new TypeMismatchException(outer + " was asked for an unweighted process but its inner factory "
                    + inner + " is weighted only");
        }
        if (inner instanceof WeightedAggregationFactory w) {
            return w.create(valueType, weightType);
        }
        throw new TypeMismatchException(outer + " was asked for a weighted process (weight " + weightType
                + ") but its inner factory " + inner + " is unweighted only; create it without a weight");
    }

    /** Runs the inner process's {@code next} as part of the current computation. */
    public static MeasuredProcessOutput nextInner(
            FederatedContext ctx, AggregationProcess inner, Value state, FederatedValue value, FederatedValue weight) {
        Value arg = weight == null ? Struct.of(state, value) : Struct.of(state, value, weight);
        return MeasuredProcessOutput.from(ctx.invoke(inner.nextComputation(), arg));
    }

    /** A process whose {@code next} takes {@code (state, value[, weight])} and returns {@code valueType@SERVER}. */
    public static AggregationProcess process(
            String name,
            FederatedComputation initialize,
            Type valueType,
            Type weightType,
            Type measurements,
            Body body) {
        Type state = initialize.type().result();
        StructType.Builder params =
                StructType.builder().add("state", state).add("value", FederatedType.clients(valueType));
        if (weightType != null) {
            params.add("weight", FederatedType.clients(weightType));
        }
        FederatedComputation next = FederatedComputation.of(
                name + "_next",
                params.build(),
                MeasuredProcess.outputType(state, FederatedType.server(valueType), measurements),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue weight = weightType == null ? null : (FederatedValue) a.get("weight");
                    return body.apply(ctx, (Struct) a.get("state"), (FederatedValue) a.get("value"), weight);
                });
        return new AggregationProcess(initialize, next);
    }
}
