package dev.fl4j.learning.zoo;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.learning.keras.Embedding;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Random batches that fit a model's input spec, for benchmarks and engine checks that need data of
 * the right shape but not of any meaning: features uniform in [0, 1), token ids uniform over an
 * {@link Embedding} first layer's vocabulary, class labels uniform over a sparse categorical
 * loss's classes, float labels uniform in [0, 1). The batches derive from the seed alone, so the
 * same arguments give bitwise the same batches on every JVM.
 */
public final class SyntheticBatches {

    private SyntheticBatches() {}

    /**
     * {@code count} batches of {@code batchSize} examples fitting {@code spec}'s input spec
     * {@code <x=..,y=..>}.
     *
     * @throws IllegalArgumentException if {@code batchSize < 1} or {@code count < 0}, if a batch would
     *     hold more than {@link Integer#MAX_VALUE} values, or if an int32 input has no bound (no
     *     embedding vocabulary for {@code x}, no class count for {@code y})
     */
    public static List<Struct> of(ModelSpec spec, int batchSize, int count, long seed) {
        if (batchSize < 1 || count < 0) {
            throw new IllegalArgumentException("synthetic batches need batch size >= 1 and count >= 0, got batch size "
                    + batchSize + ", count " + count);
        }
        TensorType xType = (TensorType) spec.inputSpec().get("x");
        TensorType yType = (TensorType) spec.inputSpec().get("y");
        int vocabulary = spec.layers().size() > 1 && spec.layers().get(1) instanceof Embedding e ? e.inputDim() : 0;
        int[] prediction = spec.predictionType().shape();
        int classes = spec.loss() instanceof Loss.SparseCategoricalCrossentropy ? prediction[prediction.length - 1] : 0;
        SplitMix64 rng = new SplitMix64(Seeds.deriveForModel(seed, 7));
        List<Struct> out = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            out.add(Struct.named(
                    "x",
                    random(spec, "x", xType, batchSize, vocabulary, rng),
                    "y",
                    random(spec, "y", yType, batchSize, classes, rng)));
        }
        return out;
    }

    private static Tensor random(
            ModelSpec spec, String field, TensorType type, int batch, int intBound, SplitMix64 rng) {
        int[] shape = type.shape();
        shape[0] = batch;
        int n = 1;
        try {
            for (int d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "a synthetic batch of " + batch + " for model '" + spec.name() + "' input '" + field + "' (" + type
                            + ") would hold more than " + Integer.MAX_VALUE + " values",
                    e);
        }
        if (type.dtype() == DType.INT32) {
            if (intBound < 1) {
                throw new IllegalArgumentException("model '" + spec.name() + "' input '" + field + "' is " + type
                        + " but the model gives no range for it (an Embedding first layer for x, a sparse "
                        + "categorical loss for y)");
            }
            int[] data = new int[n];
            for (int i = 0; i < n; i++) {
                data[i] = (int) ((rng.nextLong() >>> 1) % intBound);
            }
            return Tensor.of(data, shape);
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = rng.nextFloat();
        }
        return Tensor.of(data, shape);
    }
}
