package dev.fl4j.learning.templates;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
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

    /**
     * A finalizer whose {@code next} is one server computation: {@code step} maps
     * {@code <state, weights, update>} to {@code <state, weights, measurements>} at SERVER (a server
     * optimizer step, say), and {@code next} zips its arguments, runs {@code step} and splits the
     * result into a {@link MeasuredProcessOutput}.
     *
     * @param initialize the state's initializer, of type {@code () -> state}
     * @param state the state's type, at SERVER
     */
    public static FinalizerProcess ofServerStep(
            FederatedComputation initialize,
            FederatedType state,
            Type weights,
            Type update,
            Type measurements,
            LocalComputation step) {
        FederatedComputation next = FederatedComputation.of(
                "finalizer_next",
                StructType.builder()
                        .add("state", state)
                        .add("weights", FederatedType.server(weights))
                        .add("update", FederatedType.server(update))
                        .build(),
                MeasuredProcess.outputType(state, FederatedType.server(weights), FederatedType.server(measurements)),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue out = ctx.federatedMap(
                            step,
                            ctx.federatedZip(Struct.named(
                                    "state", a.get("state"), "weights", a.get("weights"), "update", a.get("update"))));
                    return new MeasuredProcessOutput(
                            ctx.federatedField(out, "state"),
                            ctx.federatedField(out, "weights"),
                            ctx.federatedField(out, "measurements"));
                });
        return new FinalizerProcess(initialize, next);
    }

    /** The type of the aggregated update it applies. */
    public Type updateType() {
        return ((FederatedType) ((StructType) nextComputation().type().parameter()).get(2)).member();
    }
}
