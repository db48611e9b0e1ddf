package dev.fl4j.core.runtime;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * entries {@code <client=uint8[] (UTF-8), key=uint8[] (UTF-8), state=…>}. {@link #snapshotStream()}
 * hands over the same entries in the same order one at a time, for a writer that need not hold them
 * all (a checkpoint of a population whose states live on a cluster).
 *
 * <h2>An external tier</h2>
 * A runtime whose client work runs elsewhere (Spark executors) keeps that work's state there, in an
 * {@link External} tier this store is built with, so the calling JVM does not hold it. This store's
 * own map then holds only the state of client work that runs here (glue without a descriptor), and
 * every operation above covers both tiers: {@link #snapshot()} lists both, {@link #restore} hands
 * every entry to the external tier, {@link #size()} and {@link #clients()} count both. A state key
 * belongs to one computation, so it lives in one tier: the first time work here reads or writes a
 * key the external tier holds (after a restore, say), this store takes that key's entries over.
 *
 * <p>Thread-safe: client work on several workers reads and writes at once.
 */
public final class ClientStateStore {

    private final Map<Entry, Value> committed = new ConcurrentHashMap<>();
    private final External external;
    private final Set<String> claimedKeys = ConcurrentHashMap.newKeySet();

    /** A store that keeps every client's state in this JVM. */
    public ClientStateStore() {
        this.external = null;
    }

    /**
     * A store whose external tier is {@code external}: the state of client work that runs where
     * {@code external} keeps it (see the class comment).
     */
    public ClientStateStore(External external) {
        this.external = Objects.requireNonNull(external, "external");
    }

    /**
     * Client state kept outside this JVM, by the runtime whose client work reads and writes it there
     * (a Spark runtime's executors); the runtime commits that work's writes itself. Entries are
     * {@link #snapshot()}'s {@code <client, key, state>} structures.
     */
    public interface External {
        /** Whether this tier holds some client's state under {@code key}; answered without remote work. */
        boolean holds(String key);

        /** The state of {@code clientId} under {@code key}, if this tier holds it. */
        Optional<Value> get(String clientId, String key);

        /** Removes every client's state under {@code key} from this tier and returns it by client id. */
        Map<String, Value> take(String key);

        /** Number of (client, key) entries. */
        long size();

        /** Number of distinct clients with state here that are not in {@code alsoCounted}. */
        int clients(Set<String> alsoCounted);

        /** Total size of the states in bits ({@link Value#sizeInBits()}). */
        long sizeInBits();

        /** Every entry, in any order. */
        List<Struct> entries();

        /**
         * Every entry in {@linkplain #snapshot() snapshot order} (client id, then key), handed over one at
         * a time, as many as {@link #size()} says; default: {@link #entries()}, sorted. A tier whose
         * entries do not fit the calling JVM overrides it to bring them in bounded pieces.
         */
        default Iterator<Struct> sortedEntries() {
            List<Struct> all = new ArrayList<>(entries());
            all.sort(SNAPSHOT_ORDER);
            return all.iterator();
        }

        /** Replaces this tier's contents with {@code entries} (valid and without repeats). */
        void restore(List<Struct> entries);

        /**
         * Replaces this tier's contents with {@code entries}, valid and in strict snapshot order, handed over one at
         * a time (read from a checkpoint as they come); if the iterator throws, this tier stays as it was. Default:
         * collects them and calls {@link #restore(List)}; a tier whose entries do not fit the calling JVM overrides
         * it to send them on in bounded pieces.
         */
        default void restore(Iterator<Struct> entries) {
            List<Struct> all = new ArrayList<>();
            entries.forEachRemaining(all::add);
            restore(all);
        }

        /** Forgets every entry. */
        void clear();
    }

    /** An (client id, key) pair. */
    private record Entry(String clientId, String key) {
        Entry {
            Objects.requireNonNull(clientId, "client id");
            Objects.requireNonNull(key, "state key");
        }
    }

    /** The committed state of {@code clientId} under {@code key}, if any (in either tier). */
    public Optional<Value> get(String clientId, String key) {
        Value here = committed.get(new Entry(clientId, key));
        if (here != null || external == null || !external.holds(key)) {
            return Optional.ofNullable(here);
        }
        return external.get(clientId, key);
    }

    /** Number of (client, key) entries. */
    public int size() {
        return Math.toIntExact(committed.size() + (external == null ? 0 : external.size()));
    }

    /** Number of distinct clients with state. */
    public int clients() {
        Set<String> here = new HashSet<>();
        for (Entry e : committed.keySet()) {
            here.add(e.clientId());
        }
        return here.size() + (external == null ? 0 : external.clients(here));
    }

    /** Total size of the stored states in bits, as {@link Value#sizeInBits()} counts it. */
    public long sizeInBits() {
        long bits = external == null ? 0 : external.sizeInBits();
        for (Value v : committed.values()) {
            bits += v.sizeInBits();
        }
        return bits;
    }

    /** The number of (client, key) entries held in this JVM (not in the external tier). */
    public int sizeHere() {
        return committed.size();
    }

    /** The number of distinct clients with state held in this JVM (not in the external tier). */
    public int clientsHere() {
        return (int) committed.keySet().stream().map(Entry::clientId).distinct().count();
    }

    /** The size in bits of the states held in this JVM (not in the external tier). */
    public long sizeInBitsHere() {
        long bits = 0;
        for (Value v : committed.values()) {
            bits += v.sizeInBits();
        }
        return bits;
    }

    /** Forgets every client's state (a fresh run on a reused runtime). */
    public void clear() {
        committed.clear();
        claimedKeys.clear();
        if (external != null) {
            external.clear();
        }
    }

    /** Makes this store's own map hold {@code key}'s entries, taking them from the external tier once. */
    private void claim(String key) {
        if (external == null || claimedKeys.contains(key)) {
            return;
        }
        synchronized (claimedKeys) {
            if (claimedKeys.contains(key)) {
                return;
            }
            if (external.holds(key)) {
                external.take(key).forEach((client, state) -> committed.put(new Entry(client, key), state));
            }
            claimedKeys.add(key);
        }
    }

    /** Opens a transaction for one invocation (used by runtimes). */
    public Transaction begin() {
        return new Transaction();
    }

    /** The order of a snapshot's entries: by client id, then key ({@link String#compareTo}). */
    public static final Comparator<Struct> SNAPSHOT_ORDER = Comparator.comparing(
                    (Struct e) -> readText(e.get("client"), 0, "client"))
            .thenComparing(e -> readText(e.get("key"), 0, "key"));

    /** Every entry as one value (see the class comment for the layout), deterministic in order. */
    public Struct snapshot() {
        List<Struct> out = new ArrayList<>(committed.size());
        for (Map.Entry<Entry, Value> e : committed.entrySet()) {
            out.add(entry(e.getKey().clientId(), e.getKey().key(), e.getValue()));
        }
        if (external != null) {
            out.addAll(external.entries());
        }
        out.sort(SNAPSHOT_ORDER);
        return Struct.of(new ArrayList<Value>(out));
    }

    /** {@link #snapshot()}'s entries to write one at a time: their number, then the entries in order. */
    public interface SnapshotStream {
        /** How many entries {@link #entries()} hands over. */
        long size();

        /** The entries, in snapshot order; iterate once. */
        Iterator<Struct> entries();
    }

    /**
     * {@link #snapshot()} as a stream, for a writer that writes entries as they come (a checkpoint):
     * this JVM's entries merged in order with the external tier's {@link External#sortedEntries()}, so
     * the calling JVM holds this tier's entries and the piece of the external tier being read, not
     * every client's state.
     */
    public SnapshotStream snapshotStream() {
        List<Struct> here = new ArrayList<>(committed.size());
        for (Map.Entry<Entry, Value> e : committed.entrySet()) {
            here.add(entry(e.getKey().clientId(), e.getKey().key(), e.getValue()));
        }
        here.sort(SNAPSHOT_ORDER);
        long size = here.size() + (external == null ? 0 : external.size());
        return new SnapshotStream() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public Iterator<Struct> entries() {
                return external == null
                        ? here.iterator()
                        : new MergedInOrder(here.iterator(), external.sortedEntries());
            }
        };
    }

    /** Two iterators in snapshot order, merged. */
    private static final class MergedInOrder implements Iterator<Struct> {
        private final Iterator<Struct> a;
        private final Iterator<Struct> b;
        private Struct nextA;
        private Struct nextB;

        MergedInOrder(Iterator<Struct> a, Iterator<Struct> b) {
            this.a = a;
            this.b = b;
            nextA = a.hasNext() ? a.next() : null;
            nextB = b.hasNext() ? b.next() : null;
        }

        @Override
        public boolean hasNext() {
            return nextA != null || nextB != null;
        }

        @Override
        public Struct next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            boolean fromA = nextB == null || (nextA != null && SNAPSHOT_ORDER.compare(nextA, nextB) <= 0);
            Struct out;
            if (fromA) {
                out = nextA;
                nextA = a.hasNext() ? a.next() : null;
            } else {
                out = nextB;
                nextB = b.hasNext() ? b.next() : null;
            }
            return out;
        }
    }

    /** One snapshot entry: {@code <client=uint8[] (UTF-8), key=uint8[] (UTF-8), state=…>}. */
    public static Struct entry(String clientId, String key, Value state) {
        return Struct.named("client", text(clientId), "key", text(key), "state", state);
    }

    /** The client id of a snapshot entry made by {@link #entry}. */
    public static String entryClient(Struct entry) {
        return readText(entry.get("client"), 0, "client");
    }

    /** The state key of a snapshot entry made by {@link #entry}. */
    public static String entryKey(Struct entry) {
        return readText(entry.get("key"), 0, "key");
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
        List<Struct> entries = new ArrayList<>(s.size());
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
            entries.add(e);
        }
        if (external != null) {
            external.restore(entries);
            committed.clear();
            claimedKeys.clear();
            return;
        }
        committed.clear();
        committed.putAll(read);
    }

    /**
     * Replaces the store's contents with a snapshot handed over one entry at a time ({@link #snapshotStream()}'s
     * entries, read back from a checkpoint as they come). With an external tier each entry goes on to it as it is
     * read ({@link External#restore(Iterator)}), so this JVM need not hold every client's state.
     *
     * @throws IllegalArgumentException naming the entry if one does not follow the layout, the entries are not in
     *     strict snapshot order (a repeated client and key breaks it), or there are not {@code snapshot.size()} of
     *     them; the store is unchanged then
     */
    public void restore(SnapshotStream snapshot) {
        Iterator<Struct> checked = new CheckedSnapshot(snapshot);
        if (external != null) {
            external.restore(checked);
            committed.clear();
            claimedKeys.clear();
            return;
        }
        Map<Entry, Value> read = new HashMap<>();
        while (checked.hasNext()) {
            Struct e = checked.next();
            read.put(new Entry(entryClient(e), entryKey(e)), e.get("state"));
        }
        committed.clear();
        committed.putAll(read);
    }

    /** A snapshot stream's entries, each checked for the layout, the order and the announced number. */
    private static final class CheckedSnapshot implements Iterator<Struct> {
        private final long size;
        private final Iterator<Struct> entries;
        private long index;
        private Struct previous;

        CheckedSnapshot(SnapshotStream snapshot) {
            this.size = snapshot.size();
            this.entries = snapshot.entries();
        }

        @Override
        public boolean hasNext() {
            boolean more = entries.hasNext();
            if (!more && index != size) {
                throw new IllegalArgumentException(
                        "the client state snapshot announced " + size + " entries but holds " + index);
            }
            return more;
        }

        @Override
        public Struct next() {
            Value v = entries.next();
            long i = index++;
            if (i >= size) {
                throw new IllegalArgumentException(
                        "the client state snapshot announced " + size + " entries but holds more");
            }
            if (!(v instanceof Struct e) || e.size() != 3 || !e.has("client") || !e.has("key") || !e.has("state")) {
                throw new IllegalArgumentException(
                        "client state entry #" + i + " must be <client=uint8[],key=uint8[],state=…>, got " + v.type());
            }
            int at = (int) Math.min(i, Integer.MAX_VALUE);
            String client = readText(e.get("client"), at, "client");
            String key = readText(e.get("key"), at, "key");
            if (previous != null && SNAPSHOT_ORDER.compare(previous, e) >= 0) {
                throw new IllegalArgumentException("client state entry #" + i + " (client '" + client + "' key '" + key
                        + "') does not follow entry #" + (i - 1) + " in snapshot order (client id, then key)"
                        + (SNAPSHOT_ORDER.compare(previous, e) == 0 ? ": it repeats it" : ""));
            }
            previous = e;
            return e;
        }
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
            claim(key);
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
            claim(key);
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
