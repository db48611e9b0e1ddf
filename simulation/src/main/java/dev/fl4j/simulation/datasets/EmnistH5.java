package dev.fl4j.simulation.datasets;

import dev.fl4j.core.types.Type;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private final Path file;
    private final HdfFile hdf;
    private final List<String> ids;
    private final Set<String> idSet;
    private final int[] imageShape;

    private EmnistH5(Path file, HdfFile hdf, List<String> ids, int[] imageShape) {
        this.file = file;
        this.hdf = hdf;
        this.ids = List.copyOf(ids);
        this.idSet = new HashSet<>(ids);
        this.imageShape = imageShape;
    }

    /** Opens a federated EMNIST HDF5 file. */
    public static EmnistH5 open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetFileException(file, "file does not exist");
        }
        HdfFile hdf;
        try {
            hdf = new HdfFile(file);
        } catch (RuntimeException e) {
            throw new DatasetFileException(file, "not a readable HDF5 file: " + e.getMessage(), e);
        }
        try {
            Node examples = hdf.getChildren().get("examples");
            if (!(examples instanceof Group g)) {
                throw new DatasetFileException(file, "has no group 'examples' (TFF's federated layout is examples/<client id>/{pixels,label}); top level holds "
                        + hdf.getChildren().keySet());
            }
            List<String> ids = new ArrayList<>(g.getChildren().keySet());
            if (ids.isEmpty()) {
                throw new DatasetFileException(file, "group 'examples' holds no clients");
            }
            ids.sort(null);
            int[] dims = pixels(file, hdf, ids.get(0)).getDimensions();
            if (dims.length != 3) {
                throw new DatasetFileException(file, "examples/" + ids.get(0) + "/pixels has dimensions " + Arrays.toString(dims) + ", expected [n, height, width]");
            }
            return new EmnistH5(file, hdf, ids, new int[] {dims[1], dims[2], 1});
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

    /** Client {@code clientId}'s examples, read now. */
    public Examples examplesFor(String clientId) {
        if (!idSet.contains(clientId)) {
            throw new IllegalArgumentException("no client '" + clientId + "' among " + ids.size() + " clients in " + file);
        }
        Object pixelData;
        Object labelData;
        int[] pixelDims;
        int[] labelDims;
        String where = "examples/" + clientId;
        try {
            synchronized (hdf) {
                io.jhdf.api.Dataset p = pixels(file, hdf, clientId);
                io.jhdf.api.Dataset l = dataset(file, hdf, clientId, "label");
                pixelDims = p.getDimensions();
                labelDims = l.getDimensions();
                pixelData = p.getDataFlat();
                labelData = l.getDataFlat();
            }
        } catch (DatasetFileException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DatasetFileException(file, "cannot read " + where + ": " + e.getMessage(), e);
        }
        if (pixelDims.length != 3 || pixelDims[1] != imageShape[0] || pixelDims[2] != imageShape[1]) {
            throw new DatasetFileException(file, where + "/pixels has dimensions " + Arrays.toString(pixelDims)
                    + ", expected [n, " + imageShape[0] + ", " + imageShape[1] + "]");
        }
        if (labelDims.length != 1 || labelDims[0] != pixelDims[0]) {
            throw new DatasetFileException(file, where + "/label has dimensions " + Arrays.toString(labelDims)
                    + " but pixels hold " + pixelDims[0] + " images");
        }
        float[] x = toFloats(pixelData, where + "/pixels");
        int[] y = toInts(labelData, where + "/label");
        return Examples.of(x, imageShape, y);
    }

    private float[] toFloats(Object data, String where) {
        if (data instanceof float[] f) {
            return f;
        }
        if (data instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        throw new DatasetFileException(file, where + " holds " + data.getClass().getSimpleName() + ", expected float32 or float64 pixels");
    }

    private int[] toInts(Object data, String where) {
        if (data instanceof int[] i) {
            return i;
        }
        if (data instanceof long[] l) {
            int[] out = new int[l.length];
            for (int k = 0; k < l.length; k++) {
                out[k] = Math.toIntExact(l[k]);
            }
            return out;
        }
        if (data instanceof short[] s) {
            int[] out = new int[s.length];
            for (int k = 0; k < s.length; k++) {
                out[k] = s[k];
            }
            return out;
        }
        if (data instanceof byte[] b) {
            int[] out = new int[b.length];
            for (int k = 0; k < b.length; k++) {
                out[k] = b[k] & 0xFF;
            }
            return out;
        }
        throw new DatasetFileException(file, where + " holds " + data.getClass().getSimpleName() + ", expected integer labels");
    }

    @Override
    public void close() {
        synchronized (hdf) {
            hdf.close();
        }
    }
}
