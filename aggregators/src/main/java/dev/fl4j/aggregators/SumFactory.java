package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.Stateless;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;

/**
 * TFF's {@code SumFactory}: the plain {@code federated_sum} of client values, no state, no
 * measurements. The innermost factory of most compositions.
 */
public final class SumFactory implements UnweightedAggregationFactory {

    @Override
    public AggregationProcess create(Type valueType) {
        requireNumeric(valueType);
        FederatedType result = FederatedType.server(valueType);
        FederatedComputation next = FederatedComputation.of(
                "sum_next",
                StructType.builder()
                        .add("state", Stateless.STATE)
                        .add("value", FederatedType.clients(valueType))
                        .build(),
                MeasuredProcess.outputType(Stateless.STATE, result, FederatedType.server(StructType.of())),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue sum = ctx.federatedSum((FederatedValue) a.get("value"));
                    return new MeasuredProcessOutput(
                            a.get("state"), sum, ctx.federatedValue(Struct.empty(), dev.fl4j.core.Placement.SERVER));
                });
        return new AggregationProcess(Stateless.initialize("sum"), next);
    }

    private static void requireNumeric(Type type) {
        if (type instanceof TensorType t) {
            if (t.dtype() == dev.fl4j.core.DType.BOOL || t.dtype() == dev.fl4j.core.DType.UINT8) {
                throw new TypeMismatchException("SumFactory cannot sum " + t + " values");
            }
            return;
        }
        if (type instanceof StructType s) {
            s.fields().forEach(f -> requireNumeric(f.type()));
            return;
        }
        throw new TypeMismatchException(
                "SumFactory sums tensors or structures of tensors, but the value type is " + type);
    }

    @Override
    public String toString() {
        return "sum";
    }
}
