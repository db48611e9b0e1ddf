package dev.fl4j.simulation.tables;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.simulation.data.ClientData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes client data as one table with a client-id column, the layout {@link Tables#read} reads back:
 * {@code client_id} (string), then one float column per element of {@code x} named by its index
 * ({@code x[0][0][0]}, {@code x[0][0][1]}, … in row-major order, so reading restores {@code x}'s
 * shape), then {@code y} (int). Clients are written in their order, each client's examples in
 * dataset order, so a table read back with {@code --label-column y --client-column client_id} has
 * the same clients with the same examples, bit for bit. Examples are streamed: one example is held at
 * a time.
 */
public final class TableExport {

    /** The client-id column written. */
    public static final String CLIENT_COLUMN = "client_id";

    /** The feature column prefix. */
    public static final String FEATURES = "x";

    /** The label column written. */
    public static final String LABEL_COLUMN = "y";

    private TableExport() {}

    /**
     * Writes every client of {@code data} to {@code file} in {@code format}.
     *
     * @return the number of examples written
     * @throws IllegalArgumentException if the examples are not {@code <x=float32[...], y=int32>}
     */
    public static long write(ClientData data, TableFormat format, Path file) throws IOException {
        int[] shape = featureShape(data.elementType());
        List<TableColumn> columns = new ArrayList<>();
        columns.add(new TableColumn(CLIENT_COLUMN, TableColumn.Kind.STRING));
        for (String name : featureNames(shape)) {
            columns.add(new TableColumn(name, TableColumn.Kind.FLOAT));
        }
        columns.add(new TableColumn(LABEL_COLUMN, TableColumn.Kind.INT));
        int label = columns.size() - 1;
        long written = 0;
        try (TableWriter w = format.create(file, columns)) {
            for (String id : data.clientIds()) {
                for (Value v : data.datasetFor(id)) {
                    Struct s = (Struct) v;
                    w.setString(0, id);
                    float[] x = s.tensor(FEATURES).floatData();
                    for (int i = 0; i < x.length; i++) {
                        w.setFloat(1 + i, x[i]);
                    }
                    Tensor y = s.tensor(LABEL_COLUMN);
                    w.setInt(label, y.intData()[0]);
                    w.endRow();
                    written++;
                }
            }
        }
        return written;
    }

    /** The per-example shape of {@code x}, checking the type is {@code <x=float32[...], y=int32>}. */
    static int[] featureShape(Type elementType) {
        if (elementType instanceof StructType st
                && st.size() == 2
                && FEATURES.equals(st.fields().get(0).name())
                && LABEL_COLUMN.equals(st.fields().get(1).name())
                && st.fields().get(0).type() instanceof TensorType x
                && x.dtype() == DType.FLOAT32
                && x.isFullyDefined()
                && st.fields().get(1).type() instanceof TensorType y
                && y.dtype() == DType.INT32
                && y.shape().length == 0) {
            return x.shape();
        }
        throw new IllegalArgumentException("a table holds examples <x=float32[...], y=int32> (float features, one"
                + " integer label); these examples are " + elementType);
    }

    /** The column names of {@code x}'s elements: {@code x[i]...[k]} in row-major order. */
    static List<String> featureNames(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        List<String> names = new ArrayList<>((int) n);
        int[] index = new int[shape.length];
        for (long i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder(FEATURES);
            for (int k : index) {
                b.append('[').append(k).append(']');
            }
            if (shape.length == 0) {
                b.append("[0]");
            }
            names.add(b.toString());
            for (int k = shape.length - 1; k >= 0; k--) {
                if (++index[k] < shape[k]) {
                    break;
                }
                index[k] = 0;
            }
        }
        return names;
    }
}
