package dev.fl4j.learning.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.model.VariableModel;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.zoo.Models;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How engines are found and chosen. This module's tests run with no engine on the class path
 * (learning-tensorflow depends on learning, not the other way round), so they also show what a user
 * who forgot the engine jar sees.
 */
class ModelEnginesTest {

    static final ModelSpec MODEL = Models.softmaxRegression(4, 3);

    /** An engine that is only a name: the selection rule never builds anything. */
    record NamedEngine(String name) implements ModelEngine {
        @Override
        public String version() {
            return name + " (test double)";
        }

        @Override
        public VariableModel newModel(ModelSpec spec, long seed) {
            throw new UnsupportedOperationException("a selection-rule test double builds no model");
        }

        @Override
        public ClientTrainer newTrainer(TrainingSpec spec) {
            throw new UnsupportedOperationException("a selection-rule test double builds no trainer");
        }
    }

    static void assertNamesTheEngineJar(Exception e) {
        assertTrue(
                e.getMessage()
                        .contains("there is no model engine on the class path. Add the TensorFlow Java engine, the jar "
                                + "dev.fl4j:fl4j-learning-tensorflow (module learning-tensorflow), or another jar "
                                + "that registers a "
                                + "dev.fl4j.learning.model.ModelEngine in META-INF/services"),
                e.getMessage());
    }

    @Test
    void withoutAnEngineJarNoEngineIsFoundAndTheMessageNamesTheJarToAdd() {
        assertEquals(List.of(), ModelEngines.names());
        IllegalStateException noDefault = assertThrows(IllegalStateException.class, ModelEngines::defaultEngine);
        assertTrue(noDefault.getMessage().startsWith("no model engine to use: "), noDefault.getMessage());
        assertNamesTheEngineJar(noDefault);
        IllegalStateException noNamed =
                assertThrows(IllegalStateException.class, () -> ModelEngines.byName("tensorflow"));
        assertTrue(noNamed.getMessage().startsWith("no model engine 'tensorflow': "), noNamed.getMessage());
        assertNamesTheEngineJar(noNamed);
    }

    @Test
    void processesBuiltWithoutAnEngineFailWhenBuiltNamingTheJar() {
        FedAvg.Builder builder = FedAvg.builder(MODEL).setClientOptimizer(Sgd.of(0.1f));
        assertNamesTheEngineJar(assertThrows(IllegalStateException.class, builder::build));
        assertNamesTheEngineJar(assertThrows(IllegalStateException.class, () -> FederatedEvaluation.build(MODEL)));
        // settings FedSGD would ignore are refused before any engine is looked up
        IllegalStateException fedSgd = assertThrows(
                IllegalStateException.class,
                () -> FedSgd.builder(MODEL).optEpochs(2).build());
        assertTrue(fedSgd.getMessage().startsWith("FedSGD runs no local epochs"), fedSgd.getMessage());
    }

    @Test
    void aClientTrainingDescriptorRebuiltWhereNoEngineIsFailsNamingTheJar() {
        ClientTraining here = new ClientTraining(
                new NamedEngine("tensorflow"),
                TrainingSpec.of(MODEL, Sgd.of(0.1f)),
                ClientTraining.Mode.TRAIN,
                ClientWeighting.NUM_EXAMPLES,
                1);
        ComputationDescriptor descriptor =
                ComputationDescriptor.fromBytes(here.descriptor().orElseThrow().toBytes());
        MalformedDataException e = assertThrows(MalformedDataException.class, descriptor::rebuild);
        assertTrue(e.getMessage().contains("no model engine 'tensorflow': "), e.getMessage());
        assertNamesTheEngineJar(e);
    }

    @Test
    void theSystemPropertyChoosesByNameEvenWhereThereIsNone() {
        String before = System.getProperty(ModelEngines.ENGINE_PROPERTY);
        System.setProperty(ModelEngines.ENGINE_PROPERTY, "onnx");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, ModelEngines::defaultEngine);
            assertTrue(e.getMessage().startsWith("no model engine 'onnx': "), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(ModelEngines.ENGINE_PROPERTY);
            } else {
                System.setProperty(ModelEngines.ENGINE_PROPERTY, before);
            }
        }
    }

    @Test
    void theOnlyEngineIsTheDefaultAndSeveralNeedAChoice() {
        ModelEngine tf = new NamedEngine("tensorflow");
        ModelEngine onnx = new NamedEngine("onnx");
        assertSame(tf, ModelEngines.choose(List.of(tf), null));
        assertSame(tf, ModelEngines.choose(List.of(tf), " "));
        IllegalStateException several =
                assertThrows(IllegalStateException.class, () -> ModelEngines.choose(List.of(tf, onnx), null));
        assertEquals(
                "several model engines on the class path, [tensorflow, onnx]: choose one with -Dfl4j.engine=NAME"
                        + " or pass ModelEngines.byName(NAME) to the builder (optEngine)",
                several.getMessage());
        assertSame(onnx, ModelEngines.choose(List.of(tf, onnx), "onnx"));
        assertSame(tf, ModelEngines.choose(List.of(tf, onnx), " tensorflow "));
    }

    @Test
    void unknownAndAmbiguousNamesAreRefused() {
        ModelEngine tf = new NamedEngine("tensorflow");
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> ModelEngines.choose(List.of(tf), "onnx"));
        assertEquals("unknown model engine 'onnx'; on the class path: [tensorflow]", unknown.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> ModelEngines.named(List.of(tf), "TensorFlow"), "names are exact");
        IllegalStateException twice = assertThrows(
                IllegalStateException.class,
                () -> ModelEngines.named(List.of(tf, new NamedEngine("tensorflow")), "tensorflow"));
        assertTrue(
                twice.getMessage().startsWith("two model engines on the class path are called 'tensorflow': "),
                twice.getMessage());
    }
}
