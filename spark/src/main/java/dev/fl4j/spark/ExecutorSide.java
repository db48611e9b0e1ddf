package dev.fl4j.spark;

import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.BlockFolds;
import dev.fl4j.core.runtime.ShippedPass;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.Partition;
import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import scala.Tuple2;

/**
 * What runs in a Spark executor: the task that runs one partition's clients, and the per-JVM caches
 * that make client work cheap across tasks and rounds: compiled plans (computations rebuilt from
 * their descriptors once per plan) and worker resources (engine sessions), which a task borrows for
 * its duration and hands back, so an executor JVM builds an engine session once per task slot, not
 * per client or per round.
 */
final class ExecutorSide {

    private ExecutorSide() {}

    /** A pass's plan and its broadcast values, encoded: the content of one Spark broadcast per pass. */
    record PassBytes(byte[] plan, byte[][] broadcasts, int clientInputs, byte[] blockFolds) implements Serializable {
        PassBytes(byte[] plan, byte[][] broadcasts, int clientInputs) {
            this(plan, broadcasts, clientInputs, null);
        }
    }

    /**
     * One block's folds ({@link BlockFolds.Block#partial}, encoded, or null when {@link #handedOver handed over}
     * in this JVM); or, when client {@code failedAt} failed (its work, or a fold refusing its value: {@code
     * foldRefused}), that failure's text and no partial. {@code failedIn} names the intrinsic when an aggregation's
     * own code failed on the client's value ({@code federated_aggregate (accumulate)}); null for the client's work.
     */
    record BlockOutput(
            int block,
            byte[] partial,
            int failedAt,
            String failure,
            boolean foldRefused,
            List<String> stateFiles,
            String failedIn)
            implements Serializable {
        BlockOutput(
                int block, byte[] partial, int failedAt, String failure, boolean foldRefused, List<String> stateFiles) {
            this(block, partial, failedAt, failure, foldRefused, stateFiles, null);
        }

        BlockOutput(int block, byte[] partial, int failedAt, String failure, boolean foldRefused) {
            this(block, partial, failedAt, failure, foldRefused, List.of());
        }

        /**
         * Block {@code block}'s partial: {@link PassShares#offer offered} to the driver when it runs in this JVM,
         * otherwise encoded.
         */
        static BlockOutput folded(int block, Value partial, PassShares shares, List<String> stateFiles) {
            byte[] bytes = shares.offer(block, partial) ? null : ValueCodec.encode(partial);
            return new BlockOutput(block, bytes, -1, null, false, stateFiles);
        }

        /** Whether the partial went to the driver as a value ({@link PassShares#offer}: no failure, no bytes). */
        boolean handedOver() {
            return failedAt < 0 && partial == null;
        }

        /**
         * Block {@code block}'s fold failed on client {@code index}: an aggregation's code naming the
         * client ({@link ClientWorkException}: the client's failure, described by its cause), or a fold
         * refusing the client's value (its message).
         */
        static BlockOutput foldFailed(int block, int index, RuntimeException e) {
            if (e instanceof ClientWorkException c && c.getCause() != null) {
                return new BlockOutput(block, null, index, describe(c.getCause()), false, List.of(), c.intrinsic());
            }
            return new BlockOutput(block, null, index, e.getMessage(), true);
        }
    }

    /** One client's members of the pass's folds; or its failure's text. */
    record ClientMembers(String clientId, MembersValue members, String failure, String stateFile)
            implements Serializable {
        ClientMembers(String clientId, MembersValue members, String failure) {
            this(clientId, members, failure, null);
        }

        /** Not a client: the attempt file of the first-stage task that emits it, for its block's output to carry. */
        static ClientMembers stateFileOf(String file) {
            return new ClientMembers(null, null, null, file);
        }
    }

    /**
     * A client's fold members as a value in memory (an executor keeps them so between the stages, and hands them to
     * a fold task in the same JVM as they are), in {@link ValueCodec}'s bytes when Spark serializes them (a shuffle, a
     * fetch from another executor, a spill to disk).
     */
    static final class MembersValue implements java.io.Externalizable {
        private static final long serialVersionUID = 1L;
        private Value value;

