package dev.fl4j.learning.model;

import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;

/**
 * A model's weights as engine-neutral core values, TFF's {@code ModelWeights}: the trainable and the
 * non-trainable weights, each a structure of named float32 tensors. As a single value it is the
 * structure {@code <trainable=<...>,non_trainable=<...>>} ({@link #asStruct()}), which is what
 * is broadcast, aggregated and stored.
 */
public final class ModelWeights {

    private final Struct trainable;
    private final Struct nonTrainable;

    private ModelWeights(Struct trainable, Struct nonTrainable) {
        this.trainable = trainable;
        this.nonTrainable = nonTrainable;
    }

    public static ModelWeights of(Struct trainable, Struct nonTrainable) {
        return new ModelWeights(trainable, nonTrainable);
    }

    /** Reads {@code <trainable=..., non_trainable=...>}. */
    public static ModelWeights fromStruct(Value value) {
        if (!(value instanceof Struct s) || s.size() != 2 || !s.has("trainable") || !s.has("non_trainable")) {
            throw new IllegalArgumentException(
                    "model weights: expected <trainable=<...>,non_trainable=<...>> but got " + value.type());
        }
        return new ModelWeights(s.struct("trainable"), s.struct("non_trainable"));
    }

    public Struct trainable() {
        return trainable;
    }

    public Struct nonTrainable() {
        return nonTrainable;
    }

    /** {@code <trainable=<...>,non_trainable=<...>>}. */
    public Struct asStruct() {
        return Struct.named("trainable", trainable, "non_trainable", nonTrainable);
    }

    public StructType type() {
        return asStruct().type();
    }

    /** Number of elements over all weights. */
    public long numParameters() {
        return Structures.numElements(trainable) + Structures.numElements(nonTrainable);
    }

    /** The trainable tensors in order. */
    public java.util.List<Tensor> trainableTensors() {
        return Structures.leaves(trainable);
    }

    /**
     * The model delta TFF's client work sends: {@code this.trainable − trained.trainable}, leaf by
     * leaf (a server optimizer applies it as a pseudo-gradient).
     */
    public Struct trainableDelta(ModelWeights trained) {
        return (Struct) Structures.zip(trainable, trained.trainable, ModelWeights::subtract);
    }

    private static Tensor subtract(Tensor a, Tensor b) {
        float[] x = a.floatData();
        float[] y = b.floatData();
        float[] r = new float[x.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = x[i] - y[i];
        }
        return Tensor.of(r, a.shape());
    }

    /** Bitwise equality of every weight. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ModelWeights w && w.trainable.equals(trainable) && w.nonTrainable.equals(nonTrainable);
    }

    @Override
    public int hashCode() {
        return trainable.hashCode() * 31 + nonTrainable.hashCode();
    }

    @Override
    public String toString() {
        return "ModelWeights" + type();
    }
}
