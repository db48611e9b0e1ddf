package dev.fl4j.aggregators.internal;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedContext;
import dev.fl4j.core.templates.EstimationProcess;

/**
 * A norm bound that is either a constant or the report of an {@link EstimationProcess} fed with
 * the clients' norms each round (adaptive zeroing, clipping, secure-sum ranges).
 */
public abstract class Bound {

    /** The type of a bound and of a client's norm. */
    public static final TensorType F32 = TensorType.scalar(DType.FLOAT32);

    private Bound() {}

    /** A constant bound, finite and >= 0. */
    public static Bound constant(double value, String what) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(what + " must be finite and >= 0, got " + value);
        }
        return new Constant(value);
    }

    /**
     * A bound estimated by {@code process}, whose {@code next(state, {float32}@CLIENTS)} takes the
     * clients' norms and whose {@code report(state)} gives {@code float32@SERVER}.
     */
    public static Bound adaptive(EstimationProcess process, String what) {
        if (process == null) {
            throw new IllegalArgumentException(what + ": the estimation process must not be null");
        }
        Type param = process.nextComputation().type().parameter();
        if (!(param instanceof StructType s)
                || s.size() != 2
                || !s.get(1).isAssignableFrom(FederatedType.clients(F32))) {
            throw new TypeMismatchException(what
                    + ": the estimation process's next must take (state, {float32}@CLIENTS) norms but takes " + param);
        }
        Type reported = process.reportComputation().type().result();
        if (!FederatedType.server(F32).isAssignableFrom(reported)) {
            throw new TypeMismatchException(
                    what + ": the estimation process must report float32@SERVER but reports " + reported);
        }
        return new Adaptive(process);
    }

    public abstract boolean isAdaptive();

    public abstract Type stateType();

    /** The state before the first round. */
    public abstract Value initialize(FederatedContext ctx);

    /** This round's bound, {@code float32@SERVER}. */
    public abstract FederatedValue current(FederatedContext ctx, Value state);

    /** The state for the next round, given this round's client norms {@code {float32}@CLIENTS}. */
    public abstract Value update(FederatedContext ctx, Value state, FederatedValue clientNorms);

    private static final class Constant extends Bound {
        private final double value;

        Constant(double value) {
            this.value = value;
        }

        @Override
        public boolean isAdaptive() {
            return false;
        }

        @Override
        public Type stateType() {
            return Stateless.STATE;
        }

        @Override
        public Value initialize(FederatedContext ctx) {
            return ctx.federatedValue(Struct.empty(), Placement.SERVER);
        }

        @Override
        public FederatedValue current(FederatedContext ctx, Value state) {
            return ctx.federatedValue(Tensor.scalar((float) value), Placement.SERVER);
        }

        @Override
        public Value update(FederatedContext ctx, Value state, FederatedValue clientNorms) {
            return state;
        }

        @Override
        public String toString() {
            return Double.toString(value);
        }
    }

    private static final class Adaptive extends Bound {
        private final EstimationProcess process;

        Adaptive(EstimationProcess process) {
            this.process = process;
        }

        @Override
        public boolean isAdaptive() {
            return true;
        }

        @Override
        public Type stateType() {
            return process.stateType();
        }

        @Override
        public Value initialize(FederatedContext ctx) {
            return ctx.invoke(process.initializeComputation(), null);
        }

        @Override
        public FederatedValue current(FederatedContext ctx, Value state) {
            return (FederatedValue) ctx.invoke(process.reportComputation(), state);
        }

        @Override
        public Value update(FederatedContext ctx, Value state, FederatedValue clientNorms) {
            Value next = ctx.invoke(process.nextComputation(), Struct.of(state, clientNorms));
            return next instanceof Struct s && s.has("state") ? s.get("state") : next;
        }

        @Override
        public String toString() {
            return "adaptive(" + process + ")";
        }
    }
}