        /** For deserialization only. */
        public MembersValue() {}

        MembersValue(Value value) {
            this.value = java.util.Objects.requireNonNull(value, "value");
        }

        Value value() {
            return value;
        }

        @Override
        public void writeExternal(java.io.ObjectOutput out) throws IOException {
            byte[] bytes = ValueCodec.encode(value);
            out.writeInt(bytes.length);
            out.write(bytes);
        }

        @Override
        public void readExternal(java.io.ObjectInput in) throws IOException {
            int length = in.readInt();
            if (length < 0) {
                throw new java.io.InvalidObjectException("negative length of encoded fold members: " + length);
            }
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            value = ValueCodec.decode(bytes);
        }
    }

    /**
     * One partition's clients: a contiguous range of the pass starting at {@code first}, or, with
     * {@code indices}, the pass's clients at those indices (a partition cut by where client data is
     * stored). {@code inputs} are each client's client inputs that travel, encoded; {@code remote}
     * (null if none) the ones the task loads itself ({@link ClientInputs}).
     */
    record PartitionInput(int first, String[] clientIds, byte[][] inputs, int[] indices, ClientInputs.Remote remote)
            implements Serializable {
        PartitionInput(int first, String[] clientIds, byte[][] inputs) {
            this(first, clientIds, inputs, null, null);
        }

        /** The pass index of client {@code c} of this partition. */
        int index(int c) {
            return indices == null ? first + c : indices[c];
        }

        /** The remote inputs' members of this partition's clients, loaded here (empty if none). */
        List<List<Value>> loadRemote() {
            return remote == null ? List.of() : remote.load();
        }

        /** Client {@code c}'s client inputs, in order, {@code loaded} from {@link #loadRemote()}. */
        List<Value> clientInputs(int c, int count, List<List<Value>> loaded) {
            return ClientInputs.merge(inputs[c], c, count, remote, loaded);
        }
    }

    /**
     * The input of a pass's training stage: partition {@code k}'s clients, read from the {@code k}th of the pass's
     * broadcasts (the task's own partition holds only {@code k}). An executor fetches only the partitions it trains,
     * and a later stage that reads the training stage's partitions (a block's fold) does not carry their data.
     */
    static final class Received implements FlatMapFunction<Iterator<Integer>, PartitionInput> {
        private static final long serialVersionUID = 1L;
        private final PassShares shares;

        Received(PassShares shares) {
            this.shares = shares;
        }

        @Override
        public Iterator<PartitionInput> call(Iterator<Integer> partitions) {
            List<PartitionInput> out = new ArrayList<>(1);
            partitions.forEachRemaining(k -> out.add(shares.input(k)));
            return out.iterator();
        }
    }

    /**
     * One partition's results, per client the encoded structure of its shipped results; or, when
     * client {@code failedAt} failed, the results of the clients before it and the failure's text.
     */
    record PartitionOutput(int first, byte[][] results, int failedAt, String failure, String stateFile)
            implements Serializable {}

