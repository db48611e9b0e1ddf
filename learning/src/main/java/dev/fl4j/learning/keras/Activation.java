package dev.fl4j.learning.keras;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Element-wise activations, named as Keras names them in a layer config. */
public enum Activation {
    @JsonProperty("linear")
    LINEAR,
    @JsonProperty("relu")
    RELU,
    @JsonProperty("sigmoid")
    SIGMOID,
    @JsonProperty("tanh")
    TANH,
    /** Softmax over the last axis. */
    @JsonProperty("softmax")
    SOFTMAX
}
