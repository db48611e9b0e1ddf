package dev.fl4j.learning.templates;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Placement;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.NextArgumentCountException;
import dev.fl4j.core.templates.PlacementMismatchException;

/**
 * TFF's {@code ClientWorkProcess}: {@code next(state, weights@CLIENTS, data@CLIENTS)} runs on every
 * client and returns {@code {<update=U,update_weight=float32>}@CLIENTS}, with measurements (the
 * training metrics, {@code <train=<...>>}, and in fl4j's client work the number of clients whose
 * update was not finite and was sent as zeros with weight 0) at SERVER.
 */
public class ClientWorkProcess extends MeasuredProcess {

    public ClientWorkProcess(FederatedComputation initialize, FederatedComputation next) {
        super(initialize, next);
        Type param = next.type().parameter();
        if (!(param instanceof StructType s) || s.size() != 3) {
            throw new NextArgumentCountException(
                    "client work '" + next.name() + "' must take (state, weights, data) but takes " + param);
        }
        for (int i = 1; i < 3; i++) {
            if (!(s.get(i) instanceof FederatedType f) || f.placement() != Placement.CLIENTS) {
                throw new PlacementMismatchException("client work '" + next.name() + "' must take "
                        + (i == 1 ? "weights" : "data") + " at CLIENTS but takes " + s.get(i));
            }
        }
        if (!(resultType() instanceof FederatedType r)
                || r.placement() != Placement.CLIENTS
                || !(r.member() instanceof StructType rs)
                || !rs.has("update")
                || !rs.has("update_weight")) {
            throw new PlacementMismatchException("client work '" + next.name()
                    + "' must return {<update=..,update_weight=..>}@CLIENTS but returns " + resultType());
        }
    }

    /**
     * The parameter type of a client work's {@code next}: {@code <state=STATE, weights=WEIGHTS@CLIENTS,
     * data=DATA@CLIENTS>}, for {@code state} already placed (at SERVER).
     */
    public static StructType nextParameterType(FederatedType state, Type weights, Type data) {
        return StructType.builder()
                .add("state", state)
                .add("weights", FederatedType.clients(weights))
                .add("data", FederatedType.clients(data))
                .build();
    }

    /**
     * The result type of a client work's {@code next}: the state, {@code RESULT@CLIENTS} (one client's
     * {@code <update=..,update_weight=..>}) and {@code MEASUREMENTS@SERVER}.
     */
    public static StructType nextResultType(FederatedType state, Type resultMember, Type measurements) {
        return MeasuredProcess.outputType(
                state, FederatedType.clients(resultMember), FederatedType.server(measurements));
    }

    /** The type of one client's data, e.g. {@code <x=float32[?,28,28,1],y=int32[?]>*}. */
    public Type dataType() {
        return ((FederatedType) ((StructType) nextComputation().type().parameter()).get(2)).member();
    }

    /** The type of one client's update. */
    public Type updateType() {
        return ((StructType) ((FederatedType) resultType()).member()).get("update");
    }

    /** The type of one client's update weight. */
    public Type updateWeightType() {
        return ((StructType) ((FederatedType) resultType()).member()).get("update_weight");
    }
}
