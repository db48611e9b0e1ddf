package dev.fl4j.simulation.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.simulation.datasets.DatasetFileException;
import dev.fl4j.simulation.datasets.DatasetFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The input formats of {@code fl4j predict}, read from files the test writes, and what they refuse. */
class FeatureFileTest {

    @TempDir
    Path tmp;

    private static final TensorType IMAGE = new TensorType(DType.FLOAT32, -1, 2, 2);

    private static String message(Path file, String content, TensorType type) throws Exception {
        Files.writeString(file, content);
        return assertThrows(DatasetFileException.class, () -> FeatureFile.read(file, type))
                .getMessage();
    }

    @Test
    void csvWithHeaderAndBlankLinesInTheModelsShape() throws Exception {
        Path f = Files.writeString(tmp.resolve("x.csv"), "a,b,c,d\r\n0.5, 1 ,-2e-1,.25\n\n3,4,5,6\n");
        Tensor x = FeatureFile.read(f, IMAGE);
        assertArrayEquals(new int[] {2, 2, 2}, x.shape());
        assertArrayEquals(new float[] {0.5f, 1, -0.2f, 0.25f, 3, 4, 5, 6}, x.floatData());

        Path ids = Files.writeString(tmp.resolve("ids.csv"), "1,2,3\n-4,5,6\n");
        Tensor t = FeatureFile.read(ids, new TensorType(DType.INT32, -1, 3));
        assertArrayEquals(new int[] {1, 2, 3, -4, 5, 6}, t.intData());
    }

    @Test
    void idxImagesScaledAsTheMnistLoaders() throws Exception {
        Path f = tmp.resolve("images");
        Files.write(f, DatasetFixtures.gzip(DatasetFixtures.idx(new int[] {3, 2, 2}, new byte[] {
            0, (byte) 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8
        })));
        Tensor x = FeatureFile.read(f, IMAGE);
        assertArrayEquals(new int[] {3, 2, 2}, x.shape());
        assertArrayEquals(new float[] {0, 1, 0.2f, 0.4f}, java.util.Arrays.copyOf(x.floatData(), 4));
        Path wide = tmp.resolve("wide");
        Files.write(wide, DatasetFixtures.idx(new int[] {1, 3, 3}, new byte[9]));
        String m = assertThrows(DatasetFileException.class, () -> FeatureFile.read(wide, IMAGE))
                .getMessage();
        assertTrue(m.contains("[1, 3, 3] but the model takes float32[?,2,2] (4 values per example)"), m);
        String ids = assertThrows(
                        DatasetFileException.class, () -> FeatureFile.read(f, new TensorType(DType.INT32, -1, 4)))
                .getMessage();
        assertTrue(ids.contains("give ids as CSV"), ids);
    }

    @Test
    void refusesWithFileLineAndColumn() throws Exception {
        Path f = tmp.resolve("bad.csv");
        assertTrue(message(f, "1,2,3,4\n1,2,3\n", IMAGE).contains("bad.csv: line 2: 3 values, but the model takes 4"));
        assertTrue(message(f, "1,2,x,4\n5,6,7,8\n", IMAGE).contains("line 1, column 3: 'x' is not a number"));
        assertTrue(message(f, "1,2,3,4\n1,2,x,4\n", IMAGE).contains("line 2, column 3: 'x' is not a number"));
        assertTrue(message(f, "1,2,3,4\n1,inf,3,4\n", IMAGE).contains("line 2, column 2: 'inf'"));
        assertTrue(message(f, "1,2,3,4\n1,2,1e39,4\n", IMAGE).contains("1e39 is beyond float32"));
        assertTrue(message(f, "1,2,3,4\n0x10,2,3,4\n", IMAGE).contains("'0x10' is not a number"));
        assertTrue(message(f, "a,b,c,d\n", IMAGE).contains("holds no examples"));
        assertTrue(message(f, "", IMAGE).contains("holds no examples"));
        assertTrue(message(f, "1.5,2,3\n", new TensorType(DType.INT32, -1, 3)).contains("'1.5' is not an integer"));
        assertTrue(message(f, "3000000000,2,3\n", new TensorType(DType.INT32, -1, 3))
                .contains("does not fit an int32"));
        String missing = assertThrows(DatasetFileException.class, () -> FeatureFile.read(tmp.resolve("no"), IMAGE))
                .getMessage();
        assertTrue(missing.contains("does not exist"), missing);
        assertTrue(new String(Files.readAllBytes(f), StandardCharsets.UTF_8).contains("3000000000"));
    }
}
