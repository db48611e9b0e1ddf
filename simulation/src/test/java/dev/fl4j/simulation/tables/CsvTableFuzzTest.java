package dev.fl4j.simulation.tables;

import dev.fl4j.core.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CSV reader and the table decoder on mutated files: every input is read or refused with a
 * {@link MalformedTableException} (a {@code DatasetFileException}) naming the file, whatever the bytes.
 */
class CsvTableFuzzTest {

    @TempDir
    Path dir;

    @Test
    void csvTables() {
        Path file = dir.resolve("fuzz.csv");
        TableOptions federated = TableOptions.builder()
                .setLabelColumn("label")
                .optClientColumn("client")
                .optCategoricalColumns(List.of("color"))
                .build();
        TableOptions indexed = TableOptions.builder()
                .setLabelColumn("label")
                .optCategoricalColumns(List.of("color"))
                .optCategoricalEncoding(TableOptions.CategoricalEncoding.INDEX)
                .optNanPolicy(TableOptions.NanPolicy.KEEP)
                .build();
        Fuzz.named("csv table")
                .seed(bytes("client,color,a,b,label\nu1,red,1,2.5,0\nu2,\"bl,ue\",-3,4e-1,1\nu1,red,NaN,6,2\n"))
                .seed(bytes(
                        "\uFEFFclient,color,a,label\r\n\"x\"\"y\",green,1,cat\r\n\"multi\nline\",red,2,dog\r\n\r\n"))
                .seed(bytes("client,color,x[0][0],x[0][1],x[1][0],x[1][1],label\nk,a,1,2,3,4,5\nk,b,,6,7,8,9\n"))
                .expecting(MalformedTableException.class)
                .inputs(4_000)
                .run(bytes -> {
                    Files.write(file, bytes);
                    Tables.read(file, new CsvFormat(), federated);
                    Tables.read(file, new CsvFormat(), indexed);
                });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
