package dev.fl4j.bench;

import dev.fl4j.core.Struct;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.tensorflow.TfClientTrainer;
import dev.fl4j.learning.zoo.SyntheticBatches;
import java.util.List;

/**
 * The TensorFlow engine's raw training throughput: a plain single-thread loop of training steps of
 * one model at one batch size on synthetic data ({@link SyntheticBatches}), through the same graph
 * and feeding path as {@link TfClientTrainer} but without per-client work (weights are assigned
 * once). This is the reference the federated training benchmark divides by; it is a measurement,
 * not a test.
 *
 * <p>Command line: {@code fl4j bench raw [--model M] [--batch N] [--steps N]} with a model of
 * {@link BenchModels} ({@code fedavg_cnn} by default; {@code character_lstm} is the small variant,
 * 86 characters, length 80, 1 × 64).
 */
public final class RawThroughput {

    /** Measured figures: milliseconds per step and examples per second. */
    public record Measurement(String model, int batchSize, int steps, double millisPerStep, double examplesPerSecond) {
        @Override
        public String toString() {
            return String.format(
                    "%s batch %d: %.2f ms/step, %.1f examples/s over %d steps (1 thread)",
                    model, batchSize, millisPerStep, examplesPerSecond, steps);
        }
    }

    private RawThroughput() {}

    /** Runs {@code warmup} untimed steps, then times {@code steps} steps of SGD with learning rate 0.01. */
    public static Measurement measure(ModelSpec spec, int batchSize, int warmup, int steps, long seed) {
        return measure(spec, Sgd.of(0.01f), batchSize, warmup, steps, seed);
    }

    public static Measurement measure(
            ModelSpec spec, Optimizer optimizer, int batchSize, int warmup, int steps, long seed) {
        if (batchSize < 1 || steps < 1 || warmup < 0) {
            throw new IllegalArgumentException("need batch >= 1, steps >= 1, warmup >= 0; got batch " + batchSize
                    + ", steps " + steps + ", warmup " + warmup);
        }
        List<Struct> batches = SyntheticBatches.of(spec, batchSize, 8, seed);
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
            return new Measurement(
                    spec.name(), batchSize, steps, seconds * 1000 / steps, (double) steps * batchSize / seconds);
        }
    }
}
