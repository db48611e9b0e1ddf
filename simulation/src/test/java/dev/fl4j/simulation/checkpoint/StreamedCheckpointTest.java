package dev.fl4j.simulation.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.runtime.ClientStateStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint whose client states are written as they come from the store is the same file as one
 * encoded whole and reads back the same; a stream that hands over another number of entries than it
 * announced is refused, and so is a checkpoint that holds states of its own besides the store's.
 */
class StreamedCheckpointTest {

    private static final RunConfig CONFIG = RunConfig.of(Map.of("test", "streamed"));

    private static ClientStateStore store() {
        ClientStateStore store = new ClientStateStore();
        ClientStateStore.Transaction tx = store.begin();
        for (int c = 12; c >= 0; c--) {
            tx.put("client-" + c, "residual", Tensor.of(new float[] {c, -c, 0.5f * c}, 3));
            if (c % 3 == 0) {
                tx.put("client-" + c, "range", Tensor.scalar((double) c));
            }
        }
        tx.commit();
        return store;
    }

    private static Checkpoint bare() {
        return new Checkpoint(4, Struct.named("round", Tensor.scalar(4)), 100, 200, CONFIG, List.of());
    }

    @Test
    void streamedClientStatesMakeTheSameFileAsTheWholeSnapshot(@TempDir Path tmp) throws IOException {
        ClientStateStore states = store();
        Checkpoint whole = new Checkpoint(4, bare().state(), 100, 200, CONFIG, List.of(), states.snapshot());
        Path file = new CheckpointStore(tmp).save(bare(), states);
        assertArrayEquals(CheckpointFormat.encode(whole), Files.readAllBytes(file));
        assertEquals(states.snapshot(), CheckpointStore.read(file).clientStates());
    }

    @Test
    void aStreamThatMiscountsItsEntriesIsRefused(@TempDir Path tmp) throws IOException {
        ClientStateStore.SnapshotStream real = store().snapshotStream();
        ClientStateStore.SnapshotStream overcounted = new ClientStateStore.SnapshotStream() {
            @Override
            public long size() {
                return real.size() + 1;
            }

            @Override
            public Iterator<Struct> entries() {
                return real.entries();
            }
        };
        Path file = tmp.resolve("c.ckpt");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> CheckpointFormat.write(bare(), overcounted, ch));
            assertTrue(
                    e.getMessage()
                            .contains("announced " + (real.size() + 1) + " entries and handed over " + real.size()),
                    e.getMessage());
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> new CheckpointStore(tmp.resolve("s"))
                        .save(new Checkpoint(1, bare().state(), 0, 0, CONFIG, List.of(), store().snapshot()), store()));
        assertTrue(new CheckpointStore(tmp.resolve("s")).list().isEmpty(), "nothing saved");
    }

    @Test
    void anOpenedCheckpointReadsItsStatesOneAtATimeAndRestoresAsTheWholeOne(@TempDir Path tmp) throws IOException {
        ClientStateStore states = store();
        CheckpointStore checkpoints = new CheckpointStore(tmp);
        Path file = checkpoints.save(bare(), states);
        Checkpoint whole = CheckpointStore.read(file);
        CheckpointFile opened = CheckpointStore.open(file);
        assertEquals(whole.round(), opened.checkpoint().round());
        assertEquals(whole.state(), opened.checkpoint().state());
        assertEquals(whole.config(), opened.checkpoint().config());
        assertEquals(whole.history(), opened.checkpoint().history());
        assertEquals(Struct.empty(), opened.checkpoint().clientStates(), "the states stay in the file");
        ClientStateStore.SnapshotStream stream = opened.clientStates();
        assertEquals(states.size(), stream.size());
        for (int pass = 0; pass < 2; pass++) {
            Iterator<Struct> it = stream.entries();
            Struct snapshot = states.snapshot();
            for (int i = 0; i < snapshot.size(); i++) {
                assertEquals(snapshot.get(i), it.next(), "entry " + i + ", pass " + pass);
            }
            assertTrue(!it.hasNext());
        }
        ClientStateStore restored = new ClientStateStore();
        restored.restore(stream);
        assertEquals(states.snapshot(), restored.snapshot());
        assertEquals(
                Optional.of(opened.checkpoint().round()),
                checkpoints.openLatest(CONFIG).map(c -> c.checkpoint().round()));
        assertArrayEquals(
                CheckpointFormat.encode(
                        new Checkpoint(whole.round(), whole.state(), 100, 200, CONFIG, List.of(), states.snapshot())),
                Files.readAllBytes(file),
                "opening only read the file");

        byte[] damaged = Files.readAllBytes(file);
        damaged[damaged.length - 40] ^= 1;
        Path bad = tmp.resolve("damaged.ckpt");
        Files.write(bad, damaged);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.open(bad));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void aStreamedRestoreRefusesEntriesOutOfOrderOrMiscountedAndChangesNothing() {
        ClientStateStore target = store();
        Struct before = target.snapshot();
        List<Struct> entries = new java.util.ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            entries.add((Struct) before.get(i));
        }
        List<Struct> swapped = new java.util.ArrayList<>(entries);
        java.util.Collections.swap(swapped, 2, 3);
        IllegalArgumentException order = assertThrows(
                IllegalArgumentException.class,
                () -> new ClientStateStore().restore(streamOf(swapped, swapped.size())));
        assertTrue(order.getMessage().contains("does not follow entry #2"), order.getMessage());
        IllegalArgumentException count =
                assertThrows(IllegalArgumentException.class, () -> target.restore(streamOf(entries.subList(0, 4), 5)));
        assertTrue(count.getMessage().contains("announced 5 entries but holds 4"), count.getMessage());
        assertEquals(before, target.snapshot(), "unchanged");
    }

    private static ClientStateStore.SnapshotStream streamOf(List<Struct> entries, long size) {
        return new ClientStateStore.SnapshotStream() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public Iterator<Struct> entries() {
                return entries.iterator();
            }
        };
    }
}
