package dev.fl4j.learning.model;

import dev.fl4j.learning.keras.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A training engine behind the model contract (DESIGN seam 3). Learning algorithms ask an engine for
 * models and trainers from descriptions and never touch engine types, so TensorFlow Java (the first
 * engine, {@code dev.fl4j.learning.tensorflow.TfEngine} in the module {@code learning-tensorflow})
 * can be joined by others.
 *
 * <p>An engine is a {@link java.util.ServiceLoader} provider: its jar lists the implementing class
 * (public, with a public no-argument constructor) in
 * {@code META-INF/services/dev.fl4j.learning.model.ModelEngine}, and
 * {@link dev.fl4j.learning.algorithms.ModelEngines} finds it by {@link #name()}. Names are unique
 * on a class path; a client-work description carries the name, so the JVM that rebuilds it needs an
 * engine of that name.
 */
public interface ModelEngine {

    /** A short name, e.g. {@code tensorflow}. */
    String name();

    /**
     * The engine and the version of the library behind it, e.g. {@code tensorflow 2.16.2}, as recorded in the
     * provenance of what a run writes. It may load the engine's native library.
     */
    String version();

    /** A model built from {@code spec}, with weights drawn from {@code seed}. */
    VariableModel newModel(ModelSpec spec, long seed);

    /** A trainer for {@code spec}; build one per worker thread and reuse it across clients and rounds. */
    ClientTrainer newTrainer(TrainingSpec spec);

    /**
     * Writes the model {@code spec} with {@code weights} to the empty or new directory {@code dir} in the engine's
     * format for serving outside fl4j (TensorFlow: a SavedModel), readable by {@link #openExported} without fl4j's
     * model classes. The engine writes only its format's files; callers add their own metadata beside them.
     *
     * @throws UnsupportedOperationException if this engine cannot export models (the default)
     * @throws IOException if the files cannot be written
     */
    default void exportModel(ModelSpec spec, ModelWeights weights, Path dir) throws IOException {
        throw new UnsupportedOperationException("the model engine '" + name() + "' cannot export models");
    }

    /**
     * Opens a model {@link #exportModel} wrote, through the format's own loader.
     *
     * @throws UnsupportedOperationException if this engine cannot read exported models (the default)
     * @throws IllegalArgumentException if {@code dir} is not a model in this engine's format, naming what is missing
     * @throws IOException if the files cannot be read
     */
    default ExportedModel openExported(Path dir) throws IOException {
        throw new UnsupportedOperationException("the model engine '" + name() + "' cannot read exported models");
    }
}
