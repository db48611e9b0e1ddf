package dev.fl4j.learning.algorithms;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.templates.FinalizerProcess;

/**
 * TFF's {@code build_apply_optimizer_finalizer}: the server optimizer takes the aggregated update as
 * a pseudo-gradient and moves the trainable weights against it (with SGD at learning rate 1 the new
 * model is exactly the old one minus the update); non-trainable weights are kept. An update that is
 * not finite is rejected: the model and the optimizer state stay as they were and the measurement
 * {@code update_non_finite} is 1.
 */
public final class ApplyOptimizerFinalizer {

    private ApplyOptimizerFinalizer() {}

    public static FinalizerProcess build(Optimizer optimizer, StructType modelWeightsType) {
        StructType trainable = (StructType) modelWeightsType.get("trainable");
        Struct initialState = optimizer.initialize(trainable);
        FederatedType state = FederatedType.server(initialState.type());
        StructType measurements = StructType.builder()
                .add("update_non_finite", TensorType.scalar(DType.INT32))
                .build();
        StructType stepInput = StructType.builder()
                .add("state", initialState.type())
                .add("weights", modelWeightsType)
                .add("update", trainable)
                .build();
        StructType stepOutput = StructType.builder()
                .add("state", initialState.type())
                .add("weights", modelWeightsType)
                .add("measurements", measurements)
                .build();
        LocalComputation step = LocalComputation.of(
                "apply_" + optimizer.getClass().getSimpleName().toLowerCase(), stepInput, stepOutput, v -> {
                    Struct in = (Struct) v;
                    ModelWeights weights = ModelWeights.fromStruct(in.get("weights"));
                    if (!Structures.isFinite(in.get("update"))) {
                        return Struct.named(
                                "state",
                                in.get("state"),
                                "weights",
                                in.get("weights"),
                                "measurements",
                                Struct.named("update_non_finite", Tensor.scalar(1)));
                    }
                    Optimizer.Step s = optimizer.next(in.struct("state"), weights.trainable(), in.get("update"));
                    ModelWeights next = ModelWeights.of((Struct) s.weights(), weights.nonTrainable());
                    return Struct.named(
                            "state",
                            s.state(),
                            "weights",
                            next.asStruct(),
                            "measurements",
                            Struct.named("update_non_finite", Tensor.scalar(0)));
                });
        FederatedComputation init = FederatedComputation.noArg(
                "finalizer_initialize",
                state,
                (ctx, a) -> ctx.federatedValue(optimizer.initialize(trainable), Placement.SERVER));
        return FinalizerProcess.ofServerStep(init, state, modelWeightsType, trainable, measurements, step);
    }
}
