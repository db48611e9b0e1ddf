package dev.fl4j.learning.algorithms;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
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

    private PersonalizationEvaluation(FederatedComputation computation) {
        this.computation = computation;
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
        for (String name : named.keySet()) {
            if (!NAME.matcher(name).matches() || name.equals("baseline_metrics") || name.equals("num_clients")) {
                throw new IllegalArgumentException("strategy name '" + name
                        + "' must be a lower-case identifier ([a-z][a-z0-9_]*)"
                        + " other than baseline_metrics and num_clients");
            }
        }
        StructType weights = model.weightsType();
        Type batches = new SequenceType(model.inputSpec());
        StructType clientData = StructType.builder()
                .add("train_data", batches)
                .add("test_data", batches)
                .build();
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

        TrainingSpec evalSpec = TrainingSpec.of(model, Sgd.of(0f));
        String evalKey = "trainer/" + engine.name() + "/" + evalSpec.toJson();
        List<String> names = new ArrayList<>(named.keySet());
        List<TrainingSpec> specs = new ArrayList<>();
        for (FineTuning f : named.values()) {
            specs.add(new TrainingSpec(model, f.optimizer(), f.epochs(), 0f));
        }
        LocalComputation personalize = LocalComputation.withContext(
                "client_personalization_eval",
                StructType.builder()
                        .add("weights", weights)
                        .add("data", clientData)
                        .build(),
                perClientType,
                (v, ctx) -> {
                    Struct a = (Struct) v;
                    ModelWeights global = ModelWeights.fromStruct(a.get("weights"));
                    Struct data = a.struct("data");
                    SequenceValue train = (SequenceValue) data.get("train_data");
                    SequenceValue test = (SequenceValue) data.get("test_data");
                    ClientTrainer evaluator = ctx.workerResource(evalKey, () -> engine.newTrainer(evalSpec));
                    Struct.Builder out = Struct.builder()
                            .add(
                                    "baseline_metrics",
                                    evaluator.evaluate(global, test).unfinalizedMetrics());
                    for (int i = 0; i < names.size(); i++) {
                        TrainingSpec spec = specs.get(i);
                        ClientTrainer tuner = ctx.workerResource(
                                "trainer/" + engine.name() + "/" + spec.toJson(), () -> engine.newTrainer(spec));
                        long clientSeed = Seeds.derive(
                                seed, Seeds.purpose(String.valueOf(ctx.clientId())), Seeds.purpose(names.get(i)));
                        ModelWeights tuned =
                                tuner.train(global, train, clientSeed).weights();
                        out.add(names.get(i), evaluator.evaluate(tuned, test).unfinalizedMetrics());
                    }
                    return out.add("num_clients", Tensor.scalar(1)).build();
                });
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
        return new PersonalizationEvaluation(c);
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
