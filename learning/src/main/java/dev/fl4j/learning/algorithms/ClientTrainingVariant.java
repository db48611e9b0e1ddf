package dev.fl4j.learning.algorithms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fl4j.core.DType;
import dev.fl4j.core.FunctionType;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactory;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.learning.keras.Metrics;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ClientTrainingResult;
import dev.fl4j.learning.model.GradientResult;
import dev.fl4j.learning.model.LocalSteps;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Sgd;
import java.util.List;
import java.util.Optional;

/**
 * Local training for the algorithms whose clients receive more than the model: the round's client
 * learning rate (a schedule), and for SCAFFOLD and Mime Lite a server state. The parameter is
 * {@code <weights=W, data=<x,y>*, learning_rate=float32[, server_state=T]>} ({@code T} the trainable
 * weights' structure); the result is {@code <update, update_weight=float32, metrics=M[, extra=T]>}:
 *
 * <ul>
 *   <li>{@link Variant#PLAIN}: FedAvg's client at the given learning rate; {@code update} is the model
 *       delta {@code x − y} (initial minus trained).
 *   <li>{@link Variant#FEDNOVA} (Wang et al. 2020): {@code update = <normalized_update=T, local_steps_norm=float32>},
 *       the delta divided by {@code a_i = ‖a‖₁}, the norm of the client's aggregation vector: its number of
 *       local steps {@code τ} for SGD, {@code Σ_{k=1..τ}(1−ρ^k)/(1−ρ)} with momentum {@code ρ},
 *       {@code (1−(1−ημ)^τ)/(ημ)} with FedProx's {@code μ}.
 *   <li>{@link Variant#SCAFFOLD} (Karimireddy et al. 2020, option II): {@code server_state} is the
 *       server control variate {@code c}; the client's own {@code c_i} is client state (key
 *       {@value #SCAFFOLD_STATE_KEY}, zeros at first). Each step uses {@code g + c − c_i}; then
 *       {@code c_i⁺ = c_i − c + (x − y)/(K·η)} with {@code K} local steps at rate {@code η}, and
 *       {@code extra} is {@code c_i⁺ − c_i}. A client with no steps keeps {@code c_i} and sends zeros.
 *   <li>{@link Variant#MIME_LITE} (Karimireddy et al. 2020, TFF's {@code build_mime_lite}) with SGD:
 *       {@code server_state} is the server's momentum accumulator {@code m}, frozen during the round;
 *       each step uses {@code g + β·m}, which is SGD-with-momentum's step from state {@code m}; and
 *       {@code extra} is the client's full-batch mean gradient at the received model.
 *   <li>{@link Variant#MIME_LITE} with another base optimizer (Adam, Adagrad, Yogi, RMSprop as the spec's
 *       client optimizer): {@code server_state} is that optimizer's state {@code s} (Adam's
 *       {@code <step, accumulator, preconditioner>}), frozen during the round; each local step is the
 *       optimizer's rule from {@code s}, {@code y ← next(s, y, g).weights} with the new state dropped, as
 *       TFF's client does; {@code extra} as with SGD. The steps run in Java on the engine's per-batch
 *       gradients ({@link ClientTrainer#gradients} of one batch at the current weights), so each costs a
 *       weight copy into the engine: slower than in-graph steps, same result up to float rounding.
 * </ul>
 *
 * <p>A client whose update (or {@code extra}) is not finite sends zeros with weight 0 and flag 1, as
 * {@link ClientWorks} does; SCAFFOLD's client then keeps its old control variate. Like
 * {@link ClientTraining} the computation is shippable through its {@link #descriptor()}.
 */
public final class ClientTrainingVariant extends LocalComputation {

    /** Which algorithm's client this is. */
    public enum Variant {
        PLAIN,
        FEDNOVA,
        SCAFFOLD,
        MIME_LITE;

        /** Whether the client receives a server state of the trainable weights' structure. */
        public boolean hasServerState() {
            return this == SCAFFOLD || this == MIME_LITE;
        }

        /** Whether the client sends an extra value of the trainable weights' structure. */
        public boolean hasExtra() {
            return this == SCAFFOLD || this == MIME_LITE;
        }
    }

    /** The client-state key of SCAFFOLD's client control variate. */
    public static final String SCAFFOLD_STATE_KEY = "scaffold/control_variate";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    private final String engineName;
    private final TrainingSpec spec;
    private final Variant variant;
    private final ClientWeighting weighting;
    private final long seed;
    private final float mimeMomentum;
    private final String trainerKey;

