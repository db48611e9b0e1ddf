package dev.fl4j.simulation.datasets;

import dev.fl4j.core.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LEAF JSON (FEMNIST and Shakespeare), read in memory as from one file: opening and reading every user
 * of any input ends in a {@link DatasetFileException}, with seeds that carry hostile counts and deep
 * nesting.
 */
class LeafJsonFuzzTest {

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void readAll(LeafJson leaf) {
        for (String id : leaf.clientIds()) {
            leaf.examplesFor(id);
        }
    }

    @Test
    void femnist() throws Exception {
        Path seedFile = DatasetFixtures.femnistJson(dir.resolve("seed.json"), 0, 2);
        String valid = Files.readString(seedFile);
        Path f = Path.of("femnist.json");
        Fuzz.named("leaf femnist")
                .seed(utf8(valid))
                .seed(utf8(valid.replace("\"num_samples\": [1, 2]", "\"num_samples\": [2147483647, -2147483648]")))
                .seed(utf8(valid.replace("\"num_samples\": [1, 2]", "\"num_samples\": [99999999999999999999, 1e300]")))
                .seed(utf8("{\"users\": [\"u\"], \"num_samples\": [1], \"user_data\": {\"u\": {\"x\": "
                        + new String(Fuzz.nested(utf8("["), utf8("0.5"), utf8("]"), 5_000), StandardCharsets.UTF_8)
                        + ", \"y\": [1]}}}"))
                .seed(Fuzz.nested(utf8("{\"users\": "), utf8("[]"), utf8("}"), 20_000))
                .expecting(DatasetFileException.class)
                .inputs(4_000)
                .truncations(500)
                .run(bytes -> readAll(LeafJson.fromContent(true, f, bytes)));
    }

    @Test
    void shakespeare() throws Exception {
        Path seedFile = DatasetFixtures.shakespeareJson(dir.resolve("seed.json"), 2, 3, 20);
        String valid = Files.readString(seedFile);
        Path f = Path.of("shakespeare.json");
        Fuzz.named("leaf shakespeare")
                .seed(utf8(valid))
                .seed(utf8(valid.replace("\"num_samples\": [3, 3]", "\"num_samples\": [2147483647, 1073741824]")))
                .seed(utf8("{\"users\": [\"a\"], \"num_samples\": [1], \"user_data\": {\"a\": {\"x\": "
                        + "[\"\\u00e9\\ud83d\\ude00x\"], \"y\": [\"\\n\"]}}}"))
                .expecting(DatasetFileException.class)
                .inputs(4_000)
                .truncations(500)
                .run(bytes -> readAll(LeafJson.fromContent(false, f, bytes)));
    }
}
