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

    SparkShipper(JavaSparkContext sc, int partitions, int inFlight) {
        this.sc = sc;
        this.partitions = partitions;
        this.inFlight = inFlight;
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
        ArrayDeque<JavaFutureAction<List<PartitionOutput>>> running = new ArrayDeque<>();
        try {
            int submitted = 0;
            for (int k = 0; k < p; k++) {
                while (submitted < p && submitted < k + inFlight) {
                    running.add(submit(pass, shared, submitted, p));
                    submitted++;
                }
                List<PartitionOutput> outputs = running.poll().get();
                fold(pass, outputs, sink);
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

    /** Submits partition {@code k} of {@code p} as a job of its own. */
    private JavaFutureAction<List<PartitionOutput>> submit(
            ShippedPass pass, Broadcast<PassBytes> shared, int k0, int p) {
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
        return sc.parallelize(inputs, inputs.size())
                .mapPartitions(new ExecutorSide.RunPartition(shared))
                .collectAsync();
    }

    private static void fold(ShippedPass pass, List<PartitionOutput> outputs, OrderedFold.Sink<List<Value>> sink)
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
