package dev.fl4j.data.parquet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;
import org.apache.parquet.VersionParser.ParsedVersion;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.impl.ColumnReaderImpl;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * A required, non-repeated column of fixed-width numbers (INT32, INT64, FLOAT, DOUBLE) whose data
 * pages are PLAIN: such a page is its values end to end, little-endian, with no levels before them
 * (a required column's levels take no bytes in a v1 page, and sit apart from the values in a v2
 * page), so the value of row {@code r} is at byte {@code width * (r - page's first row)}. Skipping
 * rows only moves the row number; a page is decompressed once (by parquet-java's page reader) and
 * pages are taken in order, so reading forward never goes back.
 *
 * <p>The first page that is not PLAIN (a dictionary-encoded page, a delta page) hands that page and
 * the rest of the column chunk to a {@link LevelColumnCursor} over parquet-java's own column reader,
 * which then reads the column to the end of the row group. A page whose bytes are fewer than its
 * values need, or pages that end before the row group does, are reported as damage, never read past.
 */
final class PlainColumnCursor implements ColumnCursor {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle DOUBLE =
            MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    /** The level encodings whose readers take no bytes of a v1 page for a column without levels. */
    private static final Set<Encoding> EMPTY_LEVELS = EnumSet.of(Encoding.RLE, Encoding.BIT_PACKED);

    private final ColumnDescriptor descriptor;
    private final PrimitiveTypeName type;
    private final int width;
    private final PageReader pages;
    private final DictionaryPage dictionary;
    private final ParsedVersion writerVersion;
    private final long rows;
    private byte[] page;
    private long pageStart;
    private long pageEnd;
    private long next;
    private ColumnCursor fallback;

    private PlainColumnCursor(
            ColumnDescriptor descriptor,
            PageReader pages,
            DictionaryPage dictionary,
            ParsedVersion writerVersion,
            long rows) {
        this.descriptor = descriptor;
        this.type = descriptor.getPrimitiveType().getPrimitiveTypeName();
        this.width = type == PrimitiveTypeName.INT32 || type == PrimitiveTypeName.FLOAT ? 4 : 8;
        this.pages = pages;
        this.dictionary = dictionary;
        this.writerVersion = writerVersion;
        this.rows = rows;
    }

    /** Whether columns of {@code descriptor}'s type and levels can be read this way (if their pages are PLAIN). */
    static boolean fits(ColumnDescriptor descriptor) {
        if (descriptor.getMaxDefinitionLevel() != 0 || descriptor.getMaxRepetitionLevel() != 0) {
            return false;
        }
        return switch (descriptor.getPrimitiveType().getPrimitiveTypeName()) {
            case INT32, INT64, FLOAT, DOUBLE -> true;
            default -> false;
        };
    }

    /**
     * A cursor at the first of {@code rows} rows of a column chunk that {@link #fits} ({@code pages}
     * read from their start).
     */
    static PlainColumnCursor over(
            ColumnDescriptor descriptor, PageReader pages, ParsedVersion writerVersion, long rows) {
        if (!fits(descriptor)) {
            throw new IllegalArgumentException("not a required fixed-width column: " + descriptor);
        }
        return new PlainColumnCursor(descriptor, pages, pages.readDictionaryPage(), writerVersion, rows);
    }

    @Override
    public void skip(long n) {
        if (fallback != null) {
            fallback.skip(n);
        } else {
            next += n;
        }
    }

    @Override
    public void read(Cells cells, int column) {
        while (fallback == null && next >= pageEnd) {
            nextPage();
        }
        if (fallback != null) {
            fallback.read(cells, column);
            return;
        }
        int at = (int) (next - pageStart) * width;
        switch (type) {
            case INT32 -> cells.ints[column] = (int) INT.get(page, at);
            case INT64 -> cells.ints[column] = (long) LONG.get(page, at);
            case FLOAT -> cells.floats[column] = (float) FLOAT.get(page, at);
            default -> cells.floats[column] = (double) DOUBLE.get(page, at);
        }
        cells.missing[column] = false;
        next++;
    }

    private void nextPage() {
        DataPage p = pages.readPage();
        if (p == null) {
            throw new IllegalStateException(
                    "column '" + name() + "': its pages hold " + pageEnd + " values, the row group " + rows + " rows");
        }
        byte[] bytes;
        if (p instanceof DataPageV1 v1
                && v1.getValueEncoding() == Encoding.PLAIN
                && EMPTY_LEVELS.contains(v1.getRlEncoding())
                && EMPTY_LEVELS.contains(v1.getDlEncoding())) {
            bytes = bytes(v1.getBytes());
        } else if (p instanceof DataPageV2 v2 && v2.getDataEncoding() == Encoding.PLAIN) {
            bytes = bytes(v2.getData());
        } else {
            fallBackAt(p);
            return;
        }
        int values = p.getValueCount();
        if (values < 0 || bytes.length < (long) values * width) {
            throw new IllegalStateException("column '" + name() + "': a PLAIN page of " + values + " " + type
                    + " values holds " + bytes.length + " bytes");
        }
        page = bytes;
        pageStart = pageEnd;
        pageEnd += values;
    }

    /** Hands page {@code p} and the pages after it to parquet-java's column reader, at row {@link #next}. */
    private void fallBackAt(DataPage p) {
        long firstRow = pageEnd;
        page = null;
        PageReader rest = new PageReader() {
            private DataPage first = p;

            @Override
            public DictionaryPage readDictionaryPage() {
                return dictionary;
            }

            @Override
            public long getTotalValueCount() {
                return rows - firstRow;
            }

            @Override
            public DataPage readPage() {
                DataPage out = first != null ? first : pages.readPage();
                first = null;
                return out;
            }
        };
        fallback = new LevelColumnCursor(
                new ColumnReaderImpl(descriptor, rest, new PrimitiveConverter() {}, writerVersion), descriptor);
        fallback.skip(next - firstRow);
    }

    private static byte[] bytes(org.apache.parquet.bytes.BytesInput in) {
        try {
            return in.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String name() {
        return String.join(".", descriptor.getPath());
    }
}
