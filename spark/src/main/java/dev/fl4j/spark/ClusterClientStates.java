package dev.fl4j.spark;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.ClientStateStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.HashPartitioner;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.runtime.AbstractFunction1;

/**
 * The client state of a {@link SparkRuntime}'s shipped client work, kept on the cluster: an RDD of
 * {@link ClientRecord}s keyed by client id, hash-partitioned, persisted in the executors and
 * reliably checkpointed under the state directory after every invocation that wrote state, so its
 * lineage is cut (the driver keeps a handle and a few counts, not the states) and a lost executor's
 * blocks are read back from the checkpoint files.
 *
 * <h2>One invocation: a transaction</h2>
 * A pass's tasks receive their clients' records by a join of the pass's client ids with the state
 * RDD (as seen by the invocation: committed, overlaid with what its earlier passes wrote). A task
 * writes the records of the clients that wrote state to an attempt file of its own
 * ({@code tx-<invocation>/pass-<p>-part-<k>-<attempt>.fl4s}, written to a temporary name and
 * renamed) and returns its name with its results; the driver notes the file of the attempt whose
 * results it folded. When the invocation returns, {@link Transaction#commit} merges the noted files
 * into a new state RDD and checkpoints it; when it fails, nothing is merged and its files are
 * deleted. So a task Spark runs again (a lost executor) starts from the same committed records and
 * writes a file of its own, a half-written file is never read, and a failed round leaves every
 * client's state as it was: the transactions of {@link ClientStateStore}, on the cluster.
 *
 * <p>Reading every state on the driver happens only when asked for: {@link #entries()} (a
 * {@code snapshot()} of them all), {@link #get} (one client), {@link #take} (a key that work on the
 * driver turned out to own). A training loop's checkpoint reads them with {@link #sortedEntries()},
 * in sorted pieces of bounded size, writing each entry as it comes.
 */
final class ClusterClientStates implements ClientStateStore.External {

    /** Spark configuration key of the state directory (a URI every executor and the driver reach). */
    static final String STATE_DIR_CONF = "spark.fl4j.stateDir";

    private final JavaSparkContext sc;
    private final String dir;
    private final boolean ownsDir;
    private final Partitioner partitioner;
    private final ThreadLocal<Transaction> open = new ThreadLocal<>();
    private long transactions;

    private JavaPairRDD<String, ClientRecord> committed;
    private Stats stats = Stats.EMPTY;

