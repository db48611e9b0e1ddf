package dev.fl4j.learning.keras;

import dev.fl4j.core.testing.Fuzz;
import dev.fl4j.learning.zoo.Models;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versioned model-spec JSON: reading any input, and deriving what a receiver derives from the spec
 * (input spec, weight types, parameter count), ends in an {@link IllegalArgumentException}. Seeds
 * include every layer type, hostile sizes and nesting far past Jackson's depth limit.
 */
class ModelSpecFuzzTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String replaced(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new IllegalStateException("seed lacks " + from + ": " + text);
        }
        return text.replace(from, to);
    }

    @Test
    void modelSpecJson() {
        String cnn = Models.fedAvgCnn(62).toJson();
        Fuzz.named("model spec")
                .seed(utf8(ModelSpecTest.everyLayer().toJson()))
                .seed(utf8(cnn))
                .seed(utf8(Models.characterLstm(81, 80, 16, 2).toJson()))
                .seed(utf8(Models.twoNN(10).toJson()))
                .seed(utf8(replaced(cnn, "[ 28, 28, 1 ]", "[ 2147483647, 2147483647, 2147483647 ]")))
                .seed(utf8(replaced(Models.twoNN(10).toJson(), "200", "2147483647")))
                .seed(utf8("{\"format\": \"fl4j.model_spec\", \"version\": 1, \"name\": \"n\", \"layers\": "
                        + new String(Fuzz.nested(utf8("["), utf8("{}"), utf8("]"), 20_000), StandardCharsets.UTF_8)
                        + "}"))
                .seed(Fuzz.nested(utf8("{\"a\":"), utf8("1"), utf8("}"), 20_000))
                .expecting(IllegalArgumentException.class)
                .inputs(5_000)
                .truncations(400)
                .run(bytes -> {
                    ModelSpec spec = ModelSpec.fromJson(new String(bytes, StandardCharsets.UTF_8));
                    spec.inputSpec();
                    spec.weightsType();
                    spec.countParams();
                });
    }

    /** The same through a real file, as {@code --model FILE} reads it: bytes that are not UTF-8 included. */
    @Test
    void modelSpecFile(@TempDir Path tmp) {
        Path file = tmp.resolve("model.json");
        Fuzz.named("model spec file")
                .seed(utf8(Models.fedAvgCnn(10).toJson()))
                .seed(utf8(ModelSpecTest.everyLayer().toJson()))
                .expecting(IllegalArgumentException.class)
                .inputs(1_500)
                .truncations(200)
                .run(bytes -> {
                    Files.write(file, bytes);
                    ModelSpec.read(file).countParams();
                });
    }
}
