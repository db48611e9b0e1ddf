package dev.fl4j.data.parquet;

import dev.fl4j.simulation.tables.TableColumn;
import dev.fl4j.simulation.tables.TableWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The writer behind {@link ParquetFormat}: required columns, cells held for one row, Snappy pages.
 * Number columns are written without a dictionary (PLAIN pages, which {@link PlainColumnCursor}
 * reads by offset); string columns keep parquet-java's dictionary.
 */
final class ParquetTableWriter implements TableWriter {

    private final List<TableColumn> columns;
    private final Row row;
    private final ParquetWriter<Row> writer;

    private ParquetTableWriter(List<TableColumn> columns, ParquetWriter<Row> writer, Row row) {
        this.columns = columns;
        this.writer = writer;
        this.row = row;
    }

    static ParquetTableWriter create(Path file, List<TableColumn> columns) throws IOException {
        return create(file, columns, 0);
    }

    /** As {@link #create(Path, List)}, with at most {@code rowGroupRows} rows per row group (0: no limit). */
    static ParquetTableWriter create(Path file, List<TableColumn> columns, int rowGroupRows) throws IOException {
        List<TableColumn> cs = List.copyOf(columns);
        MessageType schema = schema(cs);
        Files.deleteIfExists(file);
        Row row = new Row(cs.size());
        Builder builder = new Builder(new LocalOutputFile(file), schema);
        if (rowGroupRows > 0) {
            builder.withRowGroupRowCountLimit(rowGroupRows);
        }
        for (TableColumn c : cs) {
            if (c.kind() == TableColumn.Kind.FLOAT || c.kind() == TableColumn.Kind.INT) {
                // PLAIN pages of numbers are read by offset, rows skipped without decoding (PlainColumnCursor);
                // a name with a dot is a nested path to parquet-java, so such a column keeps its dictionary
                builder.withDictionaryEncoding(c.name(), false);
            }
        }
        ParquetWriter<Row> writer = builder.withConf(new PlainParquetConfiguration())
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCodecFactory(new Codecs())
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .build();
        return new ParquetTableWriter(cs, writer, row);
    }

    /** The schema of {@code columns}: each a required primitive column. */
    static MessageType schema(List<TableColumn> columns) {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (TableColumn c : columns) {
            switch (c.kind()) {
                case STRING, TEXT ->
                    b.required(PrimitiveTypeName.BINARY)
                            .as(LogicalTypeAnnotation.stringType())
                            .named(c.name());
                case FLOAT -> b.required(PrimitiveTypeName.FLOAT).named(c.name());
                case INT -> b.required(PrimitiveTypeName.INT32).named(c.name());
                default -> throw new IllegalArgumentException("column kind " + c.kind());
            }
        }
        return b.named("fl4j_table");
    }

    @Override
    public void setString(int column, String value) {
        row.strings[column] = value;
        row.set[column] = true;
    }

    @Override
    public void setFloat(int column, float value) {
        row.floats[column] = value;
        row.set[column] = true;
    }

    @Override
    public void setInt(int column, int value) {
        row.ints[column] = value;
        row.set[column] = true;
    }

    @Override
    public void endRow() throws IOException {
        for (int i = 0; i < row.set.length; i++) {
            if (!row.set[i]) {
                throw new IllegalStateException("column '" + columns.get(i).name() + "' was not set in this row");
            }
        }
        writer.write(row);
        java.util.Arrays.fill(row.set, false);
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    /** The current row's cells. */
    private static final class Row {
        final boolean[] set;
        final String[] strings;
        final float[] floats;
        final int[] ints;

        Row(int n) {
            set = new boolean[n];
            strings = new String[n];
            floats = new float[n];
            ints = new int[n];
        }
    }

    private static final class Support extends WriteSupport<Row> {
        private final MessageType schema;
        private RecordConsumer out;

        Support(MessageType schema) {
            this.schema = schema;
        }

        @Override
        public WriteContext init(ParquetConfiguration configuration) {
            return new WriteContext(schema, new HashMap<>());
        }

        @Override
        public WriteContext init(Configuration configuration) {
            return init((ParquetConfiguration) null);
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(Row row) {
            out.startMessage();
            for (int i = 0; i < schema.getFieldCount(); i++) {
                out.startField(schema.getFieldName(i), i);
                switch (schema.getType(i).asPrimitiveType().getPrimitiveTypeName()) {
                    case BINARY -> out.addBinary(Binary.fromString(row.strings[i]));
                    case FLOAT -> out.addFloat(row.floats[i]);
                    case INT32 -> out.addInteger(row.ints[i]);
                    default -> throw new IllegalStateException("column type of " + schema.getFieldName(i));
                }
                out.endField(schema.getFieldName(i), i);
            }
            out.endMessage();
        }
    }

    private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
        private final MessageType schema;

        Builder(LocalOutputFile file, MessageType schema) {
            super(file);
            this.schema = schema;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Row> getWriteSupport(ParquetConfiguration conf) {
            return new Support(schema);
        }

        @Override
        protected WriteSupport<Row> getWriteSupport(Configuration conf) {
            return new Support(schema);
        }
    }
}
