package dev.fl4j.cli.spec;

import dev.fl4j.core.testing.Fuzz;
import dev.fl4j.learning.keras.Activation;
import dev.fl4j.learning.keras.Dense;
import dev.fl4j.learning.keras.InputLayer;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.zoo.Models;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --algorithm} values: every input ends in an algorithm or a {@link SpecException}, never another
 * exception; an algorithm's canonical text reads back as the same algorithm, and FedRecon's {@code LOCAL} either
 * names trainable weights of a model or is refused with an {@link IllegalArgumentException}.
 */
class AlgorithmChoiceFuzzTest {

    private static final ModelSpec MLP = new ModelSpec(
            "mlp",
            List.of(InputLayer.of(6), Dense.of(4, Activation.RELU), Dense.of(3)),
            Loss.sparseCategoricalCrossentropy().withFromLogits(true),
            Models.CLASSIFIER_METRICS);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void algorithmSpecs() {
        Fuzz.named("algorithm spec")
                .seed(utf8("fedprox:0.01"))
                .seed(utf8("mime-lite:0.9"))
                .seed(utf8("mime-lite"))
                .seed(utf8("fedrecon:last:2:0.2"))
                .seed(utf8("fedrecon:dense/kernel+dense_1/bias"))
                .seed(utf8("scaffold"))
                .seed(utf8("kmeans:3"))
                .expecting(SpecException.class)
                .inputs(3_000)
                .run(input -> {
                    AlgorithmChoice a = AlgorithmChoice.parse(new String(input, StandardCharsets.UTF_8));
                    AlgorithmChoice again;
                    try {
                        again = AlgorithmChoice.parse(a.text());
                    } catch (SpecException e) {
                        throw new AssertionError(a.text() + " does not read back: " + e.getMessage(), e);
                    }
                    if (!again.equals(a)) {
                        throw new AssertionError(a.text() + " reads back as " + again);
                    }
                    a.describe(0.1f, 1f, 1);
                    if (a.isReconstruction()) {
                        try {
                            a.reconstruction().localWeights(MLP);
                        } catch (IllegalArgumentException refused) {
                            // a LOCAL that names no trainable weight of MLP
                        }
                    }
                });
    }
}
