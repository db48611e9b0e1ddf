package dev.fl4j.core.computation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.internal.DescribedComputationMain;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShippableComputationTest {

    @Test
    void descriptorRebuildsTheComputationInAnotherJvm(@TempDir Path dir) throws Exception {
        LocalComputation here = new SequenceMeanFactory().create("2.0", Tensor.scalar(0.5f));
        ComputationDescriptor descriptor = here.descriptor().orElseThrow();
        Value argument = ListSequence.ofFloats(1f, 2f, 6f);
        Files.write(dir.resolve("descriptor"), descriptor.toBytes());
        Files.write(dir.resolve("argument"), ValueCodec.encode(argument));

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        DescribedComputationMain.class.getName(),
                        dir.resolve("descriptor").toString(),
                        dir.resolve("argument").toString(),
                        dir.resolve("result").toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);

        Value there = ValueCodec.decode(Files.readAllBytes(dir.resolve("result")));
        assertEquals(here.call(argument), there);
        assertEquals(Tensor.scalar(6.5f), there);
    }

    @Test
    void descriptorRoundTripsThroughBytes() {
        ComputationDescriptor d = ComputationDescriptor.of(SequenceMeanFactory.class, "{\"scale\":3}", null);
        assertEquals(d, ComputationDescriptor.fromBytes(d.toBytes()));
        ComputationDescriptor withPayload =
                ComputationDescriptor.of(SequenceMeanFactory.class, "1", Tensor.vector(1f, 2f));
        assertEquals(withPayload, ComputationDescriptor.fromBytes(withPayload.toBytes()));
    }

    @Test
    void unknownFactoryAndBadBytesFailClearly() {
        UnknownComputationFactoryException e = assertThrows(
                UnknownComputationFactoryException.class,
                () -> new ComputationDescriptor("com.example.Missing", "", null).rebuild());
        assertTrue(
                e.getMessage()
                                .contains("computation factory 'com.example.Missing' is not registered on this JVM; "
                                        + "registered: ")
                        && e.getMessage().contains(SequenceMeanFactory.class.getName()),
                e.getMessage());
        assertEquals("com.example.Missing", e.factory());
        UnknownComputationFactoryException notFactory = assertThrows(
                UnknownComputationFactoryException.class,
                () -> new ComputationDescriptor("java.lang.String", "", null).rebuild());
        assertTrue(notFactory.getMessage().contains("'java.lang.String' is not registered"), notFactory.getMessage());
        assertThrows(
                MalformedDataException.class,
                () -> ComputationDescriptor.fromBytes(ValueCodec.encode(Tensor.scalar(1))));
    }

    @Test
    void rebuildOnlyResolvesRegisteredFactoriesAndInitializesNothingElse() {
        String outer = InitializationTripwire.class.getName();
        for (String named : List.of(outer + "$UnregisteredFactory", outer + "$NotAFactory")) {
            assertThrows(
                    UnknownComputationFactoryException.class,
                    () -> new ComputationDescriptor(named, "1", null).rebuild(),
                    named);
        }
        assertEquals(
                List.of(),
                InitializationTripwire.INITIALIZED,
                "a descriptor made these classes run their static initializers");
        assertEquals(
                List.of(
                        SequenceMeanFactory.class.getName(),
                        FieldSelection.Factory.class.getName(),
                        dev.fl4j.core.runtime.ShippedChain.Factory.class.getName()),
                ComputationFactories.registered(),
                "the test's factory, then core's own (field selection, the shipped chain)");
        assertTrue(ComputationFactories.resolve(SequenceMeanFactory.class.getName()) instanceof SequenceMeanFactory);
    }

    @Test
    void descriptorFieldsOfTheWrongTypeOrAConfigTheFactoryRejectsFailAsMalformedData() {
        byte[] wrongVersionType = ValueCodec.encode(Struct.builder()
                .add("descriptor_version", Tensor.scalar(1.0f))
                .add("factory", Tensor.of(new byte[] {'x'}, 1))
                .add("config", Tensor.of(new byte[0], 0))
                .add("payload", Struct.empty())
                .build());
        MalformedDataException version =
                assertThrows(MalformedDataException.class, () -> ComputationDescriptor.fromBytes(wrongVersionType));
        assertTrue(
                version.getMessage().contains("field 'descriptor_version' is float32, expected int32"),
                version.getMessage());
        byte[] factoryAsInts = ValueCodec.encode(Struct.builder()
                .add("descriptor_version", Tensor.scalar(1))
                .add("factory", Tensor.of(new int[] {120}, 1))
                .add("config", Tensor.of(new byte[0], 0))
                .add("payload", Struct.empty())
                .build());
        MalformedDataException factory =
                assertThrows(MalformedDataException.class, () -> ComputationDescriptor.fromBytes(factoryAsInts));
        assertTrue(
                factory.getMessage().contains("field 'factory' is int32[1], expected uint8[?]"), factory.getMessage());

        ComputationDescriptor badConfig = ComputationDescriptor.of(SequenceMeanFactory.class, "not a number", null);
        MalformedDataException config = assertThrows(MalformedDataException.class, () -> badConfig.rebuild());
        assertTrue(
                config.getMessage()
                        .contains("computation factory " + SequenceMeanFactory.class.getName()
                                + " cannot build from its descriptor"),
                config.getMessage());
    }
}
