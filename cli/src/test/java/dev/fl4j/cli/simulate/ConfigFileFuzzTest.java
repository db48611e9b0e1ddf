package dev.fl4j.cli.simulate;

import dev.fl4j.core.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code --config} files, JSON and YAML: every input ends in a {@link UsageException} or in settings.
 * (SnakeYAML spends about 10 ms on a document opening with a thousand flow brackets, whatever its
 * length, looking ahead for a possible key; the nested seeds make the YAML campaign the slower one.)
 */
class ConfigFileFuzzTest {

    private static final Set<String> KEYS = Set.of(
            "dataset",
            "partition",
            "clients",
            "clients-per-round",
            "rounds",
            "seed",
            "client-lr",
            "aggregator",
            "progress",
            "model");

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void yaml() {
        Path file = Path.of("run.yaml");
        Fuzz.named("config yaml")
                .seed(utf8(String.join(
                        "\n",
                        "# a run",
                        "dataset: fashion-mnist",
                        "partition: 'shards:2'",
                        "clients: 100",
                        "clients-per-round: 10",
                        "aggregator: [mean, \"compression\"]",
                        "progress: false",
                        "client-lr: 1e-3",
                        "seed: &s 7",
                        "model: |",
                        "  2nn",
                        "")))
                .seed(utf8("{dataset: synthetic, aggregator: [mean, zeroing_mean], rounds: 0x10, seed: "
                        + "no}\n---\nmodel: ~\n"))
                .seed(utf8("? [a, b]\n: {c: *x}\nclients: !!binary aGVsbG8=\nrounds: !<tag:x> 5\n"))
                .seed(Fuzz.nested(utf8("["), utf8("1"), utf8("]"), 2_000))
                .seed(Fuzz.nested(utf8("{a: "), utf8("1"), utf8("}"), 1_000))
                .seed(Fuzz.nested(utf8("- "), utf8("x"), new byte[0], 2_000))
                .seed(utf8("a: &a [x]\nb: &b [*a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b]\nd: [*c, "
                        + "*c, *c, *c, *c, *c]\n"))
                .expecting(UsageException.class)
                .inputs(2_000)
                .truncations(100)
                .run(bytes -> ConfigFile.parse(file, bytes, KEYS));
    }

    @Test
    void json() {
        Path file = Path.of("run.json");
        Fuzz.named("config json")
                .seed(utf8("{\"dataset\": \"synthetic\", \"--clients\": 6, \"clients-per-round\": 3, \"rounds\": 1, "
                        + "\"client-lr\": 0.5e-2,"
                        + " \"aggregator\": [\"mean\", \"zeroing_mean\"], \"progress\": true}"))
                .seed(utf8("{\"seed\": 99999999999999999999999999999999999999, \"rounds\": -1.5E+308, "
                        + "\"model\": \"\\u0000\\ud800\"}"))
                .seed(Fuzz.nested(utf8("{\"a\":"), utf8("1"), utf8("}"), 20_000))
                .seed(Fuzz.nested(utf8("["), new byte[0], utf8("]"), 50_000))
                .expecting(UsageException.class)
                .inputs(5_000)
                .truncations(300)
                .run(bytes -> ConfigFile.parse(file, bytes, KEYS));
    }
}
