package dev.fl4j.learning.algorithms;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.keras.Metrics;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Sgd;
import java.util.List;

/**
 * Federated evaluation, TFF's {@code build_federated_evaluation}: the server broadcasts the model,
 * each client computes inference-mode metrics over its (test) data, the unfinalized metrics are
 * summed and finalized at the server — the same metrics training reports, over clients' test data.
 * Signature {@code (<model_weights=W@SERVER,data={<x,y>*}@CLIENTS> -> <eval=<metric=..>>@SERVER)}.
 */
public final class FederatedEvaluation {

    private final FederatedComputation computation;

    private FederatedEvaluation(FederatedComputation computation) {
        this.computation = computation;
    }

    /** The evaluation of {@code model} on {@link ModelEngines#defaultEngine()}, the engine on the class path. */
    public static FederatedEvaluation build(ModelSpec model) {
        return build(model, ModelEngines.defaultEngine());
    }

    public static FederatedEvaluation build(ModelSpec model, ModelEngine engine) {
        StructType weights = model.weightsType();
        Type data = new SequenceType(model.inputSpec());
        List<Metric> metrics = model.metrics();
        StructType unfinalized = Metrics.unfinalizedType(metrics);
        StructType result = StructType.builder()
                .add("eval", ClientWorks.finalizedType(metrics))
                .build();
        TrainingSpec spec = TrainingSpec.of(model, Sgd.of(0f));
        String key = "trainer/" + engine.name() + "/" + spec.toJson();
        LocalComputation evaluate = LocalComputation.withContext(
                "client_evaluate",
                StructType.builder().add("weights", weights).add("data", data).build(),
                unfinalized,
                (v, ctx) -> {
                    Struct a = (Struct) v;
                    ClientTrainer trainer = ctx.workerResource(key, () -> engine.newTrainer(spec));
                    return trainer.evaluate(ModelWeights.fromStruct(a.get("weights")), (SequenceValue) a.get("data"))
                            .unfinalizedMetrics();
                });
        LocalComputation finalize = LocalComputation.of(
                "finalize_eval_metrics",
                unfinalized,
                result,
                v -> Struct.named("eval", Metrics.finalizeAll(metrics, (Struct) v)));
        return new FederatedEvaluation(summed("federated_evaluation", weights, data, evaluate, finalize, result));
    }

    /**
     * The shape of a federated evaluation, {@code <model_weights@SERVER, data@CLIENTS> -> result@SERVER}: the
     * weights broadcast, each client's {@code evaluate(<weights, data>)} summed, and the sum finalized on the
     * server by {@code finalize}.
     */
    static FederatedComputation summed(
            String name, Type weights, Type data, LocalComputation evaluate, LocalComputation finalize, Type result) {
        return FederatedComputation.of(
                name,
                StructType.builder()
                        .add("model_weights", FederatedType.server(weights))
                        .add("data", FederatedType.clients(data))
                        .build(),
                FederatedType.server(result),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue sent = ctx.federatedBroadcast((FederatedValue) a.get("model_weights"));
                    FederatedValue sums = ctx.federatedSum(ctx.federatedMap(
                            evaluate, ctx.federatedZip(Struct.named("weights", sent, "data", a.get("data")))));
                    return ctx.federatedMap(finalize, sums);
                });
    }

    public FederatedComputation computation() {
        return computation;
    }

    /** Evaluates {@code weights} on the clients' {@code data}; returns {@code <eval=<metric=..>>}. */
    public Struct evaluate(FederatedRuntime runtime, ModelWeights weights, Value data) {
        Value out = runtime.invoke(computation, FederatedValue.server(weights.asStruct()), data);
        return (Struct) ((dev.fl4j.core.ServerValue) out).value();
    }
}
