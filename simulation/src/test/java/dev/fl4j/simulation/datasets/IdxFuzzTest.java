package dev.fl4j.simulation.datasets;

import dev.fl4j.core.testing.Fuzz;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IDX files (MNIST, Fashion-MNIST), plain and gzip: every input ends in a {@link DatasetFileException}.
 * The IDX reader is driven in memory; images files paired with labels go through the files.
 */
class IdxFuzzTest {

    @TempDir
    Path dir;

    @Test
    void idxContent() throws Exception {
        byte[] images = DatasetFixtures.idx(new int[] {2, 28, 28}, DatasetFixtures.images(2));
        byte[] labels = DatasetFixtures.idx(new int[] {3}, DatasetFixtures.labels(3));
        Path name = Path.of("train-images-idx3-ubyte");
        Fuzz.named("idx")
                .seed(images)
                .seed(DatasetFixtures.gzip(images))
                .seed(labels)
                .seed(DatasetFixtures.gzip(labels))
                .seed(DatasetFixtures.idx(new int[] {2, 3, 4}, new byte[24]))
                .seed(DatasetFixtures.idx(new int[] {3, 1, 1, 1}, new byte[3]))
                .seed(DatasetFixtures.idx(new int[] {1 << 21, 1 << 21, 1 << 22}, new byte[0]))
                .seed(DatasetFixtures.idx(new int[] {Integer.MAX_VALUE, 28, 28}, new byte[8]))
                .expecting(DatasetFileException.class)
                .inputs(10_000)
                .run(bytes -> Idx.read(name, bytes));
    }

    @Test
    void imagesWithLabels() throws Exception {
        Path images = dir.resolve("train-images-idx3-ubyte");
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        Files.write(labels, DatasetFixtures.idx(new int[] {2}, DatasetFixtures.labels(2)));
        byte[] valid = DatasetFixtures.idx(new int[] {2, 28, 28}, DatasetFixtures.images(2));
        Fuzz.named("idx labeled images")
                .seed(valid)
                .seed(DatasetFixtures.gzip(valid))
                .seed(DatasetFixtures.idx(new int[] {2, 0, 28}, new byte[0]))
                .expecting(DatasetFileException.class)
                .inputs(1_000)
                .truncations(100)
                .run(bytes -> {
                    Files.write(images, bytes);
                    Idx.labeledImages(images, labels, 10);
                });
    }
}
