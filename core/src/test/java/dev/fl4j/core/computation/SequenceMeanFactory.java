package dev.fl4j.core.computation;

import dev.fl4j.core.DType;
import dev.fl4j.core.FunctionType;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;

/** A shippable computation for tests: the mean of a float32 sequence, scaled by a factor from the config. */
public final class SequenceMeanFactory implements ComputationFactory {

    @Override
    public LocalComputation create(String config, Value payload) {
        float scale = Float.parseFloat(config);
        float offset = payload == null ? 0f : ((Tensor) payload).floatValue();
        return new LocalComputation(
                "scaled_mean",
                new FunctionType(
                        new SequenceType(TensorType.scalar(DType.FLOAT32)), TensorType.scalar(DType.FLOAT32))) {
            @Override
            protected Value apply(Value arg, ClientContext context) {
                float sum = 0;
                int n = 0;
                for (Value v : (dev.fl4j.core.SequenceValue) arg) {
                    sum += ((Tensor) v).floatValue();
                    n++;
                }
                return Tensor.scalar(sum / n * scale + offset);
            }

            @Override
            public java.util.Optional<ComputationDescriptor> descriptor() {
                return java.util.Optional.of(ComputationDescriptor.of(SequenceMeanFactory.class, config, payload));
            }
        };
    }
}
