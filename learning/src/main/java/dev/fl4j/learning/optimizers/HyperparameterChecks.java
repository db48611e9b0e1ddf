package dev.fl4j.learning.optimizers;

/**
 * Checks of optimizer hyperparameters (learning rate, momentum, betas, epsilon) made when an optimizer is built; each
 * failure names the optimizer, the hyperparameter and the value that came.
 */
final class HyperparameterChecks {

    private HyperparameterChecks() {}

    static void nonNegative(String optimizer, String name, float v) {
        if (!(v >= 0f) || Float.isInfinite(v)) {
            throw new IllegalArgumentException(optimizer + " " + name + " must be finite and >= 0, got " + v);
        }
    }

    static void positive(String optimizer, String name, float v) {
        if (!(v > 0f) || Float.isInfinite(v)) {
            throw new IllegalArgumentException(optimizer + " " + name + " must be finite and > 0, got " + v);
        }
    }

    static void unitInterval(String optimizer, String name, float v) {
        if (!(v >= 0f && v < 1f)) {
            throw new IllegalArgumentException(optimizer + " " + name + " must be in [0, 1), got " + v);
        }
    }
}
