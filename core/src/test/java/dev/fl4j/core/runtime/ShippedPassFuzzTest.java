package dev.fl4j.core.runtime;

import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.SequenceMeanFactory;
import dev.fl4j.core.computation.UnknownComputationFactoryException;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.runtime.ShippedPass.Ref;
import dev.fl4j.core.testing.Fuzz;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShippedPassFuzzTest {

    @Test
    void compilingAnyBytesEndsInMalformedDataOrAnUnknownFactory() {
        ComputationDescriptor mean = ComputationDescriptor.of(SequenceMeanFactory.class, "2", null);
        Fuzz.named("shipped pass plan")
                .seed(ShippedPass.encodePlan(List.of(mean), List.of(new Ref.ClientInput(0))))
                .seed(ShippedPass.encodePlan(
                        List.of(mean, mean),
                        List.of(
                                new Ref.ClientInput(0),
                                new Ref.Zip(Arrays.asList("a", null), List.of(new Ref.Broadcast(1), new Ref.Node(0))))))
                .expecting(MalformedDataException.class, UnknownComputationFactoryException.class)
                .inputs(10_000)
                .run(bytes -> ShippedPass.compile(bytes, 2, 1));
    }
}
