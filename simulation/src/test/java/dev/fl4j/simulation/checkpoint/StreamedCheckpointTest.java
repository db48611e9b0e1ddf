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
}
