package dev.fl4j.bench;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.zoo.Models;
import java.util.List;

/** The ready models a benchmark can run, by the names the command line uses. */
public final class BenchModels {

    /** The accepted names. */
    public static final List<String> NAMES = List.of("fedavg_cnn", "two_nn", "softmax_regression", "character_lstm");

    private BenchModels() {}

    /**
     * {@code fedavg_cnn} (McMahan et al.'s CNN, 10 classes), {@code two_nn} (200-200, 10 classes),
     * {@code softmax_regression} (784 → 10), {@code character_lstm} (86 characters, length 80, one
     * layer of 64).
     */
    public static ModelSpec byName(String name) {
        return switch (name) {
            case "fedavg_cnn" -> Models.fedAvgCnn(10);
            case "two_nn" -> Models.twoNN(10);
            case "softmax_regression" -> Models.softmaxRegression(784, 10);
            case "character_lstm" -> Models.characterLstm(86, 80, 64, 1);
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; expected one of " + NAMES);
        };
    }
}
