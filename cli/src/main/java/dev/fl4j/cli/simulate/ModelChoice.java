package dev.fl4j.cli.simulate;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.types.DType;
import dev.fl4j.core.types.StructType;
import dev.fl4j.core.types.TensorType;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.Dataset;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * A {@code --model} for a dataset: the model spec and the per-batch adaptation the data needs
 * (flattening images for dense models, next-character targets for the LSTM). Refuses a model that
 * does not fit the dataset's examples, naming the models that do.
 */
public record ModelChoice(String name, ModelSpec spec, UnaryOperator<Dataset> batchMap) {

    /** The names {@code --model} accepts. */
    public static final List<String> NAMES = List.of("fedavg-cnn", "2nn", "softmax", "lstm");

    /** The default model for a dataset. */
    public static String defaultFor(SimulationData data) {
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

    /** The model {@code name} for {@code data}. */
    public static ModelChoice of(String name, SimulationData data) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        TensorType x = data.exampleX();
        switch (n) {
            case "fedavg-cnn" -> {
                require(isImage(x), n, "28×28×1 float images", data);
                return new ModelChoice(n, Models.fedAvgCnn(data.classes()), UnaryOperator.identity());
            }
            case "2nn" -> {
                require(x.dtype() == DType.FLOAT32 && width(x) == 784, n, "784 float features (28×28 images)", data);
                return new ModelChoice(n, Models.twoNN(data.classes()), flatten(784));
            }
            case "softmax" -> {
                require(x.dtype() == DType.FLOAT32, n, "float features", data);
                return new ModelChoice(n, Models.softmaxRegression(width(x), data.classes()), flatten(width(x)));
            }
            case "lstm" -> {
                require(data.characters(), n, "character sequences (leaf-shakespeare)", data);
                int length = x.shape()[0];
                return new ModelChoice(n, Models.characterLstm(data.classes(), length, 256, 2), nextCharacterTargets(length));
            }
            default -> throw new UsageException("unknown model '" + name + "'; expected one of " + String.join(", ", NAMES)
                    + " (for " + data.name() + ": " + String.join(", ", fitting(data)) + ")");
        }
    }

    /** The models that fit {@code data}. */
    public static List<String> fitting(SimulationData data) {
        return NAMES.stream().filter(m -> fits(m, data)).toList();
    }

    private static boolean fits(String model, SimulationData data) {
        TensorType x = data.exampleX();
        return switch (model) {
            case "fedavg-cnn" -> isImage(x);
            case "2nn" -> x.dtype() == DType.FLOAT32 && width(x) == 784;
            case "softmax" -> x.dtype() == DType.FLOAT32;
            case "lstm" -> data.characters();
            default -> false;
        };
    }

    private static void require(boolean fits, String model, String needs, SimulationData data) {
        if (!fits) {
            throw new UsageException("model " + model + " needs " + needs + " but " + data.name() + " has examples x=" + data.exampleX()
                    + "; models that fit: " + String.join(", ", fitting(data)));
        }
    }

    private static UnaryOperator<Dataset> flatten(int width) {
        StructType type = StructType.builder().add("x", new TensorType(DType.FLOAT32, TensorType.UNKNOWN, width))
                .add("y", new TensorType(DType.INT32, TensorType.UNKNOWN)).build();
        return d -> d.map(type, v -> {
            Struct s = (Struct) v;
            Tensor xs = s.tensor("x");
            return Struct.named("x", xs.reshape(xs.dim(0), width), "y", s.get("y"));
        });
    }

    /**
     * LEAF Shakespeare gives an 80-character window and the next character; the character LSTM
     * predicts the next character at every position, so its targets are the window shifted by one
     * with the given next character at the end.
     */
    private static UnaryOperator<Dataset> nextCharacterTargets(int length) {
        StructType type = StructType.builder().add("x", new TensorType(DType.INT32, TensorType.UNKNOWN, length))
                .add("y", new TensorType(DType.INT32, TensorType.UNKNOWN, length)).build();
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
