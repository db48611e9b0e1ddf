package dev.fl4j.learning.optimizers;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.learning.internal.Json;

/**
 * A functional optimizer with explicit state, TFF's {@code tff.learning.optimizers.Optimizer}:
 * {@link #initialize(Type)} makes the state for weights of a type, {@link #next} takes the state,
 * the weights and their gradients and returns the new state and the new weights. Both are pure:
 * inputs are never modified and the same inputs give bitwise the same outputs.
 *
 * <p>One object serves twice. As the <em>server</em> optimizer it is applied in Java to the
 * aggregated model update taken as a pseudo-gradient. As the <em>client</em> optimizer the TensorFlow
 * engine compiles the same update rule into the training graph, so a local step is one session run
 * (the in-graph rule computes the same float32 formulas; results agree to rounding). Optimizers are
 * plain descriptions and are written to JSON as part of a {@code TrainingSpec}.
 *
 * <p>Weights and gradients are a float32 tensor or a structure of them; the state holds the step
 * count (where the rule needs it) and one slot per weight per accumulator. Hyperparameters live in
 * the optimizer object, not in the state.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "class_name")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Sgd.class, name = "SGD"),
    @JsonSubTypes.Type(value = Adam.class, name = "Adam"),
    @JsonSubTypes.Type(value = Adagrad.class, name = "Adagrad"),
    @JsonSubTypes.Type(value = Yogi.class, name = "Yogi"),
    @JsonSubTypes.Type(value = RmsProp.class, name = "RMSprop"),
})
public sealed interface Optimizer permits Sgd, Adam, Adagrad, Yogi, RmsProp {

    /** The state before the first step, for weights of {@code weightsType}. */
    Struct initialize(Type weightsType);

    /**
     * One step: {@code weights} moved against {@code gradients}.
     *
     * @throws IllegalArgumentException if weights, gradients and state do not have matching structures
     */
    Step next(Struct state, Value weights, Value gradients);

    /** The outcome of a step. */
    record Step(Struct state, Value weights) {}

    /** This optimizer as JSON ({@code fl4j.optimizer} version 1). */
    default String toJson() {
        return Json.write("fl4j.optimizer", 1, this);
    }

    static Optimizer fromJson(String json) {
        return Json.read(json, "fl4j.optimizer", 1, Optimizer.class);
    }
}
