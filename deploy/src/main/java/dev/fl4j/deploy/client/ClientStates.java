package dev.fl4j.deploy.client;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deployed client's own client state (error-feedback residuals, SCAFFOLD control variates), kept
 * by round: the snapshot of round {@code r} is every key's state after this client's work of round
 * {@code r}. A task names the round it starts from (the last round whose result of this client the
 * server kept, 0 for none), so a round the server retried or abandoned never leaks into the next:
 * the client starts from the snapshot the server's round log says is current, which is what the
 * local runtime's transactional {@code ClientStateStore} would hold. The server never sees the state.
 *
 * <p>With a directory the snapshots survive a restart of the client: each is a file
 * {@code client_state_<round>.fl4v} (an fl4j value, {@link ValueCodec}:
 * {@code <format=uint8[?] "fl4j.client_state", version=int32 1, round=int32, keys=<uint8[?], …>,
 * values=<…>>}) written to a temporary file and renamed; snapshots older than the one a task starts
 * from are deleted, since no later task can start from them. Without a directory they live in memory.
 */
final class ClientStates {

    static final String FORMAT = "fl4j.client_state";
    static final int VERSION = 1;
    private static final Pattern FILE = Pattern.compile("client_state_(\\d{1,10})\\.fl4v");

    private final Path dir;
    private final Map<Integer, Map<String, Value>> memory = new TreeMap<>();

    /** Snapshots in {@code dir} (created if missing), or in memory when {@code dir} is null. */
    ClientStates(Path dir) {
        this.dir = dir;
        if (dir != null) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the client state directory " + dir, e);
            }
        }
    }

    /**
     * The state after round {@code round} (empty for round 0).
     *
     * @throws IllegalStateException if this client has no snapshot of that round (its state was lost)
     * @throws MalformedDataException if the snapshot file is damaged (the message names it)
     */
    synchronized Map<String, Value> load(int round) {
        if (round == 0) {
            return Map.of();
        }
        if (dir == null) {
            Map<String, Value> s = memory.get(round);
            if (s == null) {
                throw lost(round, "in memory");
            }
            return s;
        }
        Path file = file(round);
        if (!Files.exists(file)) {
            throw lost(round, "in " + dir);
        }
        try {
            return read(Files.readAllBytes(file), round, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read client state " + file, e);
        }
    }

    /** The state after round {@code round}, or empty when this client keeps none of that round. */
    synchronized Map<String, Value> loadIfPresent(int round) {
        if (round == 0 || (dir == null ? !memory.containsKey(round) : !Files.exists(file(round)))) {
            return Map.of();
        }
        return load(round);
    }

    private IllegalStateException lost(int round, String where) {
        return new IllegalStateException("the server says this client's state is that of round " + round
                + ", but no client state of round " + round + " is kept " + where
                + " (the state was lost, or this is another client's directory); the client cannot take part "
                + "without it");
    }

    /** Saves {@code state} as the snapshot of {@code round} and drops snapshots before {@code keepFrom}. */
    synchronized void save(int round, Map<String, Value> state, int keepFrom) {
        if (dir == null) {
            memory.put(round, Map.copyOf(state));
            memory.keySet().removeIf(r -> r < keepFrom);
            return;
        }
        Path file = file(round);
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        try {
            Files.write(tmp, write(round, state));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    Matcher m = FILE.matcher(f.getFileName().toString());
                    if (m.matches() && Long.parseLong(m.group(1)) < keepFrom) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write client state " + file, e);
        }
    }

    private Path file(int round) {
        return dir.resolve("client_state_" + round + ".fl4v");
    }

    /** The bytes of a snapshot. */
    static byte[] write(int round, Map<String, Value> state) {
        List<Value> keys = new ArrayList<>();
        List<Value> values = new ArrayList<>();
        for (Map.Entry<String, Value> e : new TreeMap<>(state).entrySet()) {
            keys.add(text(e.getKey()));
            values.add(e.getValue());
        }
        return ValueCodec.encode(Struct.builder()
                .add("format", text(FORMAT))
                .add("version", Tensor.scalar(VERSION))
                .add("round", Tensor.scalar(round))
                .add("keys", Struct.of(keys))
                .add("values", Struct.of(values))
                .build());
    }

    /**
     * Reads a snapshot's bytes, checking its format, version and round.
     *
     * @throws MalformedDataException naming {@code where} and what does not fit
     */
    static Map<String, Value> read(byte[] bytes, int round, String where) {
        Value v;
        try {
            v = ValueCodec.decode(bytes);
        } catch (MalformedDataException e) {
            throw new MalformedDataException("client state " + where + " is damaged: " + e.getMessage(), e);
        }
        if (!(v instanceof Struct s)
                || s.size() != 5
                || !s.has("format")
                || !s.has("version")
                || !s.has("round")
                || !s.has("keys")
                || !s.has("values")) {
            throw new MalformedDataException("client state " + where + " is not a client state file: " + v.type());
        }
        if (!FORMAT.equals(string(s.get("format"), where))) {
            throw new MalformedDataException("client state " + where + " has format '" + string(s.get("format"), where)
                    + "', expected " + FORMAT);
        }
        int version = scalar(s.get("version"), where + " version");
        if (version != VERSION) {
            throw new MalformedDataException(
                    "client state " + where + " has version " + version + "; this client reads " + VERSION);
        }
        int stored = scalar(s.get("round"), where + " round");
        if (stored != round) {
            throw new MalformedDataException(
                    "client state " + where + " holds round " + stored + ", expected round " + round);
        }
        if (!(s.get("keys") instanceof Struct keys)
                || !(s.get("values") instanceof Struct values)
                || keys.size() != values.size()) {
            throw new MalformedDataException("client state " + where + ": keys and values do not pair up");
        }
        Map<String, Value> out = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            String key = string(keys.get(i), where + " key #" + i);
            if (out.put(key, values.get(i)) != null) {
                throw new MalformedDataException("client state " + where + ": key '" + key + "' appears twice");
            }
        }
        return out;
    }

    private static int scalar(Value v, String where) {
        if (!(v instanceof Tensor t) || t.dtype() != DType.INT32 || t.rank() != 0) {
            throw new MalformedDataException("client state " + where + " must be an int32 scalar, got " + v.type());
        }
        return t.intData()[0];
    }

    private static String string(Value v, String where) {
        if (!(v instanceof Tensor t) || t.dtype() != DType.UINT8 || t.rank() != 1) {
            throw new MalformedDataException("client state " + where + ": expected uint8[?] text, got " + v.type());
        }
        return new String(t.byteData(), StandardCharsets.UTF_8);
    }

    private static Tensor text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Tensor.of(b, b.length);
    }
}
