package dev.fl4j.learning.templates;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.core.templates.PlacementMismatchException;

/**
 * TFF's {@code DistributionProcess}: {@code next(state, weights@SERVER)} delivers the model to the
 * clients ({@code weights@CLIENTS}). The default is a plain broadcast; an encoded broadcast (the
 * compression module) is another distributor.
 */
public class DistributionProcess extends MeasuredProcess {

    public DistributionProcess(FederatedComputation initialize, FederatedComputation next) {
        super(initialize, next);
        if (!(inputType() instanceof FederatedType in) || in.placement() != Placement.SERVER) {
            throw new PlacementMismatchException(
                    "distributor '" + next.name() + "' must take the model at SERVER but takes " + inputType());
        }
        if (!(resultType() instanceof FederatedType out) || out.placement() != Placement.CLIENTS) {
            throw new PlacementMismatchException(
                    "distributor '" + next.name() + "' must deliver the model at CLIENTS but returns " + resultType());
        }
    }

    /** A broadcast of values of {@code valueType}, with empty state and measurements. */
    public static DistributionProcess broadcast(Type valueType) {
        FederatedType empty = FederatedType.server(StructType.of());
        FederatedComputation init = FederatedComputation.noArg(
                "broadcast_initialize", empty, (ctx, a) -> ctx.federatedValue(Struct.empty(), Placement.SERVER));
        FederatedComputation next = FederatedComputation.of(
                "broadcast_next",
                StructType.builder()
                        .add("state", empty)
                        .add("value", FederatedType.server(valueType))
                        .build(),
                MeasuredProcess.outputType(empty, FederatedType.clientsAllEqual(valueType), empty),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    return new MeasuredProcessOutput(
                            a.get("state"),
                            ctx.federatedBroadcast((FederatedValue) a.get("value")),
                            ctx.federatedValue(Struct.empty(), Placement.SERVER));
                });
        return new DistributionProcess(init, next);
    }
}
