package dev.fl4j.learning.algorithms;

import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.tf.TfEngine;

/** Engines by name, so a client-work description names its engine and another JVM finds it. */
public final class ModelEngines {

    private ModelEngines() {
    }

    /** The engine called {@code name}; {@code tensorflow} is the one fl4j ships. */
    public static ModelEngine byName(String name) {
        if (TfEngine.INSTANCE.name().equals(name)) {
            return TfEngine.INSTANCE;
        }
        throw new IllegalArgumentException("unknown model engine '" + name + "'; available: " + TfEngine.INSTANCE.name());
    }

    /** The default engine, TensorFlow Java. */
    public static ModelEngine defaultEngine() {
        return TfEngine.INSTANCE;
    }
}
