package dev.fl4j.core.computation;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.testing.Fuzz;
import org.junit.jupiter.api.Test;

class ComputationDescriptorFuzzTest {

    @Test
    void readingAndRebuildingEndInMalformedDataOrAnUnknownFactoryOnAnyInput() {
        String registered = SequenceMeanFactory.class.getName();
        Fuzz.named("computation descriptor")
                .seed(new ComputationDescriptor(registered, "2.5", Tensor.scalar(0.5f)).toBytes())
                .seed(new ComputationDescriptor(registered, "1", null).toBytes())
                .seed(new ComputationDescriptor(
                                InitializationTripwire.class.getName() + "$NotAFactory",
                                "{\"a\":[1,2]}",
                                Struct.named("w", Tensor.vector(1f, 2f)))
                        .toBytes())
                .expecting(MalformedDataException.class, UnknownComputationFactoryException.class)
                .inputs(10_000)
                .run(bytes -> ComputationDescriptor.fromBytes(bytes).rebuild());
        if (!InitializationTripwire.INITIALIZED.isEmpty()) {
            throw new AssertionError("fuzzed descriptors initialized " + InitializationTripwire.INITIALIZED);
        }
    }
}
