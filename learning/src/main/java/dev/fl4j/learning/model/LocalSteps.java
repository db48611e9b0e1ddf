package dev.fl4j.learning.model;

import dev.fl4j.core.Struct;

/**
 * What one client's local training changes from its {@link TrainingSpec} for one call, as the
 * algorithms beyond FedAvg need it: the client optimizer's learning rate for this round (a
 * learning-rate schedule), and a correction added to every step's gradient, {@code g + correction}
 * (SCAFFOLD's {@code c − c_i}, Mime Lite's {@code β·m} for a server SGD momentum {@code m}).
 *
 * @param learningRate the client optimizer's learning rate for this call, or NaN for the spec's own
 * @param gradientCorrection null for none, else a structure of float32 tensors shaped as the
 *     trainable weights
 */
public record LocalSteps(float learningRate, Struct gradientCorrection) {

    /** The spec as it is: its learning rate, no correction. */
    public static final LocalSteps NONE = new LocalSteps(Float.NaN, null);

    public LocalSteps {
        if (!Float.isNaN(learningRate) && (!(learningRate >= 0f) || Float.isInfinite(learningRate))) {
            throw new IllegalArgumentException("a client learning rate must be finite and >= 0, got " + learningRate);
        }
    }

    /** The spec's optimizer at learning rate {@code lr}, no correction. */
    public static LocalSteps atLearningRate(float lr) {
        return new LocalSteps(lr, null);
    }

    /** Whether the spec's learning rate is replaced. */
    public boolean overridesLearningRate() {
        return !Float.isNaN(learningRate);
    }
}
