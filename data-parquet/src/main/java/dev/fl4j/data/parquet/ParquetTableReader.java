package dev.fl4j.data.parquet;

import dev.fl4j.simulation.tables.MalformedTableException;
import dev.fl4j.simulation.tables.TableColumn;
import dev.fl4j.simulation.tables.TableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.HadoopFreeReadOptions;
import org.apache.parquet.VersionParser;
import org.apache.parquet.VersionParser.ParsedVersion;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * The row cursor behind {@link ParquetFormat}: one row group's column readers at a time. Anything
 * parquet-java throws on a damaged file becomes a {@link MalformedTableException} naming the file and
 * the row.
 */
final class ParquetTableReader implements TableReader {

    private final Path file;
    private final ParquetFileReader reader;
    private final MessageType schema;
    private final List<TableColumn> columns;
    private final ColumnDescriptor[] descriptors;
    private final boolean directPlainPages;
    private final ParsedVersion writerVersion;
    private final ColumnCursor[] cursors;
    private final ColumnCursor.Cells cells;
    private long rowsLeftInGroup;
    private long row;
    private int nextGroup;

    private ParquetTableReader(Path file, ParquetFileReader reader, List<String> projection, boolean directPlainPages) {
        this.file = file;
        this.directPlainPages = directPlainPages;
        this.reader = reader;
        this.schema =
                projection == null ? reader.getFooter().getFileMetaData().getSchema() : project(reader, projection);
        List<TableColumn> cs = new ArrayList<>();
        for (Type t : schema.getFields()) {
            cs.add(new TableColumn(t.getName(), kind(t)));
        }
        this.columns = List.copyOf(cs);
        int n = columns.size();
        this.descriptors = schema.getColumns().toArray(ColumnDescriptor[]::new);
        if (descriptors.length != n) {
            throw new MalformedTableException(file, "a nested schema: " + schema);
        }
        this.cursors = new ColumnCursor[n];
        this.cells = new ColumnCursor.Cells(n);
        this.writerVersion = writerVersion(reader.getFileMetaData().getCreatedBy());
    }

    /** As parquet-java's {@code ColumnReadStoreImpl} reads the writer's version (null if unreadable). */
    private static ParsedVersion writerVersion(String createdBy) {
        try {
            return VersionParser.parse(createdBy);
        } catch (RuntimeException | VersionParser.VersionParseException e) {
            return null;
        }
    }

    static ParquetTableReader open(Path file) throws IOException {
        return open(file, null);
    }

    /**
     * Opens {@code file} reading only the columns {@code projection} names, in that order (null: every
     * column); only their column chunks are read.
     *
     * @throws MalformedTableException if a named column is not in the file
     */
    static ParquetTableReader open(Path file, List<String> projection) throws IOException {
        return open(file, projection, true);
    }

    /**
     * As {@link #open(Path, List)}; {@code directPlainPages} false reads every column through
     * parquet-java's column readers, as fl4j did before {@link PlainColumnCursor} (tests compare the two).
     */
    static ParquetTableReader open(Path file, List<String> projection, boolean directPlainPages) throws IOException {
        ParquetFileReader reader;
        try {
            reader = ParquetFileReader.open(new LocalInputFile(file), HadoopFreeReadOptions.create(new Codecs()));
        } catch (RuntimeException | IOException e) {
            if (e instanceof java.nio.file.NoSuchFileException) {
                throw (IOException) e;
            }
            throw new MalformedTableException(file, "not a readable Parquet file (" + e.getMessage() + ")", e);
        } catch (NoClassDefFoundError e) {
            throw damaged(file, "footer", e);
        }
        try {
            return new ParquetTableReader(file, reader, projection, directPlainPages);
        } catch (RuntimeException e) {
            reader.close();
            throw e instanceof MalformedTableException m
                    ? m
                    : new MalformedTableException(file, "unreadable Parquet schema (" + e.getMessage() + ")", e);
        }
    }

