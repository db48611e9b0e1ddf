package dev.fl4j.data.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.testing.Fuzz;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.tables.MalformedTableException;
import dev.fl4j.simulation.tables.TableColumn;
import dev.fl4j.simulation.tables.TableColumn.Kind;
import dev.fl4j.simulation.tables.TableExport;
import dev.fl4j.simulation.tables.TableOptions;
import dev.fl4j.simulation.tables.TableWriter;
import dev.fl4j.simulation.tables.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fl4j's Parquet reader on mutated files (footers, page headers, Snappy pages, schemas): every input
 * is read or refused with a {@link MalformedTableException} naming the file.
 */
class ParquetTableFuzzTest {

    @TempDir
    Path dir;

    @Test
    void parquetTables() throws Exception {
        Path exported = dir.resolve("exported.parquet");
        TableExport.write(
                ClientData.fromExamples(Map.of(
                        "c1", Examples.of(new float[] {1, 2, 3, 4, 5, 6}, new int[] {2, 1}, new int[] {0, 1, 2}))),
                new ParquetFormat(),
                exported);
        Path typed = dir.resolve("typed.parquet");
        try (TableWriter w = new ParquetFormat()
                .create(
                        typed,
                        List.of(
                                new TableColumn("client", Kind.STRING),
                                new TableColumn("color", Kind.STRING),
                                new TableColumn("a", Kind.FLOAT),
                                new TableColumn("label", Kind.INT)))) {
            for (int i = 0; i < 5; i++) {
                w.setString(0, "u" + (i % 2));
                w.setString(1, i % 3 == 0 ? "red" : "blue");
                w.setFloat(2, i * 0.5f);
                w.setInt(3, i % 2);
                w.endRow();
            }
        }
        TableOptions exportedOptions = TableOptions.builder()
                .setLabelColumn("y")
                .optClientColumn("client_id")
                .build();
        TableOptions typedOptions = TableOptions.builder()
                .setLabelColumn("label")
                .optClientColumn("client")
                .optNanPolicy(TableOptions.NanPolicy.KEEP)
                .build();
        Path file = dir.resolve("fuzz.parquet");
        Fuzz.named("parquet table")
                .seed(Files.readAllBytes(exported))
                .seed(Files.readAllBytes(typed))
                .expecting(MalformedTableException.class)
                .inputs(2_000)
                .truncations(200)
                .run(bytes -> {
                    Files.write(file, bytes);
                    try {
                        Tables.read(file, new ParquetFormat(), exportedOptions);
                    } catch (MalformedTableException e) {
                        Tables.read(file, new ParquetFormat(), typedOptions);
                        return;
                    }
                    Tables.read(file, new ParquetFormat(), typedOptions);
                });
    }

    /**
     * Mutated files with PLAIN pages of required numbers (v1 and v2 pages, Snappy and uncompressed,
     * two row groups of a few pages; one file's dictionaries overflow into PLAIN pages; no checksums,
     * so that changed values reach the readers), read by runs of skipped and read rows with direct
     * PLAIN pages and with parquet-java's column readers: direct pages may refuse a file the column
     * readers read, but whatever rows they return are the column readers' rows.
     */
    @Test
    void directPlainPagesNeverReadOtherRowsThanParquetJavasReaders() throws Exception {
        Fuzz fuzz = Fuzz.named("parquet direct plain pages");
        for (WriterVersion version : WriterVersion.values()) {
            for (CompressionCodecName codec : List.of(CompressionCodecName.UNCOMPRESSED, CompressionCodecName.SNAPPY)) {
                Path seed = dir.resolve("seed.parquet");
                DirectPlainPagesTest.write(seed, version, codec, false, 120, 80, false);
                fuzz.seed(Files.readAllBytes(seed));
                List<String> rows = DirectPlainPagesTest.readRuns(seed, true, 1, 40);
                assertTrue(rows.size() > 30, "rows read: " + rows.size());
                assertEquals(rows, DirectPlainPagesTest.readRuns(seed, false, 1, 40));
            }
        }
        Path dictionary = dir.resolve("seed-dictionary.parquet");
        DirectPlainPagesTest.write(
                dictionary, WriterVersion.PARQUET_1_0, CompressionCodecName.SNAPPY, true, 120, 80, false);
        fuzz.seed(Files.readAllBytes(dictionary));
        Path file = dir.resolve("fuzz.parquet");
        fuzz.expecting(MalformedTableException.class)
                .inputs(2_000)
                .truncations(200)
                .run(bytes -> {
                    Files.write(file, bytes);
                    for (long seed = 1; seed <= 2; seed++) {
                        List<String> direct = DirectPlainPagesTest.readRuns(file, true, seed, 40);
                        List<String> levels;
                        try {
                            levels = DirectPlainPagesTest.readRuns(file, false, seed, 40);
                        } catch (MalformedTableException e) {
                            throw new AssertionError("direct pages read rows where column readers fail: " + e, e);
                        }
                        if (!direct.equals(levels)) {
                            throw new AssertionError("direct pages read " + direct + ", column readers " + levels);
                        }
                    }
                });
    }
}
