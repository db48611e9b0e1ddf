package dev.fl4j.learning.tensorflow.internal;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.learning.model.ExportedModel;
import dev.fl4j.learning.model.ModelWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * An exported model opened with TensorFlow Java's SavedModel loader ({@code SavedModelBundle.loader}, tag
 * {@code serve}): types, classes and loss come from the {@value SavedModelWriter#SERVING} and
 * {@value SavedModelWriter#EVALUATE} signatures, nothing from fl4j's model classes. The session runs on one intra-op
 * and one inter-op thread, as the engine's training sessions do, so the kernels sum in the order they did in training.
 */
public final class SavedModelReader implements ExportedModel {

    private final Path dir;
    private final SavedModelBundle bundle;
    private final SessionFunction serving;
    private final SessionFunction evaluation;
    private final TensorType inputType;
    private final TensorType labelType;
    private final Optional<Integer> classes;

    private SavedModelReader(Path dir, SavedModelBundle bundle) {
        this.dir = dir;
        this.bundle = bundle;
        this.serving = function(SavedModelWriter.SERVING);
        this.evaluation = function(SavedModelWriter.EVALUATE);
        this.inputType = tensorType(serving.signature(), "x", true);
        this.labelType = tensorType(evaluation.signature(), "y", true);
        Map<String, Signature.TensorDescription> outputs = serving.signature().getOutputs();
        if (!outputs.containsKey("outputs")) {
            throw notFl4j("its " + SavedModelWriter.SERVING + " signature has no output 'outputs'");
        }
        if (outputs.containsKey("classes")) {
            TensorType p = tensorType(serving.signature(), "probabilities", false);
            this.classes = Optional.of(p.shape()[p.rank() - 1]);
        } else {
            this.classes = Optional.empty();
        }
    }

    /**
     * Opens the SavedModel in {@code dir}.
     *
     * @throws IllegalArgumentException if {@code dir} is missing, is not a directory, holds no {@code saved_model.pb},
     *                                  cannot be loaded by TensorFlow, or lacks the signatures fl4j writes
     */
    public static SavedModelReader open(Path dir) {
        if (!Files.exists(dir)) {
            throw new IllegalArgumentException(dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory (an exported model is a SavedModel "
                    + "directory with saved_model.pb and variables/)");
        }
        if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            throw new IllegalArgumentException(
                    dir + " is not a TensorFlow SavedModel: it has no saved_model.pb (see fl4j simulate --export)");
        }
        SavedModelBundle bundle;
        try {
            bundle = SavedModelBundle.loader(dir.toString())
                    .withTags(SavedModelBundle.DEFAULT_TAG)
                    .withConfigProto(ConfigProto.newBuilder()
                            .setIntraOpParallelismThreads(1)
                            .setInterOpParallelismThreads(1)
                            .setUsePerSessionThreads(true)
                            .build())
                    .load();
        } catch (TensorFlowException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    dir + " is not a SavedModel TensorFlow can load (tag serve): " + firstLine(e.getMessage()), e);
        }
        try {
            return new SavedModelReader(dir, bundle);
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    private SessionFunction function(String key) {
        for (SessionFunction f : bundle.functions()) {
            if (f.signature().key().equals(key)) {
                return f;
            }
        }
        throw notFl4j("it has no '" + key + "' signature");
    }

    private IllegalArgumentException notFl4j(String what) {
        return new IllegalArgumentException(dir + " is a SavedModel but not one fl4j exported: " + what
                + " (fl4j writes signatures " + SavedModelWriter.SERVING + " and " + SavedModelWriter.EVALUATE + ")");
    }

    private TensorType tensorType(Signature signature, String name, boolean input) {
        Map<String, Signature.TensorDescription> m = input ? signature.getInputs() : signature.getOutputs();
        Signature.TensorDescription d = m.get(name);
        if (d == null) {
            throw notFl4j(
                    "its " + signature.key() + " signature has no " + (input ? "input" : "output") + " '" + name + "'");
        }
        DType dtype = switch (d.dataType.getNumber()) {
            case DataType.DT_FLOAT_VALUE -> DType.FLOAT32;
            case DataType.DT_INT32_VALUE -> DType.INT32;
            default -> throw notFl4j("'" + name + "' is " + d.dataType + ", not float32 or int32");
        };
        Shape s = d.shape;
        if (s.isUnknown() || s.numDimensions() < 1) {
            throw notFl4j("'" + name + "' has no batch dimension (shape " + s + ")");
        }
        int[] dims = new int[s.numDimensions()];
        for (int i = 0; i < dims.length; i++) {
            long v = s.get(i);
            if (i > 0 && (v < 1 || v > Integer.MAX_VALUE)) {
                throw notFl4j("'" + name + "' has an unknown dimension " + i + " (shape " + s + ")");
            }
            dims[i] = i == 0 ? TensorType.UNKNOWN : (int) v;
        }
        return new TensorType(dtype, dims);
    }

    @Override
    public TensorType inputType() {
        return inputType;
    }

    @Override
    public TensorType labelType() {
        return labelType;
    }

    @Override
    public Optional<Integer> classes() {
        return classes;
    }

    @Override
    public Prediction predict(Tensor x) {
        checkFeatures(x);
        try (org.tensorflow.Tensor fx = BatchFeed.toTf(x);
                org.tensorflow.Result r = serving.call(Map.of("x", fx))) {
            Tensor outputs = readFloat(r, "outputs");
            Tensor probabilities = r.containsKey("probabilities") ? readFloat(r, "probabilities") : null;
            Tensor predicted = null;
            if (r.containsKey("classes")) {
                TInt32 c = (TInt32) r.get("classes").orElseThrow();
                int[] data = new int[(int) c.shape().size()];
                c.copyTo(DataBuffers.of(data, false, false));
                predicted = Tensor.of(data, ints(c.shape()));
            }
            return new Prediction(outputs, probabilities, predicted);
        }
    }

    @Override
    public BatchEvaluation evaluate(Tensor x, Tensor y) {
        checkFeatures(x);
        labelType.checkAssignableFrom(y.type(), "labels y");
        if (y.dim(0) != x.dim(0)) {
            throw new IllegalArgumentException("x has " + x.dim(0) + " examples but y has " + y.dim(0) + " (x "
                    + x.type() + ", y " + y.type() + ")");
        }
        if (classes.isPresent() && y.dtype() == DType.INT32) {
            int[] labels = y.intData();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0 || labels[i] >= classes.get()) {
                    throw new IllegalArgumentException("label " + labels[i] + " at position " + i
                            + " is not a class of this model (0 to " + (classes.get() - 1) + ")");
                }
            }
        }
        Map<String, org.tensorflow.Tensor> feeds = new LinkedHashMap<>();
        try (org.tensorflow.Tensor fx = BatchFeed.toTf(x);
                org.tensorflow.Tensor fy = BatchFeed.toTf(y)) {
            feeds.put("x", fx);
            feeds.put("y", fy);
            try (org.tensorflow.Result r = evaluation.call(feeds)) {
                double loss = ((TFloat32) r.get("loss").orElseThrow()).getFloat();
                long examples = ((TInt32) r.get("examples").orElseThrow()).getInt();
                long correct = 0;
                long labels = 0;
                if (r.containsKey("correct")) {
                    correct = (long) ((TFloat64) r.get("correct").orElseThrow()).getDouble();
                    labels = (long) ((TFloat64) r.get("labels").orElseThrow()).getDouble();
                }
                return new BatchEvaluation(loss, examples, correct, labels);
            }
        }
    }

    /** {@code x} must have the input type, at least one example, and (float features) only finite values. */
    private void checkFeatures(Tensor x) {
        inputType.checkAssignableFrom(x.type(), "features x");
        if (x.dim(0) == 0) {
            throw new IllegalArgumentException("features x: the batch has no examples");
        }
        if (x.dtype() == DType.FLOAT32) {
            float[] data = x.floatData();
            int width = data.length / x.dim(0);
            for (int i = 0; i < data.length; i++) {
                if (!Float.isFinite(data[i])) {
                    throw new IllegalArgumentException("features x: example " + i / width + ", feature " + i % width
                            + " is " + data[i] + "; the model takes finite numbers only (NaN inputs are refused, "
                            + "not imputed)");
                }
            }
        }
    }

    @Override
    public ModelWeights weights(StructType weightsType) {
        StructType trainable = (StructType) weightsType.get("trainable");
        StructType nonTrainable = (StructType) weightsType.get("non_trainable");
        if (nonTrainable.size() > 0) {
            throw new IllegalArgumentException(dir + ": an export holds trainable weights only, but the model also has"
                    + " non-trainable weights " + nonTrainable);
        }
        Map<String, String> variables = new LinkedHashMap<>();
        bundle.graph().operations().forEachRemaining(o -> {
            if (o.type().startsWith("Variable")) {
                variables.putIfAbsent(o.name().replaceFirst("^weights(_[0-9]+)?/", ""), o.name());
            }
        });
        Struct.Builder values = Struct.builder();
        for (StructType.Field f : trainable.fields()) {
            String op = variables.get(SavedModelWriter.variableKey(f.name()));
            if (op == null) {
                throw new IllegalArgumentException(
                        dir + " has no weight '" + f.name() + "' of the model (variables: " + variables.values() + ")");
            }
            try (TFloat32 t =
                    (TFloat32) bundle.session().runner().fetch(op).run().get(0)) {
                float[] data = new float[(int) t.shape().size()];
                t.copyTo(DataBuffers.of(data, false, false));
                values.add(f.name(), Tensor.of(data, ints(t.shape())));
            } catch (ClassCastException e) {
                throw new IllegalArgumentException(dir + ": weight '" + f.name() + "' is not float32", e);
            }
        }
        ModelWeights w = ModelWeights.of(values.build(), Struct.empty());
        w.requireType(weightsType);
        return w;
    }

    private static Tensor readFloat(org.tensorflow.Result r, String name) {
        TFloat32 t = (TFloat32) r.get(name).orElseThrow();
        float[] data = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(data, false, false));
        return Tensor.of(data, ints(t.shape()));
    }

    private static int[] ints(Shape s) {
        return Arrays.stream(s.asArray()).mapToInt(Math::toIntExact).toArray();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    @Override
    public void close() {
        bundle.close();
    }
}