    private MessageType project(ParquetFileReader r, List<String> names) {
        MessageType full = r.getFooter().getFileMetaData().getSchema();
        List<Type> fields = new ArrayList<>();
        for (String name : names) {
            if (!full.containsField(name)) {
                throw new MalformedTableException(file, "no column '" + name + "'; the file has " + full.getFields());
            }
            fields.add(full.getType(name));
        }
        MessageType projected = new MessageType(full.getName(), fields);
        r.setRequestedSchema(projected);
        return projected;
    }

    /** The number of rows of each row group, in file order. */
    long[] rowGroupRows() {
        return reader.getRowGroups().stream().mapToLong(b -> b.getRowCount()).toArray();
    }

    /**
     * Skips the next row group without reading it; only between row groups (before the first
     * {@link #next()} of a group, or after its last row).
     *
     * @return false if there was no row group left
     */
    boolean skipRowGroup() throws IOException {
        if (rowsLeftInGroup != 0) {
            throw new IllegalStateException(file + ": " + rowsLeftInGroup + " rows left in the current row group");
        }
        if (nextGroup >= reader.getRowGroups().size()) {
            return false;
        }
        long rows = reader.getRowGroups().get(nextGroup).getRowCount();
        try {
            if (!reader.skipNextRowGroup()) {
                return false;
            }
        } catch (RuntimeException e) {
            throw new MalformedTableException(file, "row " + (row + 1), "unreadable (" + e.getMessage() + ")");
        }
        row += rows;
        nextGroup++;
        return true;
    }

