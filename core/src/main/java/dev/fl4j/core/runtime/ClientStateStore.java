package dev.fl4j.core.runtime;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state a runtime keeps for each client between rounds: what a stateful client computation
 * (an error-feedback residual, an adaptive quantization range) reads and replaces through
 * {@link dev.fl4j.core.computation.ClientContext#clientState}. A simulation runtime keeps every
 * simulated client's here, in memory, keyed by client id and by a key naming the computation that
 * owns the state (a runtime for deployed clients is meant to leave it on each device instead).
 *
 * <h2>Transactions</h2>
 * A runtime opens one {@link Transaction} per top-level invocation. Writes go to the transaction and
 * become visible to later invocations only when it {@linkplain Transaction#commit commits}, after the
 * invocation succeeded: a round that fails part-way (one client's training throws) leaves every
 * client's state as it was before the round. A client may write a key at most once per invocation,
 * so the result never depends on which worker ran first; a second write is an error naming the
 * client and key (two computations sharing a key, or one client listed twice).
 *
 * <h2>Snapshots</h2>
 * {@link #snapshot()} is the whole store as one {@link Value}, entries sorted by client id then key,
 * so it can be written with {@link dev.fl4j.core.io.ValueCodec} (a checkpoint) and
 * {@linkplain #restore restored} to continue a run bitwise. Layout: a positional structure of
 * entries {@code <client=uint8[] (UTF-8), key=uint8[] (UTF-8), state=…>}.
 *
 * <p>Thread-safe: client work on several workers reads and writes at once.
 */
public final class ClientStateStore {

    private final Map<Entry, Value> committed = new ConcurrentHashMap<>();

    /** An (client id, key) pair. */
    private record Entry(String clientId, String key) {
        Entry {
            Objects.requireNonNull(clientId, "client id");
            Objects.requireNonNull(key, "state key");
        }
    }

    /** The committed state of {@code clientId} under {@code key}, if any. */
    public Optional<Value> get(String clientId, String key) {
        return Optional.ofNullable(committed.get(new Entry(clientId, key)));
    }

    /** Number of (client, key) entries. */
    public int size() {
        return committed.size();
    }

    /** Number of distinct clients with state. */
    public int clients() {
        return (int) committed.keySet().stream().map(Entry::clientId).distinct().count();
    }

    /** Total size of the stored states in bits, as {@link Value#sizeInBits()} counts it. */
    public long sizeInBits() {
        long bits = 0;
        for (Value v : committed.values()) {
            bits += v.sizeInBits();
        }
        return bits;
    }

    /** Forgets every client's state (a fresh run on a reused runtime). */
    public void clear() {
        committed.clear();
    }

    /** Opens a transaction for one invocation (used by runtimes). */
    public Transaction begin() {
        return new Transaction();
    }

    /** Every entry as one value (see the class comment for the layout), deterministic in order. */
    public Struct snapshot() {
        List<Map.Entry<Entry, Value>> entries = new ArrayList<>(committed.entrySet());
        entries.sort(
                Comparator.comparing((Map.Entry<Entry, Value> e) -> e.getKey().clientId())
                        .thenComparing(e -> e.getKey().key()));
        List<Value> out = new ArrayList<>(entries.size());
        for (Map.Entry<Entry, Value> e : entries) {
            out.add(Struct.named(
                    "client",
                    text(e.getKey().clientId()),
                    "key",
                    text(e.getKey().key()),
                    "state",
                    e.getValue()));
        }
        return Struct.of(out);
    }

    /**
     * Replaces the store's contents with a {@link #snapshot()}.
     *
     * @throws IllegalArgumentException naming the entry if {@code snapshot} does not follow the layout
     *     or lists a (client, key) twice; the store is unchanged then
     */
    public void restore(Value snapshot) {
        if (!(snapshot instanceof Struct s)) {
            throw new IllegalArgumentException(
                    "client state snapshot must be a structure of entries, got " + snapshot.type());
        }
        Map<Entry, Value> read = new HashMap<>();
        for (int i = 0; i < s.size(); i++) {
            if (!(s.get(i) instanceof Struct e)
                    || e.size() != 3
                    || !e.has("client")
                    || !e.has("key")
                    || !e.has("state")) {
                throw new IllegalArgumentException(
                        "client state entry #" + i + " must be <client=uint8[],key=uint8[],state=…>, got "
                                + s.get(i).type());
            }
            Entry key = new Entry(readText(e.get("client"), i, "client"), readText(e.get("key"), i, "key"));
            if (read.put(key, e.get("state")) != null) {
                throw new IllegalArgumentException("client state entry #" + i + " repeats client '" + key.clientId()
                        + "' key '" + key.key() + "'");
            }
        }
        committed.clear();
        committed.putAll(read);
    }

    private static Tensor text(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return Tensor.of(utf8, utf8.length);
    }

    private static String readText(Value v, int entry, String field) {
        if (!(v instanceof Tensor t) || t.dtype() != DType.UINT8 || t.rank() != 1) {
            throw new IllegalArgumentException(
                    "client state entry #" + entry + ": '" + field + "' must be uint8[n] text, got " + v.type());
        }
        return new String(t.byteData(), StandardCharsets.UTF_8);
    }

    /**
     * The reads and writes of one invocation. Reads see this transaction's own writes, then the
     * committed state; writes stay here until {@link #commit()}. A transaction that is never
     * committed changes nothing.
     */
    public final class Transaction {
        private final Map<Entry, Value> written = new ConcurrentHashMap<>();
        private volatile boolean done;

        private Transaction() {}

        /** The state of {@code clientId} under {@code key}: written in this transaction, else committed. */
        public Optional<Value> get(String clientId, String key) {
            Entry e = new Entry(clientId, key);
            Value mine = written.get(e);
            return mine != null ? Optional.of(mine) : Optional.ofNullable(committed.get(e));
        }

        /**
         * Sets the state of {@code clientId} under {@code key}, effective on commit.
         *
         * @throws IllegalStateException if this client already wrote {@code key} in this transaction,
         *     or the transaction has ended
         */
        public void put(String clientId, String key, Value state) {
            Objects.requireNonNull(state, "client state");
            if (done) {
                throw new IllegalStateException("the invocation that opened this client state transaction has ended");
            }
            if (written.putIfAbsent(new Entry(clientId, key), state) != null) {
                throw new IllegalStateException(
                        "client '" + clientId + "' wrote its state '" + key + "' twice in one invocation;"
                                + " each stateful computation needs its own key, and a client may appear once per "
                                + "invocation");
            }
        }

        /** Makes this transaction's writes the committed state. */
        public void commit() {
            if (done) {
                throw new IllegalStateException("client state transaction already ended");
            }
            done = true;
            committed.putAll(written);
        }

        /** Ends the transaction without applying its writes. */
        public void abort() {
            done = true;
            written.clear();
        }
    }
}
