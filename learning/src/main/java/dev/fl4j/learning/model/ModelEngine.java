package dev.fl4j.learning.model;

import dev.fl4j.learning.keras.ModelSpec;

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
}
