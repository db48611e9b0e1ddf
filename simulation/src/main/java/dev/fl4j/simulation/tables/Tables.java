package dev.fl4j.simulation.tables;

import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.tables.TableOptions.NanPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads tables into examples as {@link TableOptions} describes: one streaming pass over the rows of
 * each file (a file, or a directory's part files in name order, all with the same columns), holding
 * the decoded floats and ints, never the text. TFF's {@code ClientData.from_clients_and_tf_fn} over a
 * table with a client column, or a centralised set for a partitioner.
 */
public final class Tables {

    private Tables() {}

    /**
     * Reads the table at {@code path} (a file, or a directory of part files) in {@code format}.
     *
     * @throws MalformedTableException naming the file and line (or row) of the first malformed row,
     *     or a header without the columns the options name
     */
    public static TabularData read(Path path, TableFormat format, TableOptions options) {
        Decoder d = new Decoder(options);
        for (Path file : TableFormats.files(path, format)) {
            try (TableReader r = format.open(file)) {
                d.readFile(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return d.finish(path);
    }

    private static final class Feature {
        final String name;
        final int column;
        final boolean categorical;
        final Map<String, Integer> codes = new HashMap<>();
        final List<String> firstSeen = new ArrayList<>();

        Feature(String name, int column, boolean categorical) {
            this.name = name;
            this.column = column;
            this.categorical = categorical;
        }

        int code(String category) {
            Integer c = codes.get(category);
            if (c == null) {
                c = firstSeen.size();
                codes.put(category, c);
                firstSeen.add(category);
            }
            return c;
        }
    }

    private static final class Decoder {
        private final TableOptions options;
        private List<TableColumn> columns;
        private Path firstFile;
        private List<Feature> features;
        private int numericCount;
        private int categoricalCount;
        private int labelColumn;
        private int clientColumn = -1;
        private final Map<String, Integer> labelIndex = new HashMap<>();
        private final Map<String, Integer> labelCodes = new HashMap<>();
        private final List<String> labelsSeen = new ArrayList<>();
        private final Map<String, Integer> clientCodes = new HashMap<>();
        private final List<String> clientsSeen = new ArrayList<>();
        private float[] numbers = new float[0];
        private int[] categories = new int[0];
        private int[] labels = new int[0];
        private int[] clients = new int[0];
        private int rows;

        Decoder(TableOptions options) {
            this.options = options;
            if (options.labels() != null) {
                for (int i = 0; i < options.labels().size(); i++) {
                    labelIndex.put(options.labels().get(i), i);
                }
            }
        }

        void readFile(TableReader r) throws IOException {
            if (columns == null) {
                plan(r);
            } else if (!columns.equals(r.columns())) {
                throw new MalformedTableException(
                        r.file(),
                        "its columns " + describe(r.columns()) + " differ from those of " + firstFile + " "
                                + describe(columns));
            }
            while (r.next()) {
                readRow(r);
            }
        }

        private static String describe(List<TableColumn> cs) {
            return cs.stream()
                    .map(c -> c.name() + ":" + c.kind().name().toLowerCase(java.util.Locale.ROOT))
                    .toList()
                    .toString();
        }

        private void plan(TableReader r) {
            columns = r.columns();
            firstFile = r.file();
            Map<String, Integer> byName = new HashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                byName.put(columns.get(i).name(), i);
            }
            labelColumn = require(r, byName, options.labelColumn(), "label column");
            if (options.clientColumn() != null) {
                clientColumn = require(r, byName, options.clientColumn(), "client column");
            }
            List<String> names = options.featureColumns();
            if (names == null) {
                names = new ArrayList<>();
                for (TableColumn c : columns) {
                    if (!c.name().equals(options.labelColumn()) && !c.name().equals(options.clientColumn())) {
                        names.add(c.name());
                    }
                }
                if (names.isEmpty()) {
                    throw new MalformedTableException(
                            r.file(),
                            "no feature columns: the header " + columnNames() + " holds only the label"
                                    + (clientColumn >= 0 ? " and client" : "") + " column");
                }
            }
            Set<String> categorical = new HashSet<>(options.categoricalColumns());
            for (String c : categorical) {
                require(r, byName, c, "categorical column");
                if (!names.contains(c)) {
                    throw new MalformedTableException(
                            r.file(), "categorical column '" + c + "' is not among the feature columns " + names);
                }
            }
            features = new ArrayList<>();
            for (String n : names) {
                int i = require(r, byName, n, "feature column");
                TableColumn.Kind kind = columns.get(i).kind();
                boolean cat = categorical.contains(n) || kind == TableColumn.Kind.STRING;
                features.add(new Feature(n, i, cat));
                if (cat) {
                    categoricalCount++;
                } else {
                    numericCount++;
                }
            }
        }

        private List<String> columnNames() {
            return columns.stream().map(TableColumn::name).toList();
        }

        private int require(TableReader r, Map<String, Integer> byName, String name, String what) {
            Integer i = byName.get(name);
            if (i == null) {
                throw new MalformedTableException(
                        r.file(), "no " + what + " '" + name + "' in the header " + columnNames());
            }
            return i;
        }

        private void readRow(TableReader r) {
            if (rows == Integer.MAX_VALUE - 8) {
                throw new MalformedTableException(r.file(), r.where(), "more rows than one table can hold");
            }
            ensure(rows + 1);
            int n = 0;
            int k = 0;
            for (Feature f : features) {
                if (f.categorical) {
                    String category = r.text(f.column);
                    if (r.isMissing(f.column)) {
                        if (options.nanPolicy() == NanPolicy.REJECT) {
                            throw new MalformedTableException(
                                    r.file(), r.where(), "column '" + f.name + "': missing category");
                        }
                        category = "";
                    }
                    categories[rows * categoricalCount + k++] = f.code(category);
                } else {
                    numbers[rows * numericCount + n++] = number(r, f);
                }
            }
            labels[rows] = label(r);
            if (clientColumn >= 0) {
                if (r.isMissing(clientColumn)) {
                    throw new MalformedTableException(
                            r.file(), r.where(), "column '" + options.clientColumn() + "': missing client id");
                }
                String id = r.text(clientColumn);
                Integer c = clientCodes.get(id);
                if (c == null) {
                    c = clientsSeen.size();
                    clientCodes.put(id, c);
                    clientsSeen.add(id);
                }
                clients[rows] = c;
            }
            rows++;
        }

        private float number(TableReader r, Feature f) {
            NanPolicy policy = options.nanPolicy();
            if (r.isMissing(f.column)) {
                return switch (policy) {
                    case REJECT ->
                        throw new MalformedTableException(
                                r.file(), r.where(), "column '" + f.name + "': missing value");
                    case ZERO -> 0f;
                    case KEEP -> Float.NaN;
                };
            }
            float v = r.number(f.column);
            if (Float.isFinite(v)) {
                return v;
            }
            return switch (policy) {
                case REJECT ->
                    throw new MalformedTableException(
                            r.file(),
                            r.where(),
                            "column '" + f.name + "': " + v
                                    + " (a missing value; --nan-policy zero or keep accepts it)");
                case ZERO -> 0f;
                case KEEP -> v;
            };
        }

        private int label(TableReader r) {
            if (r.isMissing(labelColumn)) {
                throw new MalformedTableException(
                        r.file(), r.where(), "column '" + options.labelColumn() + "': missing label");
            }
            String text = r.text(labelColumn);
            if (options.labels() != null) {
                Integer c = labelIndex.get(text);
                if (c == null) {
                    throw new MalformedTableException(
                            r.file(),
                            r.where(),
                            "column '" + options.labelColumn()
                                    + "': unknown label '" + CsvReader.abbreviate(text) + "' (labels: "
                                    + abbreviate(options.labels()) + ")");
                }
                return c;
            }
            Integer c = labelCodes.get(text);
            if (c == null) {
                c = labelsSeen.size();
                labelCodes.put(text, c);
                labelsSeen.add(text);
            }
            return c;
        }

        private static String abbreviate(List<String> labels) {
            String s = String.join(", ", labels.subList(0, Math.min(20, labels.size())));
            return labels.size() > 20 ? s + ", …" : s;
        }

        private void ensure(int rowCount) {
            if (rowCount <= labels.length) {
                return;
            }
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8L, Math.max(Math.max(rowCount, 64), 2L * labels.length));
            labels = Arrays.copyOf(labels, capacity);
            clients = clientColumn >= 0 ? Arrays.copyOf(clients, capacity) : clients;
            numbers = Arrays.copyOf(numbers, size(capacity, numericCount));
            categories = Arrays.copyOf(categories, size(capacity, categoricalCount));
        }

        private int size(int rowCount, int width) {
            long n = (long) rowCount * width;
            if (n > Integer.MAX_VALUE - 8L) {
                throw new MalformedTableException(firstFile, "more than " + (Integer.MAX_VALUE - 8) + " values");
            }
            return (int) n;
        }

        TabularData finish(Path path) {
            if (rows == 0) {
                throw new MalformedTableException(path, "no rows: the table has a header but no examples");
            }
            // categories in sorted order: old code -> position
            List<String> featureNames = new ArrayList<>();
            List<int[]> remaps = new ArrayList<>();
            int width = 0;
            boolean oneHot = options.categoricalEncoding() == TableOptions.CategoricalEncoding.ONE_HOT;
            for (Feature f : features) {
                if (!f.categorical) {
                    featureNames.add(f.name);
                    width = Math.addExact(width, 1);
                    continue;
                }
                List<String> sorted = new ArrayList<>(f.firstSeen);
                sorted.sort(null);
                int[] remap = new int[sorted.size()];
                Map<String, Integer> position = new HashMap<>();
                for (int i = 0; i < sorted.size(); i++) {
                    position.put(sorted.get(i), i);
                }
                for (int i = 0; i < f.firstSeen.size(); i++) {
                    remap[i] = position.get(f.firstSeen.get(i));
                }
                remaps.add(remap);
                if (oneHot) {
                    for (String s : sorted) {
                        featureNames.add(f.name + "=" + s);
                    }
                    width = Math.addExact(width, sorted.size());
                } else {
                    featureNames.add(f.name);
                    width = Math.addExact(width, 1);
                }
            }
            float[] x = new float[size(rows, width)];
            for (int row = 0; row < rows; row++) {
                int out = row * width;
                int n = 0;
                int k = 0;
                for (Feature f : features) {
                    if (!f.categorical) {
                        x[out++] = numbers[row * numericCount + n++];
                        continue;
                    }
                    int[] remap = remaps.get(k);
                    int category = remap[categories[row * categoricalCount + k++]];
                    if (oneHot) {
                        x[out + category] = 1f;
                        out += remap.length;
                    } else {
                        x[out++] = category;
                    }
                }
            }
            List<String> classes = new ArrayList<>();
            int[] y = classes(classes);
            int[] shape = categoricalCount == 0 ? gridShape(featureNames) : null;
            Examples examples = Examples.of(x, shape != null ? shape : new int[] {width}, y);
            if (clientColumn < 0) {
                return new TabularData(examples, classes, featureNames, null, null);
            }
            int[] counts = new int[clientsSeen.size()];
            for (int row = 0; row < rows; row++) {
                counts[clients[row]]++;
            }
            int[][] byClient = new int[counts.length][];
            for (int c = 0; c < counts.length; c++) {
                byClient[c] = new int[counts[c]];
            }
            int[] filled = new int[counts.length];
            for (int row = 0; row < rows; row++) {
                int c = clients[row];
                byClient[c][filled[c]++] = row;
            }
            return new TabularData(examples, classes, featureNames, clientsSeen, byClient);
        }

        private int[] classes(List<String> classes) {
            int[] y = Arrays.copyOf(labels, rows);
            if (options.labels() != null) {
                classes.addAll(options.labels());
                return y;
            }
            int max = -1;
            for (String s : labelsSeen) {
                int v = classNumber(s);
                if (v < 0) {
                    max = -1;
                    break;
                }
                max = Math.max(max, v);
            }
            int[] remap = new int[labelsSeen.size()];
            if (max >= 0) {
                for (int i = 0; i <= max; i++) {
                    classes.add(Integer.toString(i));
                }
                for (int i = 0; i < remap.length; i++) {
                    remap[i] = classNumber(labelsSeen.get(i));
                }
            } else {
                List<String> sorted = new ArrayList<>(labelsSeen);
                sorted.sort(null);
                classes.addAll(sorted);
                Map<String, Integer> position = new HashMap<>();
                for (int i = 0; i < sorted.size(); i++) {
                    position.put(sorted.get(i), i);
                }
                for (int i = 0; i < remap.length; i++) {
                    remap[i] = position.get(labelsSeen.get(i));
                }
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = remap[y[i]];
            }
            return y;
        }
    }

    /** Largest class number read as such; larger integer labels are read as strings. */
    static final int MAX_CLASS_NUMBER = 1_000_000;

    /** A label as a class number: a non-negative integer without leading zeros, at most {@link #MAX_CLASS_NUMBER}. */
    static int classNumber(String s) {
        if (s.isEmpty() || s.length() > 7 || (s.length() > 1 && s.charAt(0) == '0')) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= MAX_CLASS_NUMBER ? v : -1;
    }

    /**
     * The shape of the grid {@code names} index, when they are {@code NAME[i]...[k]} with one name in
     * row-major order over a full grid; else null. The shape of {@code x} of a table whose features
     * have these names ({@code fl4j data export} names them so).
     */
    public static int[] gridShape(List<String> names) {
        String base = null;
        int[][] indices = new int[names.size()][];
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            int open = n.indexOf('[');
            if (open <= 0 || !n.endsWith("]")) {
                return null;
            }
            String b = n.substring(0, open);
            if (base != null && !base.equals(b)) {
                return null;
            }
            base = b;
            String inner = n.substring(open + 1, n.length() - 1);
            String[] parts = inner.split("\\]\\[", -1);
            int[] idx = new int[parts.length];
            for (int k = 0; k < parts.length; k++) {
                idx[k] = classNumber(parts[k]);
                if (idx[k] < 0) {
                    return null;
                }
            }
            if (i > 0 && idx.length != indices[0].length) {
                return null;
            }
            indices[i] = idx;
        }
        int rank = indices[0].length;
        int[] shape = new int[rank];
        for (int[] idx : indices) {
            for (int k = 0; k < rank; k++) {
                shape[k] = Math.max(shape[k], idx[k] + 1);
            }
        }
        long total = 1;
        for (int d : shape) {
            total *= d;
            if (total > names.size()) {
                return null;
            }
        }
        if (total != names.size()) {
            return null;
        }
        int[] expected = new int[rank];
        for (int[] idx : indices) {
            if (!Arrays.equals(idx, expected)) {
                return null;
            }
            for (int k = rank - 1; k >= 0; k--) {
                if (++expected[k] < shape[k]) {
                    break;
                }
                expected[k] = 0;
            }
        }
        return shape;
    }
}
