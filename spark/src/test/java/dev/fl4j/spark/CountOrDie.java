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
 * A shippable stateful test computation: {@code float32 -> float32}, each client keeps under key
 * {@code "count"} the sum of the values it has seen and returns it. With config {@code die-after-write:ID}
 * the first attempt of the task that runs client ID writes the client's new state and then dies as a
 * lost executor would (an {@link Error}), so a retried task that started from that half-done write
 * would count twice; with config {@code fail:ID} client ID fails (its own failure) after writing.
 * Registered in the test class path's services file.
 */
public final class CountOrDie extends LocalComputation {

    static final String KEY = "count";
    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private final String config;

    public CountOrDie(String config) {
        super("count_or_die", new FunctionType(F32, F32));
        this.config = config;
    }

    @Override
    protected Value apply(Value arg, ClientContext context) {
        float before =
                context.clientState(KEY).map(v -> ((Tensor) v).floatValue()).orElse(0f);
        float now = before + ((Tensor) arg).floatValue();
        context.setClientState(KEY, Tensor.scalar(now));
        TaskContext task = TaskContext.get();
        if (config.equals("die-after-write:" + context.clientId()) && task != null && task.attemptNumber() == 0) {
            throw new ScaleOrFail.SimulatedExecutorLoss("first attempt of the task running " + context.clientId());
        }
        if (config.equals("fail:" + context.clientId())) {
            throw new IllegalArgumentException("told to fail on " + context.clientId());
        }
        return Tensor.scalar(now);
    }

    @Override
    public Optional<ComputationDescriptor> descriptor() {
        return Optional.of(ComputationDescriptor.of(Factory.class, config, null));
    }

    /** Rebuilds it in an executor. */
    public static final class Factory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            return new CountOrDie(config);
        }
    }
}
