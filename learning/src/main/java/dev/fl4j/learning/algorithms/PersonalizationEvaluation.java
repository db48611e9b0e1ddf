package dev.fl4j.learning.algorithms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.FunctionType;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactory;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.keras.Metrics;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Sgd;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Personalization evaluation after TFF's {@code build_personalization_eval_computation}: the server
 * broadcasts the global model; each client splits its data into {@code train_data} and
 * {@code test_data}, evaluates the global model on {@code test_data} (the baseline), and for each
 * named {@link FineTuning} strategy fine-tunes a copy of the global model on {@code train_data} and
 * evaluates it on {@code test_data}. Signature
 * {@code (<model_weights=W@SERVER, data={<train_data=<x,y>*, test_data=<x,y>*>}@CLIENTS> ->
 * <baseline_metrics=<metric=..>, NAME=<metric=..>, ..., num_clients=int32>@SERVER)}.
 *
 * <p>Unlike TFF, which returns a sample of up to {@code max_num_clients} per-client metric structures,
 * fl4j sums the clients' unfinalized metrics and finalizes them at the server, as federated evaluation
 * does: the metrics before and after fine-tuning over all participating clients' test examples.
 * Fine-tuning randomness (dropout) derives from the seed, the client id and the strategy's name.
 */
public final class PersonalizationEvaluation {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    /**
     * Fine-tuning on a client's {@code train_data}: {@code epochs} passes with {@code optimizer} from the
     * global model.
     */
    public record FineTuning(Optimizer optimizer, int epochs) {
        public FineTuning {
            Objects.requireNonNull(optimizer, "fine-tuning optimizer");
            if (epochs < 1) {
                throw new IllegalArgumentException("fine-tuning needs epochs >= 1, got " + epochs);
            }
        }
    }

    private final FederatedComputation computation;
    private final LocalComputation clientWork;