    /**
     * States under {@code dir} (a Hadoop file system URI; created), hash-partitioned into
     * {@code partitions}; {@code ownsDir}: delete the directory on {@link #close}.
     */
    ClusterClientStates(JavaSparkContext sc, String dir, boolean ownsDir, int partitions) {
        this.sc = sc;
        this.dir = dir;
        this.ownsDir = ownsDir;
        this.partitioner = new HashPartitioner(partitions);
        try {
            Path p = new Path(dir);
            p.getFileSystem(sc.hadoopConfiguration()).mkdirs(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the client state directory " + dir, e);
        }
        if (!sc.getCheckpointDir().isPresent()) {
            sc.setCheckpointDir(dir + "/checkpoints");
        }
    }

    /** The committed state RDD (null when no client has state): for tests and tools. */
    synchronized JavaPairRDD<String, ClientRecord> committedRdd() {
        return committed;
    }

    /** The state directory. */
    String directory() {
        return dir;
    }

    // ------------------------------------------------------------------ transactions

    /** Opens the calling thread's transaction for one invocation. */
    synchronized Transaction begin() {
        if (open.get() != null) {
            throw new IllegalStateException("an invocation on this thread is already running on this SparkRuntime");
        }
        Transaction t = new Transaction(++transactions);
        open.set(t);
        return t;
    }

    /** The calling thread's open transaction (the shipper runs on the invoking thread). */
    Transaction current() {
        Transaction t = open.get();
        if (t == null) {
            throw new IllegalStateException("client work shipped outside an invocation of its SparkRuntime");
        }
        return t;
    }

    /** What a task needs to read and write state: where files go and which invocation and pass it is. */
    record TaskSide(String dir, long transaction, int pass) implements Serializable {}

    /** The state writes of one invocation. */
    final class Transaction {
        final long number;
        private final List<String> files = new ArrayList<>();
        private int passes;

        private Transaction(long number) {
            this.number = number;
        }

        /** Starts a pass: what its tasks are told. */
        TaskSide nextPass() {
            return new TaskSide(dir, number, ++passes);
        }

        /**
         * The records of the pass's clients, as this invocation sees them, cut into the pass's
         * {@code p} partitions ({@code firstOf(k)} is the first client of partition k); null when no
         * client has state.
         */
        JavaPairRDD<Integer, ClientRecord> forPass(List<String> clientIds, int p, int[] first) {
            JavaPairRDD<String, ClientRecord> view = view();
            if (view == null) {
                return null;
            }
            List<Tuple2<String, Integer>> where = new ArrayList<>(clientIds.size());
            for (int k = 0; k < p; k++) {
                for (int i = first[k]; i < first[k + 1]; i++) {
                    where.add(new Tuple2<>(clientIds.get(i), k));
                }
            }
            return view.join(sc.parallelizePairs(where, Math.max(1, Math.min(p, where.size()))))
                    .mapToPair(e -> new Tuple2<>(e._2()._2(), e._2()._1()))
                    .partitionBy(new ExactPartitioner(p));
        }

        private JavaPairRDD<String, ClientRecord> view() {
            synchronized (ClusterClientStates.this) {
                return files.isEmpty() ? committed : merge(committed, files);
            }
        }

        /** Whether any client has state as this invocation sees it (else {@link #forPass} is null). */
        boolean hasStates() {
            synchronized (ClusterClientStates.this) {
                return committed != null || !files.isEmpty();
            }
        }

        /** Notes the attempt file of a task whose results were folded. */
        void written(String file) {
            files.add(file);
        }

        /** Merges this invocation's writes into the committed state and checkpoints it. */
        void commit() {
            try {
                if (!files.isEmpty()) {
                    synchronized (ClusterClientStates.this) {
                        replaceCommitted(merge(committed, files).mapValues(ClientRecord::committed));
                    }
                }
            } finally {
                end();
            }
        }

        /** Drops this invocation's writes. */
        void abort() {
            end();
        }

        private void end() {
            open.remove();
            delete(dir + "/tx-" + number);
        }
    }

    /**
     * {@code base} overlaid with the records in {@code files}: per client the record of the latest
     * pass; two records of one client from one pass are an error (a client listed twice in a pass).
     */
    private JavaPairRDD<String, ClientRecord> merge(JavaPairRDD<String, ClientRecord> base, List<String> files) {
        JavaPairRDD<String, ClientRecord> written = sc.parallelize(new ArrayList<>(files), Math.min(files.size(), 64))
                .flatMapToPair(f -> {
                    List<Tuple2<String, ClientRecord>> out = new ArrayList<>();
                    for (ClientRecord r : readFile(f)) {
                        out.add(new Tuple2<>(r.clientId(), r));
                    }
                    return out.iterator();
                })
                .reduceByKey(partitioner, ClusterClientStates::latest);
        if (base == null) {
            return written;
        }
        return base.cogroup(written, partitioner).mapValues(g -> {
            ClientRecord newest = null;
            for (ClientRecord r : g._2()) {
                newest = r;
            }
            return newest != null ? newest : g._1().iterator().next();
        });
    }

    private static ClientRecord latest(ClientRecord a, ClientRecord b) {
        if (a.pass() == b.pass()) {
            throw new IllegalStateException("client '" + a.clientId() + "' wrote its state twice in one pass of an"
                    + " invocation; a client may appear once per invocation");
        }
        return a.pass() > b.pass() ? a : b;
    }

    private static ClientRecord[] readFile(String file) throws IOException {
        Path p = new Path(file);
        FileSystem fs = p.getFileSystem(new Configuration());
        try (DataInputStream in = new DataInputStream(fs.open(p))) {
            return ClientRecord.read(in, file);
        }
    }

    /**
     * Makes {@code next} the committed state: persisted, checkpointed (its lineage cut), counted; the
     * previous state's blocks and checkpoint files are dropped.
     */
    private void replaceCommitted(JavaPairRDD<String, ClientRecord> next) {
        JavaPairRDD<String, ClientRecord> old = committed;
        Stats s = Stats.EMPTY;
        if (next != null) {
            next = next.partitionBy(partitioner).persist(StorageLevel.MEMORY_AND_DISK_SER());
            next.checkpoint();
            s = next.values().aggregate(Stats.EMPTY, Stats::add, Stats::merge);
            if (s.clients == 0) {
                next.unpersist(false);
                deleteCheckpoint(next);
                next = null;
            }
        }
        committed = next;
        stats = s;
        if (old != null) {
            old.unpersist(false);
            deleteCheckpoint(old);
        }
    }

    private void deleteCheckpoint(JavaPairRDD<String, ClientRecord> rdd) {
        org.apache.spark.api.java.Optional<String> file = rdd.getCheckpointFile();
        if (file.isPresent()) {
            delete(file.get());
        }
    }

    private void delete(String path) {
        try {
            Path p = new Path(path);
            p.getFileSystem(sc.hadoopConfiguration()).delete(p, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }

    /** Clients, entries, bits and keys of a state RDD. */
    record Stats(long clients, long entries, long bits, TreeSet<String> keys) implements Serializable {
        static final Stats EMPTY = new Stats(0, 0, 0, new TreeSet<>());

        static Stats add(Stats s, ClientRecord r) {
            long bits = 0;
            for (byte[] state : r.states()) {
                bits += ValueCodec.decode(state).sizeInBits();
            }
            TreeSet<String> keys = new TreeSet<>(s.keys);
            keys.addAll(Arrays.asList(r.keys()));
            return new Stats(s.clients + 1, s.entries + r.keys().length, s.bits + bits, keys);
        }

        static Stats merge(Stats a, Stats b) {
            TreeSet<String> keys = new TreeSet<>(a.keys);
            keys.addAll(b.keys);
            return new Stats(a.clients + b.clients, a.entries + b.entries, a.bits + b.bits, keys);
        }
    }

    /** Partition k holds the records keyed k (a pass's partition index). */
    static final class ExactPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;

        ExactPartitioner(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ExactPartitioner e && e.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return partitions;
        }
    }

    /** Partition {@code k} of {@code rdd} alone, as an RDD of one partition (one pass partition's job). */
    static JavaRDD<ClientRecord> partition(JavaPairRDD<Integer, ClientRecord> rdd, int k) {
        scala.reflect.ClassTag<Tuple2<Integer, ClientRecord>> tag = scala.reflect.ClassTag$.MODULE$.apply(Tuple2.class);
        return new JavaRDD<>(PartitionPruningRDD.create(rdd.rdd(), new OnlyPartition(k)), tag).map(Tuple2::_2);
    }

    private static final class OnlyPartition extends AbstractFunction1<Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int k;

        OnlyPartition(int k) {
            this.k = k;
        }

        @Override
        public Object apply(Object index) {
            return (Integer) index == k;
        }
    }

    // ------------------------------------------------------------------ ClientStateStore.External

    @Override
    public synchronized boolean holds(String key) {
        return stats.keys.contains(key);
    }

    @Override
    public synchronized Optional<Value> get(String clientId, String key) {
        if (committed == null || !stats.keys.contains(key)) {
            return Optional.empty();
        }
        for (ClientRecord r : committed.lookup(clientId)) {
            return r.value(key);
        }
        return Optional.empty();
    }

    @Override
    public synchronized Map<String, Value> take(String key) {
        Map<String, Value> out = new HashMap<>();
        if (committed == null || !stats.keys.contains(key)) {
            return out;
        }
        for (Tuple2<String, byte[]> e : committed
                .flatMapToPair(t -> t._2().state(key)
                        .map(s -> List.of(new Tuple2<>(t._1(), s)).iterator())
                        .orElse(java.util.Collections.emptyIterator()))
                .collect()) {
            out.put(e._1(), ValueCodec.decode(e._2()));
        }
        replaceCommitted(committed.flatMapValues(r -> {
            ClientRecord left = r.without(key);
            return left == null
                    ? List.<ClientRecord>of().iterator()
                    : List.of(left).iterator();
        }));
        return out;
    }

    @Override
    public synchronized long size() {
        return stats.entries;
    }

    @Override
    public synchronized int clients(Set<String> alsoCounted) {
        if (committed == null || alsoCounted.isEmpty()) {
            return Math.toIntExact(stats.clients);
        }
        Set<String> counted = new HashSet<>(alsoCounted);
        return Math.toIntExact(
                committed.keys().filter(id -> !counted.contains(id)).count());
    }

    @Override
    public synchronized long sizeInBits() {
        return stats.bits;
    }

    @Override
    public synchronized List<Struct> entries() {
        List<Struct> out = new ArrayList<>();
        if (committed == null) {
            return out;
        }
        java.util.Iterator<ClientRecord> it = committed.values().toLocalIterator();
        while (it.hasNext()) {
            ClientRecord r = it.next();
            for (int i = 0; i < r.keys().length; i++) {
                out.add(ClientStateStore.entry(r.clientId(), r.keys()[i], ValueCodec.decode(r.states()[i])));
            }
        }
        return out;
    }

    /** Roughly how many bytes of states {@link #sortedEntries} brings to the driver at once. */
    private long snapshotPieceBytes = 32L << 20;

    /** How many pieces the last {@link #sortedEntries} was cut into (for tests). */
    private int lastSnapshotPieces;

    /** Sets how many bytes of states a snapshot brings to the driver at once (for tests). */
    synchronized void snapshotPieceBytes(long bytes) {
        this.snapshotPieceBytes = bytes;
    }

    synchronized int lastSnapshotPieces() {
        return lastSnapshotPieces;
    }

    /**
     * Every entry in snapshot order, brought to the driver in pieces: the records are sorted by client
     * id on the cluster into as many partitions as make each about {@link #snapshotPieceBytes} of
     * states, and the driver reads one partition at a time, so a checkpoint of any population holds a
     * piece, not the population.
     */
    @Override
    public synchronized java.util.Iterator<Struct> sortedEntries() {
        if (committed == null) {
            lastSnapshotPieces = 0;
            return java.util.Collections.emptyIterator();
        }
        long bytes = stats.bits / 8 + 64 * stats.entries;
        int pieces = (int) Math.max(1, Math.min(1 << 16, (bytes + snapshotPieceBytes - 1) / snapshotPieceBytes));
        lastSnapshotPieces = pieces;
        java.util.Iterator<ClientRecord> records =
                committed.values().sortBy(ClientRecord::clientId, true, pieces).toLocalIterator();
        return new java.util.Iterator<>() {
            private ClientRecord record;
            private int key;

            @Override
            public boolean hasNext() {
                while ((record == null || key == record.keys().length) && records.hasNext()) {
                    record = records.next();
                    key = 0;
                }
                return record != null && key < record.keys().length;
            }

            @Override
            public Struct next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                int k = key++;
                return ClientStateStore.entry(
                        record.clientId(), record.keys()[k], ValueCodec.decode(record.states()[k]));
            }
        };
    }

