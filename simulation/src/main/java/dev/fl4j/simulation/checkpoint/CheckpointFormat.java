package dev.fl4j.simulation.checkpoint;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.ClientStateStore;
import dev.fl4j.simulation.provenance.Provenance;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fl4j checkpoint file format, version 3. A file is a fixed header protecting one payload
 * (all integers big-endian):
 *
 * <pre>
 * file    := magic "FL4JCKPT" (8 ASCII bytes)  version:u32 (=3)  length:u64  sha256:32 bytes  payload (length bytes)
 * payload := an fl4j value ({@link ValueCodec}, "FL4V" version 1), the structure
 *   &lt;format=uint8[] "fl4j.checkpoint",
 *    version=int32 (=3),
 *    round=int32,                       rounds completed
 *    config=uint8[],                    {@link RunConfig#text()} in UTF-8
 *    config_fingerprint=uint8[],        {@link RunConfig#fingerprint()} in ASCII hex
 *    broadcasted_bits=int64,            cumulative, training process only
 *    aggregated_bits=int64,
 *    state=&lt;…&gt;,                         the process state without placements ({@link ServerStates})
 *    history=&lt;&lt;round=int32, metrics=&lt;name=float64, …&gt;&gt;, …&gt;&gt;,
 *    client_states=&lt;…&gt;,                 {@link dev.fl4j.core.runtime.ClientStateStore#snapshot()}
 *                                       (new in version 2)
 *    provenance=uint8[]                 {@link Provenance#toJson()} in UTF-8, empty if none was recorded
 *                                       (new in version 3)
 * </pre>
 *
 * Version 1 files (fl4j before client state) have no {@code client_states} and are read as having
 * none; version 1 and 2 files (fl4j before provenance) have no {@code provenance} and are read as
 * recording none.
 *
 * <p>The SHA-256 over the payload catches any flipped or missing byte before the payload is parsed;
 * the header's length catches truncation and trailing bytes. Every field is checked for exactly the
 * type above (a round stored as int64 is not truncated to an int, a metric must be one named
 * float64). Reading fails with a {@link CheckpointException} naming the file and the first problem
 * found, whatever went wrong, with the underlying exception as its cause.
 */
public final class CheckpointFormat {

    /** The header magic. */
    public static final byte[] MAGIC = "FL4JCKPT".getBytes(StandardCharsets.US_ASCII);
    /** The version of the file header and payload this class writes. */
    public static final int VERSION = 3;
    /** The oldest version this class reads. */
    public static final int OLDEST_READABLE_VERSION = 1;
    /** The payload's {@code format} field. */
    public static final String FORMAT = "fl4j.checkpoint";

    private static final int HEADER = MAGIC.length + 4 + 8 + 32;

    private CheckpointFormat() {}

    /** The bytes of {@code checkpoint}. */
    public static byte[] encode(Checkpoint checkpoint) {
        byte[] body = ValueCodec.encode(payload(checkpoint));
        ByteBuffer out = ByteBuffer.allocate(HEADER + body.length);
        out.put(MAGIC).putInt(VERSION).putLong(body.length).put(sha256(body)).put(body);
        return out.array();
    }

    /**
     * Writes {@code checkpoint} to {@code file} (at its start), its client states taken from
     * {@code clientStates} one entry at a time instead of from {@code checkpoint.clientStates()}
     * (which must be empty): the same bytes as {@link #encode} of the checkpoint with those states,
     * written without holding them all. The payload is written first, digested as it goes, then the
     * header with its length and SHA-256.
     *
     * @throws IllegalArgumentException if {@code checkpoint} holds client states itself
     * @throws IllegalStateException if the stream hands over another number of entries than it announced
     */
    public static void write(Checkpoint checkpoint, ClientStateStore.SnapshotStream clientStates, FileChannel file)
            throws IOException {
        if (!(checkpoint.clientStates() instanceof Struct own) || own.size() != 0) {
            throw new IllegalArgumentException("a checkpoint written with streamed client states holds none itself");
        }
        if (clientStates.size() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(clientStates.size() + " client state entries do not fit a checkpoint");
        }
        MessageDigest digest = newSha256();
        file.position(HEADER);
        CountingOutputStream counted = new CountingOutputStream(
                new DigestOutputStream(new BufferedOutputStream(Channels.newOutputStream(file), 1 << 16), digest));
        ValueCodec.StreamWriter out = new ValueCodec.StreamWriter(counted);
        Struct payload = payload(checkpoint);
        out.beginStruct(payload.size());
        for (int f = 0; f < payload.size(); f++) {
            out.name(payload.nameAt(f));
            if (!"client_states".equals(payload.nameAt(f))) {
                out.value(payload.get(f));
                continue;
            }
            long announced = clientStates.size();
            out.beginStruct((int) announced);
            long written = 0;
            for (Iterator<Struct> it = clientStates.entries(); it.hasNext(); written++) {
                Struct entry = it.next();
                if (written == announced) {
                    throw new IllegalStateException(
                            "the client states announced " + announced + " entries and handed" + " over more");
                }
                out.name(null);
                out.value(entry);
            }
            if (written != announced) {
                throw new IllegalStateException(
                        "the client states announced " + announced + " entries and handed over " + written);
            }
        }
        out.flush();
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.put(MAGIC)
                .putInt(VERSION)
                .putLong(counted.count)
                .put(digest.digest())
                .flip();
        while (header.hasRemaining()) {
            file.write(header, header.position());
        }
    }

    /** Counts the bytes written through it. */
    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    private static Struct payload(Checkpoint checkpoint) {
        Struct.Builder history = Struct.builder();
        for (RoundRecord r : checkpoint.history()) {
            Struct.Builder metrics = Struct.builder();
            r.metrics().forEach((name, value) -> metrics.add(name, Tensor.scalar(value.doubleValue())));
            history.add(Struct.named("round", Tensor.scalar(r.round()), "metrics", metrics.build()));
        }
        Struct payload = Struct.builder()
                .add("format", text(FORMAT))
                .add("version", Tensor.scalar(VERSION))
                .add("round", Tensor.scalar(checkpoint.round()))
                .add("config", text(checkpoint.config().text()))
                .add("config_fingerprint", text(checkpoint.config().fingerprint()))
                .add("broadcasted_bits", Tensor.scalar(checkpoint.broadcastedBits()))
                .add("aggregated_bits", Tensor.scalar(checkpoint.aggregatedBits()))
                .add("state", checkpoint.state())
                .add("history", history.build())
                .add("client_states", checkpoint.clientStates())
                .add(
                        "provenance",
                        text(checkpoint.provenance().map(Provenance::toJson).orElse("")))
                .build();
        return payload;
    }

    /**
     * Reads a checkpoint; {@code file} only names the source in errors.
     *
     * @throws CheckpointException if the bytes are not a complete, intact checkpoint of a readable version
     *                             (malformed value bytes, {@link dev.fl4j.core.io.MalformedDataException},
     *                             are reported as its cause)
     */
    public static Checkpoint decode(byte[] bytes, Path file) {
        int version = checkHeader(ByteBuffer.wrap(bytes), file);
        byte[] body = Arrays.copyOfRange(bytes, HEADER, bytes.length);
        try {
            return fromPayload(ValueCodec.decode(body), version, file);
        } catch (CheckpointException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CheckpointException(file, "payload does not follow the checkpoint layout: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a checkpoint file with its client states left in it ({@link CheckpointFile}): the file is memory-mapped
     * (its bytes stay out of the Java heap), its header and SHA-256 checked as {@link #decode} checks them, every
     * field read and checked, the client states' entries decoded one at a time and dropped; so opening holds one
     * entry at a time, not every client's state.
     *
     * @throws CheckpointException naming the file, as {@link #decode} does, and for a file too large to map
     */
    public static CheckpointFile open(Path file) {
        ByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw new CheckpointException(file, "is " + size + " bytes, more than a checkpoint can hold");
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CheckpointException(file, "does not exist", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be read: " + e.getMessage(), e);
        }
        int version = checkHeader(mapped, file);
        ByteBuffer payload = mapped.slice(HEADER, mapped.limit() - HEADER);
        try {
            return openPayload(payload, version, file);
        } catch (CheckpointException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CheckpointException(file, "payload does not follow the checkpoint layout: " + e.getMessage(), e);
        }
    }

    /** Checks the header and the payload's length and SHA-256; returns the version. */
    private static int checkHeader(ByteBuffer in, Path file) {
        if (in.remaining() < HEADER) {
            throw new CheckpointException(
                    file, "truncated: " + in.remaining() + " bytes, shorter than the " + HEADER + "-byte header");
        }
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CheckpointException(file, "not an fl4j checkpoint (the file does not start with \"FL4JCKPT\")");
        }
        int version = in.getInt();
        if (version < OLDEST_READABLE_VERSION || version > VERSION) {
            throw new CheckpointException(
                    file,
                    "format version " + version + " is not supported; this fl4j reads versions "
                            + OLDEST_READABLE_VERSION + " to " + VERSION);
        }
        long length = in.getLong();
        byte[] expectedDigest = new byte[32];
        in.get(expectedDigest);
        if (length != in.remaining()) {
            throw new CheckpointException(
                    file,
                    (length > in.remaining() ? "truncated" : "has trailing bytes") + ": the header announces " + length
                            + " payload bytes but " + in.remaining() + " follow");
        }
        MessageDigest digest = newSha256();
        digest.update(in.duplicate());
        if (!MessageDigest.isEqual(expectedDigest, digest.digest())) {
            throw new CheckpointException(file, "corrupt: the payload's SHA-256 does not match the header");
        }
        return version;
    }

    /** Reads every field but the client states' entries, which it checks and skips. */
    private static CheckpointFile openPayload(ByteBuffer payload, int version, Path file) {
        ByteBuffer in = payload.duplicate();
        ValueCodec.StreamReader reader = new ValueCodec.StreamReader(in);
        int fields = reader.beginStruct();
        Struct.Builder rest = Struct.builder();
        java.util.Set<String> names = new java.util.HashSet<>();
        int entriesStart = -1;
        int entries = 0;
        for (int f = 0; f < fields; f++) {
            String name = reader.name();
            if (name == null || !names.add(name)) {
                throw new CheckpointException(
                        file, "payload field #" + f + (name == null ? " has no name" : " repeats '" + name + "'"));
            }
            if (!"client_states".equals(name)) {
                rest.add(name, reader.value());
                continue;
            }
            entries = reader.beginStruct();
            entriesStart = in.position();
            for (int i = 0; i < entries; i++) {
                clientStateEntry(reader, i, file);
            }
            rest.add(name, Struct.empty());
        }
        reader.end();
        Checkpoint checkpoint = fromPayload(rest.build(), version, file);
        return new CheckpointFile(file, checkpoint, payload, entriesStart, entries);
    }

    /** The next client state entry of a payload being read: a positional {@code <client, key, state>}. */
    static Struct clientStateEntry(ValueCodec.StreamReader reader, int index, Path file) {
        String name = reader.name();
        if (name != null) {
            throw new CheckpointException(file, "client state entry #" + index + " is named '" + name + "'");
        }
        return clientStateEntry(reader.value(), index, file);
    }

    private static Struct clientStateEntry(Value entry, int index, Path file) {
        if (!(entry instanceof Struct e) || e.size() != 3 || !e.has("client") || !e.has("key") || !e.has("state")) {
            throw new CheckpointException(
                    file, "client state entry #" + index + " is not <client=uint8[],key=uint8[],state=…>");
        }
        return e;
    }

    /** A decoded payload's {@code client_states}, each entry checked as {@link #open} checks them. */
    private static Value clientStates(Value states, Path file) {
        if (!(states instanceof Struct s)) {
            throw new CheckpointException(
                    file, "field 'client_states' is " + states.type() + ", expected a structure of entries");
        }
        for (int i = 0; i < s.size(); i++) {
            if (s.nameAt(i) != null) {
                throw new CheckpointException(file, "client state entry #" + i + " is named '" + s.nameAt(i) + "'");
            }
            clientStateEntry(s.get(i), i, file);
        }
        return s;
    }

    private static Checkpoint fromPayload(Value value, int headerVersion, Path file) {
        if (!(value instanceof Struct p)) {
            throw new CheckpointException(file, "payload is " + value.type() + ", expected a structure");
        }
        for (String field : List.of(
                "format",
                "version",
                "round",
                "config",
                "config_fingerprint",
                "broadcasted_bits",
                "aggregated_bits",
                "state",
                "history")) {
            if (!p.has(field)) {
                throw new CheckpointException(file, "payload has no field '" + field + "'");
            }
        }
        String format = readText(p.get("format"), "format", file);
        if (!FORMAT.equals(format)) {
            throw new CheckpointException(file, "payload format is '" + format + "', expected '" + FORMAT + "'");
        }
        int version = scalar(p.get("version"), DType.INT32, "version", file).intData()[0];
        if (version != headerVersion) {
            throw new CheckpointException(
                    file, "payload version " + version + " differs from the header's version " + headerVersion);
        }
        if (version >= 2 && !p.has("client_states")) {
            throw new CheckpointException(file, "payload has no field 'client_states'");
        }
        if (version >= 3 && !p.has("provenance")) {
            throw new CheckpointException(file, "payload has no field 'provenance'");
        }
        Optional<Provenance> provenance = Optional.empty();
        if (version >= 3) {
            String json = readText(p.get("provenance"), "provenance", file);
            if (!json.isEmpty()) {
                try {
                    provenance = Optional.of(Provenance.fromJson(json));
                } catch (MalformedDataException e) {
                    throw new CheckpointException(file, "field 'provenance': " + e.getMessage(), e);
                }
            }
        }
        RunConfig config = RunConfig.parse(readText(p.get("config"), "config", file));
        String fingerprint = readText(p.get("config_fingerprint"), "config_fingerprint", file);
        if (!fingerprint.equals(config.fingerprint())) {
            throw new CheckpointException(
                    file,
                    "stored config fingerprint " + fingerprint + " does not match its stored config ("
                            + config.fingerprint() + ")");
        }
        if (!(p.get("history") instanceof Struct entries)) {
            throw new CheckpointException(
                    file, "field 'history' is " + p.get("history").type() + ", expected a structure of rounds");
        }
        List<RoundRecord> history = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            history.add(roundRecord(entries.get(i), "history/" + i, file));
        }
        int round = scalar(p.get("round"), DType.INT32, "round", file).intData()[0];
        long broadcasted = scalar(p.get("broadcasted_bits"), DType.INT64, "broadcasted_bits", file)
                .longData()[0];
        long aggregated = scalar(p.get("aggregated_bits"), DType.INT64, "aggregated_bits", file)
                .longData()[0];
        return new Checkpoint(
                round,
                p.get("state"),
                broadcasted,
                aggregated,
                config,
                history,
                version >= 2 ? clientStates(p.get("client_states"), file) : Struct.empty(),
                provenance);
    }

    private static RoundRecord roundRecord(Value entry, String where, Path file) {
        if (!(entry instanceof Struct e)
                || e.size() != 2
                || !e.has("round")
                || !e.has("metrics")
                || !(e.get("metrics") instanceof Struct m)) {
            throw new CheckpointException(
                    file,
                    "field '" + where + "' is " + entry.type() + ", expected <round=int32,metrics=<name=float64,…>>");
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int i = 0; i < m.size(); i++) {
            String name = m.nameAt(i);
            if (name == null) {
                throw new CheckpointException(
                        file, "field '" + where + "/metrics' has an unnamed metric at position " + i);
            }
            metrics.put(
                    name,
                    scalar(m.get(i), DType.FLOAT64, where + "/metrics/" + name, file)
                            .doubleData()[0]);
        }
        return new RoundRecord(
                scalar(e.get("round"), DType.INT32, where + "/round", file).intData()[0], metrics);
    }

    /** {@code v} as a scalar of {@code dtype}, or a CheckpointException naming the field. */
    private static Tensor scalar(Value v, DType dtype, String field, Path file) {
        if (!(v instanceof Tensor t) || t.dtype() != dtype || t.rank() != 0) {
            throw new CheckpointException(
                    file, "field '" + field + "' is " + v.type() + ", expected " + dtype.tffName());
        }
        return t;
    }

    private static Tensor text(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return Tensor.of(utf8, utf8.length);
    }

    private static String readText(Value v, String field, Path file) {
        if (!(v instanceof Tensor t) || t.dtype() != DType.UINT8 || t.rank() != 1) {
            throw new CheckpointException(file, "field '" + field + "' is " + v.type() + ", expected uint8[n] text");
        }
        return new String(t.byteData(), StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] bytes) {
        return newSha256().digest(bytes);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
