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
import org.apache.spark.TaskContext;

/**
 * A shippable test computation: {@code float32 -> float32}, the argument times a factor, failing on
 * the client named in its config (empty: none), or, with config {@code lose-first-attempt:ID}, failing
 * the first attempt of the Spark task that runs client ID as a lost executor would (an {@link Error},
 * which is not the client's failure). Registered in the test class path's services file.
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
        TaskContext task = TaskContext.get();
        if (failOn.equals("lose-first-attempt:" + context.clientId()) && task != null && task.attemptNumber() == 0) {
            throw new SimulatedExecutorLoss("first attempt of the task running " + context.clientId());
        }
        return Tensor.scalar(((Tensor) arg).floatValue() * 1.1f);
    }

    @Override
    public Optional<ComputationDescriptor> descriptor() {
        return Optional.of(ComputationDescriptor.of(Factory.class, failOn, null));
    }

    /** What a task sees when its executor goes away: not the client's failure. */
    static final class SimulatedExecutorLoss extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedExecutorLoss(String message) {
            super(message);
        }
    }

    /** Rebuilds it in an executor. */
    public static final class Factory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            return new ScaleOrFail(config);
        }
    }
}