    @Override
    public synchronized void restore(List<Struct> entries) {
        Map<String, TreeMap<String, byte[]>> byClient = new HashMap<>();
        for (Struct e : entries) {
            byClient.computeIfAbsent(ClientStateStore.entryClient(e), c -> new TreeMap<>())
                    .put(ClientStateStore.entryKey(e), ValueCodec.encode(e.get("state")));
        }
        List<Tuple2<String, ClientRecord>> records = new ArrayList<>(byClient.size());
        byClient.forEach((id, states) -> records.add(new Tuple2<>(
                id,
                new ClientRecord(
                        id,
                        states.keySet().toArray(new String[0]),
                        new long[states.size()],
                        states.values().toArray(new byte[0][]),
                        0))));
        // checkpointed at once: the parallelized records leave the driver with the lineage
        replaceCommitted(
                records.isEmpty()
                        ? null
                        : sc.parallelizePairs(
                                records, Math.max(1, Math.min(records.size(), partitioner.numPartitions()))));
    }

    /** How many pieces the last {@link #restore(java.util.Iterator)} wrote (for tests). */
    private int lastRestorePieces;

    private long restores;

    synchronized int lastRestorePieces() {
        return lastRestorePieces;
    }

    /**
     * Restores entries handed over one at a time, in snapshot order (a checkpoint read as it goes) without holding
     * them all: the driver groups each client's consecutive entries into a record and writes the records, in pieces
     * of about {@link #snapshotPieceBytes} of states, to files under the state directory ({@code restore-<n>/}); the
     * executors read the pieces into the new state RDD, which is checkpointed before the files are deleted. If the
     * entries fail part-way (a damaged checkpoint), the committed state stays as it was.
     */
    @Override
    public synchronized void restore(java.util.Iterator<Struct> entries) {
        String restoreDir = dir + "/restore-" + (++restores);
        List<String> files = new ArrayList<>();
        try {
            List<ClientRecord> piece = new ArrayList<>();
            long pieceBytes = 0;
            String client = null;
            TreeMap<String, byte[]> states = new TreeMap<>();
            while (entries.hasNext()) {
                Struct e = entries.next();
                String id = ClientStateStore.entryClient(e);
                if (client != null && !id.equals(client)) {
                    piece.add(restored(client, states));
                    states = new TreeMap<>();
                    if (pieceBytes >= snapshotPieceBytes) {
                        files.add(writePiece(restoreDir, files.size(), piece));
                        piece.clear();
                        pieceBytes = 0;
                    }
                }
                client = id;
                byte[] state = ValueCodec.encode(e.get("state"));
                states.put(ClientStateStore.entryKey(e), state);
                pieceBytes += state.length + 64;
            }
            if (client != null) {
                piece.add(restored(client, states));
                files.add(writePiece(restoreDir, files.size(), piece));
            }
            lastRestorePieces = files.size();
            replaceCommitted(files.isEmpty() ? null : merge(null, files));
        } finally {
            delete(restoreDir);
        }
    }

    private static ClientRecord restored(String clientId, TreeMap<String, byte[]> states) {
        return new ClientRecord(
                clientId,
                states.keySet().toArray(new String[0]),
                new long[states.size()],
                states.values().toArray(new byte[0][]),
                0);
    }

    /** Writes one piece of restored records; returns its URI. */
    private String writePiece(String restoreDir, int index, List<ClientRecord> records) {
        Path file = new Path(restoreDir, "piece-" + index + ".fl4s");
        try {
            FileSystem fs = file.getFileSystem(sc.hadoopConfiguration());
            try (DataOutputStream out = new DataOutputStream(fs.create(file, true))) {
                ClientRecord.write(out, records, records.size());
            }
            return fs.makeQualified(file).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write the restored client states " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void clear() {
        replaceCommitted(null);
    }

    /** Drops the state RDD, and the state directory if this runtime made it. */
    synchronized void close() {
        if (committed != null) {
            committed.unpersist(false);
            deleteCheckpoint(committed);
            committed = null;
        }
        if (ownsDir) {
            delete(dir);
        }
    }
}
