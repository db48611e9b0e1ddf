package dev.fl4j.learning.algorithms;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.NonFiniteZeroingFactory;
import dev.fl4j.aggregators.UnweightedAggregationFactory;
import dev.fl4j.aggregators.WeightedAggregationFactory;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.FunctionType;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Placement;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.keras.Metrics;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ClientTrainingResult;
import dev.fl4j.learning.model.LocalSteps;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.ClientWorkProcess;
import dev.fl4j.learning.templates.DistributionProcess;
import dev.fl4j.learning.templates.FinalizerProcess;
import dev.fl4j.learning.templates.LearningProcess;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Federated reconstruction (Singhal et al. 2021), TFF's {@code build_fed_recon} and
 * {@code build_fed_recon_eval}: the model's trainable weights are split into <em>global</em> weights,
 * trained federatedly, and <em>local</em> weights, which never leave a client and are reconstructed
 * from scratch every round. Each round the server broadcasts only the global weights; each client
 * initializes its local weights (the model's initializers, seeded by the run seed, the client id and
 * the received model), trains only them on its reconstruction data with the reconstruction optimizer
 * (global weights frozen), then trains only the global weights on its post-reconstruction data with
 * the client optimizer (local weights frozen), and sends the global delta weighted by its
 * post-reconstruction examples. The aggregate is applied by the server optimizer to the global
 * weights; the server's copy of the local weights keeps its initial values and is never sent.
 *
 * <p>The data split follows TFF's {@code build_dataset_split_fn}: by default both phases use all of a
 * client's batches; with {@link Builder#optSplitDataset} the even-indexed batches reconstruct and the
 * odd-indexed ones train (or evaluate). Evaluation ({@link Builder#buildEvaluation}) reconstructs the
 * local weights the same way and evaluates on the post-reconstruction data.
 */
public final class FedRecon {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    private FedRecon() {}

    /**
     * A builder for a model whose trainable weights named in {@code localWeights} (e.g.
     * {@code dense_1/kernel}) are local; every other trainable weight is global.
     *
     * @throws IllegalArgumentException if a name is not a trainable weight, or no weight would be global
     */
    public static Builder builder(ModelSpec model, Set<String> localWeights) {
        return new Builder(model, localWeights);
    }

    /** Configures federated reconstruction; required values are set with {@code set…}, optional with {@code opt…}. */
    public static final class Builder {
        private final ModelSpec model;
        private final Set<String> local;
        private final List<String> globalNames = new ArrayList<>();
        private Optimizer clientOptimizer;
        private Optimizer reconstructionOptimizer = Sgd.of(0.1f);
        private Optimizer serverOptimizer = Sgd.of(1.0f);
        private int reconstructionEpochs = 1;
        private int epochs = 1;
        private boolean splitDataset;
        private AggregationFactory aggregator;
        private ClientWeighting weighting = ClientWeighting.NUM_EXAMPLES;
        private ModelEngine engine;
        private long seed;
        private ModelWeights initialWeights;

        private Builder(ModelSpec model, Set<String> localWeights) {
            this.model = Objects.requireNonNull(model, "model");
            this.local = new LinkedHashSet<>(localWeights);
            StructType trainable = (StructType) model.weightsType().get("trainable");
            List<String> all = new ArrayList<>();
            trainable.fields().forEach(f -> all.add(f.name()));
            for (String name : local) {
                if (!all.contains(name)) {
                    throw new IllegalArgumentException("local weight '" + name
                            + "' is not a trainable weight of model '" + model.name() + "'; its weights: " + all);
                }
            }
            for (String name : all) {
                if (!local.contains(name)) {
                    globalNames.add(name);
                }
            }
            if (globalNames.isEmpty()) {
                throw new IllegalArgumentException("every trainable weight of model '" + model.name()
                        + "' is local, so there is nothing to train federatedly; leave at least one global");
            }
        }

        /** The optimizer of the global weights' local training (required; TFF's {@code client_optimizer_fn}). */
        public Builder setClientOptimizer(Optimizer optimizer) {
            this.clientOptimizer = optimizer;
            return this;
        }

        /** The optimizer that reconstructs the local weights (default SGD at 0.1, as in TFF). */
        public Builder optReconstructionOptimizer(Optimizer optimizer) {
            this.reconstructionOptimizer = Objects.requireNonNull(optimizer, "reconstruction optimizer");
            return this;
        }

        /** The server optimizer of the global weights (default SGD at 1.0). */
        public Builder optServerOptimizer(Optimizer optimizer) {
            this.serverOptimizer = Objects.requireNonNull(optimizer, "server optimizer");
            return this;
        }

        /** Passes over the reconstruction data (default 1). */
        public Builder optReconstructionEpochs(int e) {
            this.reconstructionEpochs = e;
            return this;
        }

        /** Passes over the post-reconstruction data (default 1). */
        public Builder optEpochs(int e) {
            this.epochs = e;
            return this;
        }

        /** Even-indexed batches reconstruct, odd-indexed ones train or evaluate (default: all batches for both). */
        public Builder optSplitDataset(boolean split) {
            this.splitDataset = split;
            return this;
        }

        /** The aggregator of the global deltas (default: weighted mean inside non-finite zeroing). */
        public Builder optModelAggregator(AggregationFactory aggregator) {
            this.aggregator = aggregator;
            return this;
        }

        public Builder optClientWeighting(ClientWeighting weighting) {
            this.weighting = Objects.requireNonNull(weighting, "client weighting");
            return this;
        }

        public Builder optEngine(ModelEngine engine) {
            this.engine = engine;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The model of round 0 (default: the model's initial weights drawn from the seed), e.g. an earlier run's;
         * its local weights stay on the server unused, as the seeded ones would. Checked against the model when the
         * process is built.
         */
        public Builder optInitialWeights(ModelWeights weights) {
            this.initialWeights = Objects.requireNonNull(weights, "initial weights");
            return this;
        }

        private Type globalType() {
            StructType trainable = (StructType) model.weightsType().get("trainable");
            StructType.Builder b = StructType.builder();
            for (String name : globalNames) {
                b.add(name, trainable.get(name));
            }
            return b.build();
        }

        private StructType deliveredType() {
            return StructType.builder()
                    .add("global", globalType())
                    .add("non_trainable", model.weightsType().get("non_trainable"))
                    .build();
        }

        /** The two trainers' specs: reconstruction (local weights) and post-reconstruction (global weights). */
        private TrainingSpec[] specs() {
            if (clientOptimizer == null) {
                throw new IllegalStateException(
                        "federated reconstruction needs a client optimizer: call setClientOptimizer");
            }
            requireNoWeightDecay(clientOptimizer, "client");
            requireNoWeightDecay(reconstructionOptimizer, "reconstruction");
            return new TrainingSpec[] {
                new TrainingSpec(model, reconstructionOptimizer, reconstructionEpochs, 0f),
                new TrainingSpec(model, clientOptimizer, epochs, 0f)
            };
        }

        /**
         * Weight decay is added to the gradient after a phase's frozen weights have had theirs zeroed, so it would
         * move them.
         */
        private static void requireNoWeightDecay(Optimizer o, String which) {
            float wd = OptimizerDecay.of(o);
            if (wd != 0f) {
                throw new IllegalStateException("federated reconstruction's " + which + " optimizer takes no weight"
                        + " decay (got " + o + "): it would move the weights that phase holds frozen");
            }
        }

        /**
         * Builds the learning process.
         *
         * @throws IllegalStateException without a client optimizer, with an optimizer that has weight decay, or with
         *     initial weights that do not fit the model
         * @throws IllegalArgumentException for epochs below 1
         */
        public LearningProcess build() {
            TrainingSpec[] specs = specs();
            ModelEngine e = engine != null ? engine : ModelEngines.defaultEngine();
            Reconstruction recon = new Reconstruction(model, local, globalNames, specs, e, seed, splitDataset);
            StructType weightsType = model.weightsType();
            ModelWeights start = initialWeights;
            if (start != null) {
                try {
                    start.requireType(weightsType);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalStateException(
                            "optInitialWeights do not fit model '" + model.name() + "': " + ex.getMessage(), ex);
                }
            }
            long initSeed = seed;
            Type global = globalType();
            ClientWorkProcess clientWork = clientWork(recon, global);
            AggregationFactory f = aggregator != null ? aggregator : new NonFiniteZeroingFactory(new MeanFactory());
            AggregationProcess aggregation = f.isWeighted()
                    ? ((WeightedAggregationFactory) f).create(global, F32)
                    : ((UnweightedAggregationFactory) f).create(global);
            return LearningProcess.compose(
                    weightsType,
                    () -> start != null ? start : model.initialWeights(initSeed),
                    globalBroadcast(weightsType),
                    clientWork,
                    aggregation,
                    globalFinalizer(weightsType, global));
        }

        /**
         * The clients' computation of the process {@link #build()} makes, on its own: what a deploy client
         * rebuilds from its descriptor ({@link ReconstructionTraining.Factory}).
         *
         * @throws IllegalStateException as {@link #build()}
         */
        public ReconstructionTraining buildClientTraining() {
            TrainingSpec[] specs = specs();
            ModelEngine e = engine != null ? engine : ModelEngines.defaultEngine();
            return reconstructionTraining(new Reconstruction(model, local, globalNames, specs, e, seed, splitDataset));
        }

        private ReconstructionTraining reconstructionTraining(Reconstruction recon) {
            StructType clientOut = StructType.builder()
                    .add("update", globalType())
                    .add("update_weight", F32)
                    .add("metrics", Metrics.unfinalizedType(model.metrics()))
                    .add("non_finite", I32)
                    .build();
            StructType parameter = StructType.builder()
                    .add("weights", deliveredType())
                    .add("data", new SequenceType(model.inputSpec()))
                    .build();
            return new ReconstructionTraining(recon, weighting, new FunctionType(parameter, clientOut));
        }

        /** {@code build_fed_recon_eval}: reconstruct the local weights on each client, then evaluate. */
        public Evaluation buildEvaluation() {
            TrainingSpec[] specs = specs();
            ModelEngine e = engine != null ? engine : ModelEngines.defaultEngine();
            Reconstruction recon = new Reconstruction(model, local, globalNames, specs, e, seed, splitDataset);
            return new Evaluation(recon, model.weightsType());
        }

        private DistributionProcess globalBroadcast(StructType weightsType) {
            StructType delivered = deliveredType();
            LocalComputation project = LocalComputation.of("global_weights", weightsType, delivered, v -> {
                ModelWeights w = ModelWeights.fromStruct(v);
                return Struct.named("global", pick(w.trainable(), globalNames), "non_trainable", w.nonTrainable());
            });
            FederatedType empty = FederatedType.server(StructType.of());
            FederatedComputation init = FederatedComputation.noArg(
                    "global_broadcast_initialize",
                    empty,
                    (ctx, a) -> ctx.federatedValue(Struct.empty(), Placement.SERVER));
            FederatedComputation next = FederatedComputation.of(
                    "global_broadcast_next",
                    StructType.builder()
                            .add("state", empty)
                            .add("value", FederatedType.server(weightsType))
                            .build(),
                    MeasuredProcess.outputType(
                            empty, FederatedType.clients(delivered), FederatedType.server(StructType.of())),
                    (ctx, arg) -> {
                        Struct a = (Struct) arg;
                        FederatedValue sent =
                                ctx.federatedBroadcast(ctx.federatedMap(project, (FederatedValue) a.get("value")));
                        return new MeasuredProcessOutput(
                                a.get("state"), sent, ctx.federatedValue(Struct.empty(), Placement.SERVER));
                    });
            return new DistributionProcess(init, next);
        }

        private ClientWorkProcess clientWork(Reconstruction recon, Type global) {
            List<Metric> metrics = model.metrics();
            StructType unfinalized = Metrics.unfinalizedType(metrics);
            StructType measurements = StructType.builder()
                    .add("train", ClientWorks.finalizedType(metrics))
                    .add("non_finite_update_count", I32)
                    .build();
            StructType resultMember = StructType.builder()
                    .add("update", global)
                    .add("update_weight", F32)
                    .build();
            Type data = new SequenceType(model.inputSpec());
            LocalComputation train = reconstructionTraining(recon);
            LocalComputation finalize = LocalComputation.of(
                    "finalize_metrics",
                    StructType.of(unfinalized, I32),
                    measurements,
                    v -> Struct.named(
                            "train",
                            Metrics.finalizeAll(metrics, (Struct) ((Struct) v).get(0)),
                            "non_finite_update_count",
                            ((Struct) v).get(1)));
            FederatedType state = FederatedType.server(StructType.of());
            FederatedComputation init = FederatedComputation.noArg(
                    "client_work_initialize", state, (ctx, a) -> ctx.federatedValue(Struct.empty(), Placement.SERVER));
            FederatedComputation next = FederatedComputation.of(
                    "client_work_next",
                    ClientWorkProcess.nextParameterType(state, deliveredType(), data),
                    ClientWorkProcess.nextResultType(state, resultMember, measurements),
                    (ctx, arg) -> {
                        Struct a = (Struct) arg;
                        FederatedValue trained = ctx.federatedMap(
                                train,
                                ctx.federatedZip(Struct.named("weights", a.get("weights"), "data", a.get("data"))));
                        FederatedValue result = ctx.federatedZip(Struct.named(
                                "update",
                                ctx.federatedField(trained, "update"),
                                "update_weight",
                                ctx.federatedField(trained, "update_weight")));
                        FederatedValue summed = ctx.federatedSum(ctx.federatedField(trained, "metrics"));
                        FederatedValue nonFinite = ctx.federatedSum(ctx.federatedField(trained, "non_finite"));
                        Value finalized = ctx.federatedMap(finalize, ctx.federatedZip(Struct.of(summed, nonFinite)));
                        return new MeasuredProcessOutput(a.get("state"), result, finalized);
                    });
            return new ClientWorkProcess(init, next);
        }

        private FinalizerProcess globalFinalizer(StructType weightsType, Type global) {
            Struct initialState = serverOptimizer.initialize(global);
            FederatedType state = FederatedType.server(initialState.type());
            StructType measurements =
                    StructType.builder().add("update_non_finite", I32).build();
            StructType in = StructType.builder()
                    .add("state", initialState.type())
                    .add("weights", weightsType)
                    .add("update", global)
                    .build();
            StructType out = StructType.builder()
                    .add("state", initialState.type())
                    .add("weights", weightsType)
                    .add("measurements", measurements)
                    .build();
            Optimizer optimizer = serverOptimizer;
            LocalComputation step = LocalComputation.of("apply_to_global_weights", in, out, v -> {
                Struct s = (Struct) v;
                if (!Structures.isFinite(s.get("update"))) {
                    return Struct.named(
                            "state",
                            s.get("state"),
                            "weights",
                            s.get("weights"),
                            "measurements",
                            Struct.named("update_non_finite", Tensor.scalar(1)));
                }
                ModelWeights w = ModelWeights.fromStruct(s.get("weights"));
                Optimizer.Step o = optimizer.next(s.struct("state"), pick(w.trainable(), globalNames), s.get("update"));
                Struct trainable = merge(w.trainable(), (Struct) o.weights());
                return Struct.named(
                        "state",
                        o.state(),
                        "weights",
                        ModelWeights.of(trainable, w.nonTrainable()).asStruct(),
                        "measurements",
                        Struct.named("update_non_finite", Tensor.scalar(0)));
            });
            FederatedComputation init = FederatedComputation.noArg(
                    "finalizer_initialize",
                    state,
                    (ctx, a) -> ctx.federatedValue(optimizer.initialize(global), Placement.SERVER));
            return FinalizerProcess.ofServerStep(init, state, weightsType, global, measurements, step);
        }
    }

    /** The fields of {@code s} named in {@code names}, in that order. */
    static Struct pick(Struct s, List<String> names) {
        Struct.Builder b = Struct.builder();
        for (String n : names) {
            b.add(n, s.get(n));
        }
        return b.build();
    }

    /** {@code base} with the fields of {@code replacement} replaced, in {@code base}'s order. */
    static Struct merge(Struct base, Struct replacement) {
        Struct.Builder b = Struct.builder();
        for (String n : base.names()) {
            b.add(n, replacement.has(n) ? replacement.get(n) : base.get(n));
        }
        return b.build();
    }

    /** What a client does: reconstruct its local weights, then (for training) train the global ones. */
    static final class Reconstruction {
        private final ModelSpec model;
        private final Set<String> local;
        private final List<String> localNames;
        private final List<String> globalNames;
        private final TrainingSpec reconSpec;
        private final TrainingSpec postSpec;
        private final ModelEngine engine;
        private final long seed;
        private final boolean split;

        Reconstruction(
                ModelSpec model,
                Set<String> local,
                List<String> globalNames,
                TrainingSpec[] specs,
                ModelEngine engine,
                long seed,
                boolean split) {
            this.model = model;
            this.local = Set.copyOf(local);
            List<String> ordered = new ArrayList<>();
            ((StructType) model.weightsType().get("trainable")).fields().forEach(f -> {
                if (local.contains(f.name())) {
                    ordered.add(f.name());
                }
            });
            this.localNames = List.copyOf(ordered);
            this.globalNames = List.copyOf(globalNames);
            this.reconSpec = specs[0];
            this.postSpec = specs[1];
            this.engine = engine;
            this.seed = seed;
            this.split = split;
        }

        String engineName() {
            return engine.name();
        }

        long seed() {
            return seed;
        }

        boolean split() {
            return split;
        }

        /** The local weights' names, in the model's order. */
        List<String> localNames() {
            return localNames;
        }

        TrainingSpec reconstructionSpec() {
            return reconSpec;
        }

        TrainingSpec trainingSpec() {
            return postSpec;
        }

        private ClientTrainer trainer(ClientContext ctx, TrainingSpec spec) {
            return ctx.workerResource("trainer/" + engine.name() + "/" + spec.toJson(), () -> engine.newTrainer(spec));
        }

        private SequenceValue part(SequenceValue data, int parity) {
            if (!split) {
                return data;
            }
            List<Value> out = new ArrayList<>();
            int i = 0;
            for (Value b : data) {
                if (i % 2 == parity) {
                    out.add(b);
                }
                i++;
            }
            return ListSequence.of(model.inputSpec(), out);
        }

        /** The received global weights with freshly initialized and then reconstructed local weights. */
        private ModelWeights reconstructed(Struct delivered, ClientContext ctx, SequenceValue data, long clientSeed) {
            Struct global = delivered.struct("global");
            ModelWeights fresh = model.initialWeights(clientSeed);
            ModelWeights start = ModelWeights.of(merge(fresh.trainable(), global), delivered.struct("non_trainable"));
            if (local.isEmpty()) {
                return start;
            }
            ClientTrainingResult r = trainer(ctx, reconSpec)
                    .train(start, part(data, 0), clientSeed, LocalSteps.frozen(Set.copyOf(globalNames)));
            return ModelWeights.of(r.weights().trainable(), start.nonTrainable());
        }

        private long clientSeed(Struct delivered, ClientContext ctx) {
            ModelWeights g = ModelWeights.of(delivered.struct("global"), Struct.empty());
            return Seeds.derive(seed, Seeds.purpose("fed_recon/" + ctx.clientId()), ClientTraining.fingerprint(g));
        }

        Struct train(Struct a, ClientContext ctx, ClientWeighting weighting) {
            Struct delivered = a.struct("weights");
            SequenceValue data = (SequenceValue) a.get("data");
            long clientSeed = clientSeed(delivered, ctx);
            ModelWeights start = reconstructed(delivered, ctx, data, clientSeed);
            ClientTrainingResult r =
                    trainer(ctx, postSpec).train(start, part(data, 1), clientSeed + 1, LocalSteps.frozen(local));
            Struct before = delivered.struct("global");
            Struct after = pick(r.weights().trainable(), globalNames);
            Value delta =
                    ModelWeights.of(before, Struct.empty()).trainableDelta(ModelWeights.of(after, Struct.empty()));
            boolean finite = Structures.isFinite(delta);
            return Struct.builder()
                    .add("update", finite ? delta : Structures.zerosLike(delta))
                    .add("update_weight", Tensor.scalar(finite ? weighting.weightFor(r.numExamples()) : 0f))
                    .add("metrics", r.unfinalizedMetrics())
                    .add("non_finite", Tensor.scalar(finite ? 0 : 1))
                    .build();
        }

        Struct evaluate(Struct a, ClientContext ctx) {
            Struct delivered = a.struct("weights");
            SequenceValue data = (SequenceValue) a.get("data");
            ModelWeights w = reconstructed(delivered, ctx, data, clientSeed(delivered, ctx));
            return trainer(ctx, postSpec).evaluate(w, part(data, 1)).unfinalizedMetrics();
        }
    }

    /**
     * {@code build_fed_recon_eval}:
     * {@code (<model_weights=W@SERVER, data={<x,y>*}@CLIENTS> -> <eval=<metric=..>>@SERVER)};
     * only the global weights are broadcast, each client reconstructs its local weights and evaluates.
     */
    public static final class Evaluation {
        private final FederatedComputation computation;

        private Evaluation(Reconstruction recon, StructType weightsType) {
            List<Metric> metrics = recon.model.metrics();
            StructType unfinalized = Metrics.unfinalizedType(metrics);
            StructType result = StructType.builder()
                    .add("eval", ClientWorks.finalizedType(metrics))
                    .build();
            StructType trainable = (StructType) weightsType.get("trainable");
            StructType.Builder g = StructType.builder();
            recon.globalNames.forEach(n -> g.add(n, trainable.get(n)));
            StructType delivered = StructType.builder()
                    .add("global", g.build())
                    .add("non_trainable", weightsType.get("non_trainable"))
                    .build();
            Type data = new SequenceType(recon.model.inputSpec());
            LocalComputation project = LocalComputation.of("global_weights", weightsType, delivered, v -> {
                ModelWeights w = ModelWeights.fromStruct(v);
                return Struct.named(
                        "global", pick(w.trainable(), recon.globalNames), "non_trainable", w.nonTrainable());
            });
            LocalComputation evaluate = LocalComputation.withContext(
                    "fed_recon_client_evaluate",
                    StructType.builder()
                            .add("weights", delivered)
                            .add("data", data)
                            .build(),
                    unfinalized,
                    (v, ctx) -> recon.evaluate((Struct) v, ctx));
            LocalComputation finalize = LocalComputation.of(
                    "finalize_eval_metrics",
                    unfinalized,
                    result,
                    v -> Struct.named("eval", Metrics.finalizeAll(metrics, (Struct) v)));
            this.computation = FederatedComputation.of(
                    "fed_recon_evaluation",
                    StructType.builder()
                            .add("model_weights", FederatedType.server(weightsType))
                            .add("data", FederatedType.clients(data))
                            .build(),
                    FederatedType.server(result),
                    (ctx, arg) -> {
                        Struct a = (Struct) arg;
                        FederatedValue sent = ctx.federatedBroadcast(
                                ctx.federatedMap(project, (FederatedValue) a.get("model_weights")));
                        FederatedValue sums = ctx.federatedSum(ctx.federatedMap(
                                evaluate, ctx.federatedZip(Struct.named("weights", sent, "data", a.get("data")))));
                        return ctx.federatedMap(finalize, sums);
                    });
        }

        public FederatedComputation computation() {
            return computation;
        }

        /** Evaluates {@code weights}' global part on the clients' data; returns {@code <eval=<metric=..>>}. */
        public Struct evaluate(FederatedRuntime runtime, ModelWeights weights, Value data) {
            Value out = runtime.invoke(computation, FederatedValue.server(weights.asStruct()), data);
            return (Struct) ((ServerValue) out).value();
        }
    }
}
