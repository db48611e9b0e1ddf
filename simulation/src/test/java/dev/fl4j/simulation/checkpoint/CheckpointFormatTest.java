package dev.fl4j.simulation.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.types.FederatedType;
import dev.fl4j.core.types.StructType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFormatTest {

    static final Path FILE = Path.of("test.fl4jckpt");

    @TempDir
    Path tmp;

    static Value serverState() {
        Struct weights = Struct.named("trainable", Struct.named("kernel", Tensor.of(new float[] {1.5f, -2f, Float.MIN_VALUE, 3e-7f}, 2, 2)),
                "non_trainable", Struct.empty());
        return Struct.builder()
                .add("global_model_weights", new ServerValue(weights))
                .add("finalizer", new ServerValue(Struct.named("step", Tensor.scalar(7L), "m", Tensor.vector(0.25, 0.5))))
                .build();
    }

    static Checkpoint checkpoint(int round) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("client_work/train/loss", 2.3061);
        m.put("broadcasted_bits", 1.0e9);
        m.put("eval/accuracy", Double.NaN);
        return new Checkpoint(round, ServerStates.strip(serverState()), 123456789012L, 987654321L,
                RunConfig.of(Map.of("seed", "1", "model", "softmax")), List.of(new RoundRecord(0, Map.of()), new RoundRecord(round, m)));
    }

    @Test
    void roundTripsEveryField() {
        Checkpoint c = checkpoint(5);
        Checkpoint back = CheckpointFormat.decode(CheckpointFormat.encode(c), FILE);
        assertEquals(c, back);
        assertTrue(Double.isNaN(back.history().get(1).metrics().get("eval/accuracy")));
        Value restored = ServerStates.restore(back.state(), serverState().type());
        assertEquals(serverState(), restored);
        assertTrue(((Struct) restored).get("global_model_weights") instanceof ServerValue);
    }

    @Test
    void clientStatesRoundTrip() {
        Checkpoint plain = checkpoint(2);
        Struct states = Struct.of(Struct.named("client", text("f_0001"), "key", text("encoded_sum/topk:0.01"),
                "state", Struct.of(Struct.of(Tensor.vector(0.5f, -1f, 0f)))));
        Checkpoint withStates = new Checkpoint(2, plain.state(), 1, 2, plain.config(), plain.history(), states);
        assertEquals(states, CheckpointFormat.decode(CheckpointFormat.encode(withStates), FILE).clientStates());
        assertEquals(Struct.empty(), CheckpointFormat.decode(CheckpointFormat.encode(plain), FILE).clientStates());
    }

    /** A file as fl4j wrote it before client state (format version 1): still read, with no client states. */
    @Test
    void versionOneFilesAreStillRead() throws Exception {
        Checkpoint c = checkpoint(3);
        Struct v2 = (Struct) dev.fl4j.core.io.ValueCodec.decode(Arrays.copyOfRange(CheckpointFormat.encode(c), 52, CheckpointFormat.encode(c).length));
        Struct.Builder v1 = Struct.builder();
        for (int i = 0; i < v2.size(); i++) {
            if (v2.nameAt(i).equals("version")) {
                v1.add("version", Tensor.scalar(1));
            } else if (!v2.nameAt(i).equals("client_states")) {
                v1.add(v2.nameAt(i), v2.get(i));
            }
        }
        byte[] body = dev.fl4j.core.io.ValueCodec.encode(v1.build());
        ByteBuffer file = ByteBuffer.allocate(52 + body.length);
        file.put("FL4JCKPT".getBytes()).putInt(1).putLong(body.length)
                .put(java.security.MessageDigest.getInstance("SHA-256").digest(body)).put(body);
        Checkpoint back = CheckpointFormat.decode(file.array(), FILE);
        assertEquals(c, back);
        assertEquals(Struct.empty(), back.clientStates());
    }

    private static Tensor text(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Tensor.of(b, b.length);
    }

    @Test
    void headerIsTheDocumentedLayout() {
        byte[] bytes = CheckpointFormat.encode(checkpoint(1));
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte[] magic = new byte[8];
        in.get(magic);
        assertArrayEquals("FL4JCKPT".getBytes(), magic);
        assertEquals(2, in.getInt());
        assertEquals(bytes.length - 8 - 4 - 8 - 32, in.getLong());
        in.position(in.position() + 32);
        byte[] valueMagic = new byte[4];
        in.get(valueMagic);
        assertArrayEquals("FL4V".getBytes(), valueMagic, "payload is an fl4j value");
    }

    @Test
    void everyTruncationIsReported() {
        byte[] bytes = CheckpointFormat.encode(checkpoint(1));
        for (int len = 0; len < bytes.length; len += Math.max(1, len / 7)) {
            byte[] cut = Arrays.copyOf(bytes, len);
            CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(cut, FILE), "length " + len);
            assertTrue(e.getMessage().startsWith("checkpoint test.fl4jckpt: "), e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), len + ": " + e.getMessage());
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(longer, FILE)).getMessage().contains("trailing bytes"));
    }

    @Test
    void everyFlippedPayloadByteIsCaughtByTheDigest() {
        byte[] bytes = CheckpointFormat.encode(checkpoint(1));
        for (int i = 52; i < bytes.length; i++) {
            byte[] bad = bytes.clone();
            bad[i] ^= 0x10;
            CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(bad, FILE), "byte " + i);
            assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        }
        byte[] badMagic = bytes.clone();
        badMagic[2] = 'X';
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(badMagic, FILE)).getMessage().contains("not an fl4j checkpoint"));
        byte[] badVersion = bytes.clone();
        badVersion[11] = 3;
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(badVersion, FILE)).getMessage()
                .contains("format version 3 is not supported; this fl4j reads versions 1 to 2"));
        byte[] headerSaysOne = bytes.clone();
        headerSaysOne[11] = 1;
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(headerSaysOne, FILE)).getMessage()
                .contains("payload version 2 differs from the header's version 1"));
    }

    @Test
    void stateOfAnotherTypeIsRefusedWhenRestored() {
        Value plain = ServerStates.strip(serverState());
        StructType other = StructType.builder().add("global_model_weights", FederatedType.server(StructType.of())).build();
        assertThrows(IllegalArgumentException.class, () -> ServerStates.restore(plain, other));
        assertThrows(IllegalArgumentException.class, () -> ServerStates.strip(Struct.named("clients", FederatedValue.clients(List.of(Tensor.scalar(1f))))));
    }

    @Test
    void storeKeepsNewestAndNeverLeavesPartialFiles() throws Exception {
        CheckpointStore store = new CheckpointStore(tmp, 2);
        RunConfig config = checkpoint(1).config();
        for (int r = 1; r <= 4; r++) {
            store.save(checkpoint(r));
        }
        assertEquals(List.of(store.fileFor(3), store.fileFor(4)), store.list());
        assertEquals(4, store.loadLatest(config).orElseThrow().round());
        byte[] good = Files.readAllBytes(store.fileFor(4));
        Checkpoint unstorable = new Checkpoint(4, Struct.named("clients", FederatedValue.clients(List.of(Tensor.scalar(1f)))), 0, 0, config, List.of());
        assertThrows(IllegalArgumentException.class, () -> store.save(unstorable));
        assertArrayEquals(good, Files.readAllBytes(store.fileFor(4)), "a failed save leaves the good checkpoint");
        try (var files = Files.list(tmp)) {
            assertEquals(2, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void damagedNewestWithNoIntactOlderSaysSo() throws Exception {
        CheckpointStore store = new CheckpointStore(tmp);
        store.save(checkpoint(1));
        Files.write(store.fileFor(1), new byte[] {1, 2, 3});
        CheckpointException e = assertThrows(CheckpointException.class, () -> store.loadLatest(checkpoint(1).config()));
        assertTrue(e.getMessage().contains("no older checkpoint remains"), e.getMessage());
        assertEquals(store.fileFor(1), e.file());
    }

    @Test
    void renamedCheckpointIsCaught() throws Exception {
        CheckpointStore store = new CheckpointStore(tmp);
        Path f = store.save(checkpoint(3));
        Files.move(f, store.fileFor(5));
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointStore.read(store.fileFor(5))).getMessage()
                .contains("holds round 3 but its name says round 5"));
    }
}
