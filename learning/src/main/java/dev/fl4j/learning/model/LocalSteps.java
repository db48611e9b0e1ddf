package dev.fl4j.learning.model;

import dev.fl4j.core.Struct;
import java.util.Set;

/**
 * What one client's local training changes from its {@link TrainingSpec} for one call, as the
 * algorithms beyond FedAvg need it: the client optimizer's learning rate for this round (a
 * learning-rate schedule), a correction to every step, and trainable weights that stay frozen
 * (federated reconstruction trains the local weights with the global ones frozen, then the other way
 * round).
 *
 * <p>The correction is applied in one of two places. Added to every step's gradient before the
 * optimizer's rule, {@code g + correction} (Mime Lite's {@code β·m} for a server SGD momentum
 * {@code m}); or, when {@link #correctionAfterStep}, applied to the weights after every optimizer step,
 * {@code w ← w − η·correction} at the step's learning rate {@code η}, outside the optimizer's slots
 * (SCAFFOLD's {@code c − c_i}, as NIID-Bench and Flower's baseline apply it: with a momentum optimizer
 * the correction inside the gradient would be accumulated by the momentum and grow by {@code 1/(1−β)}).
 * For plain SGD both places are the same rule.
 *
 * @param learningRate the client optimizer's learning rate for this call, or NaN for the spec's own
 * @param gradientCorrection null for none, else a structure of float32 tensors shaped as the
 *     trainable weights
 * @param frozenWeights names of trainable weights (as in the weights structure, e.g.
 *     {@code dense/bias}) whose steps are zero: their gradient is multiplied by 0 before the optimizer
 *     rule, so slots that start at zero keep them where they are
 * @param correctionAfterStep whether the correction is applied to the weights after each optimizer step
 *     instead of being added to the gradient; false without a correction
 */
public record LocalSteps(
        float learningRate, Struct gradientCorrection, Set<String> frozenWeights, boolean correctionAfterStep) {

    /** The spec as it is: its learning rate, no correction, nothing frozen. */
    public static final LocalSteps NONE = new LocalSteps(Float.NaN, null);

    /** A learning rate (NaN: the spec's) and a correction added to the gradient (null: none), nothing frozen. */
    public LocalSteps(float learningRate, Struct gradientCorrection) {
        this(learningRate, gradientCorrection, Set.of(), false);
    }

    /** The spec's learning rate and no correction, with {@code frozen} weights not moving. */
    public static LocalSteps frozen(Set<String> frozen) {
        return new LocalSteps(Float.NaN, null, frozen, false);
    }

    /**
     * A learning rate (NaN: the spec's) and a correction applied after every optimizer step,
     * {@code w ← w − η·correction}, nothing frozen.
     */
    public static LocalSteps correctedAfterEachStep(float learningRate, Struct correction) {
        return new LocalSteps(learningRate, correction, Set.of(), correction != null);
    }

    public LocalSteps {
        frozenWeights = Set.copyOf(frozenWeights);
        if (correctionAfterStep && gradientCorrection == null) {
            throw new IllegalArgumentException("a correction after each step needs a correction");
        }
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
