package dev.fl4j.data.parquet;

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
}
