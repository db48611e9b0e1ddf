package dev.fl4j.learning.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.zoo.Models;
import org.junit.jupiter.api.Test;

/** {@link TrainingSpec.Builder}: required model and optimizer, optional epochs and μ, checked by build. */
class TrainingSpecBuilderTest {

    private static final ModelSpec MODEL = Models.softmaxRegression(4, 3);

    @Test
    void defaultsAreOneEpochAndNoProximalTerm() {
        TrainingSpec spec = TrainingSpec.builder()
                .setModel(MODEL)
                .setClientOptimizer(Sgd.of(0.1f))
                .build();
        assertEquals(new TrainingSpec(MODEL, Sgd.of(0.1f), 1, 0f), spec);
        assertEquals(spec, TrainingSpec.of(MODEL, Sgd.of(0.1f)));
    }

    @Test
    void optionsAndToBuilderKeepEveryField() {
        TrainingSpec spec = TrainingSpec.builder()
                .setModel(MODEL)
                .setClientOptimizer(Sgd.of(0.1f))
                .optEpochs(3)
                .optProximalMu(0.25f)
                .build();
        assertEquals(new TrainingSpec(MODEL, Sgd.of(0.1f), 3, 0.25f), spec);
        assertEquals(spec, spec.toBuilder().build());
        assertEquals(
                new TrainingSpec(MODEL, Sgd.of(0.1f), 5, 0.25f),
                spec.toBuilder().optEpochs(5).build());
        assertEquals(spec, TrainingSpec.fromJson(spec.toJson()), "the builder adds nothing to the JSON");
    }

    @Test
    void missingRequiredValuesAreNamed() {
        assertEquals(
                "a training spec needs setModel and setClientOptimizer",
                assertThrows(
                                IllegalStateException.class,
                                () -> TrainingSpec.builder().build())
                        .getMessage());
        assertEquals(
                "a training spec needs setClientOptimizer",
                assertThrows(
                                IllegalStateException.class,
                                () -> TrainingSpec.builder().setModel(MODEL).build())
                        .getMessage());
        assertEquals(
                "a training spec needs setModel",
                assertThrows(
                                IllegalStateException.class,
                                () -> TrainingSpec.builder()
                                        .setClientOptimizer(Sgd.of(0.1f))
                                        .build())
                        .getMessage());
    }

    @Test
    void impossibleSettingsAreRefused() {
        TrainingSpec.Builder b = TrainingSpec.builder().setModel(MODEL).setClientOptimizer(Sgd.of(0.1f));
        assertEquals(
                "epochs must be >= 1, got 0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> b.optEpochs(0).build())
                        .getMessage());
        assertEquals(
                "proximal_mu must be finite and >= 0, got -0.5",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> b.optEpochs(1).optProximalMu(-0.5f).build())
                        .getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> b.optProximalMu(Float.NaN).build());
    }
}