    /**
     * @param spec the client's training; SCAFFOLD, FedNova and Mime Lite need an {@link Sgd} client optimizer
     *     (Mime Lite's without momentum: the momentum is {@code mimeMomentum}, applied from the server state)
     * @param mimeMomentum Mime Lite's base-optimizer momentum {@code β} (0 for the other variants)
     */
    public ClientTrainingVariant(
            ModelEngine engine,
            TrainingSpec spec,
            Variant variant,
            ClientWeighting weighting,
            long seed,
            float mimeMomentum) {
        super("client_train_" + variant.name().toLowerCase(), signature(spec, variant));
        if (variant != Variant.PLAIN && variant != Variant.MIME_LITE && !(spec.clientOptimizer() instanceof Sgd)) {
            throw new IllegalArgumentException(
                    variant + " needs an SGD client optimizer, got " + spec.clientOptimizer());
        }
        if (variant == Variant.MIME_LITE && OptimizerDecay.of(spec.clientOptimizer()) != 0f) {
            throw new IllegalArgumentException("Mime Lite's base optimizer takes no weight decay: its server state is"
                    + " updated with plain full-batch gradients, got " + spec.clientOptimizer());
        }
        if (variant == Variant.MIME_LITE
                && spec.clientOptimizer() instanceof Sgd sgd
                && (sgd.momentum() != 0f || sgd.nesterov())) {
            throw new IllegalArgumentException("Mime Lite's client SGD takes no momentum of its own:"
                    + " the base optimizer's momentum comes from the server state");
        }
        if (variant == Variant.FEDNOVA && ((Sgd) spec.clientOptimizer()).momentum() != 0f && spec.proximalMu() != 0f) {
            throw new IllegalArgumentException(
                    "FedNova's normalization here covers SGD with momentum or with a proximal term, not both");
        }
        if (variant == Variant.FEDNOVA && ((Sgd) spec.clientOptimizer()).nesterov()) {
            throw new IllegalArgumentException(
                    "FedNova's normalization here covers SGD with heavy-ball momentum, not Nesterov");
        }
        this.engineName = engine.name();
        this.spec = spec;
        this.variant = variant;
        this.weighting = weighting;
        this.seed = seed;
        this.mimeMomentum = mimeMomentum;
        this.trainerKey = "trainer/" + engineName + "/" + spec.toJson();
    }

    /** The trainable weights' structure of {@code spec}. */
    static Type trainableType(TrainingSpec spec) {
        return spec.model().weightsType().get("trainable");
    }

    /** What {@link Variant#FEDNOVA} clients send as their update. */
    static StructType fedNovaUpdateType(Type trainable) {
        return StructType.builder()
                .add("normalized_update", trainable)
                .add("local_steps_norm", F32)
                .build();
    }

    /**
     * Whether this is Mime Lite with a base optimizer other than SGD, whose server state is that optimizer's state
     * and whose local steps run in Java.
     */
    static boolean isOptimizerStateMime(TrainingSpec spec, Variant variant) {
        return variant == Variant.MIME_LITE && !(spec.clientOptimizer() instanceof Sgd);
    }

    /**
     * The type of the server state a client of {@code variant} receives: the trainable weights' structure, or for
     * Mime Lite with a non-SGD base optimizer that optimizer's state of them.
     */
    static Type serverStateType(TrainingSpec spec, Variant variant) {
        Type trainable = trainableType(spec);
        return isOptimizerStateMime(spec, variant)
                ? spec.clientOptimizer().initialize(trainable).type()
                : trainable;
    }

    /** The type of the update a client of {@code variant} sends. */
    static Type updateType(TrainingSpec spec, Variant variant) {
        Type trainable = trainableType(spec);
        return variant == Variant.FEDNOVA ? fedNovaUpdateType(trainable) : trainable;
    }

    private static FunctionType signature(TrainingSpec spec, Variant variant) {
        StructType weights = spec.model().weightsType();
        Type trainable = trainableType(spec);
        StructType.Builder param = StructType.builder()
                .add("weights", weights)
                .add("data", new SequenceType(spec.model().inputSpec()))
                .add("learning_rate", F32);
        if (variant.hasServerState()) {
            param.add("server_state", serverStateType(spec, variant));
        }
        StructType.Builder result = StructType.builder()
                .add("update", updateType(spec, variant))
                .add("update_weight", F32)
                .add("metrics", Metrics.unfinalizedType(spec.model().metrics()))
                .add("non_finite", I32);
        if (variant.hasExtra()) {
            result.add("extra", trainable);
        }
        return new FunctionType(param.build(), result.build());
    }

