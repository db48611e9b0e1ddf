package dev.fl4j.learning.keras;

import dev.fl4j.core.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * A fully connected layer on the last axis, Keras's {@code Dense}: kernel {@code [in, units]},
 * optional bias {@code [units]}, then the activation. Inputs of rank above 2 (e.g. an LSTM's
 * sequence output) are transformed position by position.
 */
public record Dense(
        int units, Activation activation, boolean useBias, Initializer kernelInitializer, Initializer biasInitializer)
        implements Layer {

    public Dense {
        if (units <= 0) {
            throw new IllegalArgumentException("Dense units must be positive, got " + units);
        }
    }

    /** {@code units} outputs, linear, with bias, Glorot-uniform kernel, zero bias. */
    public static Dense of(int units) {
        return new Dense(units, Activation.LINEAR, true, Initializer.glorotUniform(), Initializer.zeros());
    }

    public static Dense of(int units, Activation activation) {
        return of(units).withActivation(activation);
    }

    public Dense withActivation(Activation a) {
        return new Dense(units, a, useBias, kernelInitializer, biasInitializer);
    }

    public Dense withKernelInitializer(Initializer init) {
        return new Dense(units, activation, useBias, init, biasInitializer);
    }

    public Dense withBiasInitializer(Initializer init) {
        return new Dense(units, activation, useBias, kernelInitializer, init);
    }

    public Dense withBias(boolean use) {
        return new Dense(units, activation, use, kernelInitializer, biasInitializer);
    }

    @Override
    public String baseName() {
        return "dense";
    }

    @Override
    public TensorType outputType(TensorType input) {
        LayerShapes.requireMinRank(input, 2, "Dense");
        LayerShapes.requireFloat(input, "Dense");
        LayerShapes.requireKnownInner(input, "Dense");
        return LayerShapes.withLast(input, units);
    }

    @Override
    public List<WeightSpec> weights(TensorType input) {
        int in = input.shape()[input.rank() - 1];
        List<WeightSpec> w = new ArrayList<>();
        w.add(WeightSpec.trainable("kernel", new int[] {in, units}, kernelInitializer));
        if (useBias) {
            w.add(WeightSpec.trainable("bias", new int[] {units}, biasInitializer));
        }
        return w;
    }
}
