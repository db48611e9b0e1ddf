package dev.fl4j.simulation.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.simulation.data.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    @TempDir
    Path dir;

    @Test
    void readsPlainAndGzipAndScalesPixels() throws Exception {
        for (boolean gz : new boolean[] {false, true}) {
            Path d = dir.resolve("gz" + gz);
            DatasetFixtures.writeDataset(d, 12, 5, gz);
            TrainTest tt = Mnist.fromIdx(d);
            Examples train = tt.train();
            assertEquals(12, train.size());
            assertEquals(5, tt.test().size());
            assertEquals("<x=float32[28,28,1],y=int32>", train.exampleType().toString());
            assertEquals(((3 * 37 + 11) % 256) / 255f, train.floats("x")[3 * 784 + 100]);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1}, train.ints("y"));
        }
    }

    @Test
    void truncatedDataNamesFileAndCounts() throws Exception {
        byte[] full = DatasetFixtures.idx(new int[] {10, 28, 28}, DatasetFixtures.images(10));
        Path f = dir.resolve("short-idx3-ubyte");
        Files.write(f, Arrays.copyOf(full, full.length - 100));
        DatasetFileException e = assertThrows(DatasetFileException.class, () -> Idx.read(f));
        assertEquals(f, e.file());
        assertTrue(
                e.getMessage()
                        .contains("truncated: header declares dimensions [10, 28, 28] = 7840 bytes of data but the "
                                + "file holds only 7740"),
                e.getMessage());

        Path g = dir.resolve("short.gz");
        byte[] gz = DatasetFixtures.gzip(full);
        Files.write(g, Arrays.copyOf(gz, gz.length / 2));
        e = assertThrows(DatasetFileException.class, () -> Idx.read(g));
        assertTrue(e.getMessage().startsWith(g.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void rejectsBadHeadersTrailingBytesAndMismatchedLabels() throws Exception {
        Path notIdx = dir.resolve("page.html");
        Files.writeString(notIdx, "<html>not found</html>");
        assertTrue(assertThrows(DatasetFileException.class, () -> Idx.read(notIdx))
                .getMessage()
                .contains("not an IDX file"));

        Path floats = dir.resolve("floats");
        Files.write(floats, new byte[] {0, 0, 0x0D, 1, 0, 0, 0, 0});
        assertTrue(assertThrows(DatasetFileException.class, () -> Idx.read(floats))
                .getMessage()
                .contains("element type 0x0d"));

        Path extra = dir.resolve("extra");
        byte[] ok = DatasetFixtures.idx(new int[] {3}, new byte[] {1, 2, 3});
        Files.write(extra, Arrays.copyOf(ok, ok.length + 1));
        assertTrue(assertThrows(DatasetFileException.class, () -> Idx.read(extra))
                .getMessage()
                .contains("has bytes after the 3 bytes"));

        assertTrue(assertThrows(DatasetFileException.class, () -> Idx.read(dir.resolve("absent")))
                .getMessage()
                .contains("does not exist"));

        Path images = dir.resolve("img");
        Path labels = dir.resolve("lab");
        Files.write(images, DatasetFixtures.idx(new int[] {4, 28, 28}, DatasetFixtures.images(4)));
        Files.write(labels, DatasetFixtures.idx(new int[] {3}, DatasetFixtures.labels(3)));
        DatasetFileException e = assertThrows(DatasetFileException.class, () -> Idx.labeledImages(images, labels, 10));
        assertTrue(e.getMessage().contains("holds 3 labels but img holds 4 images"), e.getMessage());
        Files.write(labels, DatasetFixtures.idx(new int[] {4}, new byte[] {1, 2, 12, 3}));
        e = assertThrows(DatasetFileException.class, () -> Idx.labeledImages(images, labels, 10));
        assertTrue(e.getMessage().contains("label 12 at index 2 is outside 0..9"), e.getMessage());
    }

    /** [2^21, 2^21, 2^22] multiplies to 2^64, which a long product wraps to 0: an empty file must not pass for that. */
    @Test
    void dimensionsMultiplyingPastTheLongRangeAreRejected() throws Exception {
        Path f = dir.resolve("wraps-idx3-ubyte");
        Files.write(f, DatasetFixtures.idx(new int[] {1 << 21, 1 << 21, 1 << 22}, new byte[0]));
        DatasetFileException e = assertThrows(DatasetFileException.class, () -> Idx.read(f));
        assertEquals(f, e.file());
        assertTrue(
                e.getMessage()
                        .contains("IDX header dimensions [2097152, 2097152, 4194304] multiply past 2^63 bytes of data"),
                e.getMessage());

        Path big = dir.resolve("claims-too-much");
        Files.write(big, DatasetFixtures.idx(new int[] {60_000, 28, 28}, new byte[10]));
        e = assertThrows(DatasetFileException.class, () -> Idx.read(big));
        assertTrue(
                e.getMessage()
                        .contains("truncated: header declares dimensions [60000, 28, 28] = 47040000 bytes of data but "
                                + "the file holds only 10"),
                e.getMessage());
    }

    @Test
    void imagesWithoutPixelsAreADatasetError() throws Exception {
        Path images = dir.resolve("img");
        Path labels = dir.resolve("lab");
        Files.write(images, DatasetFixtures.idx(new int[] {2, 0, 28}, new byte[0]));
        Files.write(labels, DatasetFixtures.idx(new int[] {2}, new byte[] {1, 2}));
        DatasetFileException e = assertThrows(DatasetFileException.class, () -> Idx.labeledImages(images, labels, 10));
        assertEquals(images, e.file());
        assertTrue(e.getMessage().contains("images of dimensions [2, 0, 28] have no pixels"), e.getMessage());
    }
}
