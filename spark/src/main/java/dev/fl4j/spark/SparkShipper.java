package dev.fl4j.spark;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.BlockFolds;
import dev.fl4j.core.runtime.ClientWorkShipper;
import dev.fl4j.core.runtime.OrderedFold;
import dev.fl4j.core.runtime.ShippedPass;
import dev.fl4j.spark.ExecutorSide.BlockOutput;
import dev.fl4j.spark.ExecutorSide.PartitionInput;
import dev.fl4j.spark.ExecutorSide.PartitionOutput;
import dev.fl4j.spark.ExecutorSide.PassBytes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;
import scala.Option;
import scala.Tuple2;

/**
 * Runs a pass's shipped client work on Spark. A pass whose aggregations fold by blocks runs as one
 * job that folds inside the executors ({@link #runBlocks}). Any other pass ({@link #run}) has its
 * clients cut into {@code partitions} contiguous ranges ({@link #firstClient}: {@code n/P} clients
 * each, the first {@code n mod P} one more), each a Spark job of its own, and their results are handed to the
 * driver's fold in client order. At most {@code inFlight} partitions are submitted and not yet
 * folded: when the driver has folded partition k it submits partition k + inFlight, so executors
 * stay busy while the driver folds and the driver holds at most {@code inFlight} partitions'
 * results, however many clients the pass has. The plan and the broadcast values travel once per
 * pass as their encoded bytes, shared by the pass's tasks ({@link PassShares}: a Spark broadcast, or
 * with a local master a value in this JVM).
 */
final class SparkShipper implements ClientWorkShipper {

    private final JavaSparkContext sc;
    private final int partitions;
    private final int inFlight;
    private final ClusterClientStates states;
    /** Whether every executor runs in this JVM, sharing one block manager (a local master). */
    private final boolean oneBlockManager;

    private final ClientProgress progress = new ClientProgress();

    SparkShipper(JavaSparkContext sc, int partitions, int inFlight, ClusterClientStates states) {
        this.sc = sc;
        this.oneBlockManager = SparkRuntime.isLocalMaster(sc.master());
        this.partitions = partitions;
        this.inFlight = inFlight;
        this.states = states;
        sc.sc().addSparkListener(progress);
    }

    /** Stops following the Spark context's task events (the context may live on). */
    void close() {
        sc.sc().removeSparkListener(progress);
    }

    /** What the last pass shipped per client, by type (for tests: broadcasts must not travel per client). */
    static volatile List<String> lastClientInputTypes = List.of();

    /** How many passes brought their clients' results to the driver (for tests: folded passes must not). */
    static final java.util.concurrent.atomic.AtomicInteger clientResultPasses =
            new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void run(ShippedPass pass, OrderedFold.Sink<List<Value>> sink) throws Exception {
        clientResultPasses.incrementAndGet();
        lastClientInputTypes =
                pass.clientInputs().stream().map(c -> c.memberType().toString()).toList();
        int n = pass.clientIds().size();
        if (n == 0) {
            return;
        }
        byte[][] broadcasts = new byte[pass.broadcasts().size()][];
        for (int b = 0; b < broadcasts.length; b++) {
            broadcasts[b] = ValueCodec.encode(pass.broadcasts().get(b));
        }
        int p = Math.min(partitions, n);
        int[] first = new int[p + 1];
        for (int k = 0; k <= p; k++) {
            first[k] = firstClient(k, p, n);
        }
        ClusterClientStates.Transaction tx = states.current();
        ClusterClientStates.TaskSide side = tx.nextPass();
        JavaPairRDD<Integer, ClientRecord> passStates = tx.forPass(pass.clientIds(), p, first);
        ArrayDeque<JavaFutureAction<List<PartitionOutput>>> running = new ArrayDeque<>();
        // shared once the client states are joined (which may throw), right before the try whose finally closes it
        PassShares shared =
                share(new PassBytes(pass.plan(), broadcasts, pass.clientInputs().size()), List.of());
        ClientProgress.Pass followed = progress.begin(sc, pass);
        ClientProgress.Done done = followed == null ? null : followed.accumulator();
        boolean succeeded = false;
        try {
            int submitted = 0;
            for (int k = 0; k < p; k++) {
                while (submitted < p && submitted < k + inFlight) {
                    running.add(submit(pass, shared, submitted, p, side, passStates, done));
                    submitted++;
                }
                List<PartitionOutput> outputs = running.poll().get();
                fold(pass, outputs, sink, tx);
            }
            succeeded = true;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a Spark job of client work failed: " + e.getCause(), e.getCause());
        } finally {
            for (JavaFutureAction<?> job : running) {
                job.cancel(true);
            }
            shared.close();
            if (followed != null) {
                followed.end(succeeded);
            }
        }
    }

