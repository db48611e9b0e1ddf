package dev.fl4j.simulation.checkpoint;

import dev.fl4j.core.Struct;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.ClientStateStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A checkpoint file opened with its client states left in the file ({@link CheckpointFormat#open}):
 * {@link #checkpoint()} holds everything else, and {@link #clientStates()} reads the states one entry
 * at a time, so a resume hands them on (to a cluster) without holding every client's state. The file
 * is memory-mapped, its SHA-256 and every entry checked when it was opened; reading the entries again
 * decodes them from the mapping.
 */
public final class CheckpointFile {

    private final Path file;
    private final Checkpoint checkpoint;
    private final ByteBuffer payload;
    private final int entriesStart;
    private final int entries;

    CheckpointFile(Path file, Checkpoint checkpoint, ByteBuffer payload, int entriesStart, int entries) {
        this.file = file;
        this.checkpoint = checkpoint;
        this.payload = payload;
        this.entriesStart = entriesStart;
        this.entries = entries;
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The checkpoint without its client states ({@link Checkpoint#clientStates()} is empty). */
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /**
     * The checkpoint's client states, as {@link ClientStateStore#snapshotStream()} handed them to the file: their
     * number, then each entry decoded as it is reached (each call of {@code entries()} reads the file's entries
     * afresh); for {@link ClientStateStore#restore(ClientStateStore.SnapshotStream)}.
     */
    public ClientStateStore.SnapshotStream clientStates() {
        return new ClientStateStore.SnapshotStream() {
            @Override
            public long size() {
                return entries;
            }

            @Override
            public Iterator<Struct> entries() {
                return new Entries();
            }
        };
    }

    /** The entries of the payload's {@code client_states}, from the mapping. */
    private final class Entries implements Iterator<Struct> {
        private final ValueCodec.StreamReader reader;
        private int next;

        Entries() {
            ByteBuffer in = payload.duplicate();
            reader = new ValueCodec.StreamReader(in);
            if (entries > 0) {
                in.position(entriesStart);
            }
        }

        @Override
        public boolean hasNext() {
            return next < entries;
        }

        @Override
        public Struct next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            next++;
            try {
                return CheckpointFormat.clientStateEntry(reader, next - 1, file);
            } catch (CheckpointException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new CheckpointException(file, "client state entry #" + (next - 1) + ": " + e.getMessage(), e);
            }
        }
    }
}
