package dev.fl4j.learning.zoo;

import dev.fl4j.learning.keras.Activation;
import dev.fl4j.learning.keras.Conv2D;
import dev.fl4j.learning.keras.Dense;
import dev.fl4j.learning.keras.Embedding;
import dev.fl4j.learning.keras.Flatten;
import dev.fl4j.learning.keras.Initializer;
import dev.fl4j.learning.keras.InputLayer;
import dev.fl4j.learning.keras.Layer;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.Lstm;
import dev.fl4j.learning.keras.MaxPooling2D;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.keras.Padding;
import java.util.ArrayList;
import java.util.List;

/**
 * Ready models of the federated learning literature, as {@link ModelSpec}s. Classifiers output
 * logits and train with sparse categorical cross-entropy from logits; all report accuracy, mean
 * loss, number of examples and number of batches.
 */
public final class Models {

    /** Metrics every ready classifier reports. */
    public static final List<Metric> CLASSIFIER_METRICS =
            List.of(Metric.SPARSE_CATEGORICAL_ACCURACY, Metric.LOSS, Metric.NUM_EXAMPLES, Metric.NUM_BATCHES);

    private Models() {}

    /**
     * The CNN of McMahan et al. 2017 ("Communication-Efficient Learning of Deep Networks from
     * Decentralized Data") for 28×28×1 images: 5×5 conv 32 relu (same), 2×2 max-pool, 5×5 conv 64
     * relu (same), 2×2 max-pool, flatten, dense 512 relu, dense {@code classes}. 1,663,370
     * parameters for 10 classes (MNIST), 1,690,046 for 62 (EMNIST).
     */
    public static ModelSpec fedAvgCnn(int classes) {
        return new ModelSpec(
                "fedavg_cnn",
                List.of(
                        InputLayer.of(28, 28, 1),
                        Conv2D.of(32, 5).withPadding(Padding.SAME).withActivation(Activation.RELU),
                        MaxPooling2D.of(2).withPadding(Padding.SAME),
                        Conv2D.of(64, 5).withPadding(Padding.SAME).withActivation(Activation.RELU),
                        MaxPooling2D.of(2).withPadding(Padding.SAME),
                        new Flatten(),
                        Dense.of(512, Activation.RELU),
                        Dense.of(classes)),
                Loss.sparseCategoricalCrossentropy().withFromLogits(true),
                CLASSIFIER_METRICS);
    }

    /**
     * NIID-Bench's "simple-cnn" for 28×28×1 images (Li et al. 2022, "Federated Learning on Non-IID Data
     * Silos: An Experimental Study"; {@code SimpleCNNMNIST} with hidden sizes 120 and 84): 5×5 conv 6 relu
     * (valid), 2×2 max-pool, 5×5 conv 16 relu (valid), 2×2 max-pool, flatten (256), dense 120 relu, dense
     * 84 relu, dense {@code classes}. 44,426 parameters for 10 classes.
     */
    public static ModelSpec niidBenchCnn(int classes) {
        return new ModelSpec(
                "niid_bench_cnn",
                List.of(
                        InputLayer.of(28, 28, 1),
                        Conv2D.of(6, 5).withActivation(Activation.RELU),
                        MaxPooling2D.of(2),
                        Conv2D.of(16, 5).withActivation(Activation.RELU),
                        MaxPooling2D.of(2),
                        new Flatten(),
                        Dense.of(120, Activation.RELU),
                        Dense.of(84, Activation.RELU),
                        Dense.of(classes)),
                Loss.sparseCategoricalCrossentropy().withFromLogits(true),
                CLASSIFIER_METRICS);
    }

    /**
     * The 2NN of McMahan et al. 2017: 784 inputs, two hidden layers of 200 relu units, {@code classes}
     * outputs (199,210 parameters for 10 classes).
     */
    public static ModelSpec twoNN(int classes) {
        return new ModelSpec(
                "two_nn",
                List.of(
                        InputLayer.of(784),
                        Dense.of(200, Activation.RELU),
                        Dense.of(200, Activation.RELU),
                        Dense.of(classes)),
                Loss.sparseCategoricalCrossentropy().withFromLogits(true),
                CLASSIFIER_METRICS);
    }

    /**
     * Multinomial logistic regression with zero-initialised weights, as in TFF's image classification
     * tutorial: one dense layer {@code inputs → classes} (7,850 parameters for 784 → 10).
     */
    public static ModelSpec softmaxRegression(int inputs, int classes) {
        return new ModelSpec(
                "softmax_regression",
                List.of(InputLayer.of(inputs), Dense.of(classes).withKernelInitializer(Initializer.zeros())),
                Loss.sparseCategoricalCrossentropy().withFromLogits(true),
                CLASSIFIER_METRICS);
    }

    /**
     * The character LSTM of TFF's Shakespeare tutorial (after Keras's text generation example):
     * int32 character ids {@code [batch, sequenceLength]}, embedding of 8, {@code layers} LSTMs of
     * {@code units} returning sequences, a dense layer to {@code vocabulary} logits per position;
     * labels are the next character ids {@code int32[batch, sequenceLength]}. The published model is
     * {@code characterLstm(86, 80, 256, 2)} (two layers of 256, 86 characters incl. padding and
     * out-of-vocabulary, sequences of 80); smaller variants train faster for tests and benchmarks.
     */
    public static ModelSpec characterLstm(int vocabulary, int sequenceLength, int units, int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("characterLstm needs at least one LSTM layer, got " + layers);
        }
        List<Layer> stack = new ArrayList<>();
        stack.add(InputLayer.ofIds(sequenceLength));
        stack.add(Embedding.of(vocabulary, 8));
        for (int i = 0; i < layers; i++) {
            stack.add(Lstm.of(units).withReturnSequences(true));
        }
        stack.add(Dense.of(vocabulary));
        return new ModelSpec(
                "character_lstm", stack, Loss.sparseCategoricalCrossentropy().withFromLogits(true), CLASSIFIER_METRICS);
    }

    /** {@link #characterLstm(int, int, int, int)} as published: 86 characters, length 80, 2 × 256. */
    public static ModelSpec shakespeareLstm() {
        return characterLstm(86, 80, 256, 2);
    }
}