    /**
     * How the last pass that folded where it ran was cut (for tests); {@code partialsHandedOver} of its {@code
     * partialsCollected} came as values ({@link PassShares#offer}), not bytes.
     */
    record BlockPassShape(
            int clients, int blocks, int partitions, boolean shuffled, int partialsCollected, int partialsHandedOver) {}

    static volatile BlockPassShape lastBlockPass;

    @Override
    public boolean foldsBlocks() {
        return true;
    }

    /**
     * Runs the pass as one Spark job whose tasks fold the clients by block (see
     * {@link BlockFolds}); only the blocks' partials come back to the driver. With at least as many
     * blocks as partitions, each partition is a range of whole blocks and folds them as it trains
     * (one stage). With fewer blocks (a round of a few hundred clients is one block), the clients
     * still train in {@code partitions} ranges, in parallel, and a second stage folds each block
     * (the members never reach the driver). Partitions in pass order keep their clients' fold
     * members in the executors (persisted as values, in memory or spilled to disk; a first job), and
     * each block's fold task reads the partitions holding its clients through a narrow dependency (a
     * second job): in the executor that trained them without a copy or serialization, from another
     * executor fetched as their encoded bytes. With a local master the second job is submitted right
     * behind the first and its fold tasks fold the partitions as they are stored
     * ({@link #foldWhileTraining}). Each partition's clients (their client inputs that travel) are
     * shared on their own ({@link PassShares}), fetched by the executor training the partition, and the
     * tasks carry only partition indices: a fold task's partition references the training partitions it
     * reads, and would otherwise carry their clients' data again. With a local master the blocks'
     * partials come to the driver as values, otherwise encoded in the tasks' results. Partitions in storage order (each
     * block's clients spread over every partition) shuffle the members to their block's partition,
     * sorted by client index.
     */
    @Override
    public void runBlocks(ShippedPass pass, OrderedFold.Sink<Value> blocks) throws Exception {
        lastClientInputTypes =
                pass.clientInputs().stream().map(c -> c.memberType().toString()).toList();
        int n = pass.clientIds().size();
        int blockCount = BlockFolds.blocks(n);
        byte[][] broadcasts = new byte[pass.broadcasts().size()][];
        for (int b = 0; b < broadcasts.length; b++) {
            broadcasts[b] = ValueCodec.encode(pass.broadcasts().get(b));
        }
        int p = Math.min(partitions, n);
        ClusterClientStates.Transaction tx = states.current();
        ClusterClientStates.TaskSide side = tx.nextPass();
        int[] byStorage = ClientInputs.storageOrder(pass);
        boolean shuffled = p > blockCount;
        int[] first = new int[p + 1];
        List<PartitionInput> inputs = new ArrayList<>(p);
        JavaPairRDD<Integer, ClientRecord> passStates = null;
        boolean inStorageOrder = byStorage != null && !tx.hasStates();
        if (inStorageOrder) {
            // client data loaded where the clients train, and no client state to zip in pass order: each partition
            // is a range of the clients in storage order, so a task reads its files' row groups once, and the
            // clients' fold members go to their blocks' partitions (the shuffled shape)
            shuffled = true;
            for (int k = 0; k < p; k++) {
                inputs.add(ClientInputs.at(
                        pass, Arrays.copyOfRange(byStorage, firstClient(k, p, n), firstClient(k + 1, p, n))));
            }
        } else {
            for (int k = 0; k < p; k++) {
                int from = shuffled ? firstClient(k, p, n) : BlockFolds.firstClient(firstClient(k, p, blockCount), n);
                int end = shuffled
                        ? firstClient(k + 1, p, n)
                        : BlockFolds.firstClient(firstClient(k + 1, p, blockCount), n);
                inputs.add(ClientInputs.range(pass, from, end));
            }
            for (int k = 0; k < p; k++) {
                first[k] = inputs.get(k).first();
            }
            first[p] = n;
            passStates = tx.forPass(pass.clientIds(), p, first);
        }
        JavaRDD<ClientRecord> records =
                passStates == null ? sc.parallelize(List.<ClientRecord>of(), p) : passStates.values();
        JavaRDD<Tuple2<Integer, ExecutorSide.ClientMembers>> kept = null;
        // shared once the inputs are built (which may throw), right before the try whose finally closes it; each
        // partition's clients are shared on their own, fetched by the executor that trains them: the stages' tasks
        // carry only partition indices, so the fold stage (whose tasks reference the training partitions) does not
        // ship the clients' data a second time
        PassShares shared = share(
                new PassBytes(
                        pass.plan(),
                        broadcasts,
                        pass.clientInputs().size(),
                        pass.blockFolds().orElseThrow()),
                inputs);
        ClientProgress.Pass followed = progress.begin(sc, pass);
        ClientProgress.Done done = followed == null ? null : followed.accumulator();
        boolean succeeded = false;
        try {
            JavaRDD<PartitionInput> in = sc.parallelize(
                            IntStream.range(0, p).boxed().toList(), p)
                    .mapPartitions(new ExecutorSide.Received(shared));
            List<BlockOutput> outputs;
            if (!shuffled) {
                outputs = in.zipPartitions(records, new ExecutorSide.FoldBlocks(shared, side, done))
                        .collect();
            } else if (inStorageOrder) {
                // partitions in storage order: every block's clients are spread over (nearly) every partition
                outputs = JavaPairRDD.fromJavaRDD(
                                in.zipPartitions(records, new ExecutorSide.MembersByClient(shared, side, done)))
                        .repartitionAndSortWithinPartitions(new ExecutorSide.ByBlock(blockCount))
                        .mapPartitions(new ExecutorSide.FoldSorted(shared))
                        .collect();
            } else {
                // partitions in pass order: the clients train in every partition and their members stay in the
                // executors (in memory, as values, spilled to disk if memory runs short); then each block's task reads
                // the partitions that hold its clients, narrowly (in the same JVM without a copy)
                kept = in.zipPartitions(records, new ExecutorSide.MembersByClient(shared, side, done));
                kept.persist(StorageLevel.MEMORY_AND_DISK());
                RDD<Tuple2<Integer, ExecutorSide.ClientMembers>> byBlock = kept.rdd()
                        .coalesce(
                                blockCount, false, Option.apply(new ExecutorSide.BlockGroups(first, blockCount)), null);
                JavaRDD<BlockOutput> folded =
                        new JavaRDD<>(byBlock, kept.classTag()).mapPartitions(new ExecutorSide.FoldKept(shared));
                outputs = oneBlockManager ? foldWhileTraining(kept, folded) : foldAfterTraining(kept, folded);
            }
            lastBlockPass = new BlockPassShape(n, blockCount, p, shuffled, outputs.size(), (int)
                    outputs.stream().filter(BlockOutput::handedOver).count());
            BlockOutput[] byBlock = new BlockOutput[blockCount];
            for (BlockOutput out : outputs) {
                byBlock[out.block()] = out;
            }
            for (int b = 0; b < blockCount; b++) {
                BlockOutput out = byBlock[b];
                if (out == null) {
                    throw new IllegalStateException("no partial came back for block " + b + " of " + blockCount);
                }
                if (out.failedAt() >= 0) {
                    if (out.foldRefused()) {
                        throw new IllegalArgumentException(out.failure());
                    }
                    throw new ClientWorkException(
                            out.failedIn() != null ? out.failedIn() : "federated_map (on a Spark executor)",
                            out.failedAt(),
                            pass.clientIds().get(out.failedAt()),
                            new RemoteClientFailure(out.failure()));
                }
                Value partial = out.handedOver() ? shared.take(b) : ValueCodec.decode(out.partial());
                if (partial == null) {
                    throw new IllegalStateException("block " + b + "'s partial was handed over but is not here");
                }
                blocks.fold(b, partial);
            }
            for (BlockOutput out : outputs) {
                out.stateFiles().forEach(tx::written);
            }
            succeeded = true;
        } finally {
            if (kept != null) {
                kept.unpersist(false);
            }
            shared.close();
            if (followed != null) {
                followed.end(succeeded);
            }
        }
    }

