package dev.fl4j.learning.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.internal.DescribedComputationMain;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.learning.algorithms.ClientTraining;
import dev.fl4j.learning.algorithms.ClientWeighting;
import dev.fl4j.learning.algorithms.ModelEngines;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.learning.zoo.SyntheticBatches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine is found through its META-INF/services registration, here and in a JVM that only has the jars. */
class EngineDiscoveryTest {

    @Test
    void theJarRegistersTheEngineThatModelEnginesFinds() {
        assertEquals(List.of(TfEngine.NAME), ModelEngines.names());
        assertInstanceOf(TfEngine.class, ModelEngines.defaultEngine());
        assertInstanceOf(TfEngine.class, ModelEngines.byName("tensorflow"));
    }

    @Test
    void theVersionNamesTheTensorFlowRuntimeThatWasLoaded() {
        assertEquals(
                "tensorflow " + org.tensorflow.TensorFlow.version(),
                ModelEngines.byName("tensorflow").version());
        assertTrue(org.tensorflow.TensorFlow.version().matches("\\d+\\.\\d+.*"), org.tensorflow.TensorFlow.version());
    }

    /**
     * A client training's descriptor names its engine; a fresh JVM with the same class path rebuilds
     * it (ClientTraining's factory from learning's registration, the engine from this module's) and
     * computes bitwise what this JVM computes.
     */
    @Test
    void aClientTrainingDescriptorFindsTheEngineInAnotherJvm(@TempDir Path dir) throws Exception {
        ModelSpec model = Models.softmaxRegression(4, 3);
        ClientTraining here = new ClientTraining(
                ModelEngines.byName("tensorflow"),
                TrainingSpec.builder()
                        .setModel(model)
                        .setClientOptimizer(Sgd.of(0.2f))
                        .optEpochs(2)
                        .build(),
                ClientTraining.Mode.TRAIN,
                ClientWeighting.NUM_EXAMPLES,
                7);
        Value argument = Struct.named(
                "weights",
                model.initialWeights(3).asStruct(),
                "data",
                ListSequence.of(model.inputSpec(), SyntheticBatches.of(model, 5, 3, 4)));
        Files.write(
                dir.resolve("descriptor"),
                ComputationDescriptor.fromBytes(here.descriptor().orElseThrow().toBytes())
                        .toBytes());
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
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), output);
        assertEquals(here.call(argument), ValueCodec.decode(Files.readAllBytes(dir.resolve("result"))));
    }
}
