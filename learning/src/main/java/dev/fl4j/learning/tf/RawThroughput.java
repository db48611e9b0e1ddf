package dev.fl4j.learning.tf;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.core.types.TensorType;
import dev.fl4j.learning.keras.Embedding;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.models.Models;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Sgd;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's raw training throughput: a plain single-thread loop of training steps of one model at
 * one batch size on synthetic data, through the same graph and feeding path as
 * {@link TfClientTrainer} but without per-client work (weights are assigned once). This is the
 * reference the federated training benchmark divides by; it is a measurement, not a test.
 *
 * <p>Command line: {@code RawThroughput [model] [batch] [steps]} with model one of
 * {@code fedavg_cnn} (default), {@code two_nn}, {@code softmax_regression}, {@code character_lstm}
 * (the small variant 86 characters, length 80, 1 × 64).
 */
public final class RawThroughput {

    /** Measured figures: milliseconds per step and examples per second. */
    public record Measurement(String model, int batchSize, int steps, double millisPerStep, double examplesPerSecond) {
        @Override
        public String toString() {
            return String.format("%s batch %d: %.2f ms/step, %.1f examples/s over %d steps (1 thread)",
                    model, batchSize, millisPerStep, examplesPerSecond, steps);
        }
    }

    private RawThroughput() {
    }

    /** Runs {@code warmup} untimed steps, then times {@code steps} steps of SGD with learning rate 0.01. */
    public static Measurement measure(ModelSpec spec, int batchSize, int warmup, int steps, long seed) {
        return measure(spec, Sgd.of(0.01f), batchSize, warmup, steps, seed);
    }

    public static Measurement measure(ModelSpec spec, Optimizer optimizer, int batchSize, int warmup, int steps, long seed) {
        if (batchSize < 1 || steps < 1 || warmup < 0) {
            throw new IllegalArgumentException("need batch >= 1, steps >= 1, warmup >= 0; got batch " + batchSize + ", steps " + steps + ", warmup " + warmup);
        }
        List<Struct> batches = syntheticBatches(spec, batchSize, 8, seed);
        try (TfClientTrainer trainer = new TfClientTrainer(TrainingSpec.of(spec, optimizer))) {
            trainer.assign(spec.initialWeights(seed));
            for (int i = 0; i < warmup; i++) {
                trainer.trainStep(batches.get(i % batches.size()), i + 1, seed);
            }
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                trainer.trainStep(batches.get(i % batches.size()), warmup + i + 1, seed);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Measurement(spec.name(), batchSize, steps, seconds * 1000 / steps, (double) steps * batchSize / seconds);
        }
    }

    /**
     * {@code count} random batches fitting {@code spec}'s input spec: features uniform in [0, 1),
     * token ids and class labels uniform over their range, float labels uniform in [0, 1).
     */
    public static List<Struct> syntheticBatches(ModelSpec spec, int batchSize, int count, long seed) {
        TensorType xType = (TensorType) spec.inputSpec().get("x");
        TensorType yType = (TensorType) spec.inputSpec().get("y");
        int vocabulary = spec.layers().size() > 1 && spec.layers().get(1) instanceof Embedding e ? e.inputDim() : 0;
        int[] pred = spec.predictionType().shape();
        int classes = spec.loss() instanceof Loss.SparseCategoricalCrossentropy ? pred[pred.length - 1] : 0;
        SplitMix64 rng = new SplitMix64(Seeds.deriveForModel(seed, 7));
        List<Struct> out = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            out.add(Struct.named("x", random(xType, batchSize, vocabulary, rng), "y", random(yType, batchSize, classes, rng)));
        }
        return out;
    }

    private static Tensor random(TensorType type, int batch, int intBound, SplitMix64 rng) {
        int[] shape = type.shape();
        shape[0] = batch;
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (type.dtype() == DType.INT32) {
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

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "fedavg_cnn";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        ModelSpec spec = switch (model) {
            case "fedavg_cnn" -> Models.fedAvgCnn(10);
            case "two_nn" -> Models.twoNN(10);
            case "softmax_regression" -> Models.softmaxRegression(784, 10);
            case "character_lstm" -> Models.characterLstm(86, 80, 64, 1);
            default -> throw new IllegalArgumentException("unknown model '" + model
                    + "', expected fedavg_cnn, two_nn, softmax_regression or character_lstm");
        };
        System.out.println(measure(spec, batch, Math.min(20, steps), steps, 1L));
    }
}
