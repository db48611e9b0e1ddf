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

    /**
     * Checks that these weights are those of a model whose weights have type {@code expected}
     * ({@code <trainable=<...>,non_trainable=<...>>}): the same weights, by name and in order, each with
     * the same shape and dtype.
     *
     * @throws IllegalArgumentException naming the first weight that is missing, extra, out of place or of
     *     another shape
     */
    public void requireType(StructType expected) {
        for (String part : new String[] {"trainable", "non_trainable"}) {
            StructType want = (StructType) expected.get(part);
            Struct have = part.equals("trainable") ? trainable : nonTrainable;
            for (int i = 0; i < Math.max(want.size(), have.size()); i++) {
                String wantName = i < want.size() ? want.fields().get(i).name() : null;
                String haveName = i < have.size() ? have.type().fields().get(i).name() : null;
                if (wantName == null) {
                    throw new IllegalArgumentException(part + " weight " + i + " '" + haveName + "' ("
                            + have.get(i).type() + ") is not in the model, which has " + want.size() + " " + part
                            + " weights");
                }
                if (haveName == null) {
                    throw new IllegalArgumentException("the model's " + part + " weight " + i + " '" + wantName + "' ("
                            + want.get(i) + ") is missing; the weights have " + have.size());
                }
                if (!wantName.equals(haveName)) {
                    throw new IllegalArgumentException(
                            part + " weight " + i + " is '" + haveName + "' but the model's is '" + wantName + "'");
                }
                if (!want.get(i).equals(have.get(i).type())) {
                    throw new IllegalArgumentException(part + " weight '" + wantName + "' is "
                            + have.get(i).type() + " but the model's is " + want.get(i));
                }
            }
        }
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
