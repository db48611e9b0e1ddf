package dev.fl4j.learning.templates;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.Runtimes;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.IterativeProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.core.templates.ProcessCompositionException;
import dev.fl4j.learning.model.ModelWeights;
import java.util.function.Supplier;

/**
 * TFF's {@code LearningProcess}, composed as {@code compose_learning_process} composes it from four
 * parts: a distributor (the model to the clients), client work (local training: an update and its
 * weight per client), an aggregator (any aggregation process; weighted or not), and a finalizer
 * (the server step that applies the aggregated update).
 *
 * <p>The state is {@code <global_model_weights=W@SERVER,distributor=..,client_work=..,aggregator=..,finalizer=..>};
 * {@link #next} takes the state and the round's client data ({@code {<x,y>*}@CLIENTS}) and returns
 * the next state and the metrics, grouped by part as TFF groups them. Every value that crosses
 * between server and clients goes through an intrinsic, so the runtime's accounting covers the
 * whole round.
 */
public final class LearningProcess extends IterativeProcess {

    private final Type modelWeightsType;
    private final Type clientDataType;

    private LearningProcess(
            FederatedComputation initialize, FederatedComputation next, Type modelWeightsType, Type clientDataType) {
        super(initialize, next);
        this.modelWeightsType = modelWeightsType;
        this.clientDataType = clientDataType;
    }

