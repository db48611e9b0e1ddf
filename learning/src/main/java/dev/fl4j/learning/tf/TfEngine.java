package dev.fl4j.learning.tf;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.model.VariableModel;

/**
 * The TensorFlow Java engine: builds {@link TfModel}s and {@link TfClientTrainer}s from model
 * descriptions. Each product owns one graph and one session limited to one intra-op and one
 * inter-op thread, so that parallelism comes from running one client per worker thread.
 */
public final class TfEngine implements ModelEngine {

    public static final TfEngine INSTANCE = new TfEngine();

    private TfEngine() {
    }

    @Override
    public String name() {
        return "tensorflow";
    }

    @Override
    public VariableModel newModel(ModelSpec spec, long seed) {
        return new TfModel(spec, seed);
    }

    @Override
    public ClientTrainer newTrainer(TrainingSpec spec) {
        return new TfClientTrainer(spec);
    }
}
