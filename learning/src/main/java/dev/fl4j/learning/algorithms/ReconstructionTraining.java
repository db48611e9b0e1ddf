package dev.fl4j.learning.algorithms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fl4j.core.FunctionType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactory;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.learning.model.TrainingSpec;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a federated-reconstruction client ({@link FedRecon}) runs in a round:
 * {@code <weights=<global=G, non_trainable=N>, data=<x,y>*> -> <update=G, update_weight=float32,
 * metrics=M, non_finite=int32>}. It initializes the local weights from the model's initializers
 * (seeded by the run seed, the client id and the received global weights), reconstructs them on its
 * data with the global weights frozen, trains the global weights with the local ones frozen, and
 * returns the global delta; the local weights never leave it.
 *
 * <p>The computation is shippable, as {@link ClientTraining} is: its {@link #descriptor()} holds the
 * engine name, the run seed, the client weighting, whether the data is split, the names of the local
 * weights and both phases' {@link TrainingSpec} JSON (the model inside them), and {@link Factory}
 * rebuilds it in another JVM, where a deploy client resolves it from its allow-list. The global
 * weights are not described: they are the model's other trainable weights, in the model's order,
 * as {@link FedRecon#builder} derives them, so a descriptor cannot name a split the builder would
 * refuse.
 */
public final class ReconstructionTraining extends LocalComputation {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORMAT = "fl4j.fed_recon_client";

    private final FedRecon.Reconstruction reconstruction;
    private final ClientWeighting weighting;

    ReconstructionTraining(FedRecon.Reconstruction reconstruction, ClientWeighting weighting, FunctionType type) {
        super("fed_recon_client", type);
        this.reconstruction = Objects.requireNonNull(reconstruction, "reconstruction");
        this.weighting = Objects.requireNonNull(weighting, "weighting");
    }

    @Override
    protected Value apply(Value arg, ClientContext context) {
        return reconstruction.train((Struct) arg, context, weighting);
    }

    @Override
    public Optional<ComputationDescriptor> descriptor() {
        ObjectNode config = JSON.createObjectNode();
        config.put("format", FORMAT);
        config.put("version", 1);
        config.put("engine", reconstruction.engineName());
        config.put("seed", reconstruction.seed());
        config.put("split_dataset", reconstruction.split());
        config.put("weighting", weighting.name());
        ArrayNode local = config.putArray("local_weights");
        reconstruction.localNames().forEach(local::add);
        config.put("reconstruction_spec", reconstruction.reconstructionSpec().toJson());
        config.put("training_spec", reconstruction.trainingSpec().toJson());
        return Optional.of(ComputationDescriptor.of(Factory.class, config.toString(), null));
    }

    /**
     * Rebuilds a {@link ReconstructionTraining} from its descriptor's config, refusing one whose local
     * weights are not trainable weights of the model, leave no global weight, or whose two phases train
     * different models.
     */
    public static final class Factory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            JsonNode c = DescriptorConfigs.read(config, FORMAT, "federated reconstruction client");
            TrainingSpec recon =
                    TrainingSpec.fromJson(c.path("reconstruction_spec").asText());
            TrainingSpec train = TrainingSpec.fromJson(c.path("training_spec").asText());
            if (!recon.model().equals(train.model())) {
                throw new IllegalArgumentException("federated reconstruction client: the reconstruction spec's model "
                        + recon.model().name() + " is not the training spec's "
                        + train.model().name());
            }
            Set<String> local = new LinkedHashSet<>();
            JsonNode names = c.path("local_weights");
            if (!names.isArray()) {
                throw new IllegalArgumentException("federated reconstruction client: local_weights must be a list");
            }
            names.forEach(n -> local.add(n.asText()));
            ClientWeighting weighting =
                    ClientWeighting.valueOf(c.path("weighting").asText());
            FedRecon.Builder b = FedRecon.builder(train.model(), local)
                    .setClientOptimizer(train.clientOptimizer())
                    .optEpochs(train.epochs())
                    .optReconstructionOptimizer(recon.clientOptimizer())
                    .optReconstructionEpochs(recon.epochs())
                    .optSplitDataset(c.path("split_dataset").asBoolean())
                    .optClientWeighting(weighting)
                    .optEngine(ModelEngines.byName(c.path("engine").asText()))
                    .optSeed(c.path("seed").asLong());
            return b.buildClientTraining();
        }
    }
}
