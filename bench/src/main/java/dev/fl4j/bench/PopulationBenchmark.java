package dev.fl4j.bench;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.RuntimeSpecs;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.tables.TableColumn;
import dev.fl4j.simulation.tables.TableExport;
import dev.fl4j.simulation.tables.TableFormat;
import dev.fl4j.simulation.tables.TableFormats;
import dev.fl4j.simulation.tables.TableOptions;
import dev.fl4j.simulation.tables.TableWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A large population on a runtime that reads client data where clients train: N synthetic clients
 * (a few examples each) in Parquet files, written once to a directory and reused; each round a seeded
 * draw of C clients trains a softmax model with FedAvg, the clients' data read in the executors, never
 * on the driver. Prints the time to index the population, each round's time, clients trained per
 * second (C / median round time) and the driver's heap: the live heap after a full GC at each round's
 * end (the most of them), and the heap in use sampled every 20 ms (garbage included). On a
 * {@code local} Spark master the executors run in the driver's JVM, so both figures include them.
 */
public final class PopulationBenchmark {

    /** Features and classes of the synthetic examples (the softmax model's input and output). */
    static final int FEATURES = 16;

    static final int CLASSES = 10;

    private static final int CLIENTS_PER_FILE = 25_000;

    private PopulationBenchmark() {}

    /** What to run. */
    public record Options(
            String runtime,
            int workers,
            int population,
            int perRound,
            int examples,
            int rounds,
            int warmupRounds,
            Path dir,
            long seed) {
        public Options {
            if (population < 1 || perRound < 1 || perRound > population) {
                throw new IllegalArgumentException(
                        "clients per round must be in [1, population], got " + perRound + " of " + population);
            }
            if (examples < 1 || rounds < 1 || warmupRounds < 1 || workers < 1) {
                throw new IllegalArgumentException(
                        "examples per client, rounds, warm-up rounds and workers must be at least 1");
            }
        }

        public static Options defaults() {
            return new Options(
                    "spark:local[2]",
                    2,
                    1_000_000,
                    10_000,
                    3,
                    3,
                    1,
                    Path.of(System.getProperty("java.io.tmpdir"), "fl4j-bench-population-1000000x3"),
                    1);
        }
    }

    /** The figures. */
    public record Result(
            double indexSeconds,
            List<Double> roundSeconds,
            double clientsPerSecond,
            long peakLiveHeap,
            long peakSampledHeap) {}

    public static Result run(PrintStream out, Options o) {
        TableFormat parquet = TableFormats.named("parquet");
        Path dir = o.dir();
        if (!Files.isDirectory(dir)) {
            long start = System.nanoTime();
            write(parquet, o);
            out.printf(
                    Locale.ROOT,
                    "wrote %,d clients x %d examples to %s in %.1f s%n",
                    o.population(),
                    o.examples(),
                    dir,
                    (System.nanoTime() - start) / 1e9);
        } else {
            out.printf(Locale.ROOT, "reusing the population in %s%n", dir);
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong sampledPeak = new AtomicLong();
        Thread sampler = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        sampledPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "fl4j-heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            long start = System.nanoTime();
            ClientData clients;
            try {
                clients = parquet.openClients(
                        dir,
                        TableOptions.builder()
                                .setLabelColumn(TableExport.LABEL_COLUMN)
                                .optClientColumn(TableExport.CLIENT_COLUMN)
                                .build(),
                        o.examples());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the population in " + dir + ": " + e.getMessage(), e);
            }
            double indexSeconds = (System.nanoTime() - start) / 1e9;
            List<String> ids = clients.clientIds();
            if (ids.size() != o.population()) {
                throw new IllegalArgumentException(dir + " holds " + ids.size() + " clients, not " + o.population()
                        + "; delete it or name another directory");
            }
            long indexedHeap = liveHeap(memory);
            out.printf(
                    Locale.ROOT,
                    "indexed %,d clients in %.1f s; live heap after indexing %.1f MiB%n",
                    ids.size(),
                    indexSeconds,
                    indexedHeap / 1048576.0);
            ModelSpec spec = Models.softmaxRegression(FEATURES, CLASSES);
            LearningProcess process = FedAvg.builder(spec)
                    .setClientOptimizer(Sgd.of(0.1f))
                    .optSeed(o.seed())
                    .build();
            List<Double> seconds = new ArrayList<>();
            long peakLive = indexedHeap;
            try (FederatedRuntime rt = RuntimeSpecs.open(o.runtime(), o.workers())) {
                Value state = process.initialize(rt);
                int[] order = new int[ids.size()];
                for (int round = 0; round < o.warmupRounds() + o.rounds(); round++) {
                    List<String> cohort = draw(ids, order, o.perRound(), Seeds.derive(o.seed(), round));
                    long t = System.nanoTime();
                    ClientValues data = clients.clientValues(cohort);
                    state = process.next(rt, state, data).state();
                    double s = (System.nanoTime() - t) / 1e9;
                    long live = liveHeap(memory);
                    peakLive = Math.max(peakLive, live);
                    out.printf(
                            Locale.ROOT,
                            "%s round %d: %.2f s (%.0f clients/s); live heap after GC %.1f MiB%n",
                            round < o.warmupRounds() ? "warm-up" : "timed",
                            round,
                            s,
                            o.perRound() / s,
                            live / 1048576.0);
                    if (round >= o.warmupRounds()) {
                        seconds.add(s);
                    }
                }
            }
            double median = median(seconds);
            Result r = new Result(indexSeconds, seconds, o.perRound() / median, peakLive, sampledPeak.get());
            out.printf(
                    Locale.ROOT,
                    "population: %,d clients in Parquet, %,d per round, softmax %d -> %d on %s; round"
                            + " time %.2f s (median of %d), %.0f clients trained/s (target >= 2,000); driver heap:"
                            + " peak live after GC %.1f MiB, peak in use (sampled, garbage included) %.1f MiB, max %.0f"
                            + " MiB (target <= 1,024 MiB)%n",
                    o.population(),
                    o.perRound(),
                    FEATURES,
                    CLASSES,
                    o.runtime(),
                    median,
                    seconds.size(),
                    r.clientsPerSecond(),
                    peakLive / 1048576.0,
                    sampledPeak.get() / 1048576.0,
                    memory.getHeapMemoryUsage().getMax() / 1048576.0);
            return r;
        } finally {
            sampler.interrupt();
        }
    }

