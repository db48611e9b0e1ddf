package dev.fl4j.data.parquet;

import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.PortableClientLoader;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.tables.MalformedTableException;
import dev.fl4j.simulation.tables.TableOptions.NanPolicy;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Some clients of a {@link ParquetClients} population, by where their rows are: what travels to the
 * JVM that loads them. {@link #load()} visits the clients in storage order, so each file is opened
 * once and read forward, row groups holding none of these clients skipped unread, and hands the
 * datasets back in the order the clients were named.
 */
final class ClientRows implements PortableClientLoader.Batch {
    private static final long serialVersionUID = 1L;

    /** Largest label read as a class number (as {@code Tables} reads them). */
    private static final long MAX_CLASS_NUMBER = 1_000_000;

    /**
     * How the population is stored and read: its files (absolute paths) and the global row each
     * starts at ({@code fileStart[files.length]} is the row count), each file's row groups' row counts,
     * the columns, and how examples are made.
     */
    record Layout(
            String[] files,
            long[] fileStart,
            long[][] groupRows,
            String clientColumn,
            String[] features,
            String labelColumn,
            String[] labels,
            NanPolicy nanPolicy,
            int[] shape,
            int batch)
            implements Serializable {

        /** One client's dataset of its rows' features ({@code x}, row-major) and labels. */
        Dataset datasetOf(float[] x, int[] y) {
            Dataset d = Dataset.of(Examples.of(x, shape, y));
            return batch > 0 ? d.batch(batch) : d;
        }

        /** The columns read, in this order: the client's, the features, the label. */
        List<String> columns() {
            List<String> c = new ArrayList<>();
            c.add(clientColumn);
            c.addAll(Arrays.asList(features));
            c.add(labelColumn);
            return c;
        }
    }

    /**
     * The class number in {@code column} of the reader's row.
     *
     * @throws MalformedTableException naming the file and row if the label is missing or not a class number
     */
    static int classNumber(ParquetTableReader reader, int column, String labelColumn) {
        if (reader.isMissing(column)) {
            throw new MalformedTableException(
                    reader.file(), reader.where(), "label column '" + labelColumn + "': missing label");
        }
        String text = reader.text(column);
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v < 0 || v > MAX_CLASS_NUMBER) {
            throw new MalformedTableException(
                    reader.file(),
                    reader.where(),
                    "label " + text + " is not a class number (0 to " + MAX_CLASS_NUMBER
                            + "); name the labels in order instead");
        }
        return (int) v;
    }

    private final Layout layout;
    private final String[] ids;
    private final long[] first;
    private final int[] count;

    ClientRows(Layout layout, String[] ids, long[] first, int[] count) {
        this.layout = layout;
        this.ids = ids;
        this.first = first;
        this.count = count;
    }

    @Override
    public int size() {
        return ids.length;
    }

    @Override
    public List<Value> load() {
        Integer[] order = IntStream.range(0, ids.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingLong(i -> first[i]));
        Value[] out = new Value[ids.length];
        try (Cursor cursor = new Cursor()) {
            for (int i : order) {
                out[i] = cursor.client(ids[i], first[i], count[i]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        return Arrays.asList(out);
    }

    /** Reads forward through the files, one open at a time. */
    private final class Cursor implements AutoCloseable {
        private final int features = layout.features().length;
        private ParquetTableReader reader;
        private int file = -1;
        private int group;
        private long groupEnd;
        private long position;

        Dataset client(String id, long row, int rows) throws IOException {
            float[] x = new float[Math.multiplyExact(rows, features)];
            int[] y = new int[rows];
            seek(row);
            for (int k = 0; k < rows; k++) {
                if (position == layout.fileStart()[file + 1]) {
                    open(file + 1);
                }
                if (position == groupEnd) {
                    groupEnd += layout.groupRows()[file][group++];
                }
                if (!reader.next()) {
                    throw changed("ends before row " + (position - layout.fileStart()[file] + 1));
                }
                position++;
                if (reader.isMissing(0) || !reader.text(0).equals(id)) {
                    throw new MalformedTableException(
                            reader.file(),
                            reader.where(),
                            "client '"
                                    + (reader.isMissing(0) ? "" : reader.text(0))
                                    + "' where the population's index has '"
                                    + id + "': the file changed after the population was opened");
                }
                for (int j = 0; j < features; j++) {
                    x[k * features + j] = feature(j + 1);
                }
                y[k] = label(features + 1);
            }
            return layout.datasetOf(x, y);
        }

        /** Moves to global row {@code row}: skips the row groups before it unread, then its group's rows before it. */
        private void seek(long row) throws IOException {
            int f = file;
            if (f < 0 || row < position || row >= layout.fileStart()[f + 1]) {
                f = 0;
                while (layout.fileStart()[f + 1] <= row) {
                    f++;
                }
                if (f != file || row < position) {
                    open(f);
                }
            }
            while (position == groupEnd
                    && group < layout.groupRows()[file].length
                    && groupEnd + layout.groupRows()[file][group] <= row) {
                if (!reader.skipRowGroup()) {
                    throw changed("has fewer row groups than when the population was opened");
                }
                groupEnd += layout.groupRows()[file][group++];
                position = groupEnd;
            }
            while (position < row) {
                if (position == groupEnd) {
                    groupEnd += layout.groupRows()[file][group++];
                }
                long rows = Math.min(row, groupEnd) - position;
                if (reader.skipRows(rows) != rows) {
                    throw changed("ends before row " + (row - layout.fileStart()[file] + 1));
                }
                position += rows;
            }
        }

        private void open(int f) throws IOException {
            close();
            Path path = Path.of(layout.files()[f]);
            if (!Files.isRegularFile(path)) {
                throw new MalformedTableException(path, "missing: the client population was opened with it");
            }
            reader = ParquetTableReader.open(path, layout.columns());
            if (!Arrays.equals(reader.rowGroupRows(), layout.groupRows()[f])) {
                throw changed("has other row groups than when the population was opened");
            }
            file = f;
            group = 0;
            position = layout.fileStart()[f];
            groupEnd = position;
        }

        private float feature(int column) {
            float v = reader.isMissing(column) ? Float.NaN : reader.number(column);
            if (Float.isFinite(v)) {
                return v;
            }
            return switch (layout.nanPolicy()) {
                case ZERO -> 0f;
                case KEEP -> v;
                default ->
                    throw new MalformedTableException(
                            reader.file(),
                            reader.where(),
                            "feature '"
                                    + layout.features()[column - 1] + "' is "
                                    + (reader.isMissing(column) ? "missing" : reader.text(column))
                                    + " (the NaN policy rejects it)");
            };
        }

        private int label(int column) {
            if (reader.isMissing(column)) {
                throw new MalformedTableException(
                        reader.file(), reader.where(), "label column '" + layout.labelColumn() + "': missing label");
            }
            String text = reader.text(column);
            if (layout.labels() != null) {
                int i = Arrays.asList(layout.labels()).indexOf(text);
                if (i < 0) {
                    throw new MalformedTableException(
                            reader.file(),
                            reader.where(),
                            "unknown label '" + text + "'; the labels are " + Arrays.toString(layout.labels()));
                }
                return i;
            }
            return classNumber(reader, column, layout.labelColumn());
        }

        private MalformedTableException changed(String what) {
            return new MalformedTableException(
                    reader.file(), what + ": the file changed after the population was" + " opened");
        }

        @Override
        public void close() throws IOException {
            if (reader != null) {
                reader.close();
                reader = null;
            }
        }
    }
}
