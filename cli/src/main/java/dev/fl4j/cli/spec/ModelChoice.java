package dev.fl4j.cli.spec;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.training.Preprocessing;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A {@code --model} for a dataset: the model spec and the per-batch adaptation the data needs
 * (flattening images for dense models, next-character targets for the LSTM). Refuses a model that
 * does not fit the dataset's examples, naming the models that do. A built-in name is read with the
 * shared {@link SpecGrammar} (a bare name, no parameters); errors are {@link SpecException}s.
 *
 * <p>A value that names a file (it ends in {@code .json} or holds a path separator) is a model-spec
 * file, {@link ModelSpec#read(Path)}: fl4j's {@code fl4j.model_spec} JSON, whose layers come from a
 * closed list (no class is loaded by a name in the file). It fits the data when its input is one
 * example's shape and type, or a flat float vector of as many values (images are then flattened);
 * its loss must take the data's integer class labels and its output must have one score per class.
 * Because the spec travels inside the client-work description as JSON, a deployed client rebuilds
 * a model from a file exactly as it rebuilds a built-in one.
 */
public record ModelChoice(String name, ModelSpec spec, UnaryOperator<Dataset> batchMap) {

    /** What a model needs to know about the data it will train on. */
    public interface Data {
        /** The dataset's name, for messages. */
        String name();

        /** The type of one example's {@code x}. */
        TensorType exampleX();

        /** The number of classes of {@code y}. */
        int classes();

        /** Whether examples are character sequences with the next character as label (LEAF Shakespeare). */
        boolean characters();
    }

    /** The names {@code --model} accepts. */
    public static final List<String> NAMES = List.of("fedavg-cnn", "2nn", "softmax", "lstm");

    private static final SpecGrammar GRAMMAR = new SpecGrammar("model", NAMES);

    /** The default model for a dataset. */
    public static String defaultFor(Data data) {
        if (data.characters()) {
            return "lstm";
        }
        return isImage(data.exampleX()) ? "fedavg-cnn" : "softmax";
    }

    private static boolean isImage(TensorType x) {
        return x.dtype() == DType.FLOAT32 && java.util.Arrays.equals(x.shape(), new int[] {28, 28, 1});
    }

    private static int width(TensorType x) {
        int w = 1;
        for (int d : x.shape()) {
            w *= d;
        }
        return w;
    }

    /**
     * The model {@code name} for {@code data}.
     *
     * @throws SpecException for an unknown name (listing the models, and those that fit), a name with
     *                       parameters, or a model that does not fit the data
     */
    public static ModelChoice of(String name, Data data) {
        if (isFile(name)) {
            return fromFile(Path.of(name), data);
        }
        return GRAMMAR.parse(name, text -> {
            SpecTerm term = GRAMMAR.term(text);
            String n = term.name();
            TensorType x = data.exampleX();
            switch (n) {
                case "fedavg-cnn" -> {
                    term.expect(0);
                    require(isImage(x), n, "28×28×1 float images", data);
                    return new ModelChoice(n, Models.fedAvgCnn(data.classes()), Preprocessing.noBatchMap());
                }
                case "2nn" -> {
                    term.expect(0);
                    require(
                            x.dtype() == DType.FLOAT32 && width(x) == 784,
                            n,
                            "784 float features (28×28 images)",
                            data);
                    return new ModelChoice(n, Models.twoNN(data.classes()), flatten(784));
                }
                case "softmax" -> {
                    term.expect(0);
                    require(x.dtype() == DType.FLOAT32, n, "float features", data);
                    return new ModelChoice(n, Models.softmaxRegression(width(x), data.classes()), flatten(width(x)));
                }
                case "lstm" -> {
                    term.expect(0);
                    require(data.characters(), n, "character sequences (leaf-shakespeare)", data);
                    int length = x.shape()[0];
                    return new ModelChoice(
                            n, Models.characterLstm(data.classes(), length, 256, 2), nextCharacterTargets(length));
                }
                default ->
                    throw new IllegalArgumentException("unknown model '" + n + "' (models that fit " + data.name()
                            + ": " + String.join(", ", fitting(data)) + "; or a model-spec file: a path ending in"
                            + " .json or holding a /)");
            }
        });
    }

    /** The hex SHA-256 of the spec's JSON: what provenance and checkpoints record of a model from a file. */
    public String specSha256() {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(spec.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Whether a {@code --model} value names a model-spec file rather than a built-in model. */
    public static boolean isFile(String value) {
        return value.endsWith(".json") || value.contains("/") || value.contains(java.io.File.separator);
    }

    /**
     * The model of a spec file for {@code data}; with {@code data} null, the spec alone (no batch
     * adaptation, for {@code fl4j model describe}).
     *
     * @throws IllegalArgumentException naming the file and what is wrong: unreadable, malformed (with the JSON
     *     path), or not fitting the data (input, labels or classes)
     */
    public static ModelChoice fromFile(Path file, Data data) {
        ModelSpec spec;
        try {
            spec = ModelSpec.read(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("model spec " + file + ": cannot be read: " + e.getMessage(), e);
        }
        return new ModelChoice(
                file.toString(),
                spec,
                data == null ? Preprocessing.noBatchMap() : fittingBatchMap(file.toString(), spec, data));
    }

    /** How batches of {@code data} become the spec's input, or an error saying why they cannot. */
    private static UnaryOperator<Dataset> fittingBatchMap(String file, ModelSpec spec, Data data) {
        TensorType x = data.exampleX();
        TensorType in = spec.sequential().inputType();
        int[] inShape = java.util.Arrays.copyOfRange(in.shape(), 1, in.rank());
        String where = "model spec " + file + " (input " + in + ", output " + spec.predictionType() + ")";
        TensorType label = spec.labelType();
        int[] out = spec.predictionType().shape();
        int classes = out[out.length - 1];
        if (label.dtype() != DType.INT32) {
            throw new IllegalArgumentException(where + ": its loss takes labels " + label + ", but " + data.name()
                    + " has integer class labels; use SparseCategoricalCrossentropy");
        }
        if (classes != data.classes()) {
            throw new IllegalArgumentException(where + ": its output has " + classes + " scores per example, but "
                    + data.name() + " has " + data.classes() + " classes");
        }
        boolean sameShape = in.dtype() == x.dtype() && java.util.Arrays.equals(inShape, x.shape());
        if (data.characters()) {
            if (sameShape && label.rank() == 2) {
                return nextCharacterTargets(x.shape()[0]);
            }
            throw new IllegalArgumentException(where + ": " + data.name() + " has character sequences x=" + x
                    + " and needs a model taking int32[?," + x.shape()[0] + "] with a prediction per position");
        }
        if (label.rank() != 1) {
            throw new IllegalArgumentException(
                    where + ": its labels " + label + " are not one class per example, as " + data.name() + " has");
        }
        if (sameShape) {
            return Preprocessing.noBatchMap();
        }
        if (in.dtype() == DType.FLOAT32
                && x.dtype() == DType.FLOAT32
                && inShape.length == 1
                && inShape[0] == width(x)) {
            return flatten(width(x));
        }
        throw new IllegalArgumentException(where + ": " + data.name() + " has examples x=" + x
                + "; the InputLayer must have that shape and dtype, or be a flat float32 vector of " + width(x)
                + " values");
    }

    /** The models that fit {@code data}. */
    public static List<String> fitting(Data data) {
        return NAMES.stream().filter(m -> fits(m, data)).toList();
    }

    private static boolean fits(String model, Data data) {
        TensorType x = data.exampleX();
        return switch (model) {
            case "fedavg-cnn" -> isImage(x);
            case "2nn" -> x.dtype() == DType.FLOAT32 && width(x) == 784;
            case "softmax" -> x.dtype() == DType.FLOAT32;
            case "lstm" -> data.characters();
            default -> false;
        };
    }

    private static void require(boolean fits, String model, String needs, Data data) {
        if (!fits) {
            throw new IllegalArgumentException("model " + model + " needs " + needs + " but " + data.name()
                    + " has examples x=" + data.exampleX() + "; models that fit: " + String.join(", ", fitting(data)));
        }
    }

    private static UnaryOperator<Dataset> flatten(int width) {
        return new Flatten(width);
    }

    /**
     * Batches of {@code x} with any shape as flat vectors of {@code width} floats; serializable, so that it runs
     * where clients are loaded ({@link dev.fl4j.simulation.training.Preprocessing#isSerializable}).
     */
    private record Flatten(int width) implements UnaryOperator<Dataset>, java.io.Serializable {
        @Override
        public Dataset apply(Dataset d) {
            StructType type = StructType.builder()
                    .add("x", new TensorType(DType.FLOAT32, TensorType.UNKNOWN, width))
                    .add("y", new TensorType(DType.INT32, TensorType.UNKNOWN))
                    .build();
            return d.map(type, v -> {
                Struct s = (Struct) v;
                Tensor xs = s.tensor("x");
                return Struct.named("x", xs.reshape(xs.dim(0), width), "y", s.get("y"));
            });
        }
    }

    /**
     * LEAF Shakespeare gives an 80-character window and the next character; the character LSTM
     * predicts the next character at every position, so its targets are the window shifted by one
     * with the given next character at the end. Public for {@code fl4j evaluate}, which feeds an
     * exported character model the targets it was trained on.
     */
    public static UnaryOperator<Dataset> nextCharacterTargets(int length) {
        StructType type = StructType.builder()
                .add("x", new TensorType(DType.INT32, TensorType.UNKNOWN, length))
                .add("y", new TensorType(DType.INT32, TensorType.UNKNOWN, length))
                .build();
        return d -> d.map(type, v -> {
            Struct s = (Struct) v;
            Tensor xs = s.tensor("x");
            int[] chars = xs.intData();
            int[] next = s.tensor("y").intData();
            int batch = xs.dim(0);
            int[] targets = new int[batch * length];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(chars, i * length + 1, targets, i * length, length - 1);
                targets[i * length + length - 1] = next[i];
            }
            return Struct.named("x", xs, "y", Tensor.of(targets, batch, length));
        });
    }
}
