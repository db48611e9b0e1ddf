package dev.fl4j.simulation.datasets;

import dev.fl4j.core.Type;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Federated EMNIST in TFF's HDF5 layout ({@code fed_emnist_train.h5}, {@code fed_emnist_test.h5},
 * and the digits-only variants): a group {@code examples} with one group per writer (client id),
 * each holding {@code pixels} (float, {@code [n, 28, 28]}, values in [0, 1]) and {@code label}
 * (integer, {@code [n]}). Read with jHDF, a pure-Java HDF5 reader.
 *
 * <p>Clients are read lazily: opening the file reads only the group structure and one client's
 * dataset header; a client's pixels are read when its dataset is asked for. Elements are
 * {@code <x=float32[28,28,1], y=int32>}. Client ids are in sorted order. Close when done.
 */
public final class EmnistH5 extends ClientData implements AutoCloseable {

    /** EMNIST's classes: 10 digits, 26 upper-case and 26 lower-case letters. */
    private static final int CLASSES = 62;
    /** The most a deflate stream can expand (about 1032:1), bounding what a compressed dataset may decode to. */
    private static final long MAX_COMPRESSION_RATIO = 1032;
    /** Far above EMNIST's 28×28; only keeps a corrupt header from declaring images that no array holds. */
    private static final long MAX_PIXELS_PER_IMAGE = 1 << 20;

    private final Path file;
    private final long fileSize;
    private final HdfFile hdf;
    private final List<String> ids;
    private final Set<String> idSet;
    private final int[] imageShape;

    private EmnistH5(Path file, long fileSize, HdfFile hdf, List<String> ids, int[] imageShape) {
        this.file = file;
        this.fileSize = fileSize;
        this.hdf = hdf;
        this.ids = List.copyOf(ids);
        this.idSet = new HashSet<>(ids);
        this.imageShape = imageShape;
    }

