package dev.fl4j.learning.model;

import dev.fl4j.learning.keras.ModelSpec;

/**
 * A training engine behind the model contract (DESIGN seam 3). Learning algorithms ask an engine for
 * models and trainers from descriptions and never touch engine types, so TensorFlow Java (the first
 * engine, {@code dev.fl4j.learning.tf.TfEngine}) can be joined by others.
 */
public interface ModelEngine {

    /** A short name, e.g. {@code tensorflow}. */
    String name();

    /** A model built from {@code spec}, with weights drawn from {@code seed}. */
    VariableModel newModel(ModelSpec spec, long seed);

    /** A trainer for {@code spec}; build one per worker thread and reuse it across clients and rounds. */
    ClientTrainer newTrainer(TrainingSpec spec);
}
