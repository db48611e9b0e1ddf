package dev.fl4j.simulation.datasets;

import dev.fl4j.core.testing.Fuzz;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TFF's federated EMNIST HDF5: opening a file and reading every client ends in a
 * {@link DatasetFileException} on any input. The second campaign recomputes the superblock and
 * object header checksums after mutating, so the mutations reach the sizes, dimensions and
 * addresses behind them instead of stopping at jHDF's checksum check.
 */
class EmnistH5FuzzTest {

    @TempDir
    Path dir;

    private Fuzz seeded(String name) throws Exception {
        byte[] jhdf = Files.readAllBytes(DatasetFixtures.emnistH5(dir.resolve("seed.h5"), new String[] {"f0", "f1"}, new int[] {2, 1}));
        byte[] h5py;
        try (InputStream in = EmnistH5FuzzTest.class.getResourceAsStream("/emnist/h5py_fixture.h5")) {
            h5py = in.readAllBytes();
        }
        return Fuzz.named(name).seed(jhdf).seed(h5py).expecting(DatasetFileException.class).truncations(300);
    }

    private static void readAll(Path f) {
        try (EmnistH5 data = EmnistH5.open(f)) {
            for (String id : data.clientIds()) {
                data.examplesFor(id);
            }
        }
    }

    @Test
    void asStored() throws Exception {
        Path f = dir.resolve("fuzz.h5");
        seeded("emnist h5").inputs(1_500).run(bytes -> {
            Files.write(f, bytes);
            readAll(f);
        });
    }

    @Test
    void withChecksumsRecomputed() throws Exception {
        Path f = dir.resolve("fuzz.h5");
        seeded("emnist h5 checksummed").inputs(2_500).run(bytes -> {
            byte[] b = bytes.clone();
            DatasetFixtures.fixHdf5Checksums(b);
            Files.write(f, b);
            readAll(f);
        });
    }
}
