package dev.fl4j.learning.tensorflow.internal;

import dev.fl4j.core.DType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.learning.keras.Embedding;
import dev.fl4j.learning.keras.Layer;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.keras.Sequential;
import dev.fl4j.learning.keras.WeightSpec;
import dev.fl4j.learning.model.ModelWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Writes a model as a TensorFlow SavedModel with TensorFlow Java's own writer ({@code SavedModelBundle.exporter}): one
 * graph tagged {@code serve}, the weights as variables under {@code variables/}, and two signatures, both over the
 * ops the engine trains and evaluates with (the inference-mode forward pass of {@link TfModelGraph}, its loss from
 * {@link LossOps} and its accuracy), so an exported model computes bit for bit what evaluation during training did:
 * <ul>
 *   <li>{@value #SERVING} (method {@code tensorflow/serving/predict}): input {@code x}; outputs {@code outputs} (the
 *       last layer), and for a classifier {@code probabilities} (softmax of logits, or the scores normalised to sum
 *       1) and {@code classes} (int32 arg-max over the last axis);</li>
 *   <li>{@value #EVALUATE}: inputs {@code x} and {@code y}; outputs {@code loss} (float32 mean over the batch),
 *       {@code examples} (int32), and for a classifier {@code correct} and {@code labels} (float64 counts).</li>
 * </ul>
 * The graph refuses what would otherwise give a quiet wrong answer: float features that are NaN or infinite, ids
 * outside an embedding's vocabulary and labels outside the classes fail an {@code Assert} op.
 */
public final class SavedModelWriter {

    /** The serving signature's key, TensorFlow's default. */
    public static final String SERVING = Signature.DEFAULT_KEY;
    /** The evaluation signature's key. */
    public static final String EVALUATE = "evaluate";

    private SavedModelWriter() {}

    /** Writes {@code spec} with {@code weights} into {@code dir}, created if absent (TensorFlow replaces its files). */
    public static void write(ModelSpec spec, ModelWeights weights, Path dir) throws IOException {
        WeightChecks.check(spec.weightsType(), weights, "export of model '" + spec.name() + "'");
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Sequential sequential = spec.sequential();
            TensorType xType = sequential.inputType();
            TensorType yType = spec.labelType();
            Placeholder<? extends TType> x = placeholder(tf, "x", xType);
            Placeholder<? extends TType> y = placeholder(tf, "y", yType);

            List<WeightSpec> weightSpecs = sequential.weights();
            List<Variable<TFloat32>> variables = new ArrayList<>();
            List<Placeholder<TFloat32>> feeds = new ArrayList<>();
            List<Op> assigns = new ArrayList<>();
            for (WeightSpec w : weightSpecs) {
                Shape s = Shape.of(TfModelGraph.longs(w.shape()));
                Variable<TFloat32> v =
                        named(tf.withSubScope("weights"), w.name()).variable(s, TFloat32.class);
                Placeholder<TFloat32> feed = tf.placeholder(TFloat32.class, Placeholder.shape(s));
                variables.add(v);
                feeds.add(feed);
                assigns.add(tf.assign(v, feed));
            }

            Operand<?> checkedX = tf.withControlDependencies(inputChecks(tf, sequential, x))
                    .withName("checked_x")
                    .identity(x);
            Operand<TFloat32> predictions = forward(tf, sequential, checkedX, variables);
            int lastDim = last(spec.predictionType());
            boolean classifier = spec.loss() instanceof Loss.SparseCategoricalCrossentropy;

            Signature.Builder serving = Signature.builder()
                    .key(SERVING)
                    .methodName("tensorflow/serving/predict")
                    .input("x", x)
                    .output("outputs", tf.withName("outputs").identity(predictions));
            Signature.Builder evaluate =
                    Signature.builder().key(EVALUATE).input("x", x).input("y", y);
            Operand<?> checkedY = y;
            if (classifier) {
                Loss.SparseCategoricalCrossentropy loss = (Loss.SparseCategoricalCrossentropy) spec.loss();
                serving.output(
                        "probabilities", tf.withName("probabilities").identity(probabilities(tf, loss, predictions)));
                serving.output(
                        "classes", tf.withName("classes").math.argMax(predictions, tf.constant(-1), TInt32.class));
                @SuppressWarnings("unchecked")
                Operand<TInt32> labels = (Operand<TInt32>) y;
                Op labelCheck = rangeCheck(tf, labels, lastDim, "a label y is outside [0, " + lastDim + ")");
                checkedY = tf.withControlDependencies(List.of(labelCheck))
                        .withName("checked_y")
                        .identity(labels);
                @SuppressWarnings("unchecked")
                Operand<TInt32> ids = (Operand<TInt32>) checkedY;
                Operand<TFloat32> scores = tf.reshape(predictions, tf.constant(new int[] {-1, lastDim}));
                Operand<TInt32> predicted = tf.math.argMax(scores, tf.constant(1), TInt32.class);
                Operand<TInt32> flat = tf.reshape(ids, tf.constant(new int[] {-1}));
                Operand<TFloat64> hits = tf.dtypes.cast(tf.math.equal(predicted, flat), TFloat64.class);
                evaluate.output("correct", tf.withName("correct").sum(hits, tf.constant(0)));
                evaluate.output("labels", tf.withName("labels").dtypes.cast(tf.size(flat), TFloat64.class));
            } else if (spec.loss() instanceof Loss.BinaryCrossentropy b) {
                Operand<TFloat32> p = b.fromLogits() ? tf.math.sigmoid(predictions) : predictions;
                serving.output("probabilities", tf.withName("probabilities").identity(p));
            }
            evaluate.output(
                    "loss",
                    tf.withName("loss").identity(LossOps.build(tf, spec.loss(), predictions, checkedY, lastDim)));
            evaluate.output("examples", tf.withName("examples").gather(tf.shape(x), tf.constant(0), tf.constant(0)));

            try (Session session = new Session(graph)) {
                assignWeights(
                        session,
                        weights.trainableTensors(),
                        feeds,
                        tf.withControlDependencies(assigns).noOp());
                SavedModelBundle.exporter(dir.toString())
                        .withSession(session)
                        .withSignature(serving.build())
                        .withSignature(evaluate.build())
                        .export();
            }
        }
    }

    private static void assignWeights(
            Session session, List<Tensor> leaves, List<Placeholder<TFloat32>> feeds, Op assignAll) {
        List<TFloat32> fed = new ArrayList<>(leaves.size());
        try {
            Session.Runner r = session.runner();
            for (int i = 0; i < leaves.size(); i++) {
                Tensor t = leaves.get(i);
                TFloat32 tt = TFloat32.tensorOf(
                        Shape.of(TfModelGraph.longs(t.shape())), DataBuffers.of(t.floatData(), true, false));
                fed.add(tt);
                r.feed(feeds.get(i), tt);
            }
            r.addTarget(assignAll).run().close();
        } finally {
            fed.forEach(TFloat32::close);
        }
    }

    /** The inference-mode forward pass, layer by layer as {@link TfModelGraph} builds it. */
    @SuppressWarnings("unchecked")
    private static Operand<TFloat32> forward(
            Ops tf, Sequential sequential, Operand<?> x, List<Variable<TFloat32>> variables) {
        Operand<?> current = x;
        int w = 0;
        List<Layer> layers = sequential.layers();
        LayerOps ops = new LayerOps(tf);
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            TensorType in = sequential.inputTypeOf(i);
            int n = layer.weights(in).size();
            current = ops.apply(
                    layer, current, in, sequential.outputTypes().get(i), variables.subList(w, w + n), false, null);
            w += n;
        }
        return (Operand<TFloat32>) current;
    }

    /** Float features must be finite; the ids of an embedding must lie in its vocabulary. */
    @SuppressWarnings("unchecked")
    private static List<Op> inputChecks(Ops tf, Sequential sequential, Operand<?> x) {
        List<Op> checks = new ArrayList<>();
        if (sequential.inputType().dtype() == DType.FLOAT32) {
            Operand<TBool> finite = tf.math.isFinite((Operand<TFloat32>) x);
            checks.add(assertAll(tf, finite, "a feature x is NaN or infinite"));
        }
        List<Layer> layers = sequential.layers();
        for (Layer layer : layers) {
            if (layer instanceof Embedding e) {
                checks.add(rangeCheck(
                        tf, (Operand<TInt32>) x, e.inputDim(), "an id x is outside [0, " + e.inputDim() + ")"));
            }
        }
        return checks;
    }

    private static Op rangeCheck(Ops tf, Operand<TInt32> ids, int bound, String message) {
        Operand<TBool> inRange =
                tf.math.logicalAnd(tf.math.greaterEqual(ids, tf.constant(0)), tf.math.less(ids, tf.constant(bound)));
        return assertAll(tf, inRange, message);
    }

    private static Op assertAll(Ops tf, Operand<TBool> condition, String message) {
        Operand<TBool> flat = tf.reshape(condition, tf.constant(new int[] {-1}));
        return tf.assertThat(tf.reduceAll(flat, tf.constant(0)), List.of(tf.constant(message)));
    }

    /** Softmax of logits, or scores normalised to sum 1 as the loss normalises them. */
    private static Operand<TFloat32> probabilities(
            Ops tf, Loss.SparseCategoricalCrossentropy loss, Operand<TFloat32> predictions) {
        if (loss.fromLogits()) {
            return tf.nn.softmax(predictions);
        }
        return tf.math.div(
                predictions,
                tf.sum(predictions, tf.constant(new int[] {-1}), org.tensorflow.op.core.Sum.keepDims(true)));
    }

    private static Placeholder<? extends TType> placeholder(Ops tf, String name, TensorType type) {
        Class<? extends TType> c = switch (type.dtype()) {
            case FLOAT32 -> TFloat32.class;
            case INT32 -> TInt32.class;
            default ->
                throw new IllegalArgumentException("model inputs and labels are float32 or int32, not " + type.dtype());
        };
        return tf.withName(name).placeholder(c, Placeholder.shape(Shape.of(TfModelGraph.longs(type.shape()))));
    }

    /**
     * {@code tf} naming its next op after a weight: each {@code /}-separated part of the name a sub-scope (characters
     * TensorFlow does not allow in names as {@code _}), so {@code dense/kernel} becomes {@code weights_N/dense/kernel}.
     */
    private static Ops named(Ops tf, String weight) {
        String[] parts = opNameParts(weight);
        Ops scoped = tf;
        for (int i = 0; i < parts.length; i++) {
            scoped = i < parts.length - 1 ? scoped.withSubScope(parts[i]) : scoped.withName(parts[i]);
        }
        return scoped;
    }

    /**
     * The name of the variable op holding {@code weight} in an export, without its {@code weights} scope, which
     * TensorFlow makes unique per weight ({@code weights/conv2d/kernel}, {@code weights_1/conv2d/bias}, ...): e.g.
     * {@code conv2d/bias}.
     */
    static String variableKey(String weight) {
        return String.join("/", opNameParts(weight));
    }

    private static String[] opNameParts(String weight) {
        String[] parts = weight.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].replaceAll("[^A-Za-z0-9_.-]", "_");
            parts[i] = part.isEmpty() || part.charAt(0) == '_' || part.charAt(0) == '-' ? "w" + part : part;
        }
        return parts;
    }

    private static int last(TensorType t) {
        return t.shape()[t.rank() - 1];
    }
}
