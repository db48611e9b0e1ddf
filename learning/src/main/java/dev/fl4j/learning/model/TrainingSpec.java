package dev.fl4j.learning.model;

import dev.fl4j.learning.internal.Json;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Optimizer;

/**
 * What a client runs, as a description another JVM can rebuild (DESIGN seam 4): the model, the
 * client optimizer, the number of local epochs and FedProx's proximal strength {@code μ}. With
 * {@code μ > 0} local training minimises {@code loss + μ/2·‖w − w_initial‖²}; {@code μ = 0} builds no
 * proximal term at all, so it is exactly plain local training.
 *
 * <p>JSON format {@code fl4j.training_spec} version 1:
 * {@code {"format":"fl4j.training_spec","version":1,"model":{<model spec fields>},
 * "client_optimizer":{"class_name":"SGD","learning_rate":0.1,"momentum":0.0,"nesterov":false,
 * "weight_decay":0.0},
 * "epochs":1,"proximal_mu":0.0}} where the model object holds the fields of a
 * {@link ModelSpec} document without its format and version.
 */
public record TrainingSpec(ModelSpec model, Optimizer clientOptimizer, int epochs, float proximalMu) {

    public static final String FORMAT = "fl4j.training_spec";
    public static final int VERSION = 1;

    public TrainingSpec {
        if (model == null || clientOptimizer == null) {
            throw new IllegalArgumentException("a training spec needs a model and a client optimizer");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (!(proximalMu >= 0f) || Float.isInfinite(proximalMu)) {
            throw new IllegalArgumentException("proximal_mu must be finite and >= 0, got " + proximalMu);
        }
    }

    /** One epoch, no proximal term. */
    public static TrainingSpec of(ModelSpec model, Optimizer clientOptimizer) {
        return builder().setModel(model).setClientOptimizer(clientOptimizer).build();
    }

    /** A builder: the model and the client optimizer are required, epochs and {@code μ} optional. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this spec. */
    public Builder toBuilder() {
        return builder()
                .setModel(model)
                .setClientOptimizer(clientOptimizer)
                .optEpochs(epochs)
                .optProximalMu(proximalMu);
    }

    /** Options of a {@link TrainingSpec}. */
    public static final class Builder {
        private ModelSpec model;
        private Optimizer clientOptimizer;
        private int epochs = 1;
        private float proximalMu = 0f;

        private Builder() {}

        /** The model clients train (required). */
        public Builder setModel(ModelSpec model) {
            this.model = model;
            return this;
        }

        /** The optimizer of local training (required). */
        public Builder setClientOptimizer(Optimizer clientOptimizer) {
            this.clientOptimizer = clientOptimizer;
            return this;
        }

        /** Local epochs per round, >= 1 (default 1). */
        public Builder optEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** FedProx's proximal strength {@code μ}, finite and >= 0 (default 0: no proximal term). */
        public Builder optProximalMu(float proximalMu) {
            this.proximalMu = proximalMu;
            return this;
        }

        /**
         * The spec.
         *
         * @throws IllegalStateException naming the setter if the model or the client optimizer is missing
         * @throws IllegalArgumentException if the epochs are below 1 or {@code μ} is negative or not finite
         */
        public TrainingSpec build() {
            if (model == null || clientOptimizer == null) {
                throw new IllegalStateException("a training spec needs "
                        + (model == null ? "setModel" + (clientOptimizer == null ? " and " : "") : "")
                        + (clientOptimizer == null ? "setClientOptimizer" : ""));
            }
            return new TrainingSpec(model, clientOptimizer, epochs, proximalMu);
        }
    }

    public String toJson() {
        return Json.write(FORMAT, VERSION, this);
    }

    public static TrainingSpec fromJson(String json) {
        return Json.read(json, FORMAT, VERSION, TrainingSpec.class);
    }
}
