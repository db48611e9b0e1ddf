package dev.fl4j.spark;

import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.runtime.ClientStateStore;
import dev.fl4j.core.runtime.CommunicationStats;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import java.util.Objects;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs federated computations with their client work on an Apache Spark cluster: the same
 * {@code LearningProcess}es and aggregators as on {@link LocalRuntime}, unchanged, ending with
 * bitwise the same results for a given seed, for any number of partitions and executors.
 *
 * <h2>What runs where</h2>
 * A round's pending client work (see {@link LocalRuntime}) is split by what can ship. Client
 * computations with a {@link dev.fl4j.core.computation.ComputationDescriptor} (client training,
 * evaluation) whose inputs are client data, broadcasts or other shipped results run in Spark tasks:
 * each executor rebuilds them from their descriptors through the registered factories (the
 * allow-list of {@link dev.fl4j.core.computation.ComputationFactories}, never a class named by the
 * bytes), once per plan and JVM, and keeps its engine sessions (worker resources) across tasks and
 * rounds, one set per task slot. The plan and the values all clients receive travel once per pass
 * as one Spark broadcast of their encoded bytes; broadcasts are counted in {@link #communication()}
 * as on the local runtime (the value's size times the clients). Client data is read on the driver
 * from the round's {@code {T}@CLIENTS} argument and shipped with the tasks, partition by partition
 * (any {@code ClientData} fl4j builds; moderate sizes), except client data whose loader is a
 * {@link dev.fl4j.core.runtime.PortableClientLoader} (Parquet files through
 * {@code TableFormat.openClients}, the scale path): the driver sends each task its clients'
 * locations only, and the task loads its clients in the executor ({@code ClientInputs}); a
 * block-folding pass whose clients have no state is then cut by where the clients' data is stored.
 * The driver hears of such clients as the tasks that trained them complete: each task adds its
 * clients' ids to an accumulator of the pass, and a listener of the context's task events tells the
 * loader ({@link dev.fl4j.core.runtime.PortableClientLoader#loadedElsewhere}, once per client and
 * pass; {@code ClientProgress}), which is how a training loop's progress advances.
 *
 * <h2>Same answer: folds inside the executors, in core's block shape</h2>
 * The local runtime folds client results in client order, and a sum or mean of float32 values
 * accumulates in double. Double addition is not associative, so the fold's shape is part of the
 * result; core fixes it by client order alone: blocks of 1024 clients, each folded in client order
 * from zero, block sums added in block order ({@link dev.fl4j.core.runtime.BlockFolds}). When every
 * aggregation of a round's pass is a {@code federated_sum}, a {@code federated_mean} (weighted or
 * not) or a {@code federated_aggregate} of a {@link dev.fl4j.core.computation.ShippableAggregation}
 * (rebuilt in the executors from its descriptor through the registered factories; each block
 * accumulated there from {@code zero()}, the blocks' accumulators merged on the driver in block order)
 * of what the shipped client work computes (a FedAvg round: the weighted mean of the updates and
 * the sums of the metrics; with the compression aggregator, its encoded sums too), the pass runs as
 * one Spark job that folds inside the executors and sends the driver one partial accumulator per
 * block, which the driver merges in block order: bitwise the
 * local runtime's answer for any number of partitions and executors, and no client's update reaches
 * the driver. With at least as many blocks as partitions, each partition is a range of whole blocks
 * and folds them as it trains. With fewer (a round of at most 1024 clients is one block), the clients
 * still train in all partitions in parallel and a second stage folds each block. With partitions in pass
 * order, the clients' fold inputs stay in the executors that computed them (persisted as values, spilled
 * to disk if memory runs short), and each block's fold task reads the partitions that hold its clients,
 * in client order, through a narrow dependency: without a copy in the same JVM, fetched as encoded
 * bytes from another executor. With partitions in storage order (client data loaded in the executors)
 * they are shuffled to their block's partition, sorted by client index. Each executor JVM decodes a
 * pass's broadcast values once and its tasks share them.
 *
 * <p>Other passes (a {@code federated_aggregate} of an aggregation that is not shippable; robust
 * aggregators that need every update, median and Krum, whose accumulator is every update, so they are
 * not shippable on purpose and collect them within their memory budget;
 * work without a descriptor, such as stateful client work) run as before: clients are cut into
 * contiguous ranges, one per partition and job, their results come back to the driver and are folded
 * there in client order with the local runtime's own fold code, at most {@link Builder#optInFlight}
 * partitions submitted and not yet folded, so the driver holds that many partitions' results, not the
 * round's.
 *
 * <h2>Client state on the cluster</h2>
 * Stateful client work that ships (SCAFFOLD's client training with its control variate, an
 * error-feedback encoder such as {@code randk-ef}) reads and writes its clients' state in the executors,
 * and the state stays there: an RDD of per-client records keyed by client id, persisted in the
 * executors and checkpointed under the state directory after each invocation that wrote state, so
 * the driver holds a handle and a few counts, not the states ({@code ClusterClientStates}). Each
 * invocation is a transaction as on {@link LocalRuntime}: a task's writes go to an attempt file of
 * its own, and only the files of the task attempts whose results (or block partials) reached the
 * driver are merged, when the invocation returns; a task Spark runs again starts from the committed
 * state, and a failed invocation changes nothing. {@link #clientStates()} covers both tiers: the
 * cluster's, and the driver's for stateful work without a descriptor (which runs on the driver). A
 * training loop's checkpoint streams them: sorted by client id on the cluster and brought to the
 * driver one bounded piece at a time, each entry written to the checkpoint file as it comes
 * ({@code ClientStateStore.snapshotStream()}), so saving does not hold the population's states;
 * {@code restore} puts them back on the cluster.
 *
 * <p>The state directory is {@link Builder#optStateDirectory} or the Spark configuration
 * {@value ClusterClientStates#STATE_DIR_CONF} (a Hadoop file system URI every executor and the
 * driver reach: HDFS, or a shared mount, on a cluster of several machines). Only on a local master
 * ({@code local}, {@code local[N]}: every executor in the driver's JVM) may it be left out, and is then
 * a temporary directory of the driver's, deleted on close; any other master without one is refused
 * when the runtime is built, since a directory of the driver's is not one every executor reaches (a
 * cluster on one machine names one too). The Spark context's checkpoint directory is set under it
 * unless already set.
 */
public final class SparkRuntime implements FederatedRuntime {

    private final JavaSparkContext sc;
    private final boolean ownsContext;
    private final LocalRuntime local;
    private final int partitions;
    private final ClusterClientStates states;
    private final SparkShipper shipper;

    private SparkRuntime(
            JavaSparkContext sc, boolean ownsContext, int partitions, int inFlight, ClusterClientStates states) {
        this.sc = sc;
        this.ownsContext = ownsContext;
        this.partitions = partitions;
        this.states = states;
        this.shipper = new SparkShipper(sc, partitions, inFlight, states);
        this.local = LocalRuntime.builder()
                .optWorkers(1)
                .optClientWorkShipper(shipper)
                .optExternalClientStates(states)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Value invoke(FederatedComputation computation, Value argument) {
        ClusterClientStates.Transaction tx = states.begin();
        Value result;
        try {
            result = local.invoke(computation, argument);
        } catch (RuntimeException | Error e) {
            tx.abort();
            throw e;
        }
        tx.commit();
        return result;
    }

    @Override
    public CommunicationStats communication() {
        return local.communication();
    }

    @Override
    public ClientStateStore clientStates() {
        return local.clientStates();
    }

    /** The cluster's default parallelism: how many client tasks run at once. */
    @Override
    public int workers() {
        return sc.defaultParallelism();
    }

    /** How many partitions a pass's clients are cut into (fewer when there are fewer clients). */
    public int partitions() {
        return partitions;
    }

    /** The client states kept on the cluster (for tests: where they live). */
    ClusterClientStates clusterStates() {
        return states;
    }

    /** The Spark context client work runs on. */
    public JavaSparkContext sparkContext() {
        return sc;
    }

    /** Closes the driver side, and stops the Spark context if this runtime started it. */
    @Override
    public void close() {
        try {
            shipper.close();
            local.close();
            states.close();
        } finally {
            if (ownsContext) {
                sc.stop();
            }
        }
    }

    /** Configures a {@link SparkRuntime}. */
    public static final class Builder {
        private JavaSparkContext context;
        private String master = "local[*]";
        private int partitions;
        private int inFlight;
        private String stateDirectory;

        private Builder() {}

        /**
         * Where client state lives on the cluster (a Hadoop file system URI every executor and the
         * driver reach; kept on close). Default: the Spark configuration
         * {@value ClusterClientStates#STATE_DIR_CONF}, else, on a local master only, a temporary directory
         * deleted on close; required for any other master.
         */
        public Builder optStateDirectory(String uri) {
            if (Objects.requireNonNull(uri, "uri").isBlank()) {
                throw new IllegalArgumentException("the client state directory is blank");
            }
            this.stateDirectory = uri;
            return this;
        }

        /**
         * Runs on an existing Spark context, which {@link SparkRuntime#close()} leaves running (share
         * one across runtimes, or in tests).
         */
        public Builder optSparkContext(JavaSparkContext context) {
            this.context = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * The master of a Spark context this runtime starts and stops ({@code local[2]},
         * {@code spark://host:7077}); default {@code local[*]}. Ignored with {@link #optSparkContext}.
         */
        public Builder optMaster(String master) {
            this.master = Objects.requireNonNull(master, "master");
            return this;
        }

        /**
         * Partitions per pass (contiguous client ranges); default the Spark configuration
         * {@value SparkRuntime#PARTITIONS_CONF} if set, else the context's default parallelism: one partition per task
         * slot, as Spark's own {@code parallelize}. Each task costs Spark's scheduling, serialization and bookkeeping
         * (on the FedAvg CNN round of {@code fl4j bench spark}, 16 clients on {@code local[2]}, efficiency 0.91 with 2
         * partitions against 0.84–0.88 with 8); more partitions balance uneven clients (a free core takes the next
         * partition) and re-run less of a round when an executor is lost.
         */
        public Builder optPartitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /**
         * Partitions submitted and not yet folded at most (the driver holds at most this many partitions'
         * results); default twice the default parallelism, which keeps every task slot busy while the
         * driver folds.
         */
        public Builder optInFlight(int inFlight) {
            if (inFlight < 1) {
                throw new IllegalArgumentException("partitions in flight must be at least 1, got " + inFlight);
            }
            this.inFlight = inFlight;
            return this;
        }

        /**
         * The runtime, on a context it starts unless one was given.
         *
         * @throws IllegalStateException naming {@link #optStateDirectory} if the master is not a local one and no
         *     state directory was given (here or as {@value ClusterClientStates#STATE_DIR_CONF}): the driver's
         *     temporary directory is a default only where every executor runs in the driver's JVM
         */
        public SparkRuntime build() {
            boolean owns = context == null;
            SparkConf conf = owns ? defaultConf(master) : context.getConf();
            String dir = stateDirectory != null ? stateDirectory : conf.get(ClusterClientStates.STATE_DIR_CONF, null);
            String contextMaster = owns ? master : context.master();
            if (dir == null && !isLocalMaster(contextMaster)) {
                throw new IllegalStateException("optStateDirectory: master " + contextMaster + " runs executors in"
                        + " JVMs of their own, perhaps on other machines, and they keep client state in files they and"
                        + " the driver all read; give a directory on storage they all reach (HDFS, or a mount shared"
                        + " at the same path) with optStateDirectory or the Spark configuration "
                        + ClusterClientStates.STATE_DIR_CONF + " (a temporary directory of the driver's is the default"
                        + " on local masters only)");
            }
            JavaSparkContext sc = owns ? new JavaSparkContext(conf) : context;
            int parallelism = Math.max(1, sc.defaultParallelism());
            boolean ownsDir = dir == null;
            try {
                if (ownsDir) {
                    dir = java.nio.file.Files.createTempDirectory("fl4j-spark-state-")
                            .toUri()
                            .toString();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot create a client state directory", e);
            }
            ClusterClientStates states = new ClusterClientStates(sc, dir, ownsDir, 2 * parallelism);
            return new SparkRuntime(
                    sc,
                    owns,
                    partitions > 0 ? partitions : defaultPartitions(sc.getConf(), parallelism),
                    inFlight > 0 ? inFlight : 2 * parallelism,
                    states);
        }
    }

    /** The Spark configuration naming the partitions per pass when {@link Builder#optPartitions} does not. */
    public static final String PARTITIONS_CONF = "spark.fl4j.partitions";

    /**
     * The partitions per pass {@code conf} asks for ({@value #PARTITIONS_CONF}), else {@code parallelism}.
     *
     * @throws IllegalArgumentException naming the setting if it is not a whole number of at least 1
     */
    static int defaultPartitions(SparkConf conf, int parallelism) {
        String set = conf.get(PARTITIONS_CONF, null);
        if (set == null) {
            return parallelism;
        }
        int partitions;
        try {
            partitions = Integer.parseInt(set.trim());
        } catch (NumberFormatException e) {
            partitions = 0;
        }
        if (partitions < 1) {
            throw new IllegalArgumentException(
                    PARTITIONS_CONF + " must be a whole number of partitions per pass, at least 1; got '" + set + "'");
        }
        return partitions;
    }

    /**
     * Whether {@code master} runs every executor in the driver's JVM: {@code local}, {@code local[N]},
     * {@code local[N,F]}, {@code local[*]} (not {@code local-cluster[...]}, whose executors are JVMs of their own).
     */
    static boolean isLocalMaster(String master) {
        return master.equals("local") || master.startsWith("local[");
    }

    /**
     * The configuration of a context this runtime starts: app name {@code fl4j}, the UI off, shuffle
     * blocks and broadcasts uncompressed (what a round shuffles is its clients' updates and what it
     * broadcasts is the model, float32 data that LZ4 barely shrinks and spends CPU on twice: on the
     * driver every round, in every executor), and for a {@code local} master the driver bound to
     * 127.0.0.1 only and task results handed to the driver directly up to 128 MiB (Spark's default
     * puts a result over 1 MiB, a block's partial of a model-sized fold, in the block manager, whence
     * the driver fetches it over a loopback connection; with every executor in the driver's JVM the
     * direct path, an in-process message, spares that fetch and its copies).
     */
    public static SparkConf defaultConf(String master) {
        SparkConf conf = new SparkConf()
                .setMaster(master)
                .setAppName("fl4j")
                .set("spark.ui.enabled", "false")
                .set("spark.shuffle.compress", "false")
                .set("spark.broadcast.compress", "false");
        if (master.startsWith("local")) {
            conf.set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.task.maxDirectResultSize", "128m");
        }
        return conf;
    }
}
