package dev.fl4j.data.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.tables.MalformedTableException;
import dev.fl4j.simulation.tables.TableColumn;
import dev.fl4j.simulation.tables.TableColumn.Kind;
import dev.fl4j.simulation.tables.TableExport;
import dev.fl4j.simulation.tables.TableFormat;
import dev.fl4j.simulation.tables.TableFormats;
import dev.fl4j.simulation.tables.TableOptions;
import dev.fl4j.simulation.tables.TableReader;
import dev.fl4j.simulation.tables.TableWriter;
import dev.fl4j.simulation.tables.Tables;
import dev.fl4j.simulation.tables.TabularData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet tables written and read by fl4j's own reader and writer (no Hadoop, no Spark), on real files. */
class ParquetTablesTest {

    @TempDir
    Path tmp;

    private static final TableFormat PARQUET = TableFormats.named("parquet");

    @Test
    void theFormatIsFoundAsAService() {
        assertTrue(PARQUET instanceof ParquetFormat);
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.hadoop.conf.Configuration"));
    }

    @Test
    void exportedClientsReadBackBitForBitWithTheirShape() throws Exception {
        Map<String, Examples> byClient = new LinkedHashMap<>();
        byClient.put(
                "zeta",
                Examples.of(
                        new float[] {0.1f, -0f, Float.MIN_VALUE, 1e-30f, 3.4e38f, 7, 8, 9, 10, 11, 12, 1 / 3f},
                        new int[] {3, 2, 1},
                        new int[] {4, 0}));
        byClient.put("alpha", Examples.of(new float[] {1, 2, 3, 4, 5, 6}, new int[] {3, 2, 1}, new int[] {9}));
        ClientData data = ClientData.fromExamples(byClient);
        Path out = tmp.resolve("export.parquet");
        assertEquals(3, TableExport.write(data, PARQUET, out));
        ClientData read = Tables.read(
                        out,
                        PARQUET,
                        TableOptions.builder()
                                .setLabelColumn(TableExport.LABEL_COLUMN)
                                .optClientColumn(TableExport.CLIENT_COLUMN)
                                .build())
                .clientData();
        assertEquals(data.clientIds(), read.clientIds());
        assertEquals(data.elementType(), read.elementType());
        for (String id : data.clientIds()) {
            assertEquals(values(data, id), values(read, id));
        }
    }

    /** Each example as its bits: x's raw float bits, then y. */
    static List<List<Integer>> values(ClientData data, String id) {
        List<List<Integer>> out = new ArrayList<>();
        for (Value v : data.datasetFor(id)) {
            List<Integer> bits = new ArrayList<>();
            for (float f : ((Struct) v).tensor("x").floatData()) {
                bits.add(Float.floatToRawIntBits(f));
            }
            bits.add(((Struct) v).tensor("y").intData()[0]);
            out.add(bits);
        }
        return out;
    }

    @Test
    void stringColumnsAreCategoricalAndNullsFollowThePolicy() throws Exception {
        Path p = tmp.resolve("typed.parquet");
        try (TableWriter w = PARQUET.create(
                p,
                List.of(
                        new TableColumn("city", Kind.STRING),
                        new TableColumn("age", Kind.INT),
                        new TableColumn("score", Kind.FLOAT),
                        new TableColumn("label", Kind.STRING)))) {
            String[][] rows = {{"paris", "31", "0.5", "no"}, {"oslo", "45", "1.5", "yes"}, {"paris", "22", "2", "no"}};
            for (String[] r : rows) {
                w.setString(0, r[0]);
                w.setInt(1, Integer.parseInt(r[1]));
                w.setFloat(2, Float.parseFloat(r[2]));
                w.setString(3, r[3]);
                w.endRow();
            }
        }
        TabularData t = Tables.read(
                p, PARQUET, TableOptions.builder().setLabelColumn("label").build());
        assertEquals(List.of("city=oslo", "city=paris", "age", "score"), t.featureNames());
        assertEquals(List.of("no", "yes"), t.classes());
        assertArrayEquals(
                new float[] {0, 1, 31, 0.5f, 1, 0, 45, 1.5f, 0, 1, 22, 2},
                t.examples().floats("x"));
        assertArrayEquals(new int[] {0, 1, 0}, t.examples().ints("y"));
        try (TableReader r = PARQUET.open(p)) {
            assertEquals(
                    List.of(
                            new TableColumn("city", Kind.STRING),
                            new TableColumn("age", Kind.INT),
                            new TableColumn("score", Kind.FLOAT),
                            new TableColumn("label", Kind.STRING)),
                    r.columns());
        }
    }

    @Test
    void malformedRowsAndFilesAreReportedWithFileAndRow() throws Exception {
        Path p = tmp.resolve("nan.parquet");
        try (TableWriter w =
                PARQUET.create(p, List.of(new TableColumn("a", Kind.FLOAT), new TableColumn("label", Kind.INT)))) {
            float[] a = {1, 2, Float.NaN};
            for (int i = 0; i < a.length; i++) {
                w.setFloat(0, a[i]);
                w.setInt(1, i % 2);
                w.endRow();
            }
        }
        MalformedTableException e = assertThrows(
                MalformedTableException.class,
                () -> Tables.read(
                        p,
                        PARQUET,
                        TableOptions.builder().setLabelColumn("label").build()));
        assertTrue(e.getMessage().startsWith(p + ": row 3: column 'a': NaN"), e.getMessage());
        assertEquals(
                p + ": row 2: column 'label': unknown label '1' (labels: 0)",
                assertThrows(
                                MalformedTableException.class,
                                () -> Tables.read(
                                        p,
                                        PARQUET,
                                        TableOptions.builder()
                                                .setLabelColumn("label")
                                                .optLabels(List.of("0"))
                                                .build()))
                        .getMessage());

        Path text = tmp.resolve("text.parquet");
        Files.writeString(text, "a,label\n1,0\n");
        MalformedTableException notParquet = assertThrows(
                MalformedTableException.class,
                () -> Tables.read(
                        text,
                        PARQUET,
                        TableOptions.builder().setLabelColumn("label").build()));
        assertTrue(notParquet.getMessage().startsWith(text + ": not a readable Parquet file"), notParquet.getMessage());
    }

    @Test
    void aDirectoryOfPartFilesIsOneTable() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("table"));
        for (int part = 0; part < 3; part++) {
            try (TableWriter w = PARQUET.create(
                    dir.resolve("part-0000" + part + ".parquet"),
                    List.of(
                            new TableColumn("client", Kind.STRING),
                            new TableColumn("v", Kind.FLOAT),
                            new TableColumn("label", Kind.INT)))) {
                for (int i = 0; i < 2; i++) {
                    w.setString(0, "c" + (part * 2 + i) / 3);
                    w.setFloat(1, part * 2 + i);
                    w.setInt(2, i);
                    w.endRow();
                }
            }
        }
        Files.writeString(dir.resolve("_SUCCESS"), "");
        TabularData t = Tables.read(
                dir,
                PARQUET,
                TableOptions.builder()
                        .setLabelColumn("label")
                        .optClientColumn("client")
                        .build());
        assertEquals(List.of("c0", "c1"), t.clientData().clientIds());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.examples().floats("x"));
    }
}