    /**
     * The task: runs every client of its partition in order with the pass broadcast to it, each
     * client reading its state from its committed record (if any) and the records of the clients
     * that wrote state going to an attempt file of this task ({@link ClusterClientStates}).
     */
    static final class RunPartition
            implements FlatMapFunction<Iterator<PartitionInput>, PartitionOutput>,
                    FlatMapFunction2<Iterator<PartitionInput>, Iterator<ClientRecord>, PartitionOutput> {
        private static final long serialVersionUID = 1L;
        private final PassShares pass;
        private final ClusterClientStates.TaskSide states;
        private final ClientProgress.Done done;

        /** {@code done}: where the task adds the ids of its clients whose work is done (null: nowhere). */
        RunPartition(PassShares pass, ClusterClientStates.TaskSide states, ClientProgress.Done done) {
            this.pass = pass;
            this.states = states;
            this.done = done;
        }

        /** A partition none of whose clients has state yet. */
        @Override
        public Iterator<PartitionOutput> call(Iterator<PartitionInput> inputs) throws IOException {
            return call(inputs, java.util.Collections.emptyIterator());
        }

        /** A partition with its clients' committed records. */
        @Override
        public Iterator<PartitionOutput> call(Iterator<PartitionInput> inputs, Iterator<ClientRecord> records)
                throws IOException {
            Map<String, ClientRecord> byClient = new HashMap<>();
            records.forEachRemaining(r -> byClient.put(r.clientId(), r));
            PassBytes bytes = pass.pass();
            ShippedPass.Compiled compiled = compiledPlan(bytes);
            List<Value> broadcasts = decodedBroadcasts(bytes);
            List<PartitionOutput> out = new ArrayList<>();
            Resources resources = borrow();
            try {
                while (inputs.hasNext()) {
                    out.add(runClients(
                            compiled,
                            broadcasts,
                            bytes.clientInputs(),
                            inputs.next(),
                            resources,
                            byClient,
                            states,
                            done));
                }
            } finally {
                RESOURCES.push(resources);
            }
            return out.iterator();
        }
    }

    /**
     * The task of a pass that folds where it runs, over partitions of whole blocks: runs every client
     * of its partition in order, folds each block and returns one {@link BlockOutput} per block (it
     * stops at a failing client, whose block's output says so).
     */
    static final class FoldBlocks
            implements FlatMapFunction2<Iterator<PartitionInput>, Iterator<ClientRecord>, BlockOutput> {
        private static final long serialVersionUID = 1L;
        private final PassShares pass;
        private final ClusterClientStates.TaskSide states;

        private final ClientProgress.Done done;

        /** {@code done}: where the task adds the ids of its clients whose work is done (null: nowhere). */
        FoldBlocks(PassShares pass, ClusterClientStates.TaskSide states, ClientProgress.Done done) {
            this.pass = pass;
            this.states = states;
            this.done = done;
        }

        @Override
        public Iterator<BlockOutput> call(Iterator<PartitionInput> inputs, Iterator<ClientRecord> records)
                throws IOException {
            Pass p = new Pass(pass.pass());
            Map<String, ClientRecord> byClient = byClient(records);
            List<BlockOutput> out = new ArrayList<>();
            List<ClientRecord> written = new ArrayList<>();
            int first = -1;
            Resources resources = borrow();
            try {
                while (inputs.hasNext()) {
                    PartitionInput in = inputs.next();
                    first = first < 0 ? in.first() : first;
                    BlockFolds.Block block = null;
                    List<List<Value>> loaded;
                    try {
                        loaded = in.loadRemote();
                    } catch (RuntimeException e) {
                        out.add(new BlockOutput(BlockFolds.blockOf(in.first()), null, in.first(), describe(e), false));
                        return out.iterator();
                    }
                    for (int c = 0; c < in.clientIds().length; c++) {
                        int index = in.index(c);
                        int b = BlockFolds.blockOf(index);
                        if (block == null) {
                            block = p.folds.newBlock();
                        }
                        String id = in.clientIds()[c];
                        ClientStateView state = new ClientStateView(id, byClient.get(id), states.transaction());
                        Value members;
                        try {
                            members =
                                    p.members(index, id, in.clientInputs(c, p.clientInputs, loaded), resources, state);
                        } catch (RuntimeException e) {
                            out.add(new BlockOutput(b, null, index, describe(e), false));
                            return out.iterator();
                        }
                        try {
                            block.add(index, id, members);
                        } catch (RuntimeException e) {
                            out.add(BlockOutput.foldFailed(b, index, e));
                            return out.iterator();
                        }
                        state.record(states.pass()).ifPresent(written::add);
                        if (done != null) {
                            done.add(id);
                        }
                        if (c == in.clientIds().length - 1 || BlockFolds.blockOf(index + 1) != b) {
                            out.add(BlockOutput.folded(b, block.partial(), pass, List.of()));
                            block = null;
                        }
                    }
                }
            } finally {
                RESOURCES.push(resources);
            }
            if (!written.isEmpty() && !out.isEmpty()) {
                BlockOutput last = out.remove(out.size() - 1);
                out.add(new BlockOutput(
                        last.block(), last.partial(), -1, null, false, List.of(writeAttempt(states, first, written))));
            }
            return out.iterator();
        }
    }