    /** {@code n} of the population in a seeded random order (a partial shuffle of {@code order}). */
    private static List<String> draw(List<String> ids, int[] order, int n, long seed) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplitMix64 random = new SplitMix64(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(order.length - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            out.add(ids.get(order[i]));
        }
        return out;
    }

    /** Writes the population as part files of the export layout into a new directory, renamed into place. */
    private static void write(TableFormat parquet, Options o) {
        Path dir = o.dir();
        Path tmp = dir.resolveSibling(dir.getFileName() + ".writing");
        try {
            if (Files.exists(tmp)) {
                try (Stream<Path> old = Files.walk(tmp)) {
                    for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(tmp);
            int digits = Integer.toString(o.population() - 1).length();
            List<TableColumn> columns = new ArrayList<>();
            columns.add(new TableColumn(TableExport.CLIENT_COLUMN, TableColumn.Kind.STRING));
            for (int j = 0; j < FEATURES; j++) {
                columns.add(new TableColumn(TableExport.FEATURES + "[" + j + "]", TableColumn.Kind.FLOAT));
            }
            columns.add(new TableColumn(TableExport.LABEL_COLUMN, TableColumn.Kind.INT));
            int parts = (o.population() + CLIENTS_PER_FILE - 1) / CLIENTS_PER_FILE;
            // two writers at once: each part file is written by one thread, start to end
            java.util.stream.IntStream.range(0, parts).parallel().forEach(part -> {
                Path file = tmp.resolve(String.format("part-%05d.parquet", part));
                try (TableWriter w = parquet.create(file, columns)) {
                    float[] x = new float[o.examples() * FEATURES];
                    int[] y = new int[o.examples()];
                    int end = Math.min(o.population(), (part + 1) * CLIENTS_PER_FILE);
                    for (int c = part * CLIENTS_PER_FILE; c < end; c++) {
                        String id = String.format("c%0" + digits + "d", c);
                        synthetic(c, o.examples(), o.seed(), x, y);
                        for (int e = 0; e < y.length; e++) {
                            w.setString(0, id);
                            for (int j = 0; j < FEATURES; j++) {
                                w.setFloat(1 + j, x[e * FEATURES + j]);
                            }
                            w.setInt(FEATURES + 1, y[e]);
                            w.endRow();
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
                }
            });
            Files.move(tmp, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the population to " + tmp + ": " + e.getMessage(), e);
        }
    }

    /**
     * Client {@code c}'s examples into {@code x} (row-major, {@link #FEATURES} per example) and
     * {@code y}: a class drawn per example, features noise in [-1, 1) plus 1.5 at the class's feature.
     */
    static void synthetic(int c, int examples, long seed, float[] x, int[] y) {
        SplitMix64 random = new SplitMix64(Seeds.derive(seed, c));
        for (int e = 0; e < examples; e++) {
            y[e] = random.nextInt(CLASSES);
            for (int j = 0; j < FEATURES; j++) {
                x[e * FEATURES + j] = random.nextFloat() * 2 - 1 + (j == y[e] ? 1.5f : 0f);
            }
        }
    }

    private static long liveHeap(MemoryMXBean memory) {
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
