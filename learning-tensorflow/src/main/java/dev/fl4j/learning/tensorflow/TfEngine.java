package dev.fl4j.learning.tensorflow;

import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ExportedModel;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.model.VariableModel;
import dev.fl4j.learning.tensorflow.internal.SavedModelReader;
import dev.fl4j.learning.tensorflow.internal.SavedModelWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The TensorFlow Java engine, {@code tensorflow}: builds {@link TfModel}s and {@link TfClientTrainer}s
 * from model descriptions. Each product owns one graph and one session limited to one intra-op and
 * one inter-op thread, so that parallelism comes from running one client per worker thread.
 *
 * <p>Registered in this jar's {@code META-INF/services/dev.fl4j.learning.model.ModelEngine}, so
 * {@code ModelEngines} finds it when the jar is on the class path; code that needs an engine asks
 * {@code ModelEngines} rather than naming this class. The engine holds no state: instances are
 * interchangeable.
 *
 * <p>It exports models as TensorFlow SavedModels written by TensorFlow Java's own writer, and opens them with its
 * SavedModel loader ({@link #exportModel}, {@link #openExported}); the signatures are described in the README's
 * "The trained model out".
 */
public final class TfEngine implements ModelEngine {

    /** The engine's name, {@code tensorflow}. */
    public static final String NAME = "tensorflow";

    /** Public and without arguments, as {@link java.util.ServiceLoader} requires of a provider on the class path. */
    public TfEngine() {}

    @Override
    public String name() {
        return NAME;
    }

    /** {@code tensorflow} and the version of the TensorFlow runtime that TensorFlow Java loaded. */
    @Override
    public String version() {
        return NAME + " " + org.tensorflow.TensorFlow.version();
    }

    @Override
    public VariableModel newModel(ModelSpec spec, long seed) {
        return new TfModel(spec, seed);
    }

    @Override
    public ClientTrainer newTrainer(TrainingSpec spec) {
        return new TfClientTrainer(spec);
    }

    /**
     * A SavedModel (tag {@code serve}) with signatures {@code serving_default} ({@code x} → {@code outputs}, and for a
     * sparse-categorical classifier {@code probabilities} and {@code classes}) and {@code evaluate} ({@code x},
     * {@code y} → {@code loss}, {@code examples}, {@code correct}, {@code labels}), computed with the ops of this
     * engine's inference-mode forward pass and evaluation.
     */
    @Override
    public void exportModel(ModelSpec spec, ModelWeights weights, Path dir) throws IOException {
        SavedModelWriter.write(spec, weights, dir);
    }

    /** Opens a SavedModel with TensorFlow Java's loader, reading types and classes from its signatures. */
    @Override
    public ExportedModel openExported(Path dir) {
        return SavedModelReader.open(dir);
    }
}
