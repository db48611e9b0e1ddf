package dev.fl4j.cli.spec;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.Dataset;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A {@code --model} for a dataset: the model spec and the per-batch adaptation the data needs
 * (flattening images for dense models, next-character targets for the LSTM). Refuses a model that
 * does not fit the dataset's examples, naming the models that do. The name is read with the shared
 * {@link SpecGrammar} (a bare name, no parameters); errors are {@link SpecException}s.
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
        return GRAMMAR.parse(name, text -> {
            SpecTerm term = GRAMMAR.term(text);
            String n = term.name();
            TensorType x = data.exampleX();
            switch (n) {
                case "fedavg-cnn" -> {
                    term.expect(0);
                    require(isImage(x), n, "28×28×1 float images", data);
                    return new ModelChoice(n, Models.fedAvgCnn(data.classes()), UnaryOperator.identity());
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
                            + ": " + String.join(", ", fitting(data)) + ")");
            }
        });
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
        StructType type = StructType.builder()
                .add("x", new TensorType(DType.FLOAT32, TensorType.UNKNOWN, width))
                .add("y", new TensorType(DType.INT32, TensorType.UNKNOWN))
                .build();
        return d -> d.map(type, v -> {
            Struct s = (Struct) v;
            Tensor xs = s.tensor("x");
            return Struct.named("x", xs.reshape(xs.dim(0), width), "y", s.get("y"));
        });
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