    /**
     * Composes a learning process, checking that the parts fit: the distributor takes the model
     * weights, client work takes what the distributor delivers, the aggregator takes the client
     * update (and its weight, if weighted), the finalizer takes the aggregate. A misfit throws
     * {@link ProcessCompositionException} naming the two parts.
     */
    public static LearningProcess compose(
            Type modelWeightsType,
            Supplier<ModelWeights> initialWeights,
            DistributionProcess distributor,
            ClientWorkProcess clientWork,
            AggregationProcess aggregator,
            FinalizerProcess finalizer) {
        FederatedType serverWeights = FederatedType.server(modelWeightsType);
        fit("model weights", serverWeights, "distributor", distributor.inputType());
        Type clientWeightsParam =
                ((StructType) clientWork.nextComputation().type().parameter()).get(1);
        fit("distributor", distributor.resultType(), "client_work", clientWeightsParam);
        Type update = clientWork.updateType();
        if (!aggregator.valueType().isAssignableFrom(update)) {
            throw new ProcessCompositionException("client_work produces updates of " + update
                    + " but the aggregator takes " + aggregator.valueType());
        }
        if (aggregator.isWeighted() && !aggregator.weightType().isAssignableFrom(clientWork.updateWeightType())) {
            throw new ProcessCompositionException("client_work weighs updates with " + clientWork.updateWeightType()
                    + " but the aggregator takes weights " + aggregator.weightType());
        }
        fit("aggregator", aggregator.resultType(), "finalizer", FederatedType.server(finalizer.updateType()));
        Type finalizerWeights = ((StructType) finalizer.nextComputation().type().parameter()).get(1);
        fit("model weights", serverWeights, "finalizer", finalizerWeights);

        Type state = StructType.builder()
                .add("global_model_weights", serverWeights)
                .add("distributor", distributor.stateType())
                .add("client_work", clientWork.stateType())
                .add("aggregator", aggregator.stateType())
                .add("finalizer", finalizer.stateType())
                .build();
        Type metrics = StructType.builder()
                .add("distributor", distributor.measurementsType())
                .add("client_work", clientWork.measurementsType())
                .add("aggregator", aggregator.measurementsType())
                .add("finalizer", finalizer.measurementsType())
                .build();
        Type clientData = FederatedType.clients(clientWork.dataType());

        FederatedComputation init = FederatedComputation.noArg(
                "learning_process_initialize",
                state,
                (ctx, a) -> Struct.builder()
                        .add(
                                "global_model_weights",
                                ctx.federatedValue(initialWeights.get().asStruct(), Placement.SERVER))
                        .add("distributor", ctx.invoke(distributor.initializeComputation(), null))
                        .add("client_work", ctx.invoke(clientWork.initializeComputation(), null))
                        .add("aggregator", ctx.invoke(aggregator.initializeComputation(), null))
                        .add("finalizer", ctx.invoke(finalizer.initializeComputation(), null))
                        .build());

        FederatedComputation next = FederatedComputation.of(
                "learning_process_next",
                StructType.builder()
                        .add("state", state)
                        .add("client_data", clientData)
                        .build(),
                StructType.builder().add("state", state).add("metrics", metrics).build(),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    Struct s = (Struct) a.get("state");
                    Value weights = s.get("global_model_weights");
                    MeasuredProcessOutput sent = MeasuredProcessOutput.from(
                            ctx.invoke(distributor.nextComputation(), Struct.of(s.get("distributor"), weights)));
                    MeasuredProcessOutput trained = MeasuredProcessOutput.from(ctx.invoke(
                            clientWork.nextComputation(),
                            Struct.of(s.get("client_work"), sent.result(), a.get("client_data"))));
                    FederatedValue updates = (FederatedValue) trained.result();
                    FederatedValue clientUpdate = ctx.federatedField(updates, "update");
                    MeasuredProcessOutput aggregated = MeasuredProcessOutput.from(
                            aggregator.isWeighted()
                                    ? ctx.invoke(
                                            aggregator.nextComputation(),
                                            Struct.of(
                                                    s.get("aggregator"),
                                                    clientUpdate,
                                                    ctx.federatedField(updates, "update_weight")))
                                    : ctx.invoke(
                                            aggregator.nextComputation(),
                                            Struct.of(s.get("aggregator"), clientUpdate)));
                    MeasuredProcessOutput finalized = MeasuredProcessOutput.from(ctx.invoke(
                            finalizer.nextComputation(), Struct.of(s.get("finalizer"), weights, aggregated.result())));
                    Struct nextState = Struct.builder()
                            .add("global_model_weights", finalized.result())
                            .add("distributor", sent.state())
                            .add("client_work", trained.state())
                            .add("aggregator", aggregated.state())
                            .add("finalizer", finalized.state())
                            .build();
                    Struct roundMetrics = Struct.builder()
                            .add("distributor", sent.measurements())
                            .add("client_work", trained.measurements())
                            .add("aggregator", aggregated.measurements())
                            .add("finalizer", finalized.measurements())
                            .build();
                    return Struct.named("state", nextState, "metrics", roundMetrics);
                });
        return new LearningProcess(init, next, modelWeightsType, clientData);
    }

    private static void fit(String fromName, Type produced, String toName, Type expected) {
        if (!expected.isAssignableFrom(produced)) {
            throw new ProcessCompositionException(
                    fromName + " gives " + produced + " but " + toName + " takes " + expected);
        }
    }

    /** The type of the model weights, {@code <trainable=..,non_trainable=..>}. */
    public Type modelWeightsType() {
        return modelWeightsType;
    }

    /** The type of the client data {@link #next} takes, {@code {<x,y>*}@CLIENTS}. */
    public Type clientDataType() {
        return clientDataType;
    }

    /** Runs one round on the current runtime. */
    public LearningProcessOutput next(Value state, Value clientData) {
        return next(Runtimes.current(), state, clientData);
    }

    /** Runs one round on {@code runtime}. */
    public LearningProcessOutput next(FederatedRuntime runtime, Value state, Value clientData) {
        Struct out = (Struct) runtime.invoke(nextComputation(), state, clientData);
        return new LearningProcessOutput(out.get("state"), (Struct) out.get("metrics"));
    }

    /** The global model in {@code state}. */
    public ModelWeights getModelWeights(Value state) {
        return ModelWeights.fromStruct(((ServerValue) ((Struct) state).get("global_model_weights")).value());
    }

    /** {@code state} with the global model replaced by {@code weights} (of the same type). */
    public Value setModelWeights(Value state, ModelWeights weights) {
        modelWeightsType.checkAssignableFrom(weights.type(), "setModelWeights");
        return ((Struct) state).with("global_model_weights", new ServerValue(weights.asStruct()));
    }
}
