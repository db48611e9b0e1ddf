package dev.fl4j.spark;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.ClientWorkShipper;
import dev.fl4j.core.runtime.OrderedFold;
import dev.fl4j.core.runtime.ShippedPass;
import dev.fl4j.spark.ExecutorSide.PartitionInput;
import dev.fl4j.spark.ExecutorSide.PartitionOutput;
import dev.fl4j.spark.ExecutorSide.PassBytes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Runs a pass's shipped client work as Spark jobs and hands the results to the fold in client
 * order. The pass's clients are cut into {@code partitions} contiguous ranges (partition p holds
 * clients {@code [p·n/P, (p+1)·n/P)}), each a Spark job of its own. At most {@code inFlight}
 * partitions are submitted and not yet folded: when the driver has folded partition k it submits
 * partition k + inFlight, so executors stay busy while the driver folds and the driver holds at most
 * {@code inFlight} partitions' results, however many clients the pass has. The plan and the
 * broadcast values travel once per pass as one Spark broadcast of their encoded bytes.
 */
final class SparkShipper implements ClientWorkShipper {

    private final JavaSparkContext sc;
    private final int partitions;
    private final int inFlight;
    private final ClusterClientStates states;

    SparkShipper(JavaSparkContext sc, int partitions, int inFlight, ClusterClientStates states) {
        this.sc = sc;
        this.partitions = partitions;
        this.inFlight = inFlight;
        this.states = states;
    }

    /** What the last pass shipped per client, by type (for tests: broadcasts must not travel per client). */
    static volatile List<String> lastClientInputTypes = List.of();

    @Override
    public void run(ShippedPass pass, OrderedFold.Sink<List<Value>> sink) throws Exception {
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
        Broadcast<PassBytes> shared = sc.broadcast(
                new PassBytes(pass.plan(), broadcasts, pass.clientInputs().size()));
        int p = Math.min(partitions, n);
        int[] first = new int[p + 1];
        for (int k = 0; k <= p; k++) {
            first[k] = firstClient(k, p, n);
        }
        ClusterClientStates.Transaction tx = states.current();
        ClusterClientStates.TaskSide side = tx.nextPass();
        JavaPairRDD<Integer, ClientRecord> passStates = tx.forPass(pass.clientIds(), p, first);
        ArrayDeque<JavaFutureAction<List<PartitionOutput>>> running = new ArrayDeque<>();
        try {
            int submitted = 0;
            for (int k = 0; k < p; k++) {
                while (submitted < p && submitted < k + inFlight) {
                    running.add(submit(pass, shared, submitted, p, side, passStates));
                    submitted++;
                }
                List<PartitionOutput> outputs = running.poll().get();
                fold(pass, outputs, sink, tx);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a Spark job of client work failed: " + e.getCause(), e.getCause());
        } finally {
            for (JavaFutureAction<?> job : running) {
                job.cancel(true);
            }
            shared.destroy();
        }
    }

    /** The first client of partition {@code k} of {@code p} over {@code n} clients. */
    static int firstClient(int k, int p, int n) {
        return (int) ((long) k * n / p);
    }

    /**
     * Submits partition {@code k} of {@code p} as a job of its own, its clients' state records (if
     * any client has state) zipped in.
     */
    private JavaFutureAction<List<PartitionOutput>> submit(
            ShippedPass pass,
            Broadcast<PassBytes> shared,
            int k0,
            int p,
            ClusterClientStates.TaskSide side,
            JavaPairRDD<Integer, ClientRecord> passStates) {
        int n = pass.clientIds().size();
        List<PartitionInput> inputs = new ArrayList<>(1);
        for (int k = k0; k < k0 + 1; k++) {
            int first = firstClient(k, p, n);
            int end = firstClient(k + 1, p, n);
            String[] ids = new String[end - first];
            byte[][] data = new byte[end - first][];
            for (int i = first; i < end; i++) {
                ids[i - first] = pass.clientIds().get(i);
                data[i - first] = ValueCodec.encode(Struct.of(pass.clientInputMembers(i)));
            }
            inputs.add(new PartitionInput(first, ids, data));
        }
        JavaRDD<PartitionInput> in = sc.parallelize(inputs, inputs.size());
        ExecutorSide.RunPartition task = new ExecutorSide.RunPartition(shared, side);
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
