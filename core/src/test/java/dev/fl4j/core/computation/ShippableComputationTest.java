package dev.fl4j.core.computation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.internal.DescribedComputationMain;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), DescribedComputationMain.class.getName(),
                dir.resolve("descriptor").toString(), dir.resolve("argument").toString(), dir.resolve("result").toString())
                .redirectErrorStream(true).start();
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
        ComputationDescriptor withPayload = ComputationDescriptor.of(SequenceMeanFactory.class, "1", Tensor.vector(1f, 2f));
        assertEquals(withPayload, ComputationDescriptor.fromBytes(withPayload.toBytes()));
    }

    @Test
    void unknownFactoryAndBadBytesFailClearly() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ComputationDescriptor("com.example.Missing", "", null).rebuild());
        assertTrue(e.getMessage().contains("com.example.Missing is not on this JVM's class path"), e.getMessage());
        IllegalStateException notFactory = assertThrows(IllegalStateException.class, () -> new ComputationDescriptor("java.lang.String", "", null).rebuild());
        assertTrue(notFactory.getMessage().contains("is not a dev.fl4j.core.computation.ComputationFactory"), notFactory.getMessage());
        assertThrows(MalformedDataException.class, () -> ComputationDescriptor.fromBytes(ValueCodec.encode(Tensor.scalar(1))));
    }
}
