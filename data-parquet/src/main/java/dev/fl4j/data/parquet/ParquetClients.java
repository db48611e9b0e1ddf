package dev.fl4j.data.parquet;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.PortableClientLoader;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.tables.MalformedTableException;
import dev.fl4j.simulation.tables.TableClients;
import dev.fl4j.simulation.tables.TableColumn;
import dev.fl4j.simulation.tables.TableFormats;
import dev.fl4j.simulation.tables.TableOptions;
import dev.fl4j.simulation.tables.Tables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A population of clients in Parquet files with a client-id column, indexed but not read
 * ({@link ParquetFormat#openClients}): opening scans the client column only and keeps, per client,
 * its id and where its rows are (about 26 bytes a client with an 8-character id: a million clients
 * in about 35 MB). A client's rows are read when its dataset is loaded: here by
 * {@link #datasetFor}, or, through {@link #clientValues}'s {@link PortableClientLoader}, in the JVM
 * where the client trains (a Spark executor), which reads the row groups its clients are in and skips
 * the others. Loading clients together is what is cheap: a row group is read from its start, so a
 * client loaded alone (the local runtime loads each client by itself) costs the rows before it in its
 * row group.
 *
 * <h2>What it reads</h2>
 * The examples are those {@link Tables#read} makes of the same table with the same options, for the
 * tables this reader accepts: each client's rows together (in one run of rows, as
 * {@code fl4j data export} writes them), numeric feature columns (int or float; a string or
 * categorical feature needs a pass over every row to know its categories, and is refused), and a label
 * column of class numbers (an int column), or labels named by {@link TableOptions#labels()}. A client
 * whose rows are in two places is refused at open, naming both.
 *
 * <p>The files must stay where they were indexed, unchanged, and be readable at the same path where
 * clients are loaded (on a cluster: a shared mount). A file missing or changed at load time fails the
 * load with a {@link MalformedTableException} naming it.
 */
public final class ParquetClients extends TableClients {

    private final ClientRows.Layout layout;
    private final ClientIdTable ids;
    private final long[] firstRow;
    private final int[] rowCount;
    private final Type elementType;
    private final Loader loader = new Loader();
    private volatile List<String> classes;

    private ParquetClients(ClientRows.Layout layout, ClientIdTable ids, long[] firstRow, int[] rowCount, Type type) {
        this.layout = layout;
        this.ids = ids;
        this.firstRow = firstRow;
        this.rowCount = rowCount;
        this.elementType = type;
    }

    /** Indexes the table at {@code path} (a file, or a directory of part files in name order). */
    static ParquetClients open(Path path, TableOptions options, int batch) throws IOException {
        if (options.clientColumn() == null) {
            throw new IllegalArgumentException("a client population needs a client column (optClientColumn)");
        }
        if (!options.categoricalColumns().isEmpty()) {
            throw new IllegalArgumentException("a client population read where clients train has numeric features"
                    + " only; categorical columns " + options.categoricalColumns() + " need every row read first");
        }
        if (batch < 0) {
            throw new IllegalArgumentException("batch must be at least 0, got " + batch);
        }
        List<Path> files = TableFormats.files(path, new ParquetFormat());
        List<String> features = null;
        long[][] groups = new long[files.size()][];
        long[] fileStart = new long[files.size() + 1];
        ClientIdTable ids = new ClientIdTable();
        long[] first = new long[1024];
        int[] count = new int[1024];
        int current = -1;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            try (ParquetTableReader header = ParquetTableReader.open(file)) {
                List<String> fs = features(header, options);
                if (features == null) {
                    features = fs;
                } else if (!features.equals(fs)) {
                    throw new MalformedTableException(
                            file, "features " + fs + ", but " + files.get(0) + " has " + features);
                }
            }
            try (ParquetTableReader r = ParquetTableReader.open(file, List.of(options.clientColumn()))) {
                groups[f] = r.rowGroupRows();
                long row = fileStart[f];
                while (r.next()) {
                    if (r.isMissing(0)) {
                        throw new MalformedTableException(
                                file, r.where(), "column '" + options.clientColumn() + "': missing client id");
                    }
                    String id = r.text(0);
                    if (current >= 0 && id.equals(ids.get(current))) {
                        count[current]++;
                    } else {
                        int p = ids.add(id);
                        if (p < 0) {
                            throw new MalformedTableException(
                                    file,
                                    r.where(),
                                    "client '" + id + "' has rows here and at "
                                            + where(files, fileStart, f, first[-1 - p])
                                            + ", not after them; a client population needs each client's rows"
                                            + " together (as fl4j data export writes them), or read the whole"
                                            + " table with Tables.read");
                        }
                        if (p == first.length) {
                            first = Arrays.copyOf(first, 2 * p);
                            count = Arrays.copyOf(count, 2 * p);
                        }
                        first[p] = row;
                        count[p] = 1;
                        current = p;
                    }
                    row++;
                }
                fileStart[f + 1] = row;
            }
        }
        if (ids.size() == 0) {
            throw new MalformedTableException(path, "no rows: the table has a header but no clients");
        }
        ids.trim();
        String[] names = files.stream().map(p -> p.toAbsolutePath().toString()).toArray(String[]::new);
        List<String> labels = options.labels();
        ClientRows.Layout layout = new ClientRows.Layout(
                names,
                fileStart,
                groups,
                options.clientColumn(),
                features.toArray(new String[0]),
                options.labelColumn(),
                labels == null ? null : labels.toArray(new String[0]),
                options.nanPolicy(),
                shape(features),
                batch);
        Type type = layout.datasetOf(new float[0], new int[0]).elementType();
        return new ParquetClients(
                layout, ids, Arrays.copyOf(first, ids.size()), Arrays.copyOf(count, ids.size()), type);
    }

    /** File and row of global row {@code row}, among the files up to {@code current} (the one being scanned). */
    private static String where(List<Path> files, long[] fileStart, int current, long row) {
        int f = 0;
        while (f < current && fileStart[f + 1] <= row) {
            f++;
        }
        return files.get(f) + " row " + (row - fileStart[f] + 1);
    }

    /** The feature columns of a file's header: the options' or every column but the client's and the label's. */
    private static List<String> features(ParquetTableReader header, TableOptions options) {
        Path file = header.file();
        List<TableColumn> columns = header.columns();
        List<String> names = columns.stream().map(TableColumn::name).toList();
        for (String required : List.of(options.clientColumn(), options.labelColumn())) {
            if (!names.contains(required)) {
                throw new MalformedTableException(file, "no column '" + required + "'; the columns are " + names);
            }
        }
        TableColumn label = columns.get(names.indexOf(options.labelColumn()));
        if (options.labels() == null && label.kind() != TableColumn.Kind.INT) {
            throw new MalformedTableException(
                    file,
                    "label column '" + label.name() + "' is " + label.kind()
                            + "; a client population reads class numbers (an int column), or labels named in order");
        }
        List<String> features = options.featureColumns() != null
                ? options.featureColumns()
                : names.stream()
                        .filter(n -> !n.equals(options.clientColumn()) && !n.equals(options.labelColumn()))
                        .toList();
        for (String f : features) {
            int i = names.indexOf(f);
            if (i < 0) {
                throw new MalformedTableException(file, "no feature column '" + f + "'; the columns are " + names);
            }
            TableColumn.Kind kind = columns.get(i).kind();
            if (kind != TableColumn.Kind.INT && kind != TableColumn.Kind.FLOAT) {
                throw new MalformedTableException(
                        file,
                        "feature column '" + f + "' holds " + kind
                                + "; a client population reads numeric features only (categories need every row read"
                                + " first)");
            }
        }
        if (features.isEmpty()) {
            throw new MalformedTableException(file, "no feature columns");
        }
        return features;
    }

    private static int[] shape(List<String> features) {
        int[] grid = Tables.gridShape(features);
        return grid != null ? grid : new int[] {features.size()};
    }

    @Override
    public List<String> clientIds() {
        return ids.asList();
    }

    @Override
    public Type elementType() {
        return elementType;
    }

    @Override
    public Dataset datasetFor(String clientId) {
        return (Dataset) loader.locate(List.of(clientId)).load().get(0);
    }

    /**
     * The datasets of {@code ids} as a lazy {@code {T*}@CLIENTS} whose loader is a
     * {@link PortableClientLoader}: a runtime that ships client work loads each client where it trains.
     */
    @Override
    public ClientValues clientValues(List<String> ids) {
        for (String id : ids) {
            position(id);
        }
        return FederatedValue.clients(datasetType(), ids, loader);
    }

    /**
     * The labels named in order, or {@code "0"} to the largest class number of the label column, read by one
     * scan of that column the first time.
     */
    @Override
    public List<String> classes() {
        List<String> c = classes;
        if (c == null) {
            c = layout.labels() != null ? List.of(layout.labels()) : classNumbers(largestClassNumber());
            classes = c;
        }
        return c;
    }

    private static List<String> classNumbers(int largest) {
        String[] names = new String[largest + 1];
        Arrays.setAll(names, Integer::toString);
        return List.of(names);
    }

    private int largestClassNumber() {
        int largest = -1;
        for (String name : layout.files()) {
            Path file = Path.of(name);
            try (ParquetTableReader r = ParquetTableReader.open(file, List.of(layout.labelColumn()))) {
                while (r.next()) {
                    largest = Math.max(largest, ClientRows.classNumber(r, 0, layout.labelColumn()));
                }
            } catch (IOException e) {
                throw new MalformedTableException(file, "cannot read its label column: " + e.getMessage(), e);
            }
        }
        return largest;
    }

    /** The number of clients. */
    public int size() {
        return ids.size();
    }

    private int position(String id) {
        int p = ids.indexOf(id);
        if (p < 0) {
            throw new IllegalArgumentException("no client '" + id + "' among " + ids.size() + " clients");
        }
        return p;
    }

    @Override
    public String toString() {
        return ids.size() + " clients in " + layout.files().length + " Parquet files, examples " + elementType;
    }

    /** Loads clients here ({@link #apply}) or names where they are for another JVM ({@link #locate}). */
    private final class Loader implements PortableClientLoader {
        @Override
        public Value apply(String id) {
            return locate(List.of(id)).load().get(0);
        }

        @Override
        public Batch locate(List<String> clientIds) {
            int n = clientIds.size();
            long[] first = new long[n];
            int[] count = new int[n];
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < n; i++) {
                String id = clientIds.get(i);
                if (!seen.add(id)) {
                    throw new IllegalArgumentException("client '" + id + "' named twice");
                }
                int p = position(id);
                first[i] = firstRow[p];
                count[i] = rowCount[p];
            }
            return new ClientRows(layout, clientIds.toArray(new String[0]), first, count);
        }

        @Override
        public long[] storageOrder(List<String> clientIds) {
            long[] order = new long[clientIds.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = firstRow[position(clientIds.get(i))];
            }
            return order;
        }
    }
}
