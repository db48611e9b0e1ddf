package dev.fl4j.learning.keras;

import dev.fl4j.core.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * A 2-D convolution over NHWC input, Keras's {@code Conv2D}: kernel {@code [kh, kw, in, filters]},
 * optional bias {@code [filters]}, then the activation. Defaults as in Keras: stride 1, valid
 * padding, linear activation, bias, Glorot-uniform kernel and zero bias.
 */
public record Conv2D(
        int filters,
        List<Integer> kernelSize,
        List<Integer> strides,
        Padding padding,
        Activation activation,
        boolean useBias,
        Initializer kernelInitializer,
        Initializer biasInitializer)
        implements Layer {

    public Conv2D {
        if (filters <= 0) {
            throw new IllegalArgumentException("Conv2D filters must be positive, got " + filters);
        }
        kernelSize = List.copyOf(kernelSize);
        strides = List.copyOf(strides);
        LayerShapes.pair(kernelSize, "kernel_size", "Conv2D");
        LayerShapes.pair(strides, "strides", "Conv2D");
    }

    /** {@code filters} square kernels of side {@code kernel}, Keras defaults otherwise. */
    public static Conv2D of(int filters, int kernel) {
        return new Conv2D(
                filters,
                List.of(kernel, kernel),
                List.of(1, 1),
                Padding.VALID,
                Activation.LINEAR,
                true,
                Initializer.glorotUniform(),
                Initializer.zeros());
    }

    public Conv2D withPadding(Padding p) {
        return new Conv2D(filters, kernelSize, strides, p, activation, useBias, kernelInitializer, biasInitializer);
    }

    public Conv2D withActivation(Activation a) {
        return new Conv2D(filters, kernelSize, strides, padding, a, useBias, kernelInitializer, biasInitializer);
    }

    public Conv2D withStrides(int strideH, int strideW) {
        return new Conv2D(
                filters,
                kernelSize,
                List.of(strideH, strideW),
                padding,
                activation,
                useBias,
                kernelInitializer,
                biasInitializer);
    }

    public Conv2D withKernelInitializer(Initializer init) {
        return new Conv2D(filters, kernelSize, strides, padding, activation, useBias, init, biasInitializer);
    }

    public Conv2D withBias(boolean use) {
        return new Conv2D(filters, kernelSize, strides, padding, activation, use, kernelInitializer, biasInitializer);
    }

    @Override
    public String baseName() {
        return "conv2d";
    }

    @Override
    public TensorType outputType(TensorType input) {
        LayerShapes.requireRank(input, 4, "Conv2D");
        LayerShapes.requireFloat(input, "Conv2D");
        LayerShapes.requireKnownInner(input, "Conv2D");
        return LayerShapes.spatial(
                input,
                LayerShapes.pair(kernelSize, "kernel_size", "Conv2D"),
                LayerShapes.pair(strides, "strides", "Conv2D"),
                padding,
                filters,
                "Conv2D");
    }

    @Override
    public List<WeightSpec> weights(TensorType input) {
        int in = input.shape()[3];
        List<WeightSpec> w = new ArrayList<>();
        w.add(WeightSpec.trainable(
                "kernel", new int[] {kernelSize.get(0), kernelSize.get(1), in, filters}, kernelInitializer));
        if (useBias) {
            w.add(WeightSpec.trainable("bias", new int[] {filters}, biasInitializer));
        }
        return w;
    }
}
