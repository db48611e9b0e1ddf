package dev.fl4j.learning.keras;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.fl4j.core.TensorType;
import java.util.List;

/**
 * A Keras-like layer, as a pure description: its configuration, the shape it produces and the
 * weights it owns. Layers hold no engine objects and capture no code, so a model made of them can be
 * written to JSON (Keras's {@code get_config}, see {@link ModelSpec#toJson()}) and rebuilt by any
 * engine in any JVM; the TensorFlow engine turns each layer into ops
 * ({@code dev.fl4j.learning.tensorflow}).
 *
 * <p>Types passed between layers include the batch dimension first, of unknown size.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "class_name")
@JsonSubTypes({
    @JsonSubTypes.Type(value = InputLayer.class, name = "InputLayer"),
    @JsonSubTypes.Type(value = Conv2D.class, name = "Conv2D"),
    @JsonSubTypes.Type(value = MaxPooling2D.class, name = "MaxPooling2D"),
    @JsonSubTypes.Type(value = AveragePooling2D.class, name = "AveragePooling2D"),
    @JsonSubTypes.Type(value = Flatten.class, name = "Flatten"),
    @JsonSubTypes.Type(value = Dense.class, name = "Dense"),
    @JsonSubTypes.Type(value = Dropout.class, name = "Dropout"),
    @JsonSubTypes.Type(value = Embedding.class, name = "Embedding"),
    @JsonSubTypes.Type(value = Lstm.class, name = "LSTM"),
    @JsonSubTypes.Type(value = Softmax.class, name = "Softmax"),
    @JsonSubTypes.Type(value = ActivationLayer.class, name = "Activation"),
    @JsonSubTypes.Type(value = Reshape.class, name = "Reshape"),
})
public sealed interface Layer
        permits InputLayer,
                Conv2D,
                MaxPooling2D,
                AveragePooling2D,
                Flatten,
                Dense,
                Dropout,
                Embedding,
                Lstm,
                Softmax,
                ActivationLayer,
                Reshape {

    /** The base of Keras's automatic layer name, e.g. {@code conv2d}; repeats get {@code _1}, {@code _2}. */
    String baseName();

    /**
     * The type this layer outputs for an input of type {@code input} (batch dimension first).
     *
     * @throws IllegalArgumentException naming what was expected if the layer cannot take that input
     */
    TensorType outputType(TensorType input);

    /** The weights this layer owns for an input of type {@code input}, with names local to the layer. */
    default List<WeightSpec> weights(TensorType input) {
        return List.of();
    }
}
