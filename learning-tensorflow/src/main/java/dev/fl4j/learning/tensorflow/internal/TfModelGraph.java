package dev.fl4j.learning.tensorflow.internal;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.learning.keras.Dropout;
import dev.fl4j.learning.keras.Embedding;
import dev.fl4j.learning.keras.Layer;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.keras.Metrics;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.keras.Sequential;
import dev.fl4j.learning.keras.WeightSpec;
import dev.fl4j.learning.model.LocalSteps;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Yogi;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * One model's TensorFlow graph and its single-threaded session, built once. It holds the weights as
 * variables (assigned from fed tensors, never re-initialised by graph rebuilds), a training-mode and
 * an inference-mode forward pass, metric sums as float64 variables, and optionally the gradients, the
 * client optimizer's in-graph update, FedProx anchors and FedSGD gradient sums.
 *
 * <p>Not thread safe: one thread uses a graph at a time.
 */
public final class TfModelGraph implements AutoCloseable {

    /** What to build besides the forward passes and metrics. */
    public record Options(Optimizer optimizer, float proximalMu, boolean gradientSums) {
        public static Options inferenceOnly() {
            return new Options(null, 0f, false);
        }
    }

    private final ModelSpec spec;
    private final Sequential sequential;
    private final StructType inputSpec;
    private final List<WeightSpec> weightSpecs;
    private final StructType weightsType;
    private final Graph graph;
    private final Session session;

    private final Placeholder<? extends TType> x;
    private final Placeholder<? extends TType> y;
    private final List<Placeholder<TInt64>> dropoutSeeds = new ArrayList<>();
    private final List<Variable<TFloat32>> weights = new ArrayList<>();
    private final List<Placeholder<TFloat32>> weightFeeds = new ArrayList<>();
    private final List<Variable<TFloat32>> snapshot = new ArrayList<>();
    private final Op assignFromFeeds;
    private final Op assignFromSnapshot;
    /** The arrays of the weights {@link #snapshot} holds, by identity; null when unknown. */
    private float[][] snapshotArrays;
    /** Per weight, where {@link #readDelta} copies the trained weights before subtracting; reused across clients. */
    private float[][] readBuffers;

    private final Operand<TFloat32> trainLoss;
    private final Operand<TFloat32> trainPredictions;
    private final Operand<TFloat32> inferLoss;
    private final Operand<TFloat32> inferPredictions;
    private final List<Variable<TFloat64>> metricSums = new ArrayList<>();
    private final Op resetMetrics;
    private final Op trainMetricUpdate;
    private final Op evalMetricUpdate;

    private final Optimizer optimizer;
    private final Op trainStep;
    private final Placeholder<TFloat32> stepSize;
    private final PlaceholderWithDefault<TFloat32> learningRate;
    private final List<Placeholder<TFloat32>> correctionFeeds = new ArrayList<>();
    private final Op setCorrection;
    /** The share of the correction added to the gradient: 1 by default, fed 0 when it is applied after the step. */
    private PlaceholderWithDefault<TFloat32> correctionInGradient;
    /** The training step followed by {@code w ← w − η·correction·mask}; null without a learning-rate feed. */
    private final Op trainStepThenCorrect;
    /** Whether the correction is applied after each step until the next {@link #assign}. */
    private boolean correctAfterStep;

    private final List<PlaceholderWithDefault<TFloat32>> stepMasks = new ArrayList<>();
    /** Per weight: frozen until the next {@link #assign}. */
    private boolean[] frozen;
    /** The client optimizer's learning rate until the next {@link #assign}, or NaN for the spec's own. */
    private float learningRateOverride = Float.NaN;

    private final List<Variable<TFloat32>> gradientSums = new ArrayList<>();
    /** Zeroes the FedSGD gradient sums; null without them. Not part of assign: only a gradient pass needs it. */
    private Op resetGradientSums;

    private final Op accumulateGradients;

    /**
     * Each weight, then each metric sum, read once {@link #trainStep} has run: fetched in the run of a
     * client's last step ({@link #runLastTrainStep}), so that reading the update out takes no run of
     * its own. Empty without a training step.
     */
    private final List<Operand<?>> readsAfterStep;

    private final int numClasses;
    private final int embeddingVocabulary;

