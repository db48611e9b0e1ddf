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
        return new TrainingSpec(model, clientOptimizer, 1, 0f);
    }

    public TrainingSpec withEpochs(int e) {
        return new TrainingSpec(model, clientOptimizer, e, proximalMu);
    }

    public TrainingSpec withProximalMu(float mu) {
        return new TrainingSpec(model, clientOptimizer, epochs, mu);
    }

    public String toJson() {
        return Json.write(FORMAT, VERSION, this);
    }

    public static TrainingSpec fromJson(String json) {
        return Json.read(json, FORMAT, VERSION, TrainingSpec.class);
    }
}
