package dev.fl4j.simulation.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.simulation.data.Examples;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmnistH5Test {

    @TempDir
    Path dir;

    @Test
    void readsClientsLazilyInTffLayout() {
        Path f = DatasetFixtures.emnistH5(
                dir.resolve("fed_emnist_digitsonly_train.h5"),
                new String[] {"f0002_21", "f0000_14", "f0001_41"},
                new int[] {3, 5, 1});
        try (EmnistH5 data = EmnistH5.open(f)) {
            assertEquals(List.of("f0000_14", "f0001_41", "f0002_21"), data.clientIds());
            assertEquals("<x=float32[28,28,1],y=int32>", data.elementType().toString());
            Examples ex = data.examplesFor("f0002_21");
            assertEquals(3, ex.size());
            assertEquals((0 * 100 + 2 + 3 * 28 + 4) / 10000f, ex.floats("x")[2 * 784 + 3 * 28 + 4]);
            assertEquals(
                    List.of(0, 1, 2),
                    java.util.Arrays.stream(ex.ints("y")).boxed().toList());
            int batches = 0;
            for (Value v : data.preprocess(d -> d.batch(2)).datasetFor("f0000_14")) {
                assertEquals(1 * 100 / 10000f, ((Struct) v).tensor("x").floatData()[0], batches == 0 ? 0 : 1);
                batches++;
            }
            assertEquals(3, batches);
            assertThrows(IllegalArgumentException.class, () -> data.datasetFor("nobody"));
        }
    }

    @Test
    void corruptAndWrongLayoutsAreNamed() throws Exception {
        Path f = DatasetFixtures.emnistH5(dir.resolve("ok.h5"), new String[] {"a"}, new int[] {2});
        byte[] bytes = Files.readAllBytes(f);
        Path truncated = dir.resolve("truncated.h5");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, 200));
        DatasetFileException e = assertThrows(
                DatasetFileException.class, () -> EmnistH5.open(truncated).close());
        assertEquals(truncated, e.file());

        Path garbage = dir.resolve("garbage.h5");
        Files.writeString(garbage, "this is not HDF5 at all".repeat(40));
        e = assertThrows(
                DatasetFileException.class, () -> EmnistH5.open(garbage).close());
        assertTrue(e.getMessage().contains("not a readable HDF5 file"), e.getMessage());

        Path flat = dir.resolve("flat.h5");
        try (WritableHdfFile h = HdfFile.write(flat)) {
            h.putDataset("pixels", new float[] {1, 2});
        }
        e = assertThrows(DatasetFileException.class, () -> EmnistH5.open(flat).close());
        assertTrue(e.getMessage().contains("has no group 'examples'"), e.getMessage());

        Path mismatch = dir.resolve("mismatch.h5");
        try (WritableHdfFile h = HdfFile.write(mismatch)) {
            WritableGroup g = h.putGroup("examples").putGroup("w1");
            g.putDataset("pixels", new float[3][28][28]);
            g.putDataset("label", new int[] {1, 2});
        }
        try (EmnistH5 data = EmnistH5.open(mismatch)) {
            e = assertThrows(DatasetFileException.class, () -> data.datasetFor("w1"));
            assertTrue(
                    e.getMessage().contains("examples/w1/label has dimensions [2] but pixels hold 3 images"),
                    e.getMessage());
        }
        assertTrue(assertThrows(DatasetFileException.class, () -> EmnistH5.open(dir.resolve("absent.h5")))
                .getMessage()
                .contains("does not exist"));
    }

    /** A file written by h5py (see src/test/resources/emnist/make_h5py_fixture.py), one client gzip-compressed. */
    @Test
    void readsAFileWrittenByH5py() throws Exception {
        Path f = dir.resolve("h5py_fixture.h5");
        try (java.io.InputStream in = EmnistH5Test.class.getResourceAsStream("/emnist/h5py_fixture.h5")) {
            java.nio.file.Files.copy(in, f);
        }
        String[] ids = {"f0000_14", "f0001_41", "f0002_07"};
        int[] counts = {3, 2, 4};
        try (EmnistH5 data = EmnistH5.open(f)) {
            assertEquals(List.of(ids), data.clientIds());
            for (int k = 0; k < ids.length; k++) {
                Examples ex = data.examplesFor(ids[k]);
                assertEquals(counts[k], ex.size(), ids[k]);
                for (int i = 0; i < counts[k]; i++) {
                    assertEquals((i + k) % 10, ex.ints("y")[i], ids[k] + " label " + i);
                    for (int r = 0; r < 28; r += 9) {
                        for (int c = 0; c < 28; c += 5) {
                            float expected = (float) (((i * 7 + r * 28 + c + k) % 256) / 255.0);
                            assertEquals(
                                    expected,
                                    ex.floats("x")[i * 784 + r * 28 + c],
                                    ids[k] + " pixel " + i + "," + r + "," + c);
                        }
                    }
                }
            }
        }
    }

    private Path oneClient(String name, Object pixels, Object labels) {
        Path f = dir.resolve(name);
        try (WritableHdfFile h = HdfFile.write(f)) {
            WritableGroup g = h.putGroup("examples").putGroup("w1");
            g.putDataset("pixels", pixels);
            g.putDataset("label", labels);
        }
        return f;
    }

    @Test
    void pixelsMustBeNumbersInTheUnitRangeAndLabelsEmnistClasses() {
        float[][][] nan = new float[2][28][28];
        nan[1][3][4] = Float.NaN;
        float[][][] bright = new float[2][28][28];
        bright[0][0][5] = 255f;
        Object[][] cases = {
            {
                "nan.h5",
                nan,
                new int[] {1, 2},
                "examples/w1/pixels holds NaN at image 1, pixel 88 (flat index 872); pixels must be in [0, 1]"
            },
            {
                "bright.h5",
                bright,
                new int[] {1, 2},
                "examples/w1/pixels holds 255.0 at image 0, pixel 5 (flat index 5); pixels must be in [0, 1]"
            },
            {
                "label.h5",
                new float[2][28][28],
                new int[] {1, 62},
                "examples/w1/label[1] = 62 is not an EMNIST class (0..61)"
            },
            {
                "negative.h5",
                new float[2][28][28],
                new int[] {-1, 2},
                "examples/w1/label[0] = -1 is not an EMNIST class (0..61)"
            },
            {
                "wide.h5",
                new float[2][28][28],
                new long[] {3, 1L << 40},
                "examples/w1/label[1] = 1099511627776 is not an EMNIST class (0..61)"
            },
        };
        for (Object[] c : cases) {
            Path f = oneClient((String) c[0], c[1], c[2]);
            try (EmnistH5 data = EmnistH5.open(f)) {
                DatasetFileException e =
                        assertThrows(DatasetFileException.class, () -> data.examplesFor("w1"), (String) c[0]);
                assertEquals(f, e.file());
                assertTrue(e.getMessage().contains((String) c[3]), e.getMessage());
            }
        }
    }

    /**
     * A header claiming more images than the file holds (patched into the dataspace of a valid file) is refused before
     * jHDF allocates for it.
     */
    @Test
    void sizesPastTheFileAreRefusedBeforeAllocation() throws Exception {
        Object[][] cases = {
            {100_000L, "examples/w1/pixels declares 313600000 bytes of data, more than this "},
            {(long) Integer.MAX_VALUE, "examples/w1/pixels declares 1683627179248 values, too many for one array"},
            {1L << 40, "examples/w1/pixels declares 862017116176384 values, too many for one array"},
        };
        for (Object[] c : cases) {
            Path f = oneClient("huge.h5", new float[2][28][28], new int[] {1, 2});
            byte[] bytes = Files.readAllBytes(f);
            Files.delete(f);
            java.nio.ByteBuffer dims = java.nio.ByteBuffer.allocate(24)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putLong(2)
                    .putLong(28)
                    .putLong(28);
            int at = indexOf(bytes, dims.array());
            assertTrue(at > 0, "the fixture's dataspace [2, 28, 28] was found");
            java.nio.ByteBuffer.wrap(bytes, at, 8)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putLong((Long) c[0]);
            DatasetFixtures.fixHdf5Checksums(bytes);
            Files.write(f, bytes);
            try (EmnistH5 data = EmnistH5.open(f)) {
                DatasetFileException e = assertThrows(DatasetFileException.class, () -> data.examplesFor("w1"));
                assertEquals(f, e.file());
                assertTrue(e.getMessage().contains((String) c[1]), e.getMessage());
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
