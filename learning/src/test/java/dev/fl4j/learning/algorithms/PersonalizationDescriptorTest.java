package dev.fl4j.learning.algorithms;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.zoo.Models;
import org.junit.jupiter.api.Test;

/**
 * The descriptor of personalization's client work as an executor reads it: a config that does not fit is refused
 * naming what is wrong, before any engine is asked for (the rebuilt work on a real engine is tested on Spark).
 */
class PersonalizationDescriptorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final ModelSpec MODEL = Models.softmaxRegression(3, 2);

    /** A config in the documented layout: strategies {@code names}, each one epoch of SGD at 0.1. */
    static String config(String engine, String... names) {
        TrainingSpec[] specs = new TrainingSpec[names.length];
        java.util.Arrays.fill(specs, TrainingSpec.of(MODEL, Sgd.of(0.1f)));
        return config(engine, names, specs);
    }

    /** A config with strategy {@code names[i]} fine-tuning as {@code specs[i]} says. */
    static String config(String engine, String[] names, TrainingSpec[] specs) {
        ObjectNode c = JSON.createObjectNode();
        c.put("format", "fl4j.personalization_eval");
        c.put("version", 1);
        c.put("engine", engine);
        c.put("seed", 5);
        c.put("model", MODEL.toJson());
        ArrayNode strategies = c.putArray("strategies");
        for (int i = 0; i < names.length; i++) {
            strategies.addObject().put("name", names[i]).put("training_spec", specs[i].toJson());
        }
        return c.toString();
    }

    private static void assertRefused(String config, Value payload, String expected) {
        ComputationDescriptor d =
                new ComputationDescriptor(PersonalizationEvaluation.Factory.class.getName(), config, payload);
        MalformedDataException e = assertThrows(
                MalformedDataException.class,
                () -> ComputationDescriptor.fromBytes(d.toBytes()).rebuild());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aConfigThatDoesNotFitIsRefusedNamingWhatIsWrong() {
        String good = config("no_such_engine", "one", "two");
        assertRefused(good, Tensor.scalar(1), "takes no payload");
        assertRefused(
                "{\"format\": \"fl4j.client_training\", \"version\": 1}", null, "not an fl4j.personalization_eval");
        assertRefused(good.replace("\"seed\":5", "\"seed\":\"5\""), null, "'seed' must be an int64");
        assertRefused(good.replace("\"engine\":\"no_such_engine\"", "\"engine\":7"), null, "'engine' must be a name");
        assertRefused(config("no_such_engine"), null, "'strategies' must be a non-empty array");
        assertRefused(config("no_such_engine", "one", "one"), null, "strategy 'one' is named twice");
        assertRefused(config("no_such_engine", "One"), null, "strategy name 'One' must be a lower-case identifier");
        assertRefused(config("no_such_engine", "num_clients"), null, "other than baseline_metrics and num_clients");
        String[] one = {"one"};
        assertRefused(
                config("no_such_engine", one, new TrainingSpec[] {
                    TrainingSpec.of(Models.softmaxRegression(4, 2), Sgd.of(0.1f))
                }),
                null,
                "strategy 'one' fine-tunes another model than the one evaluated");
        assertRefused(
                config("no_such_engine", one, new TrainingSpec[] {
                    TrainingSpec.of(MODEL, Sgd.of(0.1f)).toBuilder()
                            .optProximalMu(0.5f)
                            .build()
                }),
                null,
                "strategy 'one' has proximal_mu 0.5");
        assertRefused(good, null, "no_such_engine");
    }
}
