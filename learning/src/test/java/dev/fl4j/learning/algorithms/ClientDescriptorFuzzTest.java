package dev.fl4j.learning.algorithms;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.UnknownComputationFactoryException;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The descriptors of k-means' and personalization's client work as another JVM receives them: any bytes or config
 * text either rebuild a computation or end in a {@link MalformedDataException} (or an unknown factory), never another
 * exception or an allocation sized by a hostile field.
 */
class ClientDescriptorFuzzTest {

    private static byte[] kMeans(String step, int k, int... shape) {
        return new ComputationDescriptor(
                        FedKMeans.Factory.class.getName(),
                        step,
                        Struct.named("num_clusters", Tensor.scalar(k), "data_shape", Tensor.of(shape, shape.length)))
                .toBytes();
    }

    @Test
    void kMeansDescriptorBytes() {
        Fuzz.named("k-means client step descriptor")
                .seed(kMeans(FedKMeans.STEP, 3, 2))
                .seed(kMeans(FedKMeans.EVALUATE, 2, 4, 5))
                .seed(kMeans(FedKMeans.STEP, 1, 1, 1, 1))
                .expecting(MalformedDataException.class, UnknownComputationFactoryException.class)
                .inputs(5_000)
                .run(bytes -> ComputationDescriptor.fromBytes(bytes).rebuild());
    }

    @Test
    void personalizationConfigText() {
        Fuzz.named("personalization client work config")
                .seed(PersonalizationDescriptorTest.config("sgd", "one").getBytes(StandardCharsets.UTF_8))
                .seed(PersonalizationDescriptorTest.config("nonesuch", "a", "b").getBytes(StandardCharsets.UTF_8))
                .expecting(MalformedDataException.class, UnknownComputationFactoryException.class)
                .inputs(3_000)
                .truncations(300)
                .run(bytes -> new ComputationDescriptor(
                                PersonalizationEvaluation.Factory.class.getName(),
                                new String(bytes, StandardCharsets.UTF_8),
                                null)
                        .rebuild());
    }
}