    /** Trains every partition (a first job), then folds the blocks over the partitions' kept members (a second). */
    private static List<BlockOutput> foldAfterTraining(
            JavaRDD<Tuple2<Integer, ExecutorSide.ClientMembers>> kept, JavaRDD<BlockOutput> folded) {
        kept.count();
        return folded.collect();
    }

    /**
     * With every executor in this JVM (one block manager), the fold job is submitted right behind the training job:
     * the scheduler hands a free core to the training job's tasks first (jobs in submission order, under FIFO
     * scheduling, Spark's default), so a block's fold task starts as soon as a core is free after the last training
     * task started, and folds the partitions stored by then while the last ones train. A partition still being stored
     * it waits for (Spark's lock on the block being written); one no task has begun (a training task failed and waits
     * for its retry, or a FAIR pool started the fold task early) it trains itself, the same members (client work is
     * deterministic), which the training job's task then finds stored. Both jobs have ended when this returns (a
     * failed fold job cancels the training job).
     */
    private static List<BlockOutput> foldWhileTraining(
            JavaRDD<Tuple2<Integer, ExecutorSide.ClientMembers>> kept, JavaRDD<BlockOutput> folded) throws Exception {
        JavaFutureAction<Long> training = kept.countAsync();
        List<BlockOutput> outputs;
        try {
            outputs = folded.collect();
        } catch (Exception e) {
            training.cancel(true);
            throw e;
        }
        try {
            training.get();
        } catch (ExecutionException e) {
            // the training job's own failure, as a synchronous job reports it
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        return outputs;
    }

    /**
     * The pass's values for its tasks: in this JVM with a local master (every executor here), as Spark broadcasts
     * otherwise.
     */
    private PassShares share(PassBytes bytes, List<PartitionInput> inputs) {
        return oneBlockManager ? PassShares.inThisJvm(bytes, inputs) : PassShares.broadcast(sc, bytes, inputs);
    }

    /**
     * The first client of partition {@code k} of {@code p} over {@code n} clients: contiguous ranges of {@code n/p}
     * clients, the first {@code n mod p} one more. Larger partitions first, because Spark hands a stage's tasks to free
     * cores in partition order: 10 clients in 8 partitions on 2 cores finish in 5 clients' time cut as (2, 2, 1, 1, 1,
     * 1, 1, 1), in 6 cut as (1, 1, 1, 2, 1, 1, 1, 2), the last two-client partition starting after everything else.
     */
    static int firstClient(int k, int p, int n) {
        return k * (n / p) + Math.min(k, n % p);
    }

    /**
     * Submits partition {@code k} of {@code p} as a job of its own, its clients' state records (if
     * any client has state) zipped in.
     */
    private JavaFutureAction<List<PartitionOutput>> submit(
            ShippedPass pass,
            PassShares shared,
            int k0,
            int p,
            ClusterClientStates.TaskSide side,
            JavaPairRDD<Integer, ClientRecord> passStates,
            ClientProgress.Done done) {
        int n = pass.clientIds().size();
        List<PartitionInput> inputs =
                List.of(ClientInputs.range(pass, firstClient(k0, p, n), firstClient(k0 + 1, p, n)));
        JavaRDD<PartitionInput> in = sc.parallelize(inputs, inputs.size());
        ExecutorSide.RunPartition task = new ExecutorSide.RunPartition(shared, side, done);
        JavaRDD<PartitionOutput> out = passStates == null
                ? in.mapPartitions(task)
                : in.zipPartitions(ClusterClientStates.partition(passStates, k0), task);
        return out.collectAsync();
    }

    private static void fold(
            ShippedPass pass,
            List<PartitionOutput> outputs,
            OrderedFold.Sink<List<Value>> sink,
            ClusterClientStates.Transaction tx)
            throws Exception {
        for (PartitionOutput out : outputs) {
            for (int c = 0; c < out.results().length; c++) {
                Value results = ValueCodec.decode(out.results()[c]);
                if (!(results instanceof Struct s) || s.size() != pass.nodeCount()) {
                    throw new IllegalStateException("client #" + (out.first() + c) + ": an executor returned "
                            + results.type() + " for " + pass.nodeCount() + " shipped computations");
                }
                sink.fold(out.first() + c, s.values());
            }
            if (out.failedAt() >= 0) {
                throw new ClientWorkException(
                        "federated_map (on a Spark executor)",
                        out.failedAt(),
                        pass.clientIds().get(out.failedAt()),
                        new RemoteClientFailure(out.failure()));
            }
            if (out.stateFile() != null) {
                tx.written(out.stateFile());
            }
        }
    }

    /** A client's failure in an executor, as the executor described it (its stack trace). */
    static final class RemoteClientFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RemoteClientFailure(String description) {
            super(description);
        }

        /** The executor's first line (the exception and its message); {@link #getMessage()} has the whole trace. */
        @Override
        public String toString() {
            String m = getMessage();
            int nl = m == null ? -1 : m.indexOf('\n');
            return nl < 0 ? String.valueOf(m) : m.substring(0, nl);
        }
    }
}
