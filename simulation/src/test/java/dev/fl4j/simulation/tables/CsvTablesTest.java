package dev.fl4j.simulation.tables;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.tables.TableOptions.CategoricalEncoding;
import dev.fl4j.simulation.tables.TableOptions.NanPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV tables read into examples and written back, on files the tests write. */
class CsvTablesTest {

    @TempDir
    Path tmp;

    private static final TableFormat CSV = new CsvFormat();

    private Path csv(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static TableOptions label(String label) {
        return TableOptions.builder().setLabelColumn(label).build();
    }

    private static MalformedTableException malformed(Path p, TableOptions o) {
        return assertThrows(MalformedTableException.class, () -> Tables.read(p, CSV, o));
    }

    @Test
    void numericColumnsWithAClientColumnAreFederatedInOrderOfFirstAppearance() throws Exception {
        Path p = csv("t.csv", "user,a,b,label\nu2,1,2.5,1\nu1,-3,4e-1,0\nu2,5,6,2\n");
        TabularData t = Tables.read(
                p,
                CSV,
                TableOptions.builder()
                        .setLabelColumn("label")
                        .optClientColumn("user")
                        .build());
        assertTrue(t.isFederated());
        assertEquals(List.of("0", "1", "2"), t.classes());
        assertEquals(List.of("a", "b"), t.featureNames());
        ClientData clients = t.clientData();
        assertEquals(List.of("u2", "u1"), clients.clientIds());
        List<Value> u2 = new ArrayList<>();
        clients.datasetFor("u2").forEach(u2::add);
        assertEquals(2, u2.size());
        assertArrayEquals(
                new float[] {1, 2.5f}, ((Struct) u2.get(0)).tensor("x").floatData());
        assertArrayEquals(new float[] {5, 6}, ((Struct) u2.get(1)).tensor("x").floatData());
        assertEquals(2, ((Struct) u2.get(1)).tensor("y").intData()[0]);
        Struct u1 = (Struct) clients.datasetFor("u1").iterator().next();
        assertArrayEquals(new float[] {-3, 0.4f}, u1.tensor("x").floatData());
    }

    @Test
    void categoricalColumnsAreOneHotByDefaultAndIndexedOnRequest() throws Exception {
        Path p = csv("c.csv", "color,size,kind\nred,1,cat\nblue,2,dog\ngreen,3,cat\nblue,4,bird\n");
        TableOptions oneHot = TableOptions.builder()
                .setLabelColumn("kind")
                .optCategoricalColumns(List.of("color"))
                .build();
        TabularData t = Tables.read(p, CSV, oneHot);
        assertEquals(List.of("color=blue", "color=green", "color=red", "size"), t.featureNames());
        assertEquals(List.of("bird", "cat", "dog"), t.classes(), "string labels are classes in sorted order");
        Examples e = t.examples();
        assertArrayEquals(new float[] {0, 0, 1, 1, 1, 0, 0, 2, 0, 1, 0, 3, 1, 0, 0, 4}, e.floats("x"));
        assertArrayEquals(new int[] {1, 2, 1, 0}, e.ints("y"));
        assertFalse(t.isFederated());

        TabularData indexed = Tables.read(
                p,
                CSV,
                TableOptions.builder()
                        .setLabelColumn("kind")
                        .optCategoricalColumns(List.of("color"))
                        .optCategoricalEncoding(CategoricalEncoding.INDEX)
                        .build());
        assertEquals(List.of("color", "size"), indexed.featureNames());
        assertArrayEquals(
                new float[] {2, 1, 0, 2, 1, 3, 0, 4}, indexed.examples().floats("x"));
    }

    @Test
    void explicitFeatureColumnsAndLabelsChooseAndOrder() throws Exception {
        Path p = csv("f.csv", "id,a,b,c,label\n1,1,2,3,no\n2,4,5,6,yes\n");
        TabularData t = Tables.read(
                p,
                CSV,
                TableOptions.builder()
                        .setLabelColumn("label")
                        .optFeatureColumns(List.of("c", "a"))
                        .optLabels(List.of("yes", "no"))
                        .build());
        assertArrayEquals(new float[] {3, 1, 6, 4}, t.examples().floats("x"));
        assertArrayEquals(new int[] {1, 0}, t.examples().ints("y"));
        assertEquals(List.of("yes", "no"), t.classes());
    }

    @Test
    void everyMalformedRowIsReportedWithFileAndLine() throws Exception {
        // line 2 has a quoted field over two lines, so the short row is line 4
        Path count = csv("count.csv", "c,b,label\n\"1\n\",2,0\n3,4\n");
        MalformedTableException e = malformed(
                count,
                TableOptions.builder()
                        .setLabelColumn("label")
                        .optClientColumn("c")
                        .build());
        assertEquals(count + ": line 4: 2 columns, the header has 3", e.getMessage());

        Path longRow = csv("long.csv", "a,label\n1,0\n1,2,3\n");
        assertEquals(
                longRow + ": line 3: more than 2 columns, the header has 2",
                malformed(longRow, label("label")).getMessage());

        Path number = csv("number.csv", "a,label\n1,0\n1.2.3,1\n");
        assertEquals(
                number + ": line 3: column 'a': '1.2.3' is not a number",
                malformed(number, label("label")).getMessage());

        Path missingLabel = csv("label.csv", "a,label\n1,\n");
        assertEquals(
                missingLabel + ": line 2: column 'label': missing label",
                malformed(missingLabel, label("label")).getMessage());

        Path unknown = csv("unknown.csv", "a,label\n1,yes\n2,maybe\n");
        assertEquals(
                unknown + ": line 3: column 'label': unknown label 'maybe' (labels: yes, no)",
                malformed(
                                unknown,
                                TableOptions.builder()
                                        .setLabelColumn("label")
                                        .optLabels(List.of("yes", "no"))
                                        .build())
                        .getMessage());

        Path empty = csv("empty.csv", "a,label\n1,0\n\n2,1\n");
        assertEquals(
                empty + ": line 3: empty line (expected 2 columns)",
                malformed(empty, label("label")).getMessage());

        Path quote = csv("quote.csv", "a,label\n1,0\n\"2,1\n");
        assertEquals(
                quote + ": line 3: a quoted field is not closed before the end of the file",
                malformed(quote, label("label")).getMessage());

        Path stray = csv("stray.csv", "a,label\n1\"2,1\n");
        assertTrue(malformed(stray, label("label")).getMessage().startsWith(stray + ": line 2: a quote inside"));

        Path nolabel = csv("nolabel.csv", "a,b\n1,2\n");
        assertEquals(
                nolabel + ": no label column 'label' in the header [a, b]",
                malformed(nolabel, label("label")).getMessage());

        Path twice = csv("twice.csv", "a,a,label\n1,2,0\n");
        assertEquals(
                twice + ": line 1: header names column 'a' twice",
                malformed(twice, label("label")).getMessage());

        Path header = csv("header.csv", "");
        assertTrue(malformed(header, label("label")).getMessage().contains("empty file"));

        Path noRows = csv("norows.csv", "a,label\n");
        assertTrue(malformed(noRows, label("label")).getMessage().contains("no rows"));

        Path noClient = csv("noclient.csv", "u,a,label\n,1,0\n");
        assertEquals(
                noClient + ": line 2: column 'u': missing client id",
                malformed(
                                noClient,
                                TableOptions.builder()
                                        .setLabelColumn("label")
                                        .optClientColumn("u")
                                        .build())
                        .getMessage());

        Path latin1 = tmp.resolve("latin1.csv");
        Files.write(latin1, new byte[] {'a', ',', 'l', '\n', '1', ',', (byte) 0xE9, '\n'});
        assertTrue(malformed(latin1, label("l")).getMessage().contains("not UTF-8"));
    }

    @Test
    void nanAndMissingValuesFollowThePolicy() throws Exception {
        Path p = csv("nan.csv", "a,b,label\n1,,0\nNaN,2,1\ninf,3,0\n");
        MalformedTableException e = malformed(p, label("label"));
        assertEquals(p + ": line 2: column 'b': missing value", e.getMessage());
        Path q = csv("nan2.csv", "a,label\nnan,1\n");
        assertTrue(malformed(q, label("label")).getMessage().startsWith(q + ": line 2: column 'a': NaN"));

        TabularData zero = Tables.read(
                p,
                CSV,
                TableOptions.builder()
                        .setLabelColumn("label")
                        .optNanPolicy(NanPolicy.ZERO)
                        .build());
        assertArrayEquals(new float[] {1, 0, 0, 2, 0, 3}, zero.examples().floats("x"));
        TabularData keep = Tables.read(
                p,
                CSV,
                TableOptions.builder()
                        .setLabelColumn("label")
                        .optNanPolicy(NanPolicy.KEEP)
                        .build());
        assertArrayEquals(
                new float[] {1, Float.NaN, Float.NaN, 2, Float.POSITIVE_INFINITY, 3},
                keep.examples().floats("x"));

        Path cat = csv("cat.csv", "c,label\n,0\n");
        TableOptions catOptions = TableOptions.builder()
                .setLabelColumn("label")
                .optCategoricalColumns(List.of("c"))
                .build();
        assertEquals(
                cat + ": line 2: column 'c': missing category",
                malformed(cat, catOptions).getMessage());
    }

    @Test
    void quotingCrlfBomAndTrailingBlankLinesAreRead() throws Exception {
        Path p = csv("q.csv", "\uFEFFwho,\"a\",label\r\n\"x, \"\"y\"\"\",1.5,0\r\n\"multi\nline\",2,1\r\n\r\n\n");
        TabularData t = Tables.read(
                p,
                CSV,
                TableOptions.builder()
                        .setLabelColumn("label")
                        .optClientColumn("who")
                        .build());
        assertEquals(List.of("x, \"y\"", "multi\nline"), t.clientData().clientIds());
        assertArrayEquals(new float[] {1.5f, 2}, t.examples().floats("x"));
    }

    @Test
    void partFilesOfADirectoryAreReadInNameOrderAndMustAgree() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("parts"));
        Files.writeString(dir.resolve("part-1.csv"), "c,a,label\nk2,2,1\n");
        Files.writeString(dir.resolve("part-0.csv"), "c,a,label\nk1,1,0\n");
        Files.writeString(dir.resolve("_SUCCESS"), "");
        Files.writeString(dir.resolve(".part-0.csv.crc"), "junk");
        TabularData t = Tables.read(
                dir,
                CSV,
                TableOptions.builder()
                        .setLabelColumn("label")
                        .optClientColumn("c")
                        .build());
        assertEquals(List.of("k1", "k2"), t.clientData().clientIds());
        Files.writeString(dir.resolve("part-2.csv"), "c,b,label\nk3,3,1\n");
        MalformedTableException e = malformed(
                dir,
                TableOptions.builder()
                        .setLabelColumn("label")
                        .optClientColumn("c")
                        .build());
        assertTrue(e.getMessage().startsWith(dir.resolve("part-2.csv") + ": its columns"), e.getMessage());
    }

    @Test
    void exportedClientsReadBackBitForBitWithTheirShape() throws Exception {
        Map<String, Examples> byClient = new LinkedHashMap<>();
        byClient.put(
                "b, \"quoted\"",
                Examples.of(
                        new float[] {0.1f, -0f, Float.MIN_VALUE, 1e-30f, 3.4e38f, 7, 8, 9, 10, 11, 12, 1 / 3f},
                        new int[] {2, 3},
                        new int[] {4, 0}));
        byClient.put("a", Examples.of(new float[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3}, new int[] {9}));
        ClientData data = ClientData.fromExamples(byClient);
        Path out = tmp.resolve("export.csv");
        assertEquals(3, TableExport.write(data, CSV, out));
        assertTrue(Files.readString(out).startsWith("client_id,x[0][0],x[0][1],x[0][2],x[1][0],x[1][1],x[1][2],y\n"));
        TabularData back = Tables.read(
                out,
                CSV,
                TableOptions.builder()
                        .setLabelColumn(TableExport.LABEL_COLUMN)
                        .optClientColumn(TableExport.CLIENT_COLUMN)
                        .build());
        ClientData read = back.clientData();
        assertEquals(data.clientIds(), read.clientIds());
        assertEquals(data.elementType(), read.elementType());
        for (String id : data.clientIds()) {
            List<Value> a = new ArrayList<>();
            data.datasetFor(id).forEach(a::add);
            List<Value> b = new ArrayList<>();
            read.datasetFor(id).forEach(b::add);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                float[] xa = ((Struct) a.get(i)).tensor("x").floatData();
                float[] xb = ((Struct) b.get(i)).tensor("x").floatData();
                for (int k = 0; k < xa.length; k++) {
                    assertEquals(Float.floatToRawIntBits(xa[k]), Float.floatToRawIntBits(xb[k]));
                }
                assertArrayEquals(
                        ((Struct) a.get(i)).tensor("y").intData(),
                        ((Struct) b.get(i)).tensor("y").intData());
            }
        }
    }

    @Test
    void gridNamesGiveAShapeOnlyWhenTheyFormAFullRowMajorGrid() {
        assertArrayEquals(new int[] {2, 2}, Tables.gridShape(List.of("x[0][0]", "x[0][1]", "x[1][0]", "x[1][1]")));
        assertEquals(null, Tables.gridShape(List.of("x[0][0]", "x[1][0]", "x[0][1]", "x[1][1]")));
        assertEquals(null, Tables.gridShape(List.of("x[0][0]", "x[0][1]", "x[1][0]")));
        assertEquals(null, Tables.gridShape(List.of("x[0]", "y[1]")));
        assertEquals(null, Tables.gridShape(List.of("age", "height")));
    }

    @Test
    void optionsRefuseConflicts() {
        assertThrows(IllegalStateException.class, () -> TableOptions.builder().build());
        assertThrows(
                IllegalStateException.class,
                () -> TableOptions.builder()
                        .setLabelColumn("a")
                        .optClientColumn("a")
                        .build());
        assertThrows(
                IllegalStateException.class,
                () -> TableOptions.builder()
                        .setLabelColumn("a")
                        .optFeatureColumns(List.of("b", "b"))
                        .build());
        assertThrows(IllegalArgumentException.class, () -> TableFormats.named("xlsx"));
    }
}
