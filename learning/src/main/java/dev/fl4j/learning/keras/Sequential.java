package dev.fl4j.learning.keras;

import dev.fl4j.core.TensorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stack of layers, Keras's {@code Sequential}, starting with an {@link InputLayer}. Building one
 * runs shape inference through every layer, so a stack that does not fit fails here, naming the
 * layer and what it expected, not later inside an engine. Layers get Keras's automatic names
 * ({@code conv2d}, {@code conv2d_1}, …) and weights are named {@code layer/weight}.
 */
public final class Sequential {

    private final List<Layer> layers;
    private final List<String> names;
    private final List<TensorType> outputTypes;
    private final List<WeightSpec> weights;

    private Sequential(List<Layer> layers) {
        if (layers.isEmpty() || !(layers.get(0) instanceof InputLayer)) {
            throw new IllegalArgumentException("a Sequential model starts with an InputLayer, got "
                    + (layers.isEmpty() ? "no layers" : layers.get(0).getClass().getSimpleName()));
        }
        this.layers = List.copyOf(layers);
        List<String> ns = new ArrayList<>();
        List<TensorType> types = new ArrayList<>();
        List<WeightSpec> ws = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        TensorType current = ((InputLayer) layers.get(0)).batchType();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if (i > 0 && layer instanceof InputLayer) {
                throw new IllegalArgumentException("layer " + i + " is a second InputLayer");
            }
            int seen = counts.merge(layer.baseName(), 1, Integer::sum) - 1;
            String name = seen == 0 ? layer.baseName() : layer.baseName() + "_" + seen;
            TensorType out;
            try {
                out = layer.outputType(current);
                for (WeightSpec w : layer.weights(current)) {
                    ws.add(w.renamed(name));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + i + " (" + name + "): " + e.getMessage(), e);
            }
            ns.add(name);
            types.add(out);
            current = out;
        }
        this.names = List.copyOf(ns);
        this.outputTypes = List.copyOf(types);
        this.weights = List.copyOf(ws);
    }

    public static Sequential of(Layer... layers) {
        return new Sequential(List.of(layers));
    }

    public static Sequential of(List<Layer> layers) {
        return new Sequential(layers);
    }

    public List<Layer> layers() {
        return layers;
    }

    /** Automatic layer names, one per layer. */
    public List<String> layerNames() {
        return names;
    }

    /** The output type of each layer (batch dimension first, unknown). */
    public List<TensorType> outputTypes() {
        return outputTypes;
    }

    /** The type a layer receives. */
    public TensorType inputTypeOf(int layer) {
        return layer == 0 ? ((InputLayer) layers.get(0)).batchType() : outputTypes.get(layer - 1);
    }

    public TensorType inputType() {
        return ((InputLayer) layers.get(0)).batchType();
    }

    public TensorType outputType() {
        return outputTypes.get(outputTypes.size() - 1);
    }

    /** All weights in layer order, named {@code layer/weight}. */
    public List<WeightSpec> weights() {
        return Collections.unmodifiableList(weights);
    }

    /** Number of weight elements, Keras's {@code count_params()}. */
    public long countParams() {
        long n = 0;
        for (WeightSpec w : weights) {
            n += w.size();
        }
        return n;
    }
}
