package dev.fl4j.learning.keras;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Padding of convolutions and pooling, as in Keras: {@code valid} (none) or {@code same}. */
public enum Padding {
    @JsonProperty("valid")
    VALID,
    @JsonProperty("same")
    SAME;

    /** Output length along one spatial axis. */
    int outputLength(int input, int window, int stride) {
        return this == SAME ? ceilDiv(input, stride) : ceilDiv(input - window + 1, stride);
    }

    private static int ceilDiv(int a, int b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }

    /** The padding name TensorFlow ops take. */
    public String tfName() {
        return this == SAME ? "SAME" : "VALID";
    }
}