    public TrainingSpec spec() {
        return spec;
    }

    public Variant variant() {
        return variant;
    }

    @Override
    protected Value apply(Value arg, ClientContext context) {
        Struct a = (Struct) arg;
        ModelWeights initial = ModelWeights.fromStruct(a.get("weights"));
        SequenceValue data = (SequenceValue) a.get("data");
        float lr = a.tensor("learning_rate").floatValue();
        ClientTrainer trainer = context.workerResource(
                trainerKey, () -> ModelEngines.byName(engineName).newTrainer(spec));
        long clientSeed = Seeds.derive(
                seed, Seeds.purpose(String.valueOf(context.clientId())), ClientTraining.fingerprint(initial));
        Type trainable = trainableType(spec);
        Value extra = null;
        Struct correction = null;
        Value clientControl = null;
        ClientTrainingResult frozenStateSteps = null;
        switch (variant) {
            case SCAFFOLD -> {
                clientControl = context.clientState(SCAFFOLD_STATE_KEY).orElse(Structures.zeros(trainable));
                trainable.checkAssignableFrom(clientControl.type(), "SCAFFOLD client control variate (client state)");
                correction = (Struct) Structures.zip(
                        a.get("server_state"), clientControl, (c, ci) -> elementwise(c, ci, (x, y) -> x - y));
            }
            case MIME_LITE -> {
                GradientResult full = trainer.gradients(initial, data, clientSeed);
                extra = full.meanGradient();
                if (isOptimizerStateMime(spec, variant)) {
                    frozenStateSteps =
                            stepsFromFrozenState(trainer, initial, data, clientSeed, lr, a.struct("server_state"));
                } else {
                    float beta = mimeMomentum;
                    correction = (Struct) Structures.map(a.get("server_state"), m -> scaled(m, beta));
                }
            }
            default -> {}
        }
        ClientTrainingResult r = frozenStateSteps != null
                ? frozenStateSteps
                : trainer.train(
                        initial,
                        data,
                        clientSeed,
                        variant == Variant.SCAFFOLD
                                ? LocalSteps.correctedAfterEachStep(lr, correction)
                                : new LocalSteps(lr, correction));
        Value delta = initial.trainableDelta(r.weights());
        float weight = weighting.weightFor(r.numExamples());
        Value update = delta;
        if (variant == Variant.FEDNOVA) {
            float norm = (float) fedNovaNorm((Sgd) spec.clientOptimizer(), lr, spec.proximalMu(), r.localSteps());
            Value normalized =
                    norm > 0f ? Structures.map(delta, t -> scaled(t, 1f / norm)) : Structures.zerosLike(delta);
            update = Struct.named("normalized_update", normalized, "local_steps_norm", Tensor.scalar(norm));
        } else if (variant == Variant.SCAFFOLD) {
            extra = scaffoldControlDelta(a.get("server_state"), delta, r.localSteps(), lr);
        }
        boolean finite = Structures.isFinite(update) && (extra == null || Structures.isFinite(extra));
        if (variant == Variant.SCAFFOLD && finite) {
            context.setClientState(
                    SCAFFOLD_STATE_KEY,
                    Structures.zip(clientControl, extra, (ci, dc) -> elementwise(ci, dc, Float::sum)));
        }
        Struct.Builder out = Struct.builder();
        out.add("update", finite ? update : Structures.zerosLike(update))
                .add("update_weight", Tensor.scalar(finite ? weight : 0f))
                .add("metrics", r.unfinalizedMetrics())
                .add("non_finite", Tensor.scalar(finite ? 0 : 1));
        if (variant.hasExtra()) {
            out.add("extra", finite ? extra : Structures.zerosLike(extra));
        }
        return out.build();
    }