    /**
     * The first stage of a pass that folds where it runs, over partitions smaller than a block: runs
     * every client of its partition and emits its fold members keyed by client index (it stops at a
     * failing client, emitting its failure), for the second stage ({@link FoldSorted}) to fold by block.
     */
    static final class MembersByClient
            implements FlatMapFunction2<
                    Iterator<PartitionInput>, Iterator<ClientRecord>, Tuple2<Integer, ClientMembers>> {
        private static final long serialVersionUID = 1L;
        private final PassShares pass;
        private final ClusterClientStates.TaskSide states;

        private final ClientProgress.Done done;

        /** {@code done}: where the task adds the ids of its clients whose work is done (null: nowhere). */
        MembersByClient(PassShares pass, ClusterClientStates.TaskSide states, ClientProgress.Done done) {
            this.pass = pass;
            this.states = states;
            this.done = done;
        }

        @Override
        public Iterator<Tuple2<Integer, ClientMembers>> call(
                Iterator<PartitionInput> inputs, Iterator<ClientRecord> records) throws IOException {
            Pass p = new Pass(pass.pass());
            Map<String, ClientRecord> byClient = byClient(records);
            List<Tuple2<Integer, ClientMembers>> out = new ArrayList<>();
            List<ClientRecord> written = new ArrayList<>();
            int first = -1;
            Resources resources = borrow();
            try {
                while (inputs.hasNext()) {
                    PartitionInput in = inputs.next();
                    first = first < 0 ? in.first() : first;
                    List<List<Value>> loaded;
                    try {
                        loaded = in.loadRemote();
                    } catch (RuntimeException e) {
                        // the partition's data could not be read: reported as its first client's failure
                        out.add(new Tuple2<>(in.first(), new ClientMembers(in.clientIds()[0], null, describe(e))));
                        return out.iterator();
                    }
                    for (int c = 0; c < in.clientIds().length; c++) {
                        int index = in.index(c);
                        String id = in.clientIds()[c];
                        ClientStateView state = new ClientStateView(id, byClient.get(id), states.transaction());
                        try {
                            MembersValue m = new MembersValue(
                                    p.members(index, id, in.clientInputs(c, p.clientInputs, loaded), resources, state));
                            out.add(new Tuple2<>(index, new ClientMembers(id, m, null)));
                        } catch (RuntimeException e) {
                            out.add(new Tuple2<>(index, new ClientMembers(id, null, describe(e))));
                            return out.iterator();
                        }
                        state.record(states.pass()).ifPresent(written::add);
                        if (done != null) {
                            done.add(id);
                        }
                    }
                }
            } finally {
                RESOURCES.push(resources);
            }
            if (!written.isEmpty()) {
                // keyed by this partition's first client: it travels to that client's block, whose output carries it
                out.add(new Tuple2<>(first, ClientMembers.stateFileOf(writeAttempt(states, first, written))));
            }
            return out.iterator();
        }
    }

    private static Map<String, ClientRecord> byClient(Iterator<ClientRecord> records) {
        Map<String, ClientRecord> byClient = new HashMap<>();
        records.forEachRemaining(r -> byClient.put(r.clientId(), r));
        return byClient;
    }

    /** Sends each client to the partition of its block (block b to partition b). */
    static final class ByBlock extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int blocks;

        ByBlock(int blocks) {
            this.blocks = blocks;
        }

        @Override
        public int numPartitions() {
            return blocks;
        }

        @Override
        public int getPartition(Object clientIndex) {
            return BlockFolds.blockOf((Integer) clientIndex);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByBlock b && b.blocks == blocks;
        }