    public TfModelGraph(ModelSpec spec, Options options) {
        this.spec = spec;
        this.sequential = spec.sequential();
        this.inputSpec = spec.inputSpec();
        this.weightSpecs = sequential.weights();
        this.weightsType = spec.weightsType();
        this.optimizer = options.optimizer();
        this.numClasses = spec.loss() instanceof Loss.SparseCategoricalCrossentropy ? last(spec.predictionType()) : -1;
        this.embeddingVocabulary =
                sequential.layers().size() > 1 && sequential.layers().get(1) instanceof Embedding e ? e.inputDim() : -1;
        this.graph = new Graph();
        boolean built = false;
        try {
            Ops tf = Ops.create(graph);
            x = inputPlaceholder(tf, "x");
            y = inputPlaceholder(tf, "y");
            // Everything assign() runs: weights (and the snapshot, and FedProx anchors) from their feeds or from the
            // snapshot, and the resets of metrics, gradient sums and slots.
            AssignOps assignOps = new AssignOps();
            declareWeights(tf, assignOps);

            Forward train = forward(tf, true);
            Forward infer = spec.hasTrainingOnlyLayers() ? forward(tf, false) : train;
            trainLoss = train.loss;
            trainPredictions = train.predictions;
            inferLoss = infer.loss;
            inferPredictions = infer.predictions;

            MetricOps metricOps = metricSums(tf, train, infer);
            resetMetrics = metricOps.reset();
            trainMetricUpdate = metricOps.trainUpdate();
            evalMetricUpdate = metricOps.evalUpdate();
            assignOps.reset(resetMetrics);

            TrainingOps training = trainingOps(tf, options, train, assignOps);
            trainStep = training.step();
            stepSize = training.stepSize();
            learningRate = training.learningRate();
            setCorrection = training.setCorrection();
            trainStepThenCorrect = training.stepThenCorrect();
            accumulateGradients = training.accumulateGradients();
            readsAfterStep = trainStep == null ? List.of() : readsAfter(tf, trainStep);
            assignFromFeeds = group(tf, assignOps.fromFeeds);
            assignFromSnapshot = group(tf, assignOps.fromSnapshot);
            session = openSession(graph);
            built = true;
        } finally {
            if (!built) {
                graph.close();
            }
        }
    }

    /** Each weight, then each metric sum, read once {@code step} has run. */
    private List<Operand<?>> readsAfter(Ops tf, Op step) {
        Ops after = tf.withControlDependencies(List.of(step));
        List<Operand<?>> reads = new ArrayList<>();
        weights.forEach(w -> reads.add(after.identity(w)));
        metricSums.forEach(m -> reads.add(after.identity(m)));
        return reads;
    }

    /** The placeholder fed with the input's field {@code name} ({@code x} or {@code y}). */
    private Placeholder<? extends TType> inputPlaceholder(Ops tf, String name) {
        TensorType type = (TensorType) inputSpec.get(name);
        return tf.withName(name).placeholder(tfClass(type.dtype()), Placeholder.shape(shapeOf(type)));
    }

    /**
     * The two ways {@link #assign} sets a client's starting point: from the fed weights (which are
     * also kept in the snapshot), or from the snapshot of the weights fed last; both run the resets.
     */
    private static final class AssignOps {
        final List<Op> fromFeeds = new ArrayList<>();
        final List<Op> fromSnapshot = new ArrayList<>();

        void reset(Op op) {
            fromFeeds.add(op);
            fromSnapshot.add(op);
        }
    }

    /**
     * A variable per weight, with the placeholder it is assigned from and a snapshot variable that
     * keeps the weights fed last; adds the assignments to {@code assignOps}.
     */
    private void declareWeights(Ops tf, AssignOps assignOps) {
        for (WeightSpec w : weightSpecs) {
            Shape s = Shape.of(longs(w.shape()));
            Variable<TFloat32> v = tf.variable(s, TFloat32.class);
            Variable<TFloat32> kept = tf.variable(s, TFloat32.class);
            Placeholder<TFloat32> feed = tf.placeholder(TFloat32.class, Placeholder.shape(s));
            weights.add(v);
            snapshot.add(kept);
            weightFeeds.add(feed);
            assignOps.fromFeeds.add(tf.assign(v, feed));
            assignOps.fromFeeds.add(tf.assign(kept, feed));
            assignOps.fromSnapshot.add(tf.assign(v, kept));
        }
    }

    /** The ops over the float64 metric sums: reset to 0, add a training batch, add an evaluation batch. */
    private record MetricOps(Op reset, Op trainUpdate, Op evalUpdate) {}

