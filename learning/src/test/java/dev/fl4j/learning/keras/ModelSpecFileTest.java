package dev.fl4j.learning.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.learning.zoo.Models;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-spec files as a user writes them: read back to the same spec, and every kind of mistake refused with the
 * file, the JSON path of the field and what was wrong; values are never coerced from another JSON type.
 */
class ModelSpecFileTest {

    @TempDir
    Path tmp;

    private static final String TWO_NN = Models.twoNN(10).toJson();

    private Path file(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private String error(String text) throws Exception {
        Path f = file("model.json", text);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.read(f));
        assertTrue(e.getMessage().startsWith("model spec " + f + ": "), e.getMessage());
        return e.getMessage();
    }

    private static String replaced(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new IllegalStateException("no " + from + " in " + text);
        }
        return text.replace(from, to);
    }

    @Test
    void aWrittenSpecFileReadsBackAsTheSameSpec() throws Exception {
        ModelSpec cnn = Models.fedAvgCnn(10);
        Path f = tmp.resolve("cnn.json");
        cnn.write(f);
        assertEquals(cnn, ModelSpec.read(f));
        assertEquals(1_663_370L, ModelSpec.read(f).countParams());
    }

    @Test
    void unknownLayersAndFieldsAndMissingFieldsNameTheirPath() throws Exception {
        String m = error(replaced(TWO_NN, "\"Dense\"", "\"java.lang.Runtime\""));
        assertTrue(m.contains("layers[1]") && m.contains("java.lang.Runtime") && m.contains("known type ids"), m);
        m = error(replaced(TWO_NN, "\"units\" : 200,", "\"units\" : 200, \"kernel_regularizer\" : null,"));
        assertTrue(m.contains("(at layers[1].kernel_regularizer)") && m.contains("Unrecognized field"), m);
        m = error(replaced(TWO_NN, "\"shape\" : [ 784 ],", ""));
        assertTrue(m.endsWith("(at layers[0].shape): missing field 'shape'"), m);
        m = error(replaced(TWO_NN, "\"class_name\" : \"InputLayer\",", "\"class_name\" : \"Flatten\","));
        assertTrue(m.contains("(at layers[0].shape)") && m.contains("Unrecognized field"), m);
        m = error(replaced(TWO_NN, "\"loss\" : {", "\"losses\" : {"));
        assertTrue(m.endsWith("(at loss): missing field 'loss'"), m);
    }

    @Test
    void valuesOfAnotherJsonTypeAreNotCoerced() throws Exception {
        String m = error(replaced(TWO_NN, "\"units\" : 200,", "\"units\" : \"200\","));
        assertTrue(m.endsWith("(at layers[1].units): Cannot coerce String value (\"200\") to `int` value"), m);
        m = error(replaced(TWO_NN, "\"units\" : 200,", "\"units\" : 200.5,"));
        assertTrue(m.contains("(at layers[1].units)") && m.contains("Floating-point value (200.5)"), m);
        m = error(replaced(TWO_NN, "\"units\" : 200,", "\"units\" : null,"));
        assertTrue(m.contains("(at layers[1].units)") && m.contains("null"), m);
        m = error(TWO_NN.replaceFirst("\"use_bias\" : true", "\"use_bias\" : 1"));
        assertTrue(m.contains("(at layers[1].use_bias)") && m.contains("Integer value (1)"), m);
        m = error(TWO_NN.replaceFirst("\"use_bias\" : true", "\"use_bias\" : \"true\""));
        assertTrue(m.contains("(at layers[1].use_bias)"), m);
        m = error(replaced(TWO_NN, "\"shape\" : [ 784 ]", "\"shape\" : [ \"784\" ]"));
        assertTrue(m.contains("(at layers[0].shape[0])"), m);
        m = error(replaced(TWO_NN, "\"name\" : \"two_nn\"", "\"name\" : 7"));
        assertTrue(m.contains("(at name)"), m);
        m = error(TWO_NN.replaceFirst("\"relu\"", "\"gelu\""));
        assertTrue(m.contains("(at layers[1].activation)") && m.contains("gelu"), m);
        m = error(TWO_NN + "{}");
        assertTrue(m.contains("Trailing token"), m);
    }

    @Test
    void absurdSizesAreRefusedBeforeAnyWeightExists() throws Exception {
        String m = error(replaced(TWO_NN, "\"shape\" : [ 784 ]", "\"shape\" : [ 0 ]"));
        assertTrue(m.contains("positive dimensions"), m);
        // 20 layers of 8192 × 8192: each fits an array, together 1.3 billion parameters
        StringBuilder layers = new StringBuilder();
        String dense = "{\"class_name\":\"Dense\",\"units\":8192,\"activation\":\"relu\",\"use_bias\":false,"
                + "\"kernel_initializer\":{\"class_name\":\"Zeros\"},\"bias_initializer\":{\"class_name\":\"Zeros\"}}";
        for (int i = 0; i < 20; i++) {
            layers.append(',').append(dense);
        }
        String huge = "{\"format\":\"fl4j.model_spec\",\"version\":1,\"name\":\"huge\",\"layers\":["
                + "{\"class_name\":\"InputLayer\",\"shape\":[8192],\"dtype\":\"float32\"}" + layers
                + "],\"loss\":{\"class_name\":\"MeanSquaredError\"},\"metrics\":[\"loss\"]}";
        m = error(huge);
        assertTrue(m.contains("has 1342177280 parameters, more than the 268435456 a model may have"), m);
        assertThrows(
                IllegalArgumentException.class,
                () -> new ModelSpec(
                        "huge",
                        List.of(InputLayer.of(65_536), Dense.of(8_192)),
                        Loss.meanSquaredError(),
                        List.of(Metric.LOSS)));
    }

    @Test
    void filesThatAreNotSpecsAreRefusedNamingTheFile() throws Exception {
        Path missing = tmp.resolve("nope.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.read(missing));
        assertEquals("model spec " + missing + ": no such file", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.read(tmp));
        assertEquals("model spec " + tmp + ": not a regular file", e.getMessage());
        Path big = tmp.resolve("big.json");
        Files.write(big, new byte[ModelSpec.MAX_FILE_BYTES + 1]);
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.read(big));
        assertTrue(e.getMessage().contains("1048577 bytes, more than the 1048576"), e.getMessage());
        Path latin1 = tmp.resolve("latin1.json");
        Files.write(latin1, new byte[] {'{', (byte) 0xE9, '}'});
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.read(latin1));
        assertEquals("model spec " + latin1 + ": not UTF-8 text", e.getMessage());
        String m = error("[1, 2]");
        assertTrue(m.contains("expected a JSON object holding a fl4j.model_spec document"), m);
        m = error(replaced(TWO_NN, "fl4j.model_spec", "keras.Sequential"));
        assertTrue(m.contains("expected format 'fl4j.model_spec' but got 'keras.Sequential'"), m);
    }
}