        @Override
        public int hashCode() {
            return blocks;
        }
    }

    /**
     * The second stage after a shuffle: a block's clients' members, sorted by client index, folded in that order into
     * the block's {@link BlockOutput} (stopping at the first failure).
     */
    static final class FoldSorted implements FlatMapFunction<Iterator<Tuple2<Integer, ClientMembers>>, BlockOutput> {
        private static final long serialVersionUID = 1L;
        private final PassShares pass;

        FoldSorted(PassShares pass) {
            this.pass = pass;
        }

        @Override
        public Iterator<BlockOutput> call(Iterator<Tuple2<Integer, ClientMembers>> members) {
            return foldBlock(pass, members);
        }
    }

    /**
     * The second stage over the first stage's kept members ({@link BlockGroups}): block {@code b} (this task's
     * partition) reads the members of the first-stage partitions that hold its clients, in partition order, keeps its
     * own clients' (a partition may straddle two blocks) and folds them in client order.
     */
    static final class FoldKept implements FlatMapFunction<Iterator<Tuple2<Integer, ClientMembers>>, BlockOutput> {
        private static final long serialVersionUID = 1L;
        private final PassShares pass;

        FoldKept(PassShares pass) {
            this.pass = pass;
        }

        @Override
        public Iterator<BlockOutput> call(Iterator<Tuple2<Integer, ClientMembers>> members) {
            int block = TaskContext.getPartitionId();
            // folded as the partitions are read, a partition's members as soon as it is stored (the last partitions
            // may still be training): the partitions are contiguous ranges in pass order, read in partition order,
            // so their clients come in client order
            return foldBlock(pass, new InClientOrder(members, block));
        }
    }

    /**
     * The members of block {@code block}'s clients among the kept members of the partitions it reads, checked to come
     * in client order (a partition's state file, keyed by its first client, comes after its clients).
     */
    private static final class InClientOrder implements Iterator<Tuple2<Integer, ClientMembers>> {
        private final Iterator<Tuple2<Integer, ClientMembers>> members;
        private final int block;
        private Tuple2<Integer, ClientMembers> next;
        private int last = -1;

        InClientOrder(Iterator<Tuple2<Integer, ClientMembers>> members, int block) {
            this.members = members;
            this.block = block;
        }

        @Override
        public boolean hasNext() {
            while (next == null && members.hasNext()) {
                Tuple2<Integer, ClientMembers> m = members.next();
                if (BlockFolds.blockOf(m._1()) != block) {
                    continue;
                }
                if (m._2().stateFile() == null) {
                    if (m._1() <= last) {
                        throw new IllegalStateException(
                                "block " + block + " read client " + m._1() + " after client " + last);
                    }
                    last = m._1();
                }
                next = m;
            }
            return next != null;
        }

        @Override
        public Tuple2<Integer, ClientMembers> next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            Tuple2<Integer, ClientMembers> m = next;
            next = null;
            return m;
        }
    }

    /** Folds one block's clients' members, given in client order; stops at the first failure. */
    private static Iterator<BlockOutput> foldBlock(
            PassShares shares, Iterator<Tuple2<Integer, ClientMembers>> members) {
        if (!members.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        PassBytes bytes = shares.pass();
        BlockFolds folds = BlockFolds.decode(
                bytes.blockFolds(),
                compiledPlan(bytes).computations().size(),
                bytes.broadcasts().length,
                bytes.clientInputs());
        BlockFolds.Block block = folds.newBlock();
        List<String> stateFiles = new ArrayList<>();
        int b = -1;
        while (members.hasNext()) {
            Tuple2<Integer, ClientMembers> next = members.next();
            int index = next._1();
            b = BlockFolds.blockOf(index);
            ClientMembers m = next._2();
            if (m.stateFile() != null) {
                stateFiles.add(m.stateFile());
                continue;
            }
            if (m.failure() != null) {
                return List.of(new BlockOutput(b, null, index, m.failure(), false))
                        .iterator();
            }
            try {
                block.add(index, m.clientId(), m.members().value());
            } catch (RuntimeException e) {
                return List.of(BlockOutput.foldFailed(b, index, e)).iterator();
            }
        }
        return List.of(BlockOutput.folded(b, block.partial(), shares, stateFiles))
                .iterator();
    }

    /**
     * The groups of first-stage partitions each block reads ({@link FoldKept}): block {@code b}'s group is every
     * partition of pass-order range {@code [first[k], first[k + 1])} that holds one of the block's clients, in
     * partition order; a partition straddling two blocks is in both groups.
     */
    static final class BlockGroups implements PartitionCoalescer, Serializable {
        private static final long serialVersionUID = 1L;
        private final int[] first;
        private final int blocks;

        BlockGroups(int[] first, int blocks) {
            this.first = first.clone();
            this.blocks = blocks;
        }

        @Override
        public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
            Partition[] parts = parent.partitions();
            int n = first[first.length - 1];
            PartitionGroup[] groups = new PartitionGroup[blocks];
            for (int b = 0; b < blocks; b++) {
                groups[b] = new PartitionGroup(scala.Option.empty());
                int from = BlockFolds.firstClient(b, n);
                int end = BlockFolds.firstClient(b + 1, n);
                for (int k = 0; k < parts.length; k++) {
                    if (first[k] < end && first[k + 1] > from) {
                        groups[b].partitions().addOne(parts[k]);
                    }
                }
            }
            return groups;
        }
    }

    /** A pass as a task reads it: the compiled plan, its broadcasts and its block folds. */
    private static final class Pass {
        final ShippedPass.Compiled compiled;
        final List<Value> broadcasts;
        final int clientInputs;
        final BlockFolds folds;

        Pass(PassBytes bytes) {
            compiled = compiledPlan(bytes);
            broadcasts = decodedBroadcasts(bytes);
            clientInputs = bytes.clientInputs();
            folds = BlockFolds.decode(
                    bytes.blockFolds(), compiled.computations().size(), broadcasts.size(), clientInputs);
        }

        /** Runs one client's work and returns its members of the folds. */
        Value members(int index, String clientId, List<Value> inputs, Resources resources, ClientStateView state) {
            List<Value> results = compiled.runClient(
                    index, inputs, broadcasts, new ExecutorContext(index, clientId, resources, state));
            return folds.members(results, inputs, broadcasts);
        }
    }

    private static PartitionOutput runClients(
            ShippedPass.Compiled compiled,
            List<Value> broadcasts,
            int clientInputs,
            PartitionInput in,
            Resources resources,
            Map<String, ClientRecord> records,
            ClusterClientStates.TaskSide side,
            ClientProgress.Done done)
            throws IOException {
        byte[][] results = new byte[in.clientIds().length][];
        List<ClientRecord> written = new ArrayList<>();
        List<List<Value>> loaded;
        try {
            loaded = in.loadRemote();
        } catch (RuntimeException e) {
            // the partition's data could not be read: reported as its first client's failure
            return new PartitionOutput(in.first(), new byte[0][], in.first(), describe(e), null);
        }
        for (int c = 0; c < results.length; c++) {
            int index = in.index(c);
            String id = in.clientIds()[c];
            ClientStateView state = new ClientStateView(id, records.get(id), side.transaction());
            try {
                List<Value> inputs = in.clientInputs(c, clientInputs, loaded);
                List<Value> members =
                        compiled.runClient(index, inputs, broadcasts, new ExecutorContext(index, id, resources, state));
                results[c] = ValueCodec.encode(Struct.of(members));
            } catch (RuntimeException e) {
                // the client's own failure (its work threw): deterministic, so it is reported, not retried. An Error
                // fails the task instead, and Spark runs the partition again (client work is idempotent)
                return new PartitionOutput(in.first(), Arrays.copyOf(results, c), index, describe(e), null);
            }
            state.record(side.pass()).ifPresent(written::add);
            if (done != null) {
                done.add(id);
            }
        }
        String file = written.isEmpty() ? null : writeAttempt(side, in.first(), written);
        return new PartitionOutput(in.first(), results, -1, null, file);
    }

    /** Writes this task attempt's records to a file of its own (a temporary name, then renamed); returns its URI. */
    private static String writeAttempt(ClusterClientStates.TaskSide side, int first, List<ClientRecord> records)
            throws IOException {
        TaskContext task = TaskContext.get();
        long attempt = task == null ? 0 : task.taskAttemptId();
        Path txDir = new Path(side.dir(), "tx-" + side.transaction());
        String name = "pass-" + side.pass() + "-part-" + first + "-" + attempt + ".fl4s";
        Path tmp = new Path(txDir, "." + name + ".tmp");
        Path file = new Path(txDir, name);
        FileSystem fs = file.getFileSystem(new Configuration());
        try (DataOutputStream out = new DataOutputStream(fs.create(tmp, true))) {
            ClientRecord.write(out, records, records.size());
        }
        if (!fs.rename(tmp, file)) {
            throw new IOException("cannot rename " + tmp + " to " + file);
        }
        return fs.makeQualified(file).toString();
    }

    /**
     * One client's state in a task: reads see this client's writes, then its committed record;
     * a key is written at most once per invocation (here, or in an earlier pass of it).
     */
    static final class ClientStateView {
        private final String clientId;
        private final ClientRecord committed;
        private final long transaction;
        private final java.util.TreeMap<String, Value> writes = new java.util.TreeMap<>();

        ClientStateView(String clientId, ClientRecord committed, long transaction) {
            this.clientId = clientId;
            this.committed = committed;
            this.transaction = transaction;
        }

        Optional<Value> get(String key) {
            Value mine = writes.get(key);
            return mine != null ? Optional.of(mine) : committed == null ? Optional.empty() : committed.value(key);
        }

        void put(String key, Value state) {
            java.util.Objects.requireNonNull(state, "client state");
            if (writes.containsKey(key) || (committed != null && committed.writtenIn(key) == transaction)) {
                throw new IllegalStateException("client '" + clientId + "' wrote its state '" + key
                        + "' twice in one invocation; each stateful computation needs its own key, and a client may"
                        + " appear once per invocation");
            }
            writes.put(key, state);
        }

        /** The client's new record when it wrote state: its committed keys with this invocation's writes. */
        Optional<ClientRecord> record(int pass) {
            if (writes.isEmpty()) {
                return Optional.empty();
            }
            java.util.TreeMap<String, byte[]> states = new java.util.TreeMap<>();
            java.util.TreeMap<String, Long> writtenIn = new java.util.TreeMap<>();
            if (committed != null) {
                for (int i = 0; i < committed.keys().length; i++) {
                    states.put(committed.keys()[i], committed.states()[i]);
                    writtenIn.put(committed.keys()[i], committed.writtenIn()[i]);
                }
            }
            writes.forEach((k, v) -> {
                states.put(k, ValueCodec.encode(v));
                writtenIn.put(k, transaction);
            });
            return Optional.of(new ClientRecord(
                    clientId,
                    states.keySet().toArray(new String[0]),
                    writtenIn.values().stream().mapToLong(Long::longValue).toArray(),
                    states.values().toArray(new byte[0][]),
                    pass));
        }
    }

    private static String describe(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    // ------------------------------------------------------------------ per-JVM caches

    private static final int PLAN_CACHE_SIZE = 16;

    /** Compiled plans by their bytes, the most recently used kept. */
    private static final Map<PlanKey, ShippedPass.Compiled> PLANS = new LinkedHashMap<>(PLAN_CACHE_SIZE, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PlanKey, ShippedPass.Compiled> eldest) {
            return size() > PLAN_CACHE_SIZE;
        }
    };

    private record PlanKey(byte[] bytes, int hash) {
        static PlanKey of(byte[] bytes) {
            return new PlanKey(bytes, Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PlanKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    static ShippedPass.Compiled compiledPlan(PassBytes bytes) {
        PlanKey key = PlanKey.of(bytes.plan());
        synchronized (PLANS) {
            ShippedPass.Compiled known = PLANS.get(key);
            if (known != null) {
                return known;
            }
        }
        ShippedPass.Compiled compiled =
                ShippedPass.compile(bytes.plan(), bytes.broadcasts().length, bytes.clientInputs());
        synchronized (PLANS) {
            PLANS.putIfAbsent(key, compiled);
            return PLANS.get(key);
        }
    }

    private static final int DECODED_PASSES = 4;

    /**
     * The decoded broadcasts of the passes seen last, by the identity of their {@link PassBytes}: Spark hands every
     * task of an executor JVM the same broadcast value object, so a pass's broadcasts (the model) are decoded once per
     * JVM, not once per task, and the tasks of a round share the same weight arrays, which an engine session
     * recognizes (it copies a round's weights in once per task slot).
     */
    private static final ArrayDeque<DecodedPass> DECODED = new ArrayDeque<>();

    private record DecodedPass(WeakReference<PassBytes> bytes, List<Value> broadcasts) {}

    static List<Value> decodedBroadcasts(PassBytes bytes) {
        synchronized (DECODED) {
            for (DecodedPass d : DECODED) {
                if (d.bytes().get() == bytes) {
                    return d.broadcasts();
                }
            }
        }
        List<Value> decoded = new ArrayList<>(bytes.broadcasts().length);
        for (byte[] b : bytes.broadcasts()) {
            decoded.add(ValueCodec.decode(b));
        }
        List<Value> broadcasts = List.copyOf(decoded);
        synchronized (DECODED) {
            for (DecodedPass d : DECODED) {
                if (d.bytes().get() == bytes) {
                    return d.broadcasts();
                }
            }
            DECODED.removeIf(d -> d.bytes().get() == null);
            if (DECODED.size() >= DECODED_PASSES) {
                DECODED.removeLast();
            }
            DECODED.addFirst(new DecodedPass(new WeakReference<>(bytes), broadcasts));
        }
        return broadcasts;
    }

    private static final ConcurrentLinkedDeque<Resources> RESOURCES = new ConcurrentLinkedDeque<>();
    private static final AtomicInteger RESOURCE_SETS = new AtomicInteger();
    private static final AtomicInteger RESOURCES_MADE = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorSide::closeResources, "fl4j-spark-resources"));
    }

    private static Resources borrow() {
        Resources r = RESOURCES.poll();
        return r != null ? r : new Resources(RESOURCE_SETS.getAndIncrement());
    }

    /** How many resource sets (task slots that ran client work) this JVM has made. */
    static int resourceSets() {
        return RESOURCE_SETS.get();
    }

    /** How many worker resources (engine sessions, say) client work in this JVM has had made. */
    static int resourcesMade() {
        return RESOURCES_MADE.get();
    }

    private static void closeResources() {
        Resources r;
        while ((r = RESOURCES.poll()) != null) {
            r.close();
        }
    }

    /** One task slot's resources: used by one task at a time, kept across tasks and rounds. */
    static final class Resources implements AutoCloseable {
        final int index;
        private final Map<Object, Object> byKey = new LinkedHashMap<>();

        Resources(int index) {
            this.index = index;
        }

        <T> T get(Object key, Supplier<T> factory) {
            @SuppressWarnings("unchecked")
            T known = (T) byKey.get(key);
            if (known != null) {
                return known;
            }
            T made = factory.get();
            if (made == null) {
                throw new IllegalStateException("resource factory for " + key + " returned null");
            }
            byKey.put(key, made);
            RESOURCES_MADE.incrementAndGet();
            return made;
        }

        @Override
        public void close() {
            Object[] values = byKey.values().toArray();
            byKey.clear();
            for (int i = values.length - 1; i >= 0; i--) {
                if (values[i] instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        // the JVM is exiting; nothing is left to tell
                    }
                }
            }
        }
    }

    /** The context of shipped client work in an executor. */
    private record ExecutorContext(int clientIndex, String clientId, Resources resources, ClientStateView state)
            implements ClientContext {
        @Override
        public Placement placement() {
            return Placement.CLIENTS;
        }

        @Override
        public int workerIndex() {
            return resources.index;
        }

        @Override
        public <T> T workerResource(Object key, Supplier<T> factory) {
            return resources.get(key, factory);
        }

        @Override
        public Optional<Value> clientState(String key) {
            return state.get(key);
        }

        @Override
        public void setClientState(String key, Value value) {
            state.put(key, value);
        }
    }
}
