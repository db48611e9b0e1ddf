package dev.fl4j.data.parquet;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * A column read through parquet-java's {@link ColumnReader}, which reads any encoding, nulls and
 * dictionary pages included, one value at a time: skipping {@code n} rows is {@code n} steps of its
 * level and value decoders.
 */
final class LevelColumnCursor implements ColumnCursor {
    private final ColumnReader reader;
    private final int maxDefinitionLevel;
    private final PrimitiveTypeName type;

    LevelColumnCursor(ColumnReader reader, ColumnDescriptor descriptor) {
        this.reader = reader;
        this.maxDefinitionLevel = descriptor.getMaxDefinitionLevel();
        this.type = descriptor.getPrimitiveType().getPrimitiveTypeName();
    }

    @Override
    public void skip(long rows) {
        for (long i = 0; i < rows; i++) {
            if (reader.getCurrentDefinitionLevel() == maxDefinitionLevel) {
                reader.skip();
            }
            reader.consume();
        }
    }

    @Override
    public void read(Cells cells, int column) {
        boolean missing = reader.getCurrentDefinitionLevel() < maxDefinitionLevel;
        cells.missing[column] = missing;
        if (!missing) {
            switch (type) {
                case BOOLEAN -> cells.ints[column] = reader.getBoolean() ? 1 : 0;
                case INT32 -> cells.ints[column] = reader.getInteger();
                case INT64 -> cells.ints[column] = reader.getLong();
                case FLOAT -> cells.floats[column] = reader.getFloat();
                case DOUBLE -> cells.floats[column] = reader.getDouble();
                case BINARY -> cells.strings[column] = reader.getBinary().toStringUsingUTF8();
                default -> throw new IllegalStateException("column type " + type);
            }
        }
        reader.consume();
    }
}
