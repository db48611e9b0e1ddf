package dev.fl4j.learning.algorithms;

import static dev.fl4j.learning.algorithms.FedAvgTest.ENGINE;
import static dev.fl4j.learning.algorithms.FedAvgTest.MODEL;
import static dev.fl4j.learning.algorithms.FedAvgTest.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Sgd;
import org.junit.jupiter.api.Test;

/** The clients of FedNova, SCAFFOLD and Mime Lite are shippable like FedAvg's, and refuse what they cannot run. */
class ClientTrainingVariantTest {

    @Test
    void mimeLiteAndFedNovaClientsAreRebuiltFromTheirDescriptors() {
        for (ClientTrainingVariant.Variant v : new ClientTrainingVariant.Variant[] {
            ClientTrainingVariant.Variant.MIME_LITE, ClientTrainingVariant.Variant.FEDNOVA
        }) {
            ClientTrainingVariant original = new ClientTrainingVariant(
                    ENGINE, TrainingSpec.of(MODEL, Sgd.of(0.2f)), v, ClientWeighting.NUM_EXAMPLES, 5, 0.5f);
            LocalComputation rebuilt = ComputationDescriptor.fromBytes(
                            original.descriptor().orElseThrow().toBytes())
                    .rebuild();
            assertEquals(original.type(), rebuilt.type());
            Struct.Builder arg = Struct.builder()
                    .add("weights", MODEL.initialWeights(3).asStruct())
                    .add("data", data(81, 2, 3))
                    .add("learning_rate", Tensor.scalar(0.3f));
            if (v.hasServerState()) {
                arg.add("server_state", Structures.filled(MODEL.weightsType().get("trainable"), 0.25f));
            }
            Value a = arg.build();
            assertEquals(original.call(a), rebuilt.call(a), v.name());
        }
    }

    @Test
    void badConfigurationsAreRefusedByName() {
        IllegalArgumentException adam = assertThrows(
                IllegalArgumentException.class,
                () -> new ClientTrainingVariant(
                        ENGINE,
                        TrainingSpec.of(MODEL, Adam.of(0.1f)),
                        ClientTrainingVariant.Variant.SCAFFOLD,
                        ClientWeighting.NUM_EXAMPLES,
                        0,
                        0f));
        assertTrue(adam.getMessage().contains("SCAFFOLD needs an SGD client optimizer"), adam.getMessage());
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class,
                () -> new ClientTrainingVariant.Factory()
                        .create(
                                "{\"format\":\"fl4j.client_training_variant\",\"version\":1,\"variant\":\"FEDMAGIC\"}",
                                null));
        assertTrue(unknown.getMessage().contains("unknown client training variant 'FEDMAGIC'"), unknown.getMessage());
        IllegalArgumentException other = assertThrows(
                IllegalArgumentException.class,
                () -> new ClientTrainingVariant.Factory().create("{\"format\":\"fl4j.client_training\"}", null));
        assertTrue(
                other.getMessage().contains("not an fl4j.client_training_variant version 1 config"),
                other.getMessage());
    }
}
