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
 * TFF's {@code FinalizerProcess}: {@code next(state, weights@SERVER, update@SERVER)} turns the
 * aggregated update into the next global model, e.g. by a server optimizer step.
 */
public class FinalizerProcess extends MeasuredProcess {

    public FinalizerProcess(FederatedComputation initialize, FederatedComputation next) {
        super(initialize, next);
        Type param = next.type().parameter();
        if (!(param instanceof StructType s) || s.size() != 3) {
            throw new NextArgumentCountException(
                    "finalizer '" + next.name() + "' must take (state, weights, update) but takes " + param);
        }
        for (int i = 1; i < 3; i++) {
            if (!(s.get(i) instanceof FederatedType f) || f.placement() != Placement.SERVER) {
                throw new PlacementMismatchException("finalizer '" + next.name() + "' must take "
                        + (i == 1 ? "weights" : "update") + " at SERVER but takes " + s.get(i));
            }
        }
    }

    /** The type of the aggregated update it applies. */
    public Type updateType() {
        return ((FederatedType) ((StructType) nextComputation().type().parameter()).get(2)).member();
    }
}
