package dev.fl4j.bench;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.SyntheticBatches;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The heap a FedAvg round needs as the clients per round grow: for each count, one timed round
 * (examples/s and the training-loop share, as the main benchmark defines it) and one sampled round of the same size, in
 * which the heap in use right after a full
 * GC is read as every k-th client's training loop ends (16 samples a round); the most of those is
 * the round's peak live heap. Client data is generated when a worker asks for it, so the figure is
 * the round's own memory (model, updates in flight and accumulators), not the dataset's. A runtime
 * that folds each client's update as it finishes keeps it flat; one that holds every update until
 * the last client has finished grows by one model per client.
 */
final class RoundMemory {

    /** One clients-per-round count: throughput and peak live heap. */
    record Row(
            int clients,
            double examplesPerSecond,
            double roundSeconds,
            double trainingLoopShare,
            long peakLiveHeapBytes,
            long idleHeapBytes,
            int samples) {}

    private RoundMemory() {}

    static List<Row> sweep(
            FederatedRuntime rt,
            LearningProcess process,
            Value state,
            ModelSpec spec,
            List<Integer> counts,
            int examplesPerClient,
            int batch,
            long seed) {
        int workers = rt.workers();
        List<Row> rows = new ArrayList<>();
        for (int clients : counts) {
            LongAdder loopNanos = new LongAdder();
            long start = System.nanoTime();
            state = process.next(
                            rt, state, data(process, spec, clients, examplesPerClient, batch, seed, loopNanos, null))
                    .state();
            long took = System.nanoTime() - start;
            double seconds = took / 1e9;
            double share = loopNanos.sum() / ((double) took * workers);
            Sampler sampler = new Sampler(Math.max(1, clients / 16));
            long idle = Sampler.liveHeap();
            state = process.next(
                            rt,
                            state,
                            data(
                                    process,
                                    spec,
                                    clients,
                                    examplesPerClient,
                                    batch,
                                    seed,
                                    new LongAdder(),
                                    sampler::clientFinished))
                    .state();
            Row row = new Row(
                    clients,
                    (double) clients * examplesPerClient / seconds,
                    seconds,
                    share,
                    sampler.peak(),
                    idle,
                    sampler.samples());
            rows.add(row);
        }
        return rows;
    }

    static void print(PrintStream out, List<Row> rows, int examplesPerClient, int workers) {
        out.printf(
                Locale.ROOT,
                "round memory: FedAvg rounds of clients with %d examples each (generated when trained), %d workers; "
                        + "peak live heap ="
                        + " most heap in use right after a full GC, sampled 16 times a round as clients finish, in a "
                        + "second round of the same size%n",
                examplesPerClient,
                workers);
        out.printf(
                Locale.ROOT,
                "  %13s %12s %9s %10s %16s %12s%n",
                "clients/round",
                "examples/s",
                "round s",
                "loop share",
                "peak live heap",
                "idle heap");
        for (Row row : rows) {
            out.printf(
                    Locale.ROOT,
                    "  %13d %12.1f %9.2f %10.3f %12.1f MiB %8.1f MiB%n",
                    row.clients(),
                    row.examplesPerSecond(),
                    row.roundSeconds(),
                    row.trainingLoopShare(),
                    mib(row.peakLiveHeapBytes()),
                    mib(row.idleHeapBytes()));
        }
    }

    private static Value data(
            LearningProcess process,
            ModelSpec spec,
            int clients,
            int examples,
            int batch,
            long seed,
            LongAdder loopNanos,
            Runnable onClientEnd) {
        List<String> ids = new ArrayList<>(clients);
        for (int c = 0; c < clients; c++) {
            ids.add("client_" + c);
        }
        return FederatedValue.clients(((FederatedType) process.clientDataType()).member(), ids, id -> {
            long index = Long.parseLong(id.substring("client_".length()));
            return new TimedSequence(
                    ListSequence.of(
                            spec.inputSpec(),
                            SyntheticBatches.of(spec, batch, examples / batch, Seeds.derive(seed, 0x6d656dL, index))),
                    loopNanos,
                    onClientEnd);
        });
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    /** Reads the live heap after every {@code every}-th client. */
    private static final class Sampler {
        private final int every;
        private int finished;
        private int samples;
        private long peak;

        Sampler(int every) {
            this.every = every;
        }

        synchronized void clientFinished() {
            if (++finished % every == 0) {
                peak = Math.max(peak, liveHeap());
                samples++;
            }
        }

        synchronized long peak() {
            return peak;
        }

        synchronized int samples() {
            return samples;
        }

        static long liveHeap() {
            System.gc();
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
    }
}
