package dev.fl4j.simulation.datasets;

import dev.fl4j.core.testing.Fuzz;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TFF's federated EMNIST HDF5: opening it and reading every client ends in a
 * {@link DatasetFileException} on any input. Content is read in memory, as {@link EmnistH5#open(Path)}
 * reads a mapped file; a smaller campaign goes through files. The checksummed campaign recomputes the
 * superblock and object header checksums after mutating, so the mutations reach the sizes,
 * dimensions and addresses behind them instead of stopping at jHDF's checksum check.
 */
class EmnistH5FuzzTest {

    @TempDir
    Path dir;

    private Fuzz seeded(String name) throws Exception {
        byte[] jhdf = Files.readAllBytes(
                DatasetFixtures.emnistH5(dir.resolve("seed.h5"), new String[] {"f0", "f1"}, new int[] {2, 1}));
        byte[] h5py;
        try (InputStream in = EmnistH5FuzzTest.class.getResourceAsStream("/emnist/h5py_fixture.h5")) {
            h5py = in.readAllBytes();
        }
        return Fuzz.named(name)
                .seed(jhdf)
                .seed(h5py)
                .expecting(DatasetFileException.class)
                .truncations(300);
    }

    private static void readAll(Path name, byte[] content) {
        try (EmnistH5 data = EmnistH5.open(name, ByteBuffer.wrap(content))) {
            for (String id : data.clientIds()) {
                data.examplesFor(id);
            }
        }
    }

    @Test
    void asStored() throws Exception {
        seeded("emnist h5").inputs(2_000).run(bytes -> readAll(Path.of("fuzz.h5"), bytes));
    }

    @Test
    void throughFiles() throws Exception {
        Path f = dir.resolve("fuzz.h5");
        seeded("emnist h5 files").inputs(200).truncations(30).run(bytes -> {
            byte[] b = bytes.clone();
            DatasetFixtures.fixHdf5Checksums(b);
            Files.write(f, b);
            try (EmnistH5 data = EmnistH5.open(f)) {
                for (String id : data.clientIds()) {
                    data.examplesFor(id);
                }
            }
        });
    }

    @Test
    void withChecksumsRecomputed() throws Exception {
        seeded("emnist h5 checksummed").inputs(3_000).run(bytes -> {
            byte[] b = bytes.clone();
            DatasetFixtures.fixHdf5Checksums(b);
            readAll(Path.of("fuzz.h5"), b);
        });
    }
}
