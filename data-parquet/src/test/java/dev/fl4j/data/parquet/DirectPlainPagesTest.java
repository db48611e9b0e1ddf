package dev.fl4j.data.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.simulation.tables.MalformedTableException;
import dev.fl4j.simulation.tables.TableColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.parquet.HadoopFreeReadOptions;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PlainColumnCursor} against the values written and against parquet-java's column readers
 * (the reader with direct PLAIN pages off): files written by parquet-java with pages of a few dozen
 * rows, several row groups, v1 and v2 pages, uncompressed, Snappy and gzip, dictionaries on and off,
 * read with runs of skipped and read rows that start and end inside pages and span their boundaries.
 */
class DirectPlainPagesTest {

    /** Rows per file: 9 row groups of 500 rows, pages of 37 rows (so pages and ranges rarely align). */
    static final int ROWS = 4_321;

    static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType())
            .named("client")
            .required(PrimitiveTypeName.INT32)
            .named("i32")
            .required(PrimitiveTypeName.INT64)
            .named("i64")
            .required(PrimitiveTypeName.FLOAT)
            .named("f32")
            .required(PrimitiveTypeName.DOUBLE)
            .named("f64")
            .required(PrimitiveTypeName.BOOLEAN)
            .named("flag")
            .optional(PrimitiveTypeName.FLOAT)
            .named("maybe")
            .required(PrimitiveTypeName.INT32)
            .named("label")
            .named("t");

    @TempDir
    Path dir;

    /** Row {@code r} of the test table as the reader's texts, column by column. */
    static List<String> expectedRow(int r) {
        return List.of(
                "c" + (r / 3),
                Integer.toString(r * 7919 - 1_000_000),
                Long.toString((long) r * 1_000_000_007L - (1L << 40)),
                Float.toString(r * 0.37f - 50),
                Double.toString((r / 3) * 1e-3 - 1.5),
                Long.toString(r % 3 == 0 ? 1 : 0),
                r % 5 == 0 ? "" : Float.toString(r * 0.5f),
                Long.toString(r % 10));
    }

    static void write(Path file, WriterVersion version, CompressionCodecName codec, boolean dictionary)
            throws IOException {
        write(file, version, codec, dictionary, ROWS, 500, true);
    }

    /**
     * The first {@code rows} rows of the test table, {@code groupRows} rows a row group, 37 rows a page,
     * with or without page checksums.
     */
    static void write(
            Path file,
            WriterVersion version,
            CompressionCodecName codec,
            boolean dictionary,
            int rows,
            int groupRows,
            boolean checksums)
            throws IOException {
        Files.deleteIfExists(file);
        SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withConf(new PlainParquetConfiguration())
                .withType(SCHEMA)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCodecFactory(new Codecs())
                .withCompressionCodec(codec)
                .withWriterVersion(version)
                .withDictionaryEncoding(dictionary)
                .withDictionaryPageSize(dictionary ? 256 : 1 << 20)
                .withRowGroupRowCountLimit(groupRows)
                .withPageRowCountLimit(37)
                .withMinRowCountForPageSizeCheck(1)
                .withPageWriteChecksumEnabled(checksums)
                .build()) {
            for (int r = 0; r < rows; r++) {
                Group g = groups.newGroup()
                        .append("client", "c" + (r / 3))
                        .append("i32", r * 7919 - 1_000_000)
                        .append("i64", (long) r * 1_000_000_007L - (1L << 40))
                        .append("f32", r * 0.37f - 50)
                        .append("f64", (r / 3) * 1e-3 - 1.5)
                        .append("flag", r % 3 == 0);
                if (r % 5 != 0) {
                    g.append("maybe", r * 0.5f);
                }
                w.write(g.append("label", r % 10));
            }
        }
    }

    /**
     * Reads {@code file} by runs of skipped and read rows drawn from {@code seed}: each row read as
     * "row: texts".
     */
    static List<String> readRuns(Path file, boolean direct, long seed) throws IOException {
        return readRuns(file, direct, seed, 600);
    }

    /** As {@link #readRuns(Path, boolean, long)}, a run skipping at most {@code maxSkip} rows. */
    static List<String> readRuns(Path file, boolean direct, long seed, int maxSkip) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        try (ParquetTableReader r = ParquetTableReader.open(file, null, direct)) {
            long row = 0;
            while (true) {
                long skip = random.nextInt(4) == 0 ? random.nextInt(maxSkip) : random.nextInt(maxSkip / 10);
                long skipped = r.skipRows(skip);
                row += skipped;
                if (skipped < skip) {
                    return out;
                }
                for (int k = random.nextInt(1, 8); k > 0; k--) {
                    if (!r.next()) {
                        return out;
                    }
                    List<String> texts = new ArrayList<>();
                    for (int c = 0; c < r.columns().size(); c++) {
                        texts.add(r.text(c));
                    }
                    out.add(row++ + ": " + String.join("|", texts));
                }
            }
        }
    }

    /** Every row of {@code file}, read one after the other. */
    static int readAll(Path file, boolean direct) throws IOException {
        int rows = 0;
        try (ParquetTableReader r = ParquetTableReader.open(file, null, direct)) {
            while (r.next()) {
                rows++;
            }
        }
        return rows;
    }

    static List<String> expectedRuns(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        long row = 0;
        while (true) {
            long skip = random.nextInt(4) == 0 ? random.nextInt(600) : random.nextInt(60);
            row += skip;
            for (int k = random.nextInt(1, 8); k > 0; k--) {
                if (row >= ROWS) {
                    return out;
                }
                out.add(row + ": " + String.join("|", expectedRow((int) row)));
                row++;
            }
        }
    }

    /** Each data page's value encoding, in file order, for the column named {@code column}. */
    static List<Encoding> pageEncodings(Path file, String column) throws IOException {
        List<Encoding> out = new ArrayList<>();
        try (ParquetFileReader f =
                ParquetFileReader.open(new LocalInputFile(file), HadoopFreeReadOptions.create(new Codecs()))) {
            ColumnDescriptor d =
                    f.getFooter().getFileMetaData().getSchema().getColumnDescription(new String[] {column});
            for (PageReadStore group = f.readNextRowGroup(); group != null; group = f.readNextRowGroup()) {
                PageReader pages = group.getPageReader(d);
                for (DataPage p = pages.readPage(); p != null; p = pages.readPage()) {
                    out.add(p instanceof DataPageV1 v1 ? v1.getValueEncoding() : ((DataPageV2) p).getDataEncoding());
                }
            }
        }
        return out;
    }

    @Test
    void directPagesReadTheRowsWrittenAndTheRowsParquetJavasReadersRead() throws Exception {
        int files = 0;
        for (WriterVersion version : WriterVersion.values()) {
            for (CompressionCodecName codec : List.of(
                    CompressionCodecName.UNCOMPRESSED, CompressionCodecName.SNAPPY, CompressionCodecName.GZIP)) {
                for (boolean dictionary : new boolean[] {false, true}) {
                    Path file = dir.resolve(version + "-" + codec + "-" + dictionary + ".parquet");
                    write(file, version, codec, dictionary);
                    String what = file.getFileName().toString();
                    for (long seed = 1; seed <= 3; seed++) {
                        List<String> expected = expectedRuns(seed);
                        assertTrue(expected.size() > 100, what);
                        assertEquals(expected, readRuns(file, true, seed), what + " direct, seed " + seed);
                        assertEquals(expected, readRuns(file, false, seed), what + " column readers, seed " + seed);
                    }
                    files++;
                }
            }
        }
        assertEquals(12, files);
    }

    @Test
    void theFilesHaveManyPlainPagesAndSomeThatFallBack() throws Exception {
        Path v1 = dir.resolve("v1.parquet");
        write(v1, WriterVersion.PARQUET_1_0, CompressionCodecName.SNAPPY, false);
        List<Encoding> f32 = pageEncodings(v1, "f32");
        assertTrue(f32.size() >= ROWS / 37, "pages: " + f32.size());
        assertEquals(Set.of(Encoding.PLAIN), EnumSet.copyOf(f32));
        assertEquals(Set.of(Encoding.PLAIN), EnumSet.copyOf(pageEncodings(v1, "i32")));

        Path v2 = dir.resolve("v2.parquet");
        write(v2, WriterVersion.PARQUET_2_0, CompressionCodecName.SNAPPY, false);
        assertEquals(Set.of(Encoding.PLAIN), EnumSet.copyOf(pageEncodings(v2, "f64")));
        assertFalse(pageEncodings(v2, "i64").contains(Encoding.PLAIN), "v2 ints are delta-encoded");

        Path dictionary = dir.resolve("dictionary.parquet");
        write(dictionary, WriterVersion.PARQUET_1_0, CompressionCodecName.SNAPPY, true);
        List<Encoding> labels = pageEncodings(dictionary, "label");
        assertFalse(labels.contains(Encoding.PLAIN), "labels: " + labels);
        List<Encoding> doubles = pageEncodings(dictionary, "f64");
        assertTrue(
                doubles.contains(Encoding.PLAIN) && doubles.contains(Encoding.PLAIN_DICTIONARY),
                "a dictionary that overflows mid-chunk: " + doubles);
    }

    @Test
    void fl4jWritesNumbersInPlainPagesAndStringsWithADictionary() throws Exception {
        Path file = dir.resolve("fl4j.parquet");
        try (ParquetTableWriter w = ParquetTableWriter.create(
                file,
                List.of(
                        new TableColumn("client_id", TableColumn.Kind.STRING),
                        new TableColumn("x[0]", TableColumn.Kind.FLOAT),
                        new TableColumn("y", TableColumn.Kind.INT)))) {
            for (int r = 0; r < 3_000; r++) {
                w.setString(0, "c" + (r / 3));
                w.setFloat(1, r % 4);
                w.setInt(2, r % 10);
                w.endRow();
            }
        }
        assertEquals(Set.of(Encoding.PLAIN), EnumSet.copyOf(pageEncodings(file, "x[0]")));
        assertEquals(Set.of(Encoding.PLAIN), EnumSet.copyOf(pageEncodings(file, "y")));
        assertEquals(Set.of(Encoding.PLAIN_DICTIONARY), EnumSet.copyOf(pageEncodings(file, "client_id")));
    }

    @Test
    void aPlainPageShorterThanItsValuesIsDamageNotData() throws Exception {
        // a page of 37 floats (rows 0 to 36) whose header's sizes agree with its 100 bytes: 25 floats
        Path file = dir.resolve("short.parquet");
        MessageType schema = Types.buildMessage()
                .required(PrimitiveTypeName.FLOAT)
                .named("f")
                .named("t");
        ColumnDescriptor d = schema.getColumns().get(0);
        java.nio.ByteBuffer values = java.nio.ByteBuffer.allocate(100).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 25; i++) {
            values.putFloat(i);
        }
        ParquetFileWriter w =
                new ParquetFileWriter(new LocalOutputFile(file), schema, ParquetFileWriter.Mode.CREATE, 1 << 20, 0);
        w.start();
        w.startBlock(37);
        w.startColumn(d, 37, CompressionCodecName.UNCOMPRESSED);
        w.writeDataPage(
                37,
                100,
                BytesInput.from(values.array()),
                Statistics.createStats(d.getPrimitiveType()),
                37,
                Encoding.BIT_PACKED,
                Encoding.BIT_PACKED,
                Encoding.PLAIN);
        w.endColumn();
        w.endBlock();
        w.end(java.util.Map.of());

        assertThrows(MalformedTableException.class, () -> readAll(file, false), "parquet-java's reader at row 26");
        MalformedTableException e = assertThrows(MalformedTableException.class, () -> readAll(file, true));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("a PLAIN page of 37 FLOAT values holds 100 bytes"), e.getMessage());
        try (ParquetTableReader r = ParquetTableReader.open(file, null, true)) {
            assertEquals(36, r.skipRows(36), "rows are skipped without reading the page");
            assertThrows(MalformedTableException.class, r::next);
        }
    }
}
