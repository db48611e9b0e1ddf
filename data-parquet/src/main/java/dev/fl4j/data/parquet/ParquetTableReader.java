package dev.fl4j.data.parquet;

import dev.fl4j.simulation.tables.MalformedTableException;
import dev.fl4j.simulation.tables.TableColumn;
import dev.fl4j.simulation.tables.TableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.HadoopFreeReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
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
    private final ColumnReader[] columnReaders;
    private final boolean[] missing;
    private final double[] floats;
    private final long[] ints;
    private final String[] strings;
    private long rowsLeftInGroup;
    private long row;
    private int nextGroup;

    private ParquetTableReader(Path file, ParquetFileReader reader, List<String> projection) {
        this.file = file;
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
        this.columnReaders = new ColumnReader[n];
        this.missing = new boolean[n];
        this.floats = new double[n];
        this.ints = new long[n];
        this.strings = new String[n];
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
            return new ParquetTableReader(file, reader, projection);
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
        return advance(true);
    }

    /**
     * Moves past the next row without decoding its cells (they are skipped in their column readers);
     * the cell accessors then still answer for the row read before.
     *
     * @return false at the end of the file
     */
    boolean skipRow() throws IOException {
        return advance(false);
    }

    private boolean advance(boolean decode) throws IOException {
        try {
            while (rowsLeftInGroup == 0) {
                PageReadStore pages = reader.readNextRowGroup();
                if (pages == null) {
                    return false;
                }
                rowsLeftInGroup = pages.getRowCount();
                nextGroup++;
                ColumnReadStoreImpl store = new ColumnReadStoreImpl(
                        pages,
                        new IgnoringConverter(columns.size()),
                        schema,
                        reader.getFileMetaData().getCreatedBy());
                for (int i = 0; i < descriptors.length; i++) {
                    columnReaders[i] = store.getColumnReader(descriptors[i]);
                }
            }
            row++;
            rowsLeftInGroup--;
            for (int i = 0; i < descriptors.length; i++) {
                if (decode) {
                    readCell(i);
                } else {
                    ColumnReader r = columnReaders[i];
                    if (r.getCurrentDefinitionLevel() == descriptors[i].getMaxDefinitionLevel()) {
                        r.skip();
                    }
                    r.consume();
                }
            }
            return true;
        } catch (MalformedTableException e) {
            throw e;
        } catch (RuntimeException | IOException e) {
            throw new MalformedTableException(file, "row " + row, "unreadable (" + e.getMessage() + ")");
        } catch (NoClassDefFoundError e) {
            throw damaged(file, "row " + row, e);
        }
    }

    private void readCell(int i) {
        ColumnReader r = columnReaders[i];
        ColumnDescriptor d = descriptors[i];
        missing[i] = r.getCurrentDefinitionLevel() < d.getMaxDefinitionLevel();
        if (!missing[i]) {
            PrimitiveTypeName type = d.getPrimitiveType().getPrimitiveTypeName();
            switch (type) {
                case BOOLEAN -> ints[i] = r.getBoolean() ? 1 : 0;
                case INT32 -> ints[i] = r.getInteger();
                case INT64 -> ints[i] = r.getLong();
                case FLOAT -> floats[i] = r.getFloat();
                case DOUBLE -> floats[i] = r.getDouble();
                case BINARY -> strings[i] = r.getBinary().toStringUsingUTF8();
                default -> throw new MalformedTableException(file, where(), "column type " + type);
            }
        }
        r.consume();
    }

    @Override
    public String where() {
        return "row " + row;
    }

    @Override
    public boolean isMissing(int column) {
        return missing[column];
    }

    @Override
    public float number(int column) {
        TableColumn c = columns.get(column);
        if (missing[column]) {
            throw new MalformedTableException(file, where(), "column '" + c.name() + "': missing value");
        }
        return switch (c.kind()) {
            case FLOAT -> (float) floats[column];
            case INT -> (float) ints[column];
            default ->
                throw new MalformedTableException(
                        file, where(), "column '" + c.name() + "' holds strings, not numbers");
        };
    }

    @Override
    public String text(int column) {
        if (missing[column]) {
            return "";
        }
        return switch (columns.get(column).kind()) {
            case FLOAT ->
                descriptors[column].getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FLOAT
                        ? Float.toString((float) floats[column])
                        : Double.toString(floats[column]);
            case INT -> Long.toString(ints[column]);
            default -> strings[column];
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
