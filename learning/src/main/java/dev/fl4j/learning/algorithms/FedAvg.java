package dev.fl4j.learning.algorithms;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.NonFiniteZeroingFactory;
import dev.fl4j.aggregators.UnweightedAggregationFactory;
import dev.fl4j.aggregators.UnweightedMeanFactory;
import dev.fl4j.aggregators.WeightedAggregationFactory;
import dev.fl4j.core.DType;
import dev.fl4j.core.StructType;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.LearningRateSchedule;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.ClientWorkProcess;
import dev.fl4j.learning.templates.DistributionProcess;
import dev.fl4j.learning.templates.FinalizerProcess;
import dev.fl4j.learning.templates.LearningProcess;
import java.util.Objects;

/**
 * Federated Averaging (McMahan et al. 2017) and its family, TFF's {@code build_weighted_fed_avg}
 * and {@code build_unweighted_fed_avg}: the server broadcasts the model, each client trains locally
 * with the client optimizer for some epochs and sends the model delta, the deltas are averaged by
 * the model aggregator, and the server optimizer applies the average as a pseudo-gradient.
 *
 * <p>FedProx (a proximal term μ in local training, {@link Builder#optProximalMu}) and FedOpt
 * (adaptive server optimizers, {@link Builder#optServerOptimizer}) are the same process with
 * another option; {@link FedProx} and {@link FedOpt} name them. {@link FedSgd} sends gradients
 * instead of deltas.
 */
public final class FedAvg {

    private FedAvg() {}

    /** {@code build_weighted_fed_avg}: clients weighted by their number of examples, server SGD at 1.0. */
    public static LearningProcess weighted(ModelSpec model, Optimizer clientOptimizer) {
        return builder(model).setClientOptimizer(clientOptimizer).build();
    }

    /** {@code build_unweighted_fed_avg}: every client counts the same, server SGD at 1.0. */
    public static LearningProcess unweighted(ModelSpec model, Optimizer clientOptimizer) {
        return builder(model)
                .setClientOptimizer(clientOptimizer)
                .optModelAggregator(new NonFiniteZeroingFactory(new UnweightedMeanFactory()))
                .build();
    }

    /**
     * {@code build_weighted_fed_avg_with_optimizer_schedule}: weighted FedAvg whose client optimizer
     * runs at {@code clientLearningRate.rateAt(round)} in round {@code round} (0-based), its other
     * hyperparameters as in {@code clientOptimizer}; server SGD at 1.0. The rate is computed at the
     * server and broadcast to the clients each round.
     */
    public static LearningProcess weightedWithOptimizerSchedule(
            ModelSpec model, LearningRateSchedule clientLearningRate, Optimizer clientOptimizer) {
        return builder(model)
                .setClientOptimizer(clientOptimizer)
                .optClientLearningRateSchedule(clientLearningRate)
                .build();
    }

    public static Builder builder(ModelSpec model) {
        return new Builder(model);
    }

    /** What FedSGD's training spec names as client optimizer: gradient mode never steps with it. */
    private static final Optimizer GRADIENT_MODE_OPTIMIZER = Sgd.of(0f);

    /**
     * Configures a FedAvg-family learning process; required values are set with {@code set…}, optional with {@code
     * opt…}.
     */
    public static final class Builder {
        private final ModelSpec model;
        private Optimizer clientOptimizer;
        private Optimizer serverOptimizer = Sgd.of(1.0f);
        private ClientWeighting weighting = ClientWeighting.NUM_EXAMPLES;
        private java.util.function.ToDoubleFunction<dev.fl4j.core.Struct> weightFromMetrics;
        private AggregationFactory aggregator;
        private int epochs = 1;
        private float proximalMu;
        private ModelEngine engine;
        private long seed;
        private ClientTraining.Mode mode = ClientTraining.Mode.TRAIN;
        private DistributionProcess distributor;
        private LearningRateSchedule clientSchedule;
        private LearningRateSchedule serverSchedule;
        private ClientTrainingVariant.Variant variant;
        private int totalClients;
        private ModelWeights initialWeights;

