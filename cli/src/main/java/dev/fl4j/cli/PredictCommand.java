package dev.fl4j.cli;

import dev.fl4j.core.Tensor;
import dev.fl4j.learning.algorithms.ModelEngines;
import dev.fl4j.learning.model.ExportedModel;
import dev.fl4j.simulation.datasets.DatasetFileException;
import dev.fl4j.simulation.export.FeatureFile;
import dev.fl4j.simulation.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fl4j predict --model DIR --input FILE}: runs an exported model's {@code serving_default} signature, loaded
 * with the model format's own loader (TensorFlow Java's SavedModel loader), on the examples of a file
 * ({@link FeatureFile}: CSV rows of feature values, or an IDX image file), and writes one CSV line per example: its
 * number, the predicted class and the class probabilities ({@code example,class,p0,...}), or the model's outputs
 * ({@code example,output0,...}) for a model that is not a classifier. A sequence model predicts a class per position
 * ({@code class0,class1,...}, then the probabilities position by position).
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Predict with an exported model (fl4j simulate --export DIR): one CSV line per input example,",
            "'example,class,p0,p1,...' (class probabilities), or 'example,output0,...' for a model that is not a",
            "classifier. The input is CSV (one example per line, its feature values in row-major order, optional",
            "header) or an IDX image file (pixels scaled to [0, 1] as the MNIST loaders scale them).",
            "NaN or infinite inputs are refused, not imputed."
        },
        footer = {"", "Example:", "  fl4j predict --model runs/model --input images.csv --output predictions.csv"})
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "An exported model directory.")
    Path model;

    @Option(
            names = "--input",
            paramLabel = "FILE",
            required = true,
            description = "The examples: CSV of feature values, or an IDX image file (plain or gzip).")
    Path input;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Write the predictions here (replaced atomically) instead of standard output.")
    Path output;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "256",
            description = "Examples per call of the model. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (batch < 1) {
                err.println("fl4j predict: --batch must be at least 1, got " + batch);
                err.println("(see fl4j predict --help)");
                err.flush();
                return 2;
            }
            try (ExportedModel m = ModelEngines.defaultEngine().openExported(model)) {
                Tensor x = FeatureFile.read(input, m.inputType());
                StringBuilder csv = new StringBuilder();
                predict(m, x, batch, csv);
                if (output == null) {
                    out.print(csv);
                } else {
                    byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
                    AtomicFiles.write(output, (OutputStream o) -> o.write(bytes));
                    out.println(EvaluateCommand.describe(model, m));
                    out.println("wrote " + x.dim(0) + " predictions to " + output);
                }
            }
            out.flush();
            return 0;
        } catch (IllegalArgumentException | DatasetFileException e) {
            out.flush();
            err.println("fl4j predict: " + e.getMessage());
            err.flush();
            return 1;
        } catch (IOException | UncheckedIOException e) {
            out.flush();
            err.println("fl4j predict: cannot write " + output + ": " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** Predicts {@code x} in batches of {@code batch} and appends the CSV, header first. */
    static void predict(ExportedModel m, Tensor x, int batch, StringBuilder csv) {
        int n = x.dim(0);
        boolean header = true;
        for (int from = 0; from < n; from += batch) {
            int count = Math.min(batch, n - from);
            ExportedModel.Prediction p = m.predict(rows(x, from, count));
            boolean classifier = p.classes() != null;
            Tensor values = classifier ? p.probabilities() : p.outputs();
            int valuesPer = values.size() / count;
            int classesPer = classifier ? p.classes().size() / count : 0;
            if (header) {
                csv.append("example");
                for (int c = 0; c < classesPer; c++) {
                    csv.append(classesPer == 1 ? ",class" : ",class" + c);
                }
                for (int v = 0; v < valuesPer; v++) {
                    csv.append(classifier ? ",p" : ",output").append(v);
                }
                csv.append('\n');
                header = false;
            }
            float[] data = values.floatData();
            int[] classes = classifier ? p.classes().intData() : null;
            for (int r = 0; r < count; r++) {
                csv.append(from + r);
                for (int c = 0; c < classesPer; c++) {
                    csv.append(',').append(classes[r * classesPer + c]);
                }
                for (int v = 0; v < valuesPer; v++) {
                    csv.append(',').append(data[r * valuesPer + v]);
                }
                csv.append('\n');
            }
        }
    }

    /** Examples {@code from} to {@code from + count} of {@code x} (float32 or int32). */
    private static Tensor rows(Tensor x, int from, int count) {
        int per = x.size() / x.dim(0);
        int[] shape = x.shape();
        shape[0] = count;
        int start = from * per;
        int end = start + count * per;
        return switch (x.dtype()) {
            case INT32 -> Tensor.of(java.util.Arrays.copyOfRange(x.intData(), start, end), shape);
            default -> Tensor.of(java.util.Arrays.copyOfRange(x.floatData(), start, end), shape);
        };
    }
}
