package dev.fl4j.core.templates;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Placement;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.core.computation.FederatedComputation;

/**
 * TFF's {@code AggregationProcess}: a measured process whose {@code next(state, value[, weight])}
 * takes client values ({@code {T}@CLIENTS}, and for a weighted process client weights) and returns
 * the aggregate at the server. Checked when built: {@code next} takes two or three arguments
 * ({@link NextArgumentCountException}); state, result and measurements are at SERVER and value and
 * weight at CLIENTS ({@link PlacementMismatchException}).
 */
public class AggregationProcess extends MeasuredProcess {

    private final boolean weighted;

    public AggregationProcess(FederatedComputation initialize, FederatedComputation next) {
        super(initialize, next);
        Type param = next.type().parameter();
        if (!(param instanceof StructType s) || (s.size() != 2 && s.size() != 3)) {
            throw new NextArgumentCountException("aggregation next '" + next.name()
                    + "' must take (state, value) or (state, value, weight) but takes " + param);
        }
        this.weighted = s.size() == 3;
        if (!Placements.placedAt(stateType(), Placement.SERVER)) {
            throw new PlacementMismatchException("aggregation state must be at SERVER but initialize '"
                    + initialize.name() + "' makes " + stateType());
        }
        requireClients(next, "value", s.get(1));
        if (weighted) {
            requireClients(next, "weight", s.get(2));
        }
        if (!Placements.placedAt(resultType(), Placement.SERVER)) {
            throw new PlacementMismatchException(
                    "aggregation result must be at SERVER but next '" + next.name() + "' returns " + resultType());
        }
        if (!Placements.placedAt(measurementsType(), Placement.SERVER)) {
            throw new PlacementMismatchException("aggregation measurements must be at SERVER but next '" + next.name()
                    + "' returns " + measurementsType());
        }
    }

    private static void requireClients(FederatedComputation next, String what, Type t) {
        if (!(t instanceof FederatedType f) || f.placement() != Placement.CLIENTS) {
            throw new PlacementMismatchException("aggregation " + what + " must be at CLIENTS but next '" + next.name()
                    + "' takes " + what + " " + t);
        }
    }

    /** Whether {@code next} takes client weights. */
    public boolean isWeighted() {
        return weighted;
    }

    /** The type of one client's value, e.g. {@code float32[10]}. */
    public Type valueType() {
        return ((FederatedType) inputType()).member();
    }

    /** The type of one client's weight; fails for an unweighted process. */
    public Type weightType() {
        if (!weighted) {
            throw new IllegalStateException("an unweighted aggregation process has no weight");
        }
        return ((FederatedType) ((StructType) nextComputation().type().parameter()).get(2)).member();
    }
}
