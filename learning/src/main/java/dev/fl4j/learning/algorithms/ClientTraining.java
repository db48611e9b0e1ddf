package dev.fl4j.learning.algorithms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fl4j.core.DType;
import dev.fl4j.core.FunctionType;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactory;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.learning.keras.Metrics;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ClientUpdateResult;
import dev.fl4j.learning.model.GradientResult;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import java.util.Optional;

/**
 * What a client runs in a round: {@code <weights=W, data=<x,y>*> -> <update=T, update_weight=float32,
 * metrics=M>}. In {@link Mode#TRAIN} the update is the model delta {@code initial − trained} of the
 * trainable weights (FedAvg, FedProx); in {@link Mode#GRADIENT} it is the mean loss gradient at the
 * received weights (FedSGD). Either way a server optimizer applies it as a pseudo-gradient.
 *
 * <p>The computation is shippable: its {@link #descriptor()} holds the engine name, mode, weighting,
 * run seed and the {@link TrainingSpec} JSON, and {@link Factory} rebuilds it in another JVM. On a
 * runtime it keeps one {@link ClientTrainer} per worker (a worker resource), so graphs are built
 * once per worker and only weights are assigned per client.
 *
 * <p>Randomness on the client (dropout) is seeded from the run seed, the client id and a fingerprint
 * of the received model, which changes every round; nothing extra has to be sent.
 */
public final class ClientTraining extends LocalComputation {

    /** What the client computes. */
    public enum Mode {
        TRAIN,
        GRADIENT
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TensorType WEIGHT = TensorType.scalar(DType.FLOAT32);

    private final String engineName;
    private final TrainingSpec spec;
    private final Mode mode;
    private final ClientWeighting weighting;
    private final long seed;
    private final String trainerKey;

    public ClientTraining(ModelEngine engine, TrainingSpec spec, Mode mode, ClientWeighting weighting, long seed) {
        super(mode == Mode.TRAIN ? "client_train" : "client_gradient", signature(spec));
        this.engineName = engine.name();
        this.spec = spec;
        this.mode = mode;
        this.weighting = weighting;
        this.seed = seed;
        this.trainerKey = "trainer/" + engineName + "/" + spec.toJson();
    }

    private static FunctionType signature(TrainingSpec spec) {
        StructType weights = spec.model().weightsType();
        Type param = StructType.builder()
                .add("weights", weights)
                .add("data", new SequenceType(spec.model().inputSpec()))
                .build();
        Type result = StructType.builder()
                .add("update", weights.get("trainable"))
                .add("update_weight", WEIGHT)
                .add("metrics", Metrics.unfinalizedType(spec.model().metrics()))
                .build();
        return new FunctionType(param, result);
    }

    public TrainingSpec spec() {
        return spec;
    }

    @Override
    protected Value apply(Value arg, ClientContext context) {
        Struct a = (Struct) arg;
        ModelWeights initial = ModelWeights.fromStruct(a.get("weights"));
        SequenceValue data = (SequenceValue) a.get("data");
        ClientTrainer trainer = context.workerResource(
                trainerKey, () -> ModelEngines.byName(engineName).newTrainer(spec));
        long clientSeed = Seeds.derive(seed, Seeds.purpose(String.valueOf(context.clientId())), fingerprint(initial));
        Value update;
        long examples;
        Struct metrics;
        if (mode == Mode.TRAIN) {
            ClientUpdateResult r = trainer.trainUpdate(initial, data, clientSeed);
            update = r.update();
            examples = r.numExamples();
            metrics = r.unfinalizedMetrics();
        } else {
            GradientResult g = trainer.gradients(initial, data, clientSeed);
            update = g.meanGradient();
            examples = g.numExamples();
            metrics = g.unfinalizedMetrics();
        }
        return Struct.named(
                "update", update, "update_weight", Tensor.scalar(weighting.weightFor(examples)), "metrics", metrics);
    }

    /** A cheap fingerprint of the model: bits of up to 64 evenly spaced elements of every tensor. */
    static long fingerprint(ModelWeights w) {
        long h = 0;
        for (Tensor t : w.trainableTensors()) {
            float[] v = t.floatData();
            int step = Math.max(1, v.length / 64);
            for (int i = 0; i < v.length; i += step) {
                h = SplitMix64.mix(h + Float.floatToRawIntBits(v[i]));
            }
        }
        return h;
    }

    @Override
    public Optional<ComputationDescriptor> descriptor() {
        ObjectNode config = JSON.createObjectNode();
        config.put("format", "fl4j.client_training");
        config.put("version", 1);
        config.put("engine", engineName);
        config.put("mode", mode.name());
        config.put("weighting", weighting.name());
        config.put("seed", seed);
        config.put("training_spec", spec.toJson());
        return Optional.of(ComputationDescriptor.of(Factory.class, config.toString(), null));
    }

    /** Rebuilds a {@link ClientTraining} from its descriptor's config. */
    public static final class Factory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            JsonNode c = DescriptorConfigs.read(config, "fl4j.client_training", "client training");
            return new ClientTraining(
                    ModelEngines.byName(c.path("engine").asText()),
                    TrainingSpec.fromJson(c.path("training_spec").asText()),
                    Mode.valueOf(c.path("mode").asText()),
                    ClientWeighting.valueOf(c.path("weighting").asText()),
                    c.path("seed").asLong());
        }
    }
}
