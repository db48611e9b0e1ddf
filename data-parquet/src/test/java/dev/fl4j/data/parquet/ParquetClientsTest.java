package dev.fl4j.data.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.PortableClientLoader;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.tables.MalformedTableException;
import dev.fl4j.simulation.tables.TableColumn;
import dev.fl4j.simulation.tables.TableColumn.Kind;
import dev.fl4j.simulation.tables.TableOptions;
import dev.fl4j.simulation.tables.Tables;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client population in Parquet files, indexed by its client column and each client read where it
 * is loaded: the same examples as the whole table read by {@link Tables#read}, on real files with
 * small row groups (so row groups are skipped), loaded through a serialized batch as in another JVM.
 */
class ParquetClientsTest {

    @TempDir
    Path tmp;

    private static final TableOptions OPTIONS = TableOptions.builder()
            .setLabelColumn("y")
            .optClientColumn("client_id")
            .build();

    /** Clients c0..c{n-1} with 1 + (c mod 4) rows each, 3 features; split over two files, row groups of 5 rows. */
    private Path population(int clients) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("population"));
        List<TableColumn> columns = List.of(
                new TableColumn("client_id", Kind.STRING),
                new TableColumn("x[0]", Kind.FLOAT),
                new TableColumn("x[1]", Kind.FLOAT),
                new TableColumn("x[2]", Kind.FLOAT),
                new TableColumn("y", Kind.INT));
        int half = clients / 2;
        for (int part = 0; part < 2; part++) {
            try (ParquetTableWriter w =
                    ParquetTableWriter.create(dir.resolve("part-" + part + ".parquet"), columns, 5)) {
                for (int c = part == 0 ? 0 : half; c < (part == 0 ? half : clients); c++) {
                    for (int e = 0; e <= c % 4; e++) {
                        w.setString(0, "c" + c);
                        for (int j = 0; j < 3; j++) {
                            w.setFloat(1 + j, c * 0.25f - e * 1.5f + j / 7f);
                        }
                        w.setInt(4, (c + e) % 5);
                        w.endRow();
                    }
                }
            }
        }
        return dir;
    }

    @Test
    void clientsAreTheWholeTablesClientsReadOneByOneOrInBatches() throws Exception {
        Path dir = population(23);
        ClientData whole = Tables.read(dir, new ParquetFormat(), OPTIONS).clientData();
        ParquetClients clients = ParquetClients.open(dir, OPTIONS, 0);
        assertEquals(whole.clientIds(), clients.clientIds());
        assertEquals(whole.elementType(), clients.elementType());
        for (String id : whole.clientIds()) {
            assertEquals(values(whole.datasetFor(id)), values(clients.datasetFor(id)), id);
        }
        ParquetClients batched = ParquetClients.open(dir, OPTIONS, 2);
        ClientData wholeBatched = whole.preprocess(d -> d.batch(2));
        assertEquals(wholeBatched.elementType(), batched.elementType());
        List<String> some = List.of("c17", "c3", "c22", "c0", "c11", "c12");
        ClientValues values = batched.clientValues(some);
        PortableClientLoader loader =
                assertInstanceOf(PortableClientLoader.class, values.loader().orElseThrow());
        List<Value> loaded = travelled(loader.locate(some)).load();
        for (int i = 0; i < some.size(); i++) {
            assertEquals(values(wholeBatched.datasetFor(some.get(i))), values((Dataset) loaded.get(i)), some.get(i));
            assertEquals(values((dev.fl4j.core.SequenceValue) values.member(i)), values((Dataset) loaded.get(i)));
        }
        long[] order = loader.storageOrder(some);
        assertTrue(order[3] < order[1] && order[1] < order[4] && order[4] < order[5] && order[5] < order[0]);
    }

    @Test
    void aMissingOrDamagedFileFailsTheLoadNamingIt() throws Exception {
        Path dir = population(12);
        ParquetClients clients = ParquetClients.open(dir, OPTIONS, 0);
        PortableClientLoader.Batch batch = travelled(loaderOf(clients).locate(List.of("c2", "c9")));
        Path second = dir.resolve("part-1.parquet");
        byte[] bytes = Files.readAllBytes(second);
        Files.delete(second);
        MalformedTableException missing = assertThrows(MalformedTableException.class, batch::load);
        assertTrue(
                missing.getMessage().contains("part-1.parquet")
                        && missing.getMessage().contains("missing"),
                missing.getMessage());
        for (int i = 8; i < bytes.length - 8; i++) {
            bytes[i] = (byte) (bytes[i] ^ 0x5a);
        }
        Files.write(second, bytes);
        MalformedTableException damaged = assertThrows(MalformedTableException.class, batch::load);
        assertTrue(damaged.getMessage().contains("part-1.parquet"), damaged.getMessage());
        assertEquals(values(clients.datasetFor("c2")), values(clients.datasetFor("c2")));
    }

    @Test
    void aFileRewrittenWithOtherClientsIsNoticed() throws Exception {
        Path dir = population(12);
        ParquetClients clients = ParquetClients.open(dir, OPTIONS, 0);
        PortableClientLoader.Batch batch = loaderOf(clients).locate(List.of("c1"));
        Files.move(dir.resolve("part-1.parquet"), tmp.resolve("kept.parquet"));
        Files.copy(
                tmp.resolve("kept.parquet"),
                dir.resolve("part-0.parquet"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        MalformedTableException e = assertThrows(MalformedTableException.class, batch::load);
        assertTrue(e.getMessage().contains("changed"), e.getMessage());
    }

    @Test
    void tablesItCannotReadWhereClientsTrainAreRefusedSaySo() throws Exception {
        Path file = tmp.resolve("scattered.parquet");
        List<TableColumn> columns = List.of(
                new TableColumn("client_id", Kind.STRING),
                new TableColumn("f", Kind.FLOAT),
                new TableColumn("y", Kind.INT));
        try (ParquetTableWriter w = ParquetTableWriter.create(file, columns)) {
            for (String id : List.of("a", "b", "a")) {
                w.setString(0, id);
                w.setFloat(1, 1f);
                w.setInt(2, 0);
                w.endRow();
            }
        }
        MalformedTableException scattered =
                assertThrows(MalformedTableException.class, () -> ParquetClients.open(file, OPTIONS, 0));
        assertTrue(
                scattered.getMessage().contains("client 'a' has rows here and at")
                        && scattered.getMessage().contains("row 1"),
                scattered.getMessage());
        Path strings = tmp.resolve("strings.parquet");
        try (ParquetTableWriter w = ParquetTableWriter.create(
                strings,
                List.of(
                        new TableColumn("client_id", Kind.STRING),
                        new TableColumn("color", Kind.STRING),
                        new TableColumn("y", Kind.INT)))) {
            w.setString(0, "a");
            w.setString(1, "red");
            w.setInt(2, 0);
            w.endRow();
        }
        MalformedTableException categorical =
                assertThrows(MalformedTableException.class, () -> ParquetClients.open(strings, OPTIONS, 0));
        assertTrue(categorical.getMessage().contains("feature column 'color'"), categorical.getMessage());
        ParquetClients clients = ParquetClients.open(population(4), OPTIONS, 0);
        assertThrows(IllegalArgumentException.class, () -> clients.clientValues(List.of("c1", "nobody")));
    }

    @Test
    void theIdTableFindsEveryIdAndRefusesRepeats() {
        ClientIdTable t = new ClientIdTable();
        for (int i = 0; i < 5000; i++) {
            assertEquals(i, t.add("id-" + i + (i % 7 == 0 ? "é" : "")));
        }
        assertEquals(-1 - 43, t.add("id-43"));
        t.trim();
        for (int i = 0; i < 5000; i += 37) {
            String id = "id-" + i + (i % 7 == 0 ? "é" : "");
            assertEquals(i, t.indexOf(id));
            assertEquals(id, t.asList().get(i));
        }
        assertEquals(-1, t.indexOf("id-5000"));
        assertEquals(5000, t.asList().size());
    }

    private static PortableClientLoader loaderOf(ParquetClients clients) {
        return (PortableClientLoader)
                clients.clientValues(List.of(clients.clientIds().get(0)))
                        .loader()
                        .orElseThrow();
    }

    /** The batch after Java serialization, as it reaches another JVM. */
    private static PortableClientLoader.Batch travelled(PortableClientLoader.Batch batch) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(batch);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (PortableClientLoader.Batch) in.readObject();
        }
    }

    private static List<Value> values(Iterable<? extends Value> d) {
        List<Value> out = new ArrayList<>();
        d.forEach(out::add);
        return out;
    }
}
