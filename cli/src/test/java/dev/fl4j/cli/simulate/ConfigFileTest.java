package dev.fl4j.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

    private static final Set<String> KEYS =
            Set.of("dataset", "partition", "clients", "seed", "client-lr", "aggregator", "progress", "model");

    @TempDir
    static Path dir;

    private static Path YAML;
    private static Path JSON;

    @BeforeAll
    static void files() {
        YAML = dir.resolve("run.yaml");
        JSON = dir.resolve("run.json");
    }

    private static Map<String, String> parse(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ConfigFile.read(file, KEYS);
    }

    private static void assertRefused(Path file, String text, String expected) {
        UsageException e = assertThrows(UsageException.class, () -> parse(file, text), text);
        assertTrue(e.getMessage().startsWith("--config " + file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), text + " → " + e.getMessage());
    }

    @Test
    void valuesReachTheOptionsAsWritten() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("dataset", "fashion-mnist");
        expected.put("partition", "shards:2");
        expected.put("clients", "100");
        expected.put("client-lr", "1e-3");
        expected.put("aggregator", "mean,compression");
        expected.put("progress", "false");
        expected.put("model", "2nn");
        expected.put("seed", "010");
        assertEquals(
                expected,
                parse(
                        YAML,
                        String.join(
                                "\n",
                                "dataset: fashion-mnist",
                                "partition: shards:2",
                                "clients: 100",
                                "client-lr: 1e-3",
                                "aggregator: [mean, compression]",
                                "progress: False",
                                "model: 2nn",
                                "seed: '010'",
                                "")));
        assertEquals(
                expected,
                parse(
                        JSON,
                        "{\"dataset\": \"fashion-mnist\", \"partition\": \"shards:2\", \"--clients\": 100, "
                                + "\"client-lr\": 1e-3,"
                                + " \"aggregator\": [\"mean\", \"compression\"], \"progress\": false, \"model\": "
                                + "\"2nn\", \"seed\": \"010\"}"));
        assertEquals(Map.of(), parse(YAML, "# nothing set\n"));
        assertEquals(Map.of(), parse(JSON, ""));
        assertEquals(Map.of("seed", "0x10"), parse(YAML, "seed: !!str 0x10"));
        assertEquals(Map.of("clients", "-5", "client-lr", ".5"), parse(YAML, "clients: -5\nclient-lr: .5"));
    }

    /** Last-wins in Jackson, an error in SnakeYAML's loader, first-wins elsewhere: refused, naming both lines. */
    @Test
    void duplicateKeysAreRefused() {
        assertRefused(
                JSON,
                "{\"clients\": 10,\n \"seed\": 1,\n \"clients\": 20}",
                "'clients' is given twice (lines 1 and 3)");
        assertRefused(JSON, "{\"clients\": 10, \"--clients\": 20}", "'clients' is given twice");
        assertRefused(YAML, "clients: 10\nseed: 1\nclients: 20\n", "'clients' is given twice (lines 1 and 3)");
    }

    /** Each YAML 1.1 coercion that would turn what was written into something else, named with key and line. */
    @Test
    void versionDependentYamlScalarsAreRefused() {
        String[][] cases = {
            {"no", "'model' (line 2): no is a boolean in YAML 1.1 but text in YAML 1.2"},
            {"yes", "yes is a boolean in YAML 1.1"},
            {"On", "On is a boolean in YAML 1.1"},
            {"off", "off is a boolean in YAML 1.1"},
            {"y", "y is a boolean in YAML 1.1"},
            {"N", "N is a boolean in YAML 1.1"},
            {"0x10", "'model' (line 2): 0x10 is read as a different number, or as text, depending on the YAML version"},
            {"010", "010 is read as a different number"},
            {"0o17", "0o17 is read as a different number"},
            {"0b101", "0b101 is read as a different number"},
            {"09", "09 is read as a different number"},
            {"1_000", "1_000 is read as a different number"},
            {"1_000.5", "1_000.5 is read as a different number"},
            {"1:20", "1:20 is read as a different number"},
            {"-1:20:30.5", "-1:20:30.5 is read as a different number"},
            {"1.2.3", "1.2.3 is read as a different number"},
            {".inf", ".inf is a YAML special number"},
            {"-.Inf", "-.Inf is a YAML special number"},
            {".NaN", ".NaN is a YAML special number"},
            {"~", "'model' (line 2): has no value (~ is null)"},
            {"null", "has no value (null is null)"},
            {"", "'model' (line 2): has no value;"},
            {"!!int 12", "the tag tag:yaml.org,2002:int is not supported"},
        };
        for (String[] c : cases) {
            assertRefused(YAML, "dataset: x\nmodel: " + c[0] + "\n", c[1]);
        }
        assertRefused(YAML, "aggregator: [mean, off]", "'aggregator[1]' (line 1): off is a boolean in YAML 1.1");
        for (String quoted : new String[] {"'no'", "\"0x10\"", "'1_000'", "\"1:20\"", "'~'"}) {
            assertEquals(
                    quoted.substring(1, quoted.length() - 1),
                    parse(YAML, "model: " + quoted).get("model"),
                    "quoted text is text");
        }
    }

    @Test
    void shapesOtherThanAFlatMappingAreRefused() {
        assertRefused(
                YAML,
                "clients:\n  a: 1\n",
                "'clients' must be a value or a list of plain values, not a mapping (line 2)");
        assertRefused(YAML, "aggregator: [mean, [x]]", "'aggregator[1]' must be a plain value, not a list (line 1)");
        assertRefused(
                YAML, "seed: &s 1\nclients: *s\n", "'clients' must be a value or a list of plain values, not an alias");
        assertRefused(YAML, "- a\n- b\n", "expected a mapping of option names to values, got a list (line 1)");
        assertRefused(
                YAML, "seed: 1\n---\nseed: 2\n", "holds more than one YAML document (the second starts on line 2)");
        assertRefused(YAML, "seed: [1", "not valid YAML: ");
        assertRefused(YAML, "sed: 1", "unknown setting 'sed' (line 1); valid settings: aggregator, client-lr, clients");
        assertRefused(
                JSON,
                "{\"clients\": {\"a\": 1}}",
                "'clients' must be a value or a list of plain values, not an object (line 1)");
        assertRefused(JSON, "{\"clients\": null}", "'clients' is null (line 1)");
        assertRefused(JSON, "[1]", "expected an object of option names to values, got a list");
        assertRefused(JSON, "{\"seed\": 1} {\"seed\": 2}", "has content after its object");
        assertRefused(JSON, "{\"seed\": 1", "not valid JSON: ");
    }
}