    /**
     * Opens a federated EMNIST HDF5 file. A file up to 2 GiB is read through a read-only memory map:
     * jHDF then reads each structure as a slice of the map, so a corrupt size field makes it fail on
     * the bounds instead of allocating a heap buffer of that size (what its file-channel reader does).
     * Larger files are read through a file channel.
     */
    public static EmnistH5 open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetFileException(file, "file does not exist");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size <= Integer.MAX_VALUE) {
                return open(file, channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
            }
        } catch (IOException e) {
            throw new DatasetFileException(file, "cannot be read: " + e.getMessage(), e);
        }
        try {
            return open(file, new HdfFile(file), Files.size(file));
        } catch (IOException e) {
            throw new DatasetFileException(file, "cannot be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e instanceof DatasetFileException d
                    ? d
                    : new DatasetFileException(file, "not a readable HDF5 file: " + e.getMessage(), e);
        }
    }

    /**
     * Opens HDF5 content already in memory (or mapped), as {@link #open(Path)} opens {@code file}'s (which names it in
     * errors).
     */
    static EmnistH5 open(Path file, ByteBuffer content) {
        HdfFile hdf;
        try {
            hdf = HdfFile.fromByteBuffer(content);
        } catch (RuntimeException e) {
            throw new DatasetFileException(file, "not a readable HDF5 file: " + e.getMessage(), e);
        }
        return open(file, hdf, content.capacity());
    }

    private static EmnistH5 open(Path file, HdfFile hdf, long fileSize) {
        try {
            Node examples = hdf.getChildren().get("examples");
            if (!(examples instanceof Group g)) {
                throw new DatasetFileException(
                        file,
                        "has no group 'examples' (TFF's federated layout is examples/<client id>/{pixels,label}); "
                                + "top level holds "
                                + hdf.getChildren().keySet());
            }
            List<String> ids = new ArrayList<>(g.getChildren().keySet());
            if (ids.isEmpty()) {
                throw new DatasetFileException(file, "group 'examples' holds no clients");
            }
            ids.sort(null);
            long[] dims = pixels(file, hdf, ids.get(0)).getDimensionsAsLong();
            if (dims.length != 3
                    || dims[1] <= 0
                    || dims[2] <= 0
                    || dims[1] > MAX_PIXELS_PER_IMAGE
                    || dims[2] > MAX_PIXELS_PER_IMAGE
                    || dims[1] * dims[2] > MAX_PIXELS_PER_IMAGE) {
                throw new DatasetFileException(
                        file,
                        "examples/" + ids.get(0) + "/pixels has dimensions " + Arrays.toString(dims)
                                + ", expected [n, height, width] with images of 1 to " + MAX_PIXELS_PER_IMAGE
                                + " pixels");
            }
            return new EmnistH5(file, fileSize, hdf, ids, new int[] {(int) dims[1], (int) dims[2], 1});
        } catch (RuntimeException e) {
            hdf.close();
            if (e instanceof DatasetFileException) {
                throw e;
            }
            throw new DatasetFileException(file, "cannot read the HDF5 structure: " + e.getMessage(), e);
        }
    }

    private static io.jhdf.api.Dataset pixels(Path file, HdfFile hdf, String id) {
        return dataset(file, hdf, id, "pixels");
    }

    private static io.jhdf.api.Dataset dataset(Path file, HdfFile hdf, String id, String name) {
        String path = "examples/" + id + "/" + name;
        Node n;
        try {
            n = hdf.getByPath(path);
        } catch (RuntimeException e) {
            throw new DatasetFileException(file, "has no dataset " + path, e);
        }
        if (!(n instanceof io.jhdf.api.Dataset d)) {
            throw new DatasetFileException(file, path + " is not a dataset");
        }
        return d;
    }

    /** The file this client data reads. */
    public Path file() {
        return file;
    }

    @Override
    public List<String> clientIds() {
        return ids;
    }

    @Override
    public Type elementType() {
        return Examples.of(new float[0], imageShape, new int[0]).exampleType();
    }

    @Override
    public Dataset datasetFor(String clientId) {
        return Dataset.of(examplesFor(clientId));
    }

    /**
     * Client {@code clientId}'s examples, read now. Every problem with the client's datasets (a
     * shape that does not fit, sizes past what one array or the file can hold, a pixel that is NaN or
     * outside [0, 1], a label outside 0..61, a structure jHDF cannot decode) ends in a
     * {@link DatasetFileException} naming the file and the dataset.
     */
    public Examples examplesFor(String clientId) {
        if (!idSet.contains(clientId)) {
            throw new IllegalArgumentException(
                    "no client '" + clientId + "' among " + ids.size() + " clients in " + file);
        }
        String where = "examples/" + clientId;
        try {
            Object pixelData;
            Object labelData;
            int n;
            synchronized (hdf) {
                io.jhdf.api.Dataset p = pixels(file, hdf, clientId);
                io.jhdf.api.Dataset l = dataset(file, hdf, clientId, "label");
                long[] pixelDims = p.getDimensionsAsLong();
                long[] labelDims = l.getDimensionsAsLong();
                if (pixelDims.length != 3 || pixelDims[1] != imageShape[0] || pixelDims[2] != imageShape[1]) {
                    throw new DatasetFileException(
                            file,
                            where + "/pixels has dimensions " + Arrays.toString(pixelDims) + ", expected [n, "
                                    + imageShape[0] + ", " + imageShape[1] + "]");
                }
                checkReadable(
                        p,
                        where + "/pixels",
                        Math.multiplyExact(pixelDims[0], (long) imageShape[0] * imageShape[1]),
                        float.class,
                        double.class);
                if (labelDims.length != 1 || labelDims[0] != pixelDims[0]) {
                    throw new DatasetFileException(
                            file,
                            where + "/label has dimensions " + Arrays.toString(labelDims) + " but pixels hold "
                                    + pixelDims[0] + " images");
                }
                checkReadable(l, where + "/label", labelDims[0], int.class, long.class, short.class, byte.class);
                n = (int) pixelDims[0];
                pixelData = p.getDataFlat();
                labelData = l.getDataFlat();
            }
            float[] x = toFloats(pixelData, where + "/pixels", (long) n * imageShape[0] * imageShape[1]);
            int[] y = toInts(labelData, where + "/label", n);
            return Examples.of(x, imageShape, y);
        } catch (DatasetFileException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DatasetFileException(file, "cannot read " + where + ": " + e, e);
        }
    }

    /**
     * Checks, before jHDF allocates for it, that a dataset of {@code elements} values of one of the
     * accepted Java types fits one array and could come from this file: its decoded size may exceed
     * the file only by what compression can achieve (deflate at most ~1032:1).
     */
    private void checkReadable(io.jhdf.api.Dataset d, String where, long elements, Class<?>... accepted) {
        Class<?> type = d.getJavaType();
        if (!Arrays.asList(accepted).contains(type)) {
            throw new DatasetFileException(
                    file,
                    where + " holds " + type.getSimpleName() + " values, expected one of "
                            + Arrays.stream(accepted).map(Class::getSimpleName).toList());
        }
        if (elements > Integer.MAX_VALUE - 16) {
            throw new DatasetFileException(file, where + " declares " + elements + " values, too many for one array");
        }
        long bytes = d.getSizeInBytes();
        long limit = d.getFilters().isEmpty() ? fileSize : Math.multiplyExact(fileSize, MAX_COMPRESSION_RATIO);
        if (bytes < 0 || bytes > limit) {
            throw new DatasetFileException(
                    file,
                    where + " declares " + bytes + " bytes of data, more than this " + fileSize + "-byte file can hold"
                            + (d.getFilters().isEmpty() ? "" : " even compressed"));
        }
    }

    private float[] toFloats(Object data, String where, long expected) {
        float[] f;
        if (data instanceof float[] a) {
            f = a;
        } else if (data instanceof double[] d) {
            f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
        } else {
            throw new DatasetFileException(
                    file, where + " holds " + data.getClass().getSimpleName() + ", expected float32 or float64 pixels");
        }
        if (f.length != expected) {
            throw new DatasetFileException(file, where + " decoded to " + f.length + " values, expected " + expected);
        }
        for (int i = 0; i < f.length; i++) {
            if (!(f[i] >= 0 && f[i] <= 1)) {
                int pixelsPerImage = imageShape[0] * imageShape[1];
                throw new DatasetFileException(
                        file,
                        where + " holds " + f[i] + " at image " + i / pixelsPerImage + ", pixel " + i % pixelsPerImage
                                + " (flat index " + i + "); pixels must be in [0, 1]");
            }
        }
        return f;
    }

    private int[] toInts(Object data, String where, int expected) {
        long[] wide;
        if (data instanceof int[] a) {
            wide = Arrays.stream(a).asLongStream().toArray();
        } else if (data instanceof long[] l) {
            wide = l;
        } else if (data instanceof short[] s) {
            wide = new long[s.length];
            for (int k = 0; k < s.length; k++) {
                wide[k] = s[k];
            }
        } else if (data instanceof byte[] b) {
            wide = new long[b.length];
            for (int k = 0; k < b.length; k++) {
                wide[k] = b[k] & 0xFF;
            }
        } else {
            throw new DatasetFileException(
                    file, where + " holds " + data.getClass().getSimpleName() + ", expected integer labels");
        }
        if (wide.length != expected) {
            throw new DatasetFileException(
                    file, where + " decoded to " + wide.length + " labels, expected " + expected);
        }
        int[] out = new int[wide.length];
        for (int k = 0; k < wide.length; k++) {
            if (wide[k] < 0 || wide[k] >= CLASSES) {
                throw new DatasetFileException(
                        file,
                        where + "[" + k + "] = " + wide[k] + " is not an EMNIST class (0.." + (CLASSES - 1) + ")");
            }
            out[k] = (int) wide[k];
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (hdf) {
            hdf.close();
        }
    }
}