    /**
     * A float64 variable per metric part, and the ops that reset them and add the parts of a training or inference
     * pass.
     */
    private MetricOps metricSums(Ops tf, Forward train, Forward infer) {
        List<Operand<TFloat64>> trainParts = metricParts(tf, train);
        List<Operand<TFloat64>> evalParts = metricParts(tf, infer);
        List<Op> resets = new ArrayList<>();
        List<Op> trainUpdates = new ArrayList<>();
        List<Op> evalUpdates = new ArrayList<>();
        for (int i = 0; i < trainParts.size(); i++) {
            Variable<TFloat64> sum = tf.variable(Shape.scalar(), TFloat64.class);
            metricSums.add(sum);
            resets.add(tf.assign(sum, tf.constant(0.0)));
            trainUpdates.add(tf.assignAdd(sum, trainParts.get(i)));
            evalUpdates.add(tf.assignAdd(sum, evalParts.get(i)));
        }
        return new MetricOps(group(tf, resets), group(tf, trainUpdates), group(tf, evalUpdates));
    }

    /**
     * The training step with its step-size and learning-rate feeds, the op setting the gradient
     * correction from its feeds, the step followed by the correction of the weights, and the FedSGD
     * gradient accumulation; each null when not built.
     */
    private record TrainingOps(
            Op step,
            Placeholder<TFloat32> stepSize,
            PlaceholderWithDefault<TFloat32> learningRate,
            Op setCorrection,
            Op stepThenCorrect,
            Op accumulateGradients) {}

    /**
     * The gradients of the training loss, and what {@code options} asks of them: their FedSGD sums
     * and the optimizer's update (after the training metrics are updated). Adds the resets of sums,
     * FedProx anchors and optimizer slots to {@code assignOps}.
     */
    private TrainingOps trainingOps(Ops tf, Options options, Forward train, AssignOps assignOps) {
        if (options.optimizer() == null && !options.gradientSums()) {
            return new TrainingOps(null, null, null, null, null, null);
        }
        List<Operand<TFloat32>> g = gradients(tf, train);
        Op accumulate = options.gradientSums() ? gradientAccumulation(tf, g, train) : null;
        if (options.optimizer() == null) {
            return new TrainingOps(null, null, null, null, null, accumulate);
        }
        List<Operand<TFloat32>> proxGrads =
                options.proximalMu() > 0f ? withProximalTerm(tf, g, options.proximalMu(), assignOps) : g;
        List<Op> setCorrections = new ArrayList<>();
        List<Variable<TFloat32>> corrections = new ArrayList<>();
        List<Operand<TFloat32>> updateGrads = withCorrection(tf, proxGrads, assignOps, setCorrections, corrections);
        List<Op> before = new ArrayList<>(updateGrads);
        before.add(trainMetricUpdate);
        InGraphOptimizer.Built optimizerOps =
                InGraphOptimizer.build(tf, options.optimizer(), weights, updateGrads, before);
        assignOps.reset(optimizerOps.resetSlots());
        return new TrainingOps(
                optimizerOps.step(),
                optimizerOps.stepSize(),
                optimizerOps.learningRate(),
                group(tf, setCorrections),
                correctionAfter(tf, optimizerOps, corrections),
                accumulate);
    }