    private PersonalizationEvaluation(FederatedComputation computation, LocalComputation clientWork) {
        this.computation = computation;
        this.clientWork = clientWork;
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches() || name.equals("baseline_metrics") || name.equals("num_clients")) {
            throw new IllegalArgumentException("strategy name '" + name
                    + "' must be a lower-case identifier ([a-z][a-z0-9_]*)"
                    + " other than baseline_metrics and num_clients");
        }
    }

    private static StructType clientDataType(ModelSpec model) {
        Type batches = new SequenceType(model.inputSpec());
        return StructType.builder()
                .add("train_data", batches)
                .add("test_data", batches)
                .build();
    }

    /** On {@link ModelEngines#defaultEngine()}. */
    public static PersonalizationEvaluation build(ModelSpec model, Map<String, FineTuning> strategies, long seed) {
        return build(model, strategies, seed, ModelEngines.defaultEngine());
    }

    /**
     * @param strategies named fine-tuning strategies, in the order the result lists them; names are
     *     lower-case identifiers other than {@code baseline_metrics} and {@code num_clients}
     * @throws IllegalArgumentException for no strategy or a bad name
     */
    public static PersonalizationEvaluation build(
            ModelSpec model, Map<String, FineTuning> strategies, long seed, ModelEngine engine) {
        if (strategies.isEmpty()) {
            throw new IllegalArgumentException("personalization evaluation needs at least one fine-tuning strategy");
        }
        Map<String, FineTuning> named = new LinkedHashMap<>(strategies);
        named.keySet().forEach(PersonalizationEvaluation::checkName);
        StructType weights = model.weightsType();
        StructType clientData = clientDataType(model);
        List<Metric> metrics = model.metrics();
        StructType unfinalized = Metrics.unfinalizedType(metrics);
        StructType finalized = ClientWorks.finalizedType(metrics);
        StructType.Builder perClient = StructType.builder().add("baseline_metrics", unfinalized);
        StructType.Builder result = StructType.builder().add("baseline_metrics", finalized);
        for (String name : named.keySet()) {
            perClient.add(name, unfinalized);
            result.add(name, finalized);
        }
        perClient.add("num_clients", I32);
        result.add("num_clients", I32);
        StructType perClientType = perClient.build();
        StructType resultType = result.build();

        List<String> names = new ArrayList<>(named.keySet());
        List<TrainingSpec> specs = new ArrayList<>();
        for (FineTuning f : named.values()) {
            specs.add(new TrainingSpec(model, f.optimizer(), f.epochs(), 0f));
        }
        LocalComputation personalize = new ClientPersonalization(engine, model, names, specs, seed, perClientType);
        LocalComputation finalize =
                LocalComputation.of("finalize_personalization_metrics", perClientType, resultType, v -> {
                    Struct s = (Struct) v;
                    Struct.Builder out = Struct.builder()
                            .add("baseline_metrics", Metrics.finalizeAll(metrics, s.struct("baseline_metrics")));
                    for (String name : names) {
                        out.add(name, Metrics.finalizeAll(metrics, s.struct(name)));
                    }
                    return out.add("num_clients", s.get("num_clients")).build();
                });
        FederatedComputation c = FederatedComputation.of(
                "personalization_evaluation",
                StructType.builder()
                        .add("model_weights", FederatedType.server(weights))
                        .add("data", FederatedType.clients(clientData))
                        .build(),
                FederatedType.server(resultType),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue sent = ctx.federatedBroadcast((FederatedValue) a.get("model_weights"));
                    FederatedValue sums = ctx.federatedSum(ctx.federatedMap(
                            personalize, ctx.federatedZip(Struct.named("weights", sent, "data", a.get("data")))));
                    return ctx.federatedMap(finalize, sums);
                });
        return new PersonalizationEvaluation(c, personalize);
    }

    /**
     * The clients' work: the baseline evaluation and each strategy's fine-tuning and evaluation,
     * {@code <weights, data=<train_data, test_data>> -> <baseline_metrics=M, NAME=M, ..., num_clients=int32>}.
     * Described ({@link Factory}) so a runtime running client work in other JVMs (a Spark executor) runs it there:
     * the engine's name, the seed, the model and each strategy's name and {@link TrainingSpec} are data; the
     * executor gets the engine from its own registered engines ({@link ModelEngines#byName}).
     */
    private static final class ClientPersonalization extends LocalComputation {
        private final ModelEngine engine;
        private final ModelSpec model;
        private final List<String> names;
        private final List<TrainingSpec> specs;
        private final long seed;
        private final TrainingSpec evalSpec;
        private final String evalKey;

        ClientPersonalization(
                ModelEngine engine,
                ModelSpec model,
                List<String> names,
                List<TrainingSpec> specs,
                long seed,
                StructType perClientType) {
            super(
                    "client_personalization_eval",
                    new FunctionType(
                            StructType.builder()
                                    .add("weights", model.weightsType())
                                    .add("data", clientDataType(model))
                                    .build(),
                            perClientType));
            this.engine = engine;
            this.model = model;
            this.names = List.copyOf(names);
            this.specs = List.copyOf(specs);
            this.seed = seed;
            this.evalSpec = TrainingSpec.of(model, Sgd.of(0f));
            this.evalKey = "trainer/" + engine.name() + "/" + evalSpec.toJson();
        }

        @Override
        protected Value apply(Value v, ClientContext ctx) {
            Struct a = (Struct) v;
            ModelWeights global = ModelWeights.fromStruct(a.get("weights"));
            Struct data = a.struct("data");
            SequenceValue train = (SequenceValue) data.get("train_data");
            SequenceValue test = (SequenceValue) data.get("test_data");
            ClientTrainer evaluator = ctx.workerResource(evalKey, () -> engine.newTrainer(evalSpec));
            Struct.Builder out = Struct.builder()
                    .add("baseline_metrics", evaluator.evaluate(global, test).unfinalizedMetrics());
            for (int i = 0; i < names.size(); i++) {
                TrainingSpec spec = specs.get(i);
                ClientTrainer tuner = ctx.workerResource(
                        "trainer/" + engine.name() + "/" + spec.toJson(), () -> engine.newTrainer(spec));
                long clientSeed =
                        Seeds.derive(seed, Seeds.purpose(String.valueOf(ctx.clientId())), Seeds.purpose(names.get(i)));
                ModelWeights tuned = tuner.train(global, train, clientSeed).weights();
                out.add(names.get(i), evaluator.evaluate(tuned, test).unfinalizedMetrics());
            }
            return out.add("num_clients", Tensor.scalar(1)).build();
        }

        @Override
        public Optional<ComputationDescriptor> descriptor() {
            ObjectNode config = JSON.createObjectNode();
            config.put("format", CONFIG_FORMAT);
            config.put("version", 1);
            config.put("engine", engine.name());
            config.put("seed", seed);
            config.put("model", model.toJson());
            ArrayNode strategies = config.putArray("strategies");
            for (int i = 0; i < names.size(); i++) {
                strategies
                        .addObject()
                        .put("name", names.get(i))
                        .put("training_spec", specs.get(i).toJson());
            }
            return Optional.of(ComputationDescriptor.of(Factory.class, config.toString(), null));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG_FORMAT = "fl4j.personalization_eval";

    /**
     * Rebuilds the clients' personalization work in another JVM from a JSON config {@code {"format":
     * "fl4j.personalization_eval", "version": 1, "engine": NAME, "seed": INT64, "model": MODEL_SPEC_JSON,
     * "strategies": [{"name": NAME, "training_spec": TRAINING_SPEC_JSON}, ...]}} (no payload): the engine must be
     * registered here, the strategies at least one, named as {@link #build} requires, each fine-tuning the model
     * without a proximal term. Anything else is refused naming what does not fit.
     */
    public static final class Factory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            if (payload != null) {
                throw new MalformedDataException("personalization client work takes no payload, got " + payload.type());
            }
            JsonNode c = DescriptorConfigs.read(config, CONFIG_FORMAT, "personalization client work");
            JsonNode engineName = c.get("engine");
            JsonNode seed = c.get("seed");
            JsonNode modelJson = c.get("model");
            JsonNode strategies = c.get("strategies");
            if (engineName == null || !engineName.isTextual()) {
                throw new MalformedDataException("personalization client work: 'engine' must be a name");
            }
            if (seed == null || !seed.canConvertToLong() || !seed.isIntegralNumber()) {
                throw new MalformedDataException("personalization client work: 'seed' must be an int64");
            }
            if (modelJson == null || !modelJson.isTextual()) {
                throw new MalformedDataException("personalization client work: 'model' must be model spec JSON text");
            }
            if (strategies == null || !strategies.isArray() || strategies.isEmpty()) {
                throw new MalformedDataException("personalization client work: 'strategies' must be a non-empty array");
            }
            ModelSpec model = ModelSpec.fromJson(modelJson.asText());
            Map<String, FineTuning> named = new LinkedHashMap<>();
            for (JsonNode s : strategies) {
                JsonNode name = s.get("name");
                JsonNode spec = s.get("training_spec");
                if (name == null || !name.isTextual() || spec == null || !spec.isTextual() || s.size() != 2) {
                    throw new MalformedDataException("personalization client work: a strategy must be {\"name\": TEXT,"
                            + " \"training_spec\": TEXT}, got " + s);
                }
                checkName(name.asText());
                TrainingSpec t = TrainingSpec.fromJson(spec.asText());
                if (!t.model().equals(model)) {
                    throw new MalformedDataException("personalization client work: strategy '" + name.asText()
                            + "' fine-tunes another model than the one evaluated");
                }
                if (t.proximalMu() != 0f) {
                    throw new MalformedDataException("personalization client work: strategy '" + name.asText()
                            + "' has proximal_mu " + t.proximalMu() + "; fine-tuning has none");
                }
                if (named.put(name.asText(), new FineTuning(t.clientOptimizer(), t.epochs())) != null) {
                    throw new MalformedDataException(
                            "personalization client work: strategy '" + name.asText() + "' is named twice");
                }
            }
            ModelEngine engine = ModelEngines.byName(engineName.asText());
            PersonalizationEvaluation built = build(model, named, seed.asLong(), engine);
            return built.clientWork;
        }
    }

    public FederatedComputation computation() {
        return computation;
    }

    /**
     * Evaluates {@code weights} with and without each fine-tuning strategy on the clients' {@code data}
     * ({@code <train_data, test_data>} per client).
     */
    public Struct evaluate(FederatedRuntime runtime, ModelWeights weights, Value data) {
        Value out = runtime.invoke(computation, FederatedValue.server(weights.asStruct()), data);
        return (Struct) ((ServerValue) out).value();
    }
}
