package dev.fl4j.simulation.checkpoint;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.testing.Fuzz;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupted checkpoints end in a {@link CheckpointException} naming the file, whatever the damage: raw
 * bytes (mostly caught by the digest), payloads damaged under a valid digest (as a buggy or hostile
 * writer would leave them), and files read through a {@link CheckpointStore}.
 */
class CheckpointFuzzTest {

    private static final Path FILE = Path.of("fuzzed.fl4jckpt");

    static Checkpoint withClientStates() {
        Checkpoint plain = CheckpointFormatTest.checkpoint(2);
        Struct states = Struct.of(Struct.named(
                "client",
                text("f_0001"),
                "key",
                text("encoded_sum/topk:0.01"),
                "state",
                Struct.of(Struct.of(Tensor.vector(0.5f, -1f, 0f)))));
        return new Checkpoint(2, plain.state(), 1, 2, plain.config(), plain.history(), states);
    }

    private static Tensor text(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Tensor.of(b, b.length);
    }

    /** The payload of an encoded checkpoint: what follows the 52-byte header. */
    static byte[] payload(Checkpoint c) {
        byte[] file = CheckpointFormat.encode(c);
        return Arrays.copyOfRange(file, 52, file.length);
    }

    /** A file holding {@code payload} under a valid header and digest. */
    static byte[] framed(byte[] payload, int version) throws Exception {
        return ByteBuffer.allocate(52 + payload.length)
                .put(CheckpointFormat.MAGIC)
                .putInt(version)
                .putLong(payload.length)
                .put(MessageDigest.getInstance("SHA-256").digest(payload))
                .put(payload)
                .array();
    }

    @Test
    void corruptedFilesEndInCheckpointException() {
        Fuzz.named("checkpoint file")
                .seed(CheckpointFormat.encode(CheckpointFormatTest.checkpoint(1)))
                .seed(CheckpointFormat.encode(withClientStates()))
                .expecting(CheckpointException.class)
                .inputs(5_000)
                .run(bytes -> CheckpointFormat.decode(bytes, FILE));
    }

    @Test
    void payloadsDamagedUnderAValidDigestEndInCheckpointException() {
        Fuzz.named("checkpoint payload")
                .seed(payload(CheckpointFormatTest.checkpoint(1)))
                .seed(payload(withClientStates()))
                .seed(payload(CheckpointFormatTest.checkpoint(1)
                        .withProvenance(dev.fl4j.simulation.provenance.Provenance.current(
                                java.util.Map.of("command", "simulate", "rounds", "4"),
                                CheckpointFormatTest.checkpoint(1).config(),
                                1,
                                "tensorflow 2.16.2"))))
                .expecting(CheckpointException.class)
                .inputs(15_000)
                .run(bytes -> CheckpointFormat.decode(framed(bytes, CheckpointFormat.VERSION), FILE));
    }

    /**
     * The streaming reader a resume uses ({@link CheckpointFormat#open}, then every client state entry from the
     * mapping) refuses what {@link CheckpointFormat#decode} refuses and accepts what it accepts, with as many
     * entries, for payloads damaged under a valid digest.
     */
    @Test
    void openedPayloadsDamagedUnderAValidDigestEndInCheckpointExceptionAsDecodedOnes(@TempDir Path dir) {
        Path file = dir.resolve("opened.fl4jckpt");
        Fuzz.named("opened checkpoint payload")
                .seed(payload(CheckpointFormatTest.checkpoint(1)))
                .seed(payload(withClientStates()))
                .expecting(CheckpointException.class)
                .inputs(3_000)
                .run(bytes -> {
                    byte[] framed = framed(bytes, CheckpointFormat.VERSION);
                    Files.write(file, framed);
                    Checkpoint decoded;
                    try {
                        decoded = CheckpointFormat.decode(framed, FILE);
                    } catch (CheckpointException refused) {
                        decoded = null;
                    }
                    CheckpointFile opened;
                    long entries = 0;
                    try {
                        opened = CheckpointFormat.open(file);
                        for (var it = opened.clientStates().entries(); it.hasNext(); it.next()) {
                            entries++;
                        }
                    } catch (CheckpointException e) {
                        if (decoded != null) {
                            throw new AssertionError("open refused what decode read: " + e.getMessage(), e);
                        }
                        throw e;
                    }
                    if (decoded == null) {
                        throw new AssertionError("open read what decode refused");
                    }
                    int decodedEntries = decoded.clientStates() instanceof Struct s ? s.size() : 0;
                    if (entries != decodedEntries) {
                        throw new AssertionError("open read " + entries + " entries, decode " + decodedEntries);
                    }
                });
    }

    @Test
    void corruptedFilesInAStoreEndInCheckpointException(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        Path file = store.save(CheckpointFormatTest.checkpoint(4));
        RunConfig config = CheckpointFormatTest.checkpoint(4).config();
        byte[] good = Files.readAllBytes(file);
        Fuzz.named("checkpoint store")
                .seed(good)
                .seed(framed(payload(withClientStates()), CheckpointFormat.VERSION))
                .expecting(CheckpointException.class)
                .inputs(400)
                .truncations(100)
                .run(bytes -> {
                    Files.write(file, bytes);
                    store.loadLatest(config);
                });
    }
}