    private TableColumn.Kind kind(Type t) {
        if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)) {
            throw new MalformedTableException(
                    file, "column '" + t.getName() + "' is " + t + "; fl4j reads flat tables of primitive columns");
        }
        PrimitiveType p = t.asPrimitiveType();
        LogicalTypeAnnotation logical = p.getLogicalTypeAnnotation();
        return switch (p.getPrimitiveTypeName()) {
            case BOOLEAN, INT32, INT64 -> TableColumn.Kind.INT;
            case FLOAT, DOUBLE -> TableColumn.Kind.FLOAT;
            case BINARY -> {
                if (logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                        || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation) {
                    yield TableColumn.Kind.STRING;
                }
                throw new MalformedTableException(
                        file, "column '" + t.getName() + "' is binary without a string annotation (" + t + ")");
            }
            default ->
                throw new MalformedTableException(
                        file,
                        "column '" + t.getName() + "' is " + p.getPrimitiveTypeName() + ", not a number or string");
        };
    }

    /** What went wrong reading the current row, as a {@link MalformedTableException} naming it. */
    private RuntimeException unreadableRow(Throwable e) {
        if (e instanceof NoClassDefFoundError missing) {
            return damaged(file, "row " + row, missing);
        }
        return new MalformedTableException(file, "row " + row, "unreadable (" + e.getMessage() + ")");
    }

    /**
     * parquet-java names the file through Hadoop's {@code Path} in some of its reports of a damaged
     * column chunk (e.g. pages whose value counts do not add up to the chunk's); without Hadoop on the
     * class path that report is a {@link NoClassDefFoundError} of a Hadoop class, which is the damage
     * reported. Any other missing class is not ours to explain and is rethrown.
     */
    private static RuntimeException damaged(Path file, String where, NoClassDefFoundError e) {
        if (e.getMessage() == null || !e.getMessage().startsWith("org/apache/hadoop/")) {
            throw e;
        }
        return new MalformedTableException(
                file,
                where,
                "a damaged column chunk (parquet-java's report of it needs Hadoop's " + e.getMessage() + ")");
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public List<TableColumn> columns() {
        return columns;
    }

    @Override
    public boolean next() throws IOException {
        return advance();
    }

    /**
     * Moves past the next {@code rows} rows without decoding their cells, across row groups if need
     * be; the cell accessors then still answer for the row read before. Columns of required numbers in
     * PLAIN pages skip them in one step, others one value at a time.
     *
     * @return the rows skipped: {@code rows}, or fewer at the end of the file
     */
    long skipRows(long rows) throws IOException {
        long skipped = 0;
        try {
            while (skipped < rows && (rowsLeftInGroup > 0 || startRowGroup())) {
                long k = Math.min(rows - skipped, rowsLeftInGroup);
                row++;
                for (ColumnCursor c : cursors) {
                    c.skip(k);
                }
                row += k - 1;
                rowsLeftInGroup -= k;
                skipped += k;
            }
            return skipped;
        } catch (MalformedTableException e) {
            throw e;
        } catch (RuntimeException | IOException | NoClassDefFoundError e) {
            throw unreadableRow(e);
        }
    }

    private boolean advance() throws IOException {
        try {
            if (rowsLeftInGroup == 0 && !startRowGroup()) {
                return false;
            }
            row++;
            rowsLeftInGroup--;
            for (int i = 0; i < cursors.length; i++) {
                cursors[i].read(cells, i);
            }
            return true;
        } catch (MalformedTableException e) {
            throw e;
        } catch (RuntimeException | IOException | NoClassDefFoundError e) {
            throw unreadableRow(e);
        }
    }

    /** Reads the next non-empty row group's pages and makes its cursors; false at the end of the file. */
    private boolean startRowGroup() throws IOException {
        while (rowsLeftInGroup == 0) {
            PageReadStore pages = reader.readNextRowGroup();
            if (pages == null) {
                return false;
            }
            rowsLeftInGroup = pages.getRowCount();
            nextGroup++;
            ColumnReadStoreImpl store = null;
            for (int i = 0; i < descriptors.length; i++) {
                ColumnDescriptor d = descriptors[i];
                if (directPlainPages && PlainColumnCursor.fits(d)) {
                    cursors[i] = PlainColumnCursor.over(d, pages.getPageReader(d), writerVersion, rowsLeftInGroup);
                } else {
                    if (store == null) {
                        store = new ColumnReadStoreImpl(
                                pages,
                                new IgnoringConverter(columns.size()),
                                schema,
                                reader.getFileMetaData().getCreatedBy());
                    }
                    cursors[i] = new LevelColumnCursor(store.getColumnReader(d), d);
                }
            }
        }
        return true;
    }

    @Override
    public String where() {
        return "row " + row;
    }

    @Override
    public boolean isMissing(int column) {
        return cells.missing[column];
    }

    @Override
    public float number(int column) {
        TableColumn c = columns.get(column);
        if (cells.missing[column]) {
            throw new MalformedTableException(file, where(), "column '" + c.name() + "': missing value");
        }
        return switch (c.kind()) {
            case FLOAT -> (float) cells.floats[column];
            case INT -> (float) cells.ints[column];
            default ->
                throw new MalformedTableException(
                        file, where(), "column '" + c.name() + "' holds strings, not numbers");
        };
    }

    @Override
    public String text(int column) {
        if (cells.missing[column]) {
            return "";
        }
        return switch (columns.get(column).kind()) {
            case FLOAT ->
                descriptors[column].getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FLOAT
                        ? Float.toString((float) cells.floats[column])
                        : Double.toString(cells.floats[column]);
            case INT -> Long.toString(cells.ints[column]);
            default -> cells.strings[column];
        };
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /** Column readers need a converter tree; values are read from the readers directly, never converted. */
    private static final class IgnoringConverter extends GroupConverter {
        private final PrimitiveConverter[] fields;

        IgnoringConverter(int n) {
            fields = new PrimitiveConverter[n];
            for (int i = 0; i < n; i++) {
                fields[i] = new PrimitiveConverter() {};
            }
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return fields[fieldIndex];
        }

        @Override
        public void start() {}

        @Override
        public void end() {}
    }
}