    /**
     * The optimizer's step, then {@code w ← w − (η·correction)·mask} for every weight at the step's learning rate
     * {@code η}; null for optimizers whose learning rate is part of a fed step size (Adam, Yogi).
     */
    private Op correctionAfter(Ops tf, InGraphOptimizer.Built optimizerOps, List<Variable<TFloat32>> corrections) {
        if (optimizerOps.learningRate() == null) {
            return null;
        }
        Ops afterStep = tf.withControlDependencies(List.of(optimizerOps.step()));
        List<Op> corrected = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            corrected.add(afterStep.assignSub(
                    weights.get(i),
                    tf.math.mul(tf.math.mul(optimizerOps.learningRate(), corrections.get(i)), stepMasks.get(i))));
        }
        return group(tf, corrected);
    }

    /** d(training loss)/d(weight), one per weight. */
    private List<Operand<TFloat32>> gradients(Ops tf, Forward train) {
        Gradients grads = tf.gradients(train.loss, weights);
        List<Operand<TFloat32>> g = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            g.add(grads.<TFloat32>dy(i));
        }
        return g;
    }

    /**
     * FedSGD: a sum per weight, the op adding {@code g × batch size} to each, and (in
     * {@link #resetGradientSums}) the op zeroing them, which a gradient pass runs after assigning
     * the weights: kept out of {@link #assign} so that a training or evaluation pass does not zero a
     * model-sized buffer it never reads.
     */
    private Op gradientAccumulation(Ops tf, List<Operand<TFloat32>> g, Forward train) {
        Operand<TFloat32> batch = tf.dtypes.cast(train.batchSize, TFloat32.class);
        List<Op> adds = new ArrayList<>();
        List<Op> resets = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            Variable<TFloat32> sum = tf.variable(weights.get(i).shape(), TFloat32.class);
            gradientSums.add(sum);
            resets.add(tf.assign(sum, tf.fill(tf.constant(weights.get(i).shape()), tf.constant(0f))));
            adds.add(tf.assignAdd(sum, tf.math.mul(g.get(i), batch)));
        }
        resetGradientSums = group(tf, resets);
        return group(tf, adds);
    }

    /**
     * {@code (g + share·correction)·mask}, with a correction variable per weight that {@link #assign}
     * zeroes and {@link #setLocalSteps} sets (Mime Lite; SCAFFOLD feeds the share 0 and corrects after the
     * step), a share that defaults to 1, and a mask fed 0 for frozen weights (federated reconstruction)
     * that defaults to 1; {@code (g + 1·0)·1} is {@code g} and {@code 1·c} is {@code c}, bit for bit.
     */
    private List<Operand<TFloat32>> withCorrection(
            Ops tf,
            List<Operand<TFloat32>> g,
            AssignOps assignOps,
            List<Op> setCorrections,
            List<Variable<TFloat32>> corrections) {
        correctionInGradient = tf.placeholderWithDefault(tf.constant(1f), Shape.scalar());
        List<Operand<TFloat32>> corrected = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            Shape shape = weights.get(i).shape();
            Variable<TFloat32> correction = tf.variable(shape, TFloat32.class);
            corrections.add(correction);
            Placeholder<TFloat32> feed = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
            correctionFeeds.add(feed);
            assignOps.reset(tf.assign(correction, tf.fill(tf.constant(shape), tf.constant(0f))));
            setCorrections.add(tf.assign(correction, feed));
            PlaceholderWithDefault<TFloat32> mask = tf.placeholderWithDefault(tf.constant(1f), Shape.scalar());
            stepMasks.add(mask);
            corrected.add(tf.math.mul(tf.math.add(g.get(i), tf.math.mul(correctionInGradient, correction)), mask));
        }
        return corrected;
    }

    /** FedProx: {@code g + mu × (w − anchor)}, with an anchor per weight set to the assigned weights. */
    private List<Operand<TFloat32>> withProximalTerm(
            Ops tf, List<Operand<TFloat32>> g, float proximalMu, AssignOps assignOps) {
        List<Operand<TFloat32>> updateGrads = new ArrayList<>();
        Operand<TFloat32> mu = tf.constant(proximalMu);
        for (int i = 0; i < weights.size(); i++) {
            Variable<TFloat32> anchor = tf.variable(weights.get(i).shape(), TFloat32.class);
            assignOps.fromFeeds.add(tf.assign(anchor, weightFeeds.get(i)));
            assignOps.fromSnapshot.add(tf.assign(anchor, snapshot.get(i)));
            updateGrads.add(tf.math.add(g.get(i), tf.math.mul(mu, tf.math.sub(weights.get(i), anchor))));
        }
        return updateGrads;
    }

    /**
     * A session with one intra-op and one inter-op thread, and threads of its own: without
     * use_per_session_threads every session shares TensorFlow's process-wide pool, which the first
     * session sizes at one thread, and the workers' sessions would take turns.
     */
    private static Session openSession(Graph graph) {
        ConfigProto config = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(1)
                .setInterOpParallelismThreads(1)
                .setUsePerSessionThreads(true)
                .build();
        return new Session(graph, config);
    }

    private record Forward(Operand<TFloat32> predictions, Operand<TFloat32> loss, Operand<TInt32> batchSize) {}

    private Forward forward(Ops tf, boolean training) {
        Operand<?> current = x;
        int w = 0;
        List<Layer> layers = sequential.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            TensorType in = sequential.inputTypeOf(i);
            int n = layer.weights(in).size();
            Operand<TInt64> seed = null;
            if (training && layer instanceof Dropout d && d.rate() > 0f) {
                Placeholder<TInt64> p = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
                dropoutSeeds.add(p);
                seed = p;
            }
            current = new LayerOps(tf)
                    .apply(
                            layer,
                            current,
                            in,
                            sequential.outputTypes().get(i),
                            weights.subList(w, w + n),
                            training,
                            seed);
            w += n;
        }
        @SuppressWarnings("unchecked")
        Operand<TFloat32> predictions = (Operand<TFloat32>) current;
        Operand<TFloat32> loss = LossOps.build(tf, spec.loss(), predictions, y, last(spec.predictionType()));
        Operand<TInt32> batchSize = tf.gather(tf.shape(x), tf.constant(0), tf.constant(0));
        return new Forward(predictions, loss, batchSize);
    }

    @SuppressWarnings("unchecked")
    private List<Operand<TFloat64>> metricParts(Ops tf, Forward f) {
        List<Operand<TFloat64>> parts = new ArrayList<>();
        Operand<TFloat64> batch = tf.dtypes.cast(f.batchSize, TFloat64.class);
        for (Metric m : spec.metrics()) {
            switch (m) {
                case SPARSE_CATEGORICAL_ACCURACY -> {
                    int classes = last(spec.predictionType());
                    Operand<TFloat32> scores = tf.reshape(f.predictions, tf.constant(new int[] {-1, classes}));
                    Operand<TInt32> predicted = tf.math.argMax(scores, tf.constant(1), TInt32.class);
                    Operand<TInt32> labels = tf.reshape(tf.dtypes.cast(y, TInt32.class), tf.constant(new int[] {-1}));
                    Operand<TFloat64> correct = tf.dtypes.cast(tf.math.equal(predicted, labels), TFloat64.class);
                    parts.add(tf.sum(correct, tf.constant(0)));
                    parts.add(tf.dtypes.cast(tf.size(labels), TFloat64.class));
                }
                case LOSS -> {
                    parts.add(tf.math.mul(tf.dtypes.cast(f.loss, TFloat64.class), batch));
                    parts.add(batch);
                }
                case NUM_EXAMPLES -> parts.add(batch);
                case NUM_BATCHES -> parts.add(tf.constant(1.0));
            }
        }
        return parts;
    }

    private static Op group(Ops tf, List<Op> ops) {
        return tf.withControlDependencies(ops).noOp();
    }

    // ---- running

    public ModelSpec spec() {
        return spec;
    }

    public StructType inputSpec() {
        return inputSpec;
    }

    public StructType weightsType() {
        return weightsType;
    }

    /**
     * Sets the learning rate, the correction (in the gradient or after each step) and the frozen weights of
     * the training steps until the next {@link #assign} (which goes back to the spec's rate and no correction).
     *
     * @throws IllegalArgumentException if the correction does not have the trainable weights' structure
     * @throws IllegalStateException if the graph has no training step, or a correction after each step is
     *     asked of an optimizer without a learning rate (Adam, Yogi)
     */
    public void setLocalSteps(LocalSteps steps) {
        if (steps.overridesLearningRate() && trainStep == null) {
            throw new IllegalStateException("this graph was built without a training step");
        }
        learningRateOverride = steps.learningRate();
        frozen = null;
        correctAfterStep = false;
        if (!steps.frozenWeights().isEmpty()) {
            if (trainStep == null) {
                throw new IllegalStateException("this graph was built without a training step");
            }
            boolean[] f = new boolean[weightSpecs.size()];
            java.util.Set<String> unknown = new java.util.TreeSet<>(steps.frozenWeights());
            for (int i = 0; i < f.length; i++) {
                f[i] = steps.frozenWeights().contains(weightSpecs.get(i).name());
                unknown.remove(weightSpecs.get(i).name());
            }
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException(
                        "frozen weights " + unknown + " are not trainable weights of model '" + spec.name() + "'");
            }
            frozen = f;
        }
        Struct correction = steps.gradientCorrection();
        if (correction == null) {
            return;
        }
        if (setCorrection == null) {
            throw new IllegalStateException("this graph was built without a training step");
        }
        if (steps.correctionAfterStep() && trainStepThenCorrect == null) {
            throw new IllegalStateException("a correction after each step needs an optimizer with a learning rate, not "
                    + optimizer.getClass().getSimpleName());
        }
        Type trainable = weightsType.get("trainable");
        trainable.checkAssignableFrom(correction.type(), "gradient correction");
        List<Tensor> leaves = Structures.leaves(correction);
        List<org.tensorflow.Tensor> fed = new ArrayList<>(leaves.size());
        try {
            Session.Runner r = session.runner();
            for (int i = 0; i < leaves.size(); i++) {
                Tensor t = leaves.get(i);
                TFloat32 tt = TFloat32.tensorOf(Shape.of(longs(t.shape())), DataBuffers.of(t.floatData(), true, false));
                fed.add(tt);
                r.feed(correctionFeeds.get(i), tt);
            }
            r.addTarget(setCorrection).run().close();
        } finally {
            fed.forEach(org.tensorflow.Tensor::close);
        }
        correctAfterStep = steps.correctionAfterStep();
    }

    /**
     * Assigns {@code w}, and resets metrics, optimizer slots, FedProx anchors, gradient corrections and
     * the local steps' learning rate and frozen weights (the FedSGD gradient sums are reset by
     * {@link #resetGradientSums()}).
     *
     * <p>The graph keeps a snapshot of the weights it was fed last. Core tensors are immutable (their
     * arrays are taken, never modified), so weights whose every trainable tensor has the very array
     * the snapshot was fed from are those weights: they are restored from the snapshot inside the
     * session instead of being copied in again. A round's clients on one worker all start from the
     * same broadcast weights, so only a worker's first client of a round copies them in.
     */
    public void assign(ModelWeights w, String where) {
        WeightChecks.check(weightsType, w, where);
        learningRateOverride = Float.NaN;
        frozen = null;
        correctAfterStep = false;
        List<Tensor> leaves = w.trainableTensors();
        if (isSnapshotOf(leaves)) {
            session.runner().addTarget(assignFromSnapshot).run().close();
            return;
        }
        snapshotArrays = null;
        float[][] arrays = new float[leaves.size()][];
        List<org.tensorflow.Tensor> fed = new ArrayList<>(leaves.size());
        try {
            Session.Runner r = session.runner();
            for (int i = 0; i < leaves.size(); i++) {
                Tensor t = leaves.get(i);
                arrays[i] = t.floatData();
                TFloat32 tt = TFloat32.tensorOf(Shape.of(longs(t.shape())), DataBuffers.of(arrays[i], true, false));
                fed.add(tt);
                r.feed(weightFeeds.get(i), tt);
            }
            r.addTarget(assignFromFeeds).run().close();
            snapshotArrays = arrays;
        } finally {
            fed.forEach(org.tensorflow.Tensor::close);
        }
    }

    private boolean isSnapshotOf(List<Tensor> leaves) {
        float[][] kept = snapshotArrays;
        if (kept == null || kept.length != leaves.size()) {
            return false;
        }
        for (int i = 0; i < kept.length; i++) {
            if (leaves.get(i).floatData() != kept[i]) {
                return false;
            }
        }
        return true;
    }

    /** The current weights, copied out of the session. */
    public ModelWeights readWeights() {
        Session.Runner r = session.runner();
        weights.forEach(r::fetch);
        Struct.Builder b = Struct.builder();
        try (Result result = r.run()) {
            for (int i = 0; i < weights.size(); i++) {
                WeightSpec ws = weightSpecs.get(i);
                b.add(ws.name(), readFloat(result.get(i), ws.shape()));
            }
        }
        return ModelWeights.of(b.build(), Struct.empty());
    }

    /** A client's trainable update {@code initial − trained} and its unfinalized metrics. */
    public record Delta(Struct update, Struct metrics) {}

    /**
     * {@code initial − current weights}, trainable weight by trainable weight (float32 subtraction in
     * Java, bitwise what {@link ModelWeights#trainableDelta} gives on {@link #readWeights()}), with
     * the metric sums, in one session run. The current weights are copied into buffers this graph
     * reuses, so the update is the only array allocated per weight.
     */
    public Delta readDelta(ModelWeights initial, String where) {
        WeightChecks.check(weightsType, initial, where);
        Session.Runner r = session.runner();
        weights.forEach(r::fetch);
        metricSums.forEach(r::fetch);
        try (Result result = r.run()) {
            return delta(initial.trainableTensors(), result);
        }
    }

    /** {@code base − the weights fetched first in {@code result}}, with the metric sums fetched after them. */
    private Delta delta(List<Tensor> base, Result result) {
        if (readBuffers == null) {
            readBuffers = new float[weights.size()][];
            for (int i = 0; i < weights.size(); i++) {
                readBuffers[i] = new float[sizeOf(weightSpecs.get(i).shape())];
            }
        }
        Struct.Builder b = Struct.builder();
        double[] sums = new double[metricSums.size()];
        for (int i = 0; i < weights.size(); i++) {
            WeightSpec ws = weightSpecs.get(i);
            float[] trained = readBuffers[i];
            ((TFloat32) result.get(i)).copyTo(DataBuffers.of(trained, false, false));
            float[] from = base.get(i).floatData();
            float[] update = new float[trained.length];
            for (int k = 0; k < update.length; k++) {
                update[k] = from[k] - trained[k];
            }
            b.add(ws.name(), Tensor.of(update, ws.shape()));
        }
        for (int i = 0; i < sums.length; i++) {
            sums[i] = ((TFloat64) result.get(weights.size() + i)).getDouble();
        }
        return new Delta(b.build(), metricSums.isEmpty() ? Struct.empty() : Metrics.fromSums(spec.metrics(), sums));
    }

    /** The FedSGD gradient sums divided by {@code examples} (zeros if none). */
    public Struct readMeanGradient(long examples) {
        Session.Runner r = session.runner();
        gradientSums.forEach(r::fetch);
        Struct.Builder b = Struct.builder();
        try (Result result = r.run()) {
            for (int i = 0; i < gradientSums.size(); i++) {
                WeightSpec ws = weightSpecs.get(i);
                Tensor sum = readFloat(result.get(i), ws.shape());
                float[] data = sum.floatData();
                if (examples > 0) {
                    for (int k = 0; k < data.length; k++) {
                        data[k] = data[k] / examples;
                    }
                }
                b.add(ws.name(), sum);
            }
        }
        return b.build();
    }

    /** The metric sums as {@code <metric_name=state,...>}. */
    public Struct readMetrics() {
        if (metricSums.isEmpty()) {
            return Struct.empty();
        }
        Session.Runner r = session.runner();
        metricSums.forEach(r::fetch);
        double[] sums = new double[metricSums.size()];
        try (Result result = r.run()) {
            for (int i = 0; i < sums.length; i++) {
                sums[i] = ((TFloat64) result.get(i)).getDouble();
            }
        }
        return Metrics.fromSums(spec.metrics(), sums);
    }

    /** Zeroes the FedSGD gradient sums: what a gradient pass runs after {@link #assign}. */
    public void resetGradientSums() {
        if (resetGradientSums == null) {
            throw new IllegalStateException("this graph was built without gradient sums");
        }
        session.runner().addTarget(resetGradientSums).run().close();
    }

    public void resetMetrics() {
        session.runner().addTarget(resetMetrics).run().close();
    }

    /** What a batch run does. */
    public enum Mode {
        TRAIN_STEP,
        ACCUMULATE_GRADIENTS,
        EVALUATE,
        FORWARD_TRAINING,
        FORWARD_INFERENCE
    }

    /**
     * Runs one batch. {@code step} is the 1-based local step (for the step size of Adam/Yogi and
     * for dropout seeds). Returns the batch size, or 0 for an empty batch, which is skipped.
     * {@code fetched}, if not null, receives the batch's loss and predictions.
     */
    public int runBatch(Mode mode, Struct batch, int batchIndex, long seed, long step, Tensor[] fetched) {
        return runBatch(mode, batch, batchIndex, seed, step, fetched, null);
    }

    /** A client's last training step: its batch size, and the update it leaves (null if the batch was empty). */
    public record LastStep(int size, Delta delta) {}

    /**
     * {@link #runBatch} of {@link Mode#TRAIN_STEP} followed by {@link #readDelta}{@code (initial, where)},
     * bitwise the same, in one session run: the run of the step also fetches the weights and metric
     * sums, read once the step has run. With a correction applied after each step (see {@link
     * #setLocalSteps}) the step and the read are two runs. An empty batch runs nothing and reads nothing.
     */
    public LastStep runLastTrainStep(
            Struct batch, int batchIndex, long seed, long step, ModelWeights initial, String where) {
        WeightChecks.check(weightsType, initial, where);
        Delta[] delta = new Delta[1];
        int size = runBatch(
                Mode.TRAIN_STEP,
                batch,
                batchIndex,
                seed,
                step,
                null,
                correctAfterStep
                        ? null
                        : r -> {
                            readsAfterStep.forEach(r::fetch);
                            return result -> delta[0] = delta(initial.trainableTensors(), result);
                        });
        if (size > 0 && delta[0] == null) {
            delta[0] = readDelta(initial, where);
        }
        return new LastStep(size, delta[0]);
    }

    /** Fetches more in a batch's run ({@link #runBatch}'s own fetches come first), then reads them. */
    private interface ExtraFetches {
        Consumer<Result> fetch(Session.Runner runner);
    }

    private int runBatch(
            Mode mode, Struct batch, int batchIndex, long seed, long step, Tensor[] fetched, ExtraFetches extra) {
        int size = BatchFeed.check(inputSpec, batch, batchIndex, numClasses, embeddingVocabulary);
        if (size == 0) {
            return 0;
        }
        try (BatchFeed feed = BatchFeed.of(batch)) {
            Session.Runner r = session.runner();
            r.feed(x, feed.x()).feed(y, feed.y());
            boolean training =
                    mode == Mode.TRAIN_STEP || mode == Mode.ACCUMULATE_GRADIENTS || mode == Mode.FORWARD_TRAINING;
            List<TInt64> seeds = new ArrayList<>();
            List<TFloat32> maskTensors = new ArrayList<>();
            try {
                if (training) {
                    for (int i = 0; i < dropoutSeeds.size(); i++) {
                        TInt64 s = TInt64.vectorOf(
                                Seeds.deriveForModel(seed, step, i), Seeds.deriveForModel(seed, step, i, 1));
                        seeds.add(s);
                        r.feed(dropoutSeeds.get(i), s);
                    }
                }
                TFloat32 stepSizeTensor = null;
                switch (mode) {
                    case TRAIN_STEP -> {
                        if (trainStep == null) {
                            throw new IllegalStateException("this graph was built without a training step");
                        }
                        Optimizer rule = Float.isNaN(learningRateOverride)
                                ? optimizer
                                : optimizer.withLearningRate(learningRateOverride);
                        if (stepSize != null) {
                            stepSizeTensor = TFloat32.scalarOf(
                                    rule instanceof Adam a ? a.stepSize(step) : ((Yogi) rule).stepSize(step));
                            r.feed(stepSize, stepSizeTensor);
                        } else if (!Float.isNaN(learningRateOverride)) {
                            stepSizeTensor = TFloat32.scalarOf(learningRateOverride);
                            r.feed(learningRate, stepSizeTensor);
                        }
                        if (frozen != null) {
                            for (int i = 0; i < frozen.length; i++) {
                                if (frozen[i]) {
                                    TFloat32 zero = TFloat32.scalarOf(0f);
                                    maskTensors.add(zero);
                                    r.feed(stepMasks.get(i), zero);
                                }
                            }
                        }
                        if (correctAfterStep) {
                            TFloat32 none = TFloat32.scalarOf(0f);
                            maskTensors.add(none);
                            r.feed(correctionInGradient, none).addTarget(trainStepThenCorrect);
                        } else {
                            r.addTarget(trainStep);
                        }
                    }
                    case ACCUMULATE_GRADIENTS -> {
                        if (accumulateGradients == null) {
                            throw new IllegalStateException("this graph was built without gradient sums");
                        }
                        r.addTarget(accumulateGradients).addTarget(trainMetricUpdate);
                    }
                    case EVALUATE -> r.addTarget(evalMetricUpdate);
                    case FORWARD_TRAINING ->
                        r.addTarget(trainMetricUpdate).fetch(trainLoss).fetch(trainPredictions);
                    case FORWARD_INFERENCE ->
                        r.addTarget(evalMetricUpdate).fetch(inferLoss).fetch(inferPredictions);
                }
                Consumer<Result> extraReads = extra == null ? null : extra.fetch(r);
                try (Result result = r.run()) {
                    if (extraReads != null) {
                        extraReads.accept(result);
                    }
                    if (fetched != null && result.size() == 2) {
                        fetched[0] = readFloat(result.get(0), new int[0]);
                        int[] predShape = spec.predictionType().shape();
                        predShape[0] = size;
                        fetched[1] = readFloat(result.get(1), predShape);
                    }
                } finally {
                    if (stepSizeTensor != null) {
                        stepSizeTensor.close();
                    }
                }
            } finally {
                seeds.forEach(TInt64::close);
                maskTensors.forEach(TFloat32::close);
            }
        }
        return size;
    }

    /** Predictions for features {@code xs} alone (no labels, no metrics). */
    public Tensor predict(Tensor xs, boolean training, long seed) {
        TensorType xType = (TensorType) inputSpec.get("x");
        xType.checkAssignableFrom(xs.type(), "predict_on_batch x");
        try (org.tensorflow.Tensor fx = BatchFeed.toTf(xs)) {
            Session.Runner r = session.runner().feed(x, fx);
            List<TInt64> seeds = new ArrayList<>();
            try {
                if (training) {
                    for (int i = 0; i < dropoutSeeds.size(); i++) {
                        TInt64 s =
                                TInt64.vectorOf(Seeds.deriveForModel(seed, 0, i), Seeds.deriveForModel(seed, 0, i, 1));
                        seeds.add(s);
                        r.feed(dropoutSeeds.get(i), s);
                    }
                }
                try (Result result =
                        r.fetch(training ? trainPredictions : inferPredictions).run()) {
                    int[] shape = spec.predictionType().shape();
                    shape[0] = xs.dim(0);
                    return readFloat(result.get(0), shape);
                }
            } finally {
                seeds.forEach(TInt64::close);
            }
        }
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }

    // ---- helpers

    private static int sizeOf(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static Tensor readFloat(org.tensorflow.Tensor t, int[] shape) {
        float[] data = new float[sizeOf(shape)];
        ((TFloat32) t).copyTo(DataBuffers.of(data, false, false));
        return Tensor.of(data, shape);
    }

    private static int last(TensorType t) {
        return t.shape()[t.rank() - 1];
    }

    static long[] longs(int[] s) {
        long[] out = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i];
        }
        return out;
    }

    private static Shape shapeOf(TensorType t) {
        return Shape.of(longs(t.shape()));
    }

    private static Class<? extends TType> tfClass(DType d) {
        return switch (d) {
            case FLOAT32 -> TFloat32.class;
            case INT32 -> TInt32.class;
            default -> throw new IllegalArgumentException("model inputs are float32 or int32, not " + d);
        };
    }
}
