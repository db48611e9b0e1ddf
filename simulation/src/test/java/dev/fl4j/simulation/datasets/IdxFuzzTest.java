package dev.fl4j.simulation.datasets;

import dev.fl4j.core.testing.Fuzz;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files (MNIST, Fashion-MNIST), plain and gzip, as images and as labels: every input ends in a {@link DatasetFileException}. */
class IdxFuzzTest {

    @TempDir
    Path dir;

    @Test
    void imagesFiles() throws Exception {
        Path images = dir.resolve("train-images-idx3-ubyte");
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        Files.write(labels, DatasetFixtures.idx(new int[] {2}, DatasetFixtures.labels(2)));
        byte[] valid = DatasetFixtures.idx(new int[] {2, 28, 28}, DatasetFixtures.images(2));
        Fuzz.named("idx images")
                .seed(valid)
                .seed(DatasetFixtures.gzip(valid))
                .seed(DatasetFixtures.idx(new int[] {2, 3, 4}, new byte[24]))
                .seed(DatasetFixtures.idx(new int[] {1 << 21, 1 << 21, 1 << 22}, new byte[0]))
                .seed(DatasetFixtures.idx(new int[] {Integer.MAX_VALUE, 28, 28}, new byte[8]))
                .expecting(DatasetFileException.class)
                .inputs(4_000)
                .truncations(600)
                .run(bytes -> {
                    Files.write(images, bytes);
                    Idx.labeledImages(images, labels, 10);
                });
    }

    @Test
    void labelsFiles() throws Exception {
        Path images = dir.resolve("t10k-images-idx3-ubyte");
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        Files.write(images, DatasetFixtures.idx(new int[] {3, 28, 28}, DatasetFixtures.images(3)));
        byte[] valid = DatasetFixtures.idx(new int[] {3}, DatasetFixtures.labels(3));
        Fuzz.named("idx labels")
                .seed(valid)
                .seed(DatasetFixtures.gzip(valid))
                .seed(DatasetFixtures.idx(new int[] {3, 1, 1, 1}, new byte[3]))
                .expecting(DatasetFileException.class)
                .inputs(3_000)
                .run(bytes -> {
                    Files.write(labels, bytes);
                    Idx.labeledImages(images, labels, 10);
                });
    }
}