    /**
     * Mime Lite's local steps with a non-SGD base optimizer: for the spec's epochs, batch by batch, the engine's
     * gradient of the batch at the current weights (training mode; dropout from {@code seed} and the step), then the
     * base optimizer's rule at learning rate {@code lr} from the frozen {@code state}, its new state dropped. Metrics
     * are the batches' training metrics before each step, as local training counts them.
     */
    private ClientTrainingResult stepsFromFrozenState(
            ClientTrainer trainer, ModelWeights initial, SequenceValue data, long seed, float lr, Struct state) {
        Optimizer base = spec.clientOptimizer().withLearningRate(lr);
        ModelWeights w = initial;
        Struct metrics = Metrics.zeros(spec.model().metrics());
        long examples = 0;
        long steps = 0;
        for (int epoch = 0; epoch < spec.epochs(); epoch++) {
            for (Value batch : data) {
                SequenceValue one = ListSequence.of(spec.model().inputSpec(), List.of(batch));
                GradientResult g = trainer.gradients(w, one, Seeds.derive(seed, steps + 1));
                if (g.numExamples() == 0) {
                    continue;
                }
                metrics = Metrics.sum(metrics, g.unfinalizedMetrics());
                w = ModelWeights.of(
                        (Struct) base.next(state, w.trainable(), g.meanGradient())
                                .weights(),
                        w.nonTrainable());
                examples += g.numExamples();
                steps++;
            }
        }
        return new ClientTrainingResult(w, examples, metrics, steps);
    }

    /**
     * SCAFFOLD's {@code Δc = c_i⁺ − c_i = (x − y)/(K·η) − c}: zeros when the client took no step or its
     * rate is 0 (its control variate stays).
     */
    static Value scaffoldControlDelta(Value serverControl, Value delta, long steps, float lr) {
        if (steps == 0 || lr == 0f) {
            return Structures.zerosLike(delta);
        }
        float kEta = (float) steps * lr;
        return Structures.zip(delta, serverControl, (d, c) -> elementwise(d, c, (dy, cs) -> dy / kEta - cs));
    }

    /**
     * FedNova's {@code ‖a_i‖₁} for {@code steps} local SGD steps: {@code τ}; with momentum {@code ρ}
     * {@code Σ_{k=1..τ}(1−ρ^k)/(1−ρ)}; with a proximal term {@code Σ_{k=0..τ−1}(1−ημ)^k}.
     */
    static double fedNovaNorm(Sgd sgd, float lr, float mu, long steps) {
        double rho = sgd.momentum();
        if (rho != 0) {
            double sum = 0;
            double power = 1;
            for (long k = 1; k <= steps; k++) {
                power *= rho;
                sum += (1 - power) / (1 - rho);
            }
            return sum;
        }
        if (mu != 0f) {
            double factor = 1 - (double) lr * mu;
            double sum = 0;
            double power = 1;
            for (long k = 0; k < steps; k++) {
                sum += power;
                power *= factor;
            }
            return sum;
        }
        return steps;
    }

    private interface FloatOp {
        float apply(float a, float b);
    }

    private static Tensor elementwise(Tensor a, Tensor b, FloatOp op) {
        float[] x = a.floatData();
        float[] y = b.floatData();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = op.apply(x[i], y[i]);
        }
        return Tensor.of(out, a.shape());
    }

    private static Tensor scaled(Tensor t, float factor) {
        float[] x = t.floatData();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * factor;
        }
        return Tensor.of(out, t.shape());
    }

    @Override
    public Optional<ComputationDescriptor> descriptor() {
        ObjectNode config = JSON.createObjectNode();
        config.put("format", "fl4j.client_training_variant");
        config.put("version", 1);
        config.put("engine", engineName);
        config.put("variant", variant.name());
        config.put("weighting", weighting.name());
        config.put("seed", seed);
        config.put("mime_momentum", mimeMomentum);
        config.put("training_spec", spec.toJson());
        return Optional.of(ComputationDescriptor.of(Factory.class, config.toString(), null));
    }

    /** Rebuilds a {@link ClientTrainingVariant} from its descriptor's config. */
    public static final class Factory implements ComputationFactory {
        private static final List<String> VARIANTS =
                List.of(Variant.values()).stream().map(Enum::name).toList();

        @Override
        public LocalComputation create(String config, Value payload) {
            JsonNode c = DescriptorConfigs.read(config, "fl4j.client_training_variant", "client training variant");
            String variant = c.path("variant").asText();
            if (!VARIANTS.contains(variant)) {
                throw new IllegalArgumentException(
                        "unknown client training variant '" + variant + "'; known: " + VARIANTS);
            }
            return new ClientTrainingVariant(
                    ModelEngines.byName(c.path("engine").asText()),
                    TrainingSpec.fromJson(c.path("training_spec").asText()),
                    Variant.valueOf(variant),
                    ClientWeighting.valueOf(c.path("weighting").asText()),
                    c.path("seed").asLong(),
                    (float) c.path("mime_momentum").asDouble());
        }
    }
}
