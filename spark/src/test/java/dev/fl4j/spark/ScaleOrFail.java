package dev.fl4j.spark;

import dev.fl4j.core.DType;
import dev.fl4j.core.FunctionType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactory;
import dev.fl4j.core.computation.LocalComputation;
import java.util.Optional;

/**
 * A shippable test computation: {@code float32 -> float32}, the argument times a factor, failing on
 * the client named in its config (empty: none). Registered in the test class path's services file.
 */
public final class ScaleOrFail extends LocalComputation {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private final String failOn;

    public ScaleOrFail(String failOn) {
        super("scale_or_fail", new FunctionType(F32, F32));
        this.failOn = failOn;
    }

    @Override
    protected Value apply(Value arg, ClientContext context) {
        if (context.clientId().equals(failOn)) {
            throw new IllegalArgumentException("told to fail on " + failOn);
        }
        return Tensor.scalar(((Tensor) arg).floatValue() * 1.1f);
    }

    @Override
    public Optional<ComputationDescriptor> descriptor() {
        return Optional.of(ComputationDescriptor.of(Factory.class, failOn, null));
    }

    /** Rebuilds it in an executor. */
    public static final class Factory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            return new ScaleOrFail(config);
        }
    }
}
