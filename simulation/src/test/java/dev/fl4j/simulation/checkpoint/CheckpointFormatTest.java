package dev.fl4j.simulation.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.simulation.provenance.Provenance;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFormatTest {

    static final Path FILE = Path.of("test.fl4jckpt");

    @TempDir
    Path tmp;

    static Value serverState() {
        Struct weights = Struct.named(
                "trainable",
                Struct.named("kernel", Tensor.of(new float[] {1.5f, -2f, Float.MIN_VALUE, 3e-7f}, 2, 2)),
                "non_trainable",
                Struct.empty());
        return Struct.builder()
                .add("global_model_weights", new ServerValue(weights))
                .add(
                        "finalizer",
                        new ServerValue(Struct.named("step", Tensor.scalar(7L), "m", Tensor.vector(0.25, 0.5))))
                .build();
    }

    static Checkpoint checkpoint(int round) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("client_work/train/loss", 2.3061);
        m.put("broadcasted_bits", 1.0e9);
        m.put("eval/accuracy", Double.NaN);
        return new Checkpoint(
                round,
                ServerStates.strip(serverState()),
                123456789012L,
                987654321L,
                RunConfig.of(Map.of("seed", "1", "model", "softmax")),
                List.of(new RoundRecord(0, Map.of()), new RoundRecord(round, m)));
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
        Struct states = Struct.of(Struct.named(
                "client",
                text("f_0001"),
                "key",
                text("encoded_sum/topk:0.01"),
                "state",
                Struct.of(Struct.of(Tensor.vector(0.5f, -1f, 0f)))));
        Checkpoint withStates = new Checkpoint(2, plain.state(), 1, 2, plain.config(), plain.history(), states);
        assertEquals(
                states,
                CheckpointFormat.decode(CheckpointFormat.encode(withStates), FILE)
                        .clientStates());
        assertEquals(
                Struct.empty(),
                CheckpointFormat.decode(CheckpointFormat.encode(plain), FILE).clientStates());
    }

    /** A file as fl4j wrote it before client state (format version 1): still read, with no client states. */
    @Test
    void versionOneFilesAreStillRead() throws Exception {
        Checkpoint c = checkpoint(3);
        Checkpoint back = CheckpointFormat.decode(asOlderVersion(c, 1, Set.of("client_states", "provenance")), FILE);
        assertEquals(c, back);
        assertEquals(Struct.empty(), back.clientStates());
    }

    /**
     * A file as fl4j wrote it before provenance (format version 2): still read, recording none, and a run resumes from
     * it.
     */
    @Test
    void versionTwoFilesAreStillReadAndResumed() throws Exception {
        Checkpoint plain = checkpoint(4);
        Struct states = Struct.of(
                Struct.named("client", text("f_0001"), "key", text("k"), "state", Struct.of(Tensor.vector(0.5f))));
        Checkpoint c = new Checkpoint(4, plain.state(), 1, 2, plain.config(), plain.history(), states);
        byte[] v2 = asOlderVersion(c, 2, Set.of("provenance"));
        Checkpoint back = CheckpointFormat.decode(v2, FILE);
        assertEquals(c, back);
        assertEquals(Optional.empty(), back.provenance());
        CheckpointStore store = new CheckpointStore(tmp);
        Files.write(store.fileFor(4), v2);
        assertEquals(c, store.loadLatest(c.config()).orElseThrow());
    }

    /**
     * {@code c} encoded as format {@code version}: the version fields rewritten and the fields that version lacks left
     * out.
     */
    static byte[] asOlderVersion(Checkpoint c, int version, Set<String> absent) throws Exception {
        byte[] now = CheckpointFormat.encode(c);
        Struct current = (Struct) dev.fl4j.core.io.ValueCodec.decode(Arrays.copyOfRange(now, 52, now.length));
        Struct.Builder old = Struct.builder();
        for (int i = 0; i < current.size(); i++) {
            if (current.nameAt(i).equals("version")) {
                old.add("version", Tensor.scalar(version));
            } else if (!absent.contains(current.nameAt(i))) {
                old.add(current.nameAt(i), current.get(i));
            }
        }
        return CheckpointFuzzTest.framed(dev.fl4j.core.io.ValueCodec.encode(old.build()), version);
    }

    @Test
    void provenanceRoundTripsAndTheStoreStampsIt() throws Exception {
        Checkpoint c = checkpoint(2);
        Provenance p = Provenance.current(c.config(), 1, "engine 1.0");
        assertEquals(
                Optional.of(p),
                CheckpointFormat.decode(CheckpointFormat.encode(c.withProvenance(p)), FILE)
                        .provenance());
        assertEquals(
                Optional.empty(),
                CheckpointFormat.decode(CheckpointFormat.encode(c), FILE).provenance());
        CheckpointStore store = new CheckpointStore(tmp).withProvenance(p);
        store.save(c);
        assertEquals(Optional.of(p), CheckpointStore.read(store.fileFor(2)).provenance());
    }

    @Test
    void malformedProvenanceIsACheckpointExceptionNamingTheField() throws Exception {
        assertLayout(withField("provenance", text("{\"seed\":1}")), "field 'provenance': provenance has no field");
        assertLayout(withField("provenance", Tensor.scalar(1)), "field 'provenance' is int32, expected uint8[n] text");
        byte[] noField = asOlderVersion(checkpoint(1), 3, Set.of("provenance"));
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(noField, FILE))
                .getMessage()
                .contains("payload has no field 'provenance'"));
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
        assertEquals(3, in.getInt());
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
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(cut, FILE), "length " + len);
            assertTrue(e.getMessage().startsWith("checkpoint test.fl4jckpt: "), e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), len + ": " + e.getMessage());
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(longer, FILE))
                .getMessage()
                .contains("trailing bytes"));
    }

    @Test
    void everyFlippedPayloadByteIsCaughtByTheDigest() {
        byte[] bytes = CheckpointFormat.encode(checkpoint(1));
        for (int i = 52; i < bytes.length; i++) {
            byte[] bad = bytes.clone();
            bad[i] ^= 0x10;
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(bad, FILE), "byte " + i);
            assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        }
        byte[] badMagic = bytes.clone();
        badMagic[2] = 'X';
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(badMagic, FILE))
                .getMessage()
                .contains("not an fl4j checkpoint"));
        byte[] badVersion = bytes.clone();
        badVersion[11] = 4;
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(badVersion, FILE))
                .getMessage()
                .contains("format version 4 is not supported; this fl4j reads versions 1 to 3"));
        byte[] headerSaysOne = bytes.clone();
        headerSaysOne[11] = 1;
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(headerSaysOne, FILE))
                .getMessage()
                .contains("payload version 3 differs from the header's version 1"));
    }

    @Test
    void stateOfAnotherTypeIsRefusedWhenRestored() {
        Value plain = ServerStates.strip(serverState());
        StructType other = StructType.builder()
                .add("global_model_weights", FederatedType.server(StructType.of()))
                .build();
        assertThrows(IllegalArgumentException.class, () -> ServerStates.restore(plain, other));
        assertThrows(
                IllegalArgumentException.class,
                () -> ServerStates.strip(Struct.named("clients", FederatedValue.clients(List.of(Tensor.scalar(1f))))));
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
        Checkpoint unstorable = new Checkpoint(
                4,
                Struct.named("clients", FederatedValue.clients(List.of(Tensor.scalar(1f)))),
                0,
                0,
                config,
                List.of());
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
        CheckpointException e = assertThrows(
                CheckpointException.class, () -> store.loadLatest(checkpoint(1).config()));
        assertTrue(e.getMessage().contains("no older checkpoint remains"), e.getMessage());
        assertEquals(store.fileFor(1), e.file());
    }

    @Test
    void renamedCheckpointIsCaught() throws Exception {
        CheckpointStore store = new CheckpointStore(tmp);
        Path f = store.save(checkpoint(3));
        Files.move(f, store.fileFor(5));
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointStore.read(store.fileFor(5)))
                .getMessage()
                .contains("holds round 3 but its name says round 5"));
    }

    /** The payload of {@code checkpoint(1)} with field {@code name} replaced, under a valid header and digest. */
    static byte[] withField(String name, Value replacement) throws Exception {
        Struct payload = (Struct) dev.fl4j.core.io.ValueCodec.decode(CheckpointFuzzTest.payload(checkpoint(1)));
        Struct.Builder b = Struct.builder();
        for (int i = 0; i < payload.size(); i++) {
            b.add(payload.nameAt(i), payload.nameAt(i).equals(name) ? replacement : payload.get(i));
        }
        return CheckpointFuzzTest.framed(dev.fl4j.core.io.ValueCodec.encode(b.build()), CheckpointFormat.VERSION);
    }

    static Struct history(Value metrics) {
        return Struct.of(Struct.named("round", Tensor.scalar(1), "metrics", metrics));
    }

    @Test
    void everyFieldMustHaveItsExactTypeAndEveryFailureIsACheckpointException() throws Exception {
        // an empty metric tensor made getDouble(0) throw ArrayIndexOutOfBoundsException, which escaped
        assertLayout(
                withField("history", history(Struct.named("loss", Tensor.of(new double[0], 0)))),
                "field 'history/0/metrics/loss' is float64[0], expected float64");
        // a round stored as int64 was truncated to an int without a word: 2^32 + 3 read as round 3
        assertLayout(withField("round", Tensor.scalar((1L << 32) + 3)), "field 'round' is int64, expected int32");
        // an unnamed metric was read as a metric named null
        assertLayout(
                withField("history", history(Struct.of(Tensor.scalar(0.5)))),
                "field 'history/0/metrics' has an unnamed metric at position 0");
        assertLayout(
                withField("broadcasted_bits", Tensor.scalar(1e9)),
                "field 'broadcasted_bits' is float64, expected int64");
        assertLayout(withField("format", Tensor.scalar(1)), "field 'format' is int32, expected uint8[n] text");
        assertLayout(
                withField("history", Tensor.scalar(1)), "field 'history' is int32, expected a structure of rounds");
        assertLayout(
                withField("history", Struct.of(Struct.named("round", Tensor.scalar(-1), "metrics", Struct.empty()))),
                "payload does not follow the checkpoint layout: round must not be negative, got -1");
    }

    private static void assertLayout(byte[] file, String fragment) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFormat.decode(file, FILE));
        assertTrue(
                e.getMessage().startsWith("checkpoint test.fl4jckpt: ")
                        && e.getMessage().contains(fragment),
                e.getMessage());
    }

    @Test
    void roundsPastEightDigitsAreListedInOrderAndResumedFrom() throws Exception {
        CheckpointStore store = new CheckpointStore(tmp, 4);
        for (int round : new int[] {100_000_000, 5, Integer.MAX_VALUE, 99_999_999}) {
            store.save(checkpoint(round));
        }
        assertEquals(tmp.resolve("checkpoint_100000000.fl4jckpt"), store.fileFor(100_000_000));
        assertEquals(
                List.of(
                        store.fileFor(5),
                        store.fileFor(99_999_999),
                        store.fileFor(100_000_000),
                        store.fileFor(Integer.MAX_VALUE)),
                store.list());
        assertEquals(
                Integer.MAX_VALUE,
                store.loadLatest(checkpoint(1).config()).orElseThrow().round());
        Files.delete(store.fileFor(Integer.MAX_VALUE));
        assertEquals(
                100_000_000,
                store.loadLatest(checkpoint(1).config()).orElseThrow().round());
        Files.move(store.fileFor(100_000_000), tmp.resolve("checkpoint_100000001.fl4jckpt"));
        assertTrue(assertThrows(
                        CheckpointException.class,
                        () -> store.loadLatest(checkpoint(1).config()))
                .getMessage()
                .contains("holds round 100000000 but its name says round 100000001"));
    }

    @Test
    void temporaryFilesOfAKilledSaveAreRemovedWhenAStoreOpens() throws Exception {
        CheckpointStore store = new CheckpointStore(tmp);
        store.save(checkpoint(1));
        // the name AtomicFiles gives the temporary file of round 2's save, caught while it is being written
        Path[] temp = new Path[1];
        dev.fl4j.simulation.io.AtomicFiles.write(store.fileFor(2), out -> {
            try (var files = Files.list(tmp)) {
                temp[0] = files.filter(f -> f.getFileName().toString().endsWith(".tmp"))
                        .findFirst()
                        .orElseThrow();
            }
        });
        Files.delete(store.fileFor(2));
        // a kill during the save leaves that file, half written, and nothing under round 2's name
        byte[] good = CheckpointFormat.encode(checkpoint(2));
        Files.write(temp[0], Arrays.copyOf(good, good.length / 2));
        Files.write(tmp.resolve("notes.tmp"), new byte[] {1});
        Files.write(tmp.resolve(".other.fl4jckpt.abc.tmp"), new byte[] {1});

        CheckpointStore reopened = new CheckpointStore(tmp);
        assertTrue(Files.notExists(temp[0]), temp[0] + " should have been removed");
        assertTrue(
                Files.exists(tmp.resolve("notes.tmp")) && Files.exists(tmp.resolve(".other.fl4jckpt.abc.tmp")),
                "other files stay");
        assertEquals(
                1, reopened.loadLatest(checkpoint(1).config()).orElseThrow().round());
    }
}