        private Builder(ModelSpec model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** The optimizer of local training (required). */
        public Builder setClientOptimizer(Optimizer optimizer) {
            this.clientOptimizer = optimizer;
            return this;
        }

        /** The server optimizer (default SGD with learning rate 1.0: the new model is the averaged client model). */
        public Builder optServerOptimizer(Optimizer optimizer) {
            this.serverOptimizer = optimizer;
            return this;
        }

        /** How client updates are weighted (default: by number of examples). Ignored by unweighted aggregators. */
        public Builder optClientWeighting(ClientWeighting weighting) {
            this.weighting = weighting;
            return this;
        }

        /**
         * Weights each client's update by a function of its local unfinalized metrics
         * ({@code <loss=<total,count>,num_examples=..,...>}), TFF's callable client weighting.
         */
        public Builder optClientWeightingFromMetrics(
                java.util.function.ToDoubleFunction<dev.fl4j.core.Struct> fromMetrics) {
            this.weightFromMetrics = fromMetrics;
            return this;
        }

        /**
         * The aggregator of client updates (default: the weighted {@link MeanFactory} inside a
         * {@link NonFiniteZeroingFactory}). A
         * {@link WeightedAggregationFactory} gets the client weights; an unweighted one ignores them.
         * Whatever the aggregator, a client whose update is not finite has already sent zeros with
         * weight 0 ({@link ClientWorks}), so no single client can make the round's update non-finite.
         */
        public Builder optModelAggregator(AggregationFactory aggregator) {
            this.aggregator = aggregator;
            return this;
        }

        /** Local epochs per round (default 1). */
        public Builder optEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** FedProx's proximal strength μ (default 0: plain FedAvg). */
        public Builder optProximalMu(float mu) {
            this.proximalMu = mu;
            return this;
        }

        /** The training engine (default {@link ModelEngines#defaultEngine()}, looked up when the process is built). */
        public Builder optEngine(ModelEngine engine) {
            this.engine = engine;
            return this;
        }

        /** The run seed: initial weights and client randomness derive from it (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How the model reaches the clients (default: a plain broadcast). */
        public Builder optDistributor(DistributionProcess distributor) {
            this.distributor = distributor;
            return this;
        }

        /**
         * The client optimizer's learning rate per round (TFF's {@code client_learning_rate_fn}); its
         * other hyperparameters stay as set by {@link #setClientOptimizer}. Default: the client
         * optimizer's own rate every round.
         */
        public Builder optClientLearningRateSchedule(LearningRateSchedule schedule) {
            this.clientSchedule = Objects.requireNonNull(schedule, "client learning-rate schedule");
            return this;
        }

        /**
         * The server optimizer's learning rate per round; its other hyperparameters and its state are
         * kept. Default: the server optimizer's own rate every round.
         */
        public Builder optServerLearningRateSchedule(LearningRateSchedule schedule) {
            this.serverSchedule = Objects.requireNonNull(schedule, "server learning-rate schedule");
            return this;
        }

        /**
         * The global model of round 0 (default: the model's initial weights drawn from the seed, {@link
         * ModelSpec#initialWeights}), e.g. the weights of an earlier run's checkpoint: warm starting, TFF's
         * {@code initial_model_weights_fn} / Keras's {@code set_weights}. Checked against the model when the
         * process is built.
         */
        public Builder optInitialWeights(ModelWeights weights) {
            this.initialWeights = Objects.requireNonNull(weights, "initial weights");
            return this;
        }

        Builder variant(ClientTrainingVariant.Variant v, int totalClients) {
            this.variant = v;
            this.totalClients = totalClients;
            return this;
        }

        Builder gradientMode() {
            this.mode = ClientTraining.Mode.GRADIENT;
            return this;
        }

        /**
         * Builds the process.
         *
         * @throws IllegalStateException without a client optimizer (local training), or, for FedSGD,
         *     with a client optimizer, local epochs other than 1 or a proximal term, which FedSGD's
         *     clients would ignore; without an engine given and none (or several) on the class path
         */
        public LearningProcess build() {
            Optimizer localOptimizer = clientOptimizer;
            if (mode == ClientTraining.Mode.GRADIENT) {
                requireNoLocalTraining();
                localOptimizer = GRADIENT_MODE_OPTIMIZER;
            } else if (clientOptimizer == null) {
                throw new IllegalStateException("FedAvg needs a client optimizer: call setClientOptimizer");
            }
            Objects.requireNonNull(serverOptimizer, "server optimizer");
            StructType weightsType = model.weightsType();
            if (initialWeights != null) {
                try {
                    initialWeights.requireType(weightsType);
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(
                            "optInitialWeights do not fit model '" + model.name() + "': " + e.getMessage(), e);
                }
            }
            ClientTrainingVariant.Variant v = variant;
            if (v == null && clientSchedule != null) {
                v = ClientTrainingVariant.Variant.PLAIN;
            }
            ModelEngine trainingEngine = engine != null ? engine : ModelEngines.defaultEngine();
            ClientWorkProcess clientWork;
            if (v == null) {
                TrainingSpec spec = new TrainingSpec(model, localOptimizer, epochs, proximalMu);
                clientWork = ClientWorks.of(
                        new ClientTraining(trainingEngine, spec, mode, weighting, seed), weightFromMetrics);
            } else {
                clientWork = variantClientWork(v, trainingEngine);
            }
            AggregationProcess aggregation = createAggregator(clientWork);
            FinalizerProcess finalizer;
            LearningRateSchedule serverRates = serverSchedule != null
                    ? serverSchedule
                    : LearningRateSchedule.constant(serverOptimizer.learningRate());
            if (v == ClientTrainingVariant.Variant.FEDNOVA) {
                finalizer = ScheduledOptimizerFinalizer.fedNova(serverOptimizer, serverRates, weightsType);
            } else if (serverSchedule != null) {
                finalizer = ScheduledOptimizerFinalizer.build(serverOptimizer, serverRates, weightsType);
            } else {
                finalizer = ApplyOptimizerFinalizer.build(serverOptimizer, weightsType);
            }
            DistributionProcess dist = distributor != null ? distributor : DistributionProcess.broadcast(weightsType);
            long initSeed = seed;
            ModelWeights start = initialWeights;
            return LearningProcess.compose(
                    weightsType,
                    () -> start != null ? start : model.initialWeights(initSeed),
                    dist,
                    clientWork,
                    aggregation,
                    finalizer);
        }

        /** The client work of SCAFFOLD, FedNova, Mime Lite, or FedAvg with a client schedule. */
        private ClientWorkProcess variantClientWork(ClientTrainingVariant.Variant v, ModelEngine trainingEngine) {
            String name = algorithmName(v);
            if (weightFromMetrics != null) {
                throw new IllegalStateException(name + " weighs clients by ClientWeighting (NUM_EXAMPLES or UNIFORM);"
                        + " optClientWeightingFromMetrics is supported by FedAvg without schedules only");
            }
            if (v != ClientTrainingVariant.Variant.PLAIN
                    && aggregator != null
                    && dev.fl4j.aggregators.DifferentiallyPrivateFactory.find(aggregator)
                            .isPresent()) {
                throw new IllegalStateException(name + " cannot run with a differentially private aggregator ("
                        + aggregator + "): " + privateLeak(v) + " would leave the clients without noise,"
                        + " outside what epsilon covers");
            }
            if (v == ClientTrainingVariant.Variant.FEDNOVA && aggregator != null) {
                normBound(aggregator).ifPresent(bound -> {
                    throw new IllegalStateException("FedNova cannot run with a norm-bounded aggregator (" + bound
                            + " in " + aggregator + "): it would measure and bound each client's pair <Δ_i/a_i, a_i>"
                            + " as one vector, so a_i (its local-step count) would be scaled or zeroed with the"
                            + " update and τ_eff = Σ p_i a_i, the server step of FedNova's eq. 6, would be wrong;"
                            + " use mean, a weighted mean or a compressed mean");
                });
            }
            Optimizer local = clientOptimizer;
            float mimeMomentum = 0f;
            if (v == ClientTrainingVariant.Variant.MIME_LITE) {
                if (OptimizerDecay.of(local) != 0f) {
                    throw new IllegalStateException("Mime Lite's base optimizer takes no weight decay (its server state"
                            + " is updated with plain full-batch gradients), got " + local);
                }
                if (proximalMu != 0f) {
                    throw new IllegalStateException(
                            "Mime Lite takes no proximal term, got optProximalMu(" + proximalMu + ")");
                }
            }
            if (v != ClientTrainingVariant.Variant.PLAIN
                    && !(local instanceof Sgd)
                    && v != ClientTrainingVariant.Variant.MIME_LITE) {
                throw new IllegalStateException(name + " runs SGD client steps (its update rule assumes them), got "
                        + local + "; use Sgd with an optional momentum");
            }
            if (v == ClientTrainingVariant.Variant.MIME_LITE && local instanceof Sgd) {
                Sgd base = (Sgd) local;
                if (base.nesterov()) {
                    throw new IllegalStateException(
                            "Mime Lite here applies the server's heavy-ball momentum on the clients;"
                                    + " Nesterov momentum is not supported, got "
                                    + base);
                }
                mimeMomentum = base.momentum();
                local = Sgd.of(base.learningRate());
            }
            if (v == ClientTrainingVariant.Variant.FEDNOVA && proximalMu != 0f && ((Sgd) local).momentum() != 0f) {
                throw new IllegalStateException("FedNova normalizes SGD with momentum or with a proximal term, not both"
                        + " (got momentum " + ((Sgd) local).momentum() + " and mu " + proximalMu + ")");
            }
            if (v == ClientTrainingVariant.Variant.FEDNOVA && ((Sgd) local).nesterov()) {
                throw new IllegalStateException(
                        "FedNova normalizes heavy-ball SGD momentum, not Nesterov, got " + local);
            }
            TrainingSpec spec = new TrainingSpec(model, local, epochs, proximalMu);
            LearningRateSchedule rates =
                    clientSchedule != null ? clientSchedule : LearningRateSchedule.constant(local.learningRate());
            return ScheduledClientWork.of(
                    new ClientTrainingVariant(trainingEngine, spec, v, weighting, seed, mimeMomentum),
                    rates,
                    totalClients,
                    mimeMomentum);
        }

        /** The first clipping or zeroing factory in {@code factory}'s chain of wrappers, if any. */
        private static java.util.Optional<AggregationFactory> normBound(AggregationFactory factory) {
            if (factory instanceof dev.fl4j.aggregators.ClippingFactory
                    || factory instanceof dev.fl4j.aggregators.ZeroingFactory) {
                return java.util.Optional.of(factory);
            }
            if (factory instanceof dev.fl4j.aggregators.NonFiniteZeroingFactory n) {
                return normBound(n.inner());
            }
            return java.util.Optional.empty();
        }

        private static String privateLeak(ClientTrainingVariant.Variant v) {
            return switch (v) {
                case SCAFFOLD -> "the control-variate deltas, summed in the clear,";
                case MIME_LITE -> "the full-batch gradients, averaged in the clear,";
                default -> "the local-step norms, clipped and noised together with the update,";
            };
        }

        private static String algorithmName(ClientTrainingVariant.Variant v) {
            return switch (v) {
                case PLAIN -> "FedAvg with a client learning-rate schedule";
                case FEDNOVA -> "FedNova";
                case SCAFFOLD -> "SCAFFOLD";
                case MIME_LITE -> "Mime Lite";
            };
        }

        private void requireNoLocalTraining() {
            if (clientOptimizer != null) {
                throw new IllegalStateException(
                        "FedSGD takes no client optimizer (got " + clientOptimizer + "): each client computes its mean"
                                + " gradient at the received model and takes no local steps; the server optimizer "
                                + "applies the averaged gradient");
            }
            if (epochs != 1) {
                throw new IllegalStateException("FedSGD runs no local epochs, got optEpochs(" + epochs
                        + "): each client computes one gradient" + " over all its data at the received model");
            }
            if (clientSchedule != null) {
                throw new IllegalStateException("FedSGD takes no client learning-rate schedule (got " + clientSchedule
                        + "): its clients take no local steps; schedule the server optimizer instead");
            }
            if (proximalMu != 0f) {
                throw new IllegalStateException(
                        "FedSGD takes no local steps for FedProx's proximal term, got optProximalMu(" + proximalMu
                                + ")");
            }
        }

        /**
         * A factory that can weigh gets the client weights; one that cannot (or whose inner factory
         * cannot) aggregates without them. The default wraps the weighted mean in non-finite zeroing
         * as well, as TFF's default aggregators do, though the client work already zeroes such updates.
         */
        private AggregationProcess createAggregator(ClientWorkProcess clientWork) {
            AggregationFactory f = aggregator != null ? aggregator : new NonFiniteZeroingFactory(new MeanFactory());
            if (f.isWeighted()) {
                return ((WeightedAggregationFactory) f)
                        .create(clientWork.updateType(), TensorType.scalar(DType.FLOAT32));
            }
            return ((UnweightedAggregationFactory) f).create(clientWork.updateType());
        }
    }
}
