package dev.fl4j.bench;

import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.algorithms.ModelEngines;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.SyntheticBatches;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code fl4j bench training}: how much of the engine's speed federated training keeps. In one run
 * it measures
 * <ol>
 *   <li><b>raw</b>: the engine's plain single-thread training loop of the model at the batch size
 *       ({@link RawThroughput}: weights assigned once, steps back to back), examples/s;</li>
 *   <li><b>one client</b>: a whole client's local training on one thread, as a round runs it
 *       (weights assigned, the client's batches, weights and metrics read back), examples/s;</li>
 *   <li><b>fedavg</b>: rounds of {@link FedAvg} through the real {@link LearningProcess} on a
 *       {@link LocalRuntime} with {@code workers} workers, {@code clients} clients of equal data,
 *       examples/s over whole rounds (broadcast, training, aggregation, server update), after one
 *       untimed warm-up round in which each worker builds its graph;</li>
 * </ol>
 * and prints {@code efficiency = fedavg / (raw × workers)}; then, unless {@code --heap-clients none}, the
 * {@linkplain RoundMemory round memory} of FedAvg rounds of 10, 100 and 1,000 clients of 20 examples:
 * examples/s and the peak live heap of each, which stays flat because the runtime folds each
 * client's update as it finishes. The target is at least 0.9 for
 * the FedAvg CNN at batch 20. Data is synthetic (the figures do not depend on pixel values). It also
 * prints the share of the round the clients spend inside their training loops, which tells
 * overhead from lost parallelism.
 *
 * <p>This is a measurement, not a test: it asserts nothing about time. Figures are only comparable
 * on an otherwise idle machine; the system load average is printed before and after.
 */
public final class TrainingBenchmark {

    /**
     * The options; {@link #defaults()} are the setting. The command line's
     * {@code fl4j bench training} options (picocli, in the CLI) make one of these.
     */
    public record Options(
            String model,
            int batch,
            int clients,
            int examplesPerClient,
            int rounds,
            int workers,
            int rawSteps,
            float clientLearningRate,
            long seed,
            List<Integer> heapClients,
            int heapExamplesPerClient) {
        /** Without the round-memory sweep. */
        public Options(
                String model,
                int batch,
                int clients,
                int examplesPerClient,
                int rounds,
                int workers,
                int rawSteps,
                float clientLearningRate,
                long seed) {
            this(
                    model,
                    batch,
                    clients,
                    examplesPerClient,
                    rounds,
                    workers,
                    rawSteps,
                    clientLearningRate,
                    seed,
                    List.of(),
                    batch);
        }

        public Options {
            BenchModels.byName(model);
            positive("batch", batch);
            heapClients = List.copyOf(heapClients);
            heapClients.forEach(c -> positive("heap-clients", c));
            positive("heap-examples", heapExamplesPerClient);
            if (heapExamplesPerClient % batch != 0) {
                throw new IllegalArgumentException(
                        "heap-examples (" + heapExamplesPerClient + ") must be a multiple of batch (" + batch + ")");
            }
            positive("clients", clients);
            positive("examples-per-client", examplesPerClient);
            positive("rounds", rounds);
            positive("workers", workers);
            positive("raw-steps", rawSteps);
            if (examplesPerClient % batch != 0) {
                throw new IllegalArgumentException(
                        "examples-per-client (" + examplesPerClient + ") must be a multiple of batch (" + batch
                                + ") so every step has a full batch, as in the raw loop");
            }
            if (!(clientLearningRate > 0) || !Float.isFinite(clientLearningRate)) {
                throw new IllegalArgumentException(
                        "client learning rate must be positive and finite, got " + clientLearningRate);
            }
        }

        /**
         * FedAvg CNN, batch 20, 10 clients of 600 examples, 3 timed rounds, one worker per core, 200 raw
         * steps; round memory for 10, 100 and 1,000 clients of 20 examples.
         */
        public static Options defaults() {
            return new Options(
                    "fedavg_cnn",
                    20,
                    10,
                    600,
                    3,
                    Runtime.getRuntime().availableProcessors(),
                    200,
                    0.02f,
                    1L,
                    List.of(10, 100, 1000),
                    20);
        }
    }

    /** The measured figures, examples per second. */
    public record Result(
            double rawExamplesPerSecond,
            double oneClientExamplesPerSecond,
            double fedAvgExamplesPerSecond,
            int workers,
            double trainingLoopShare,
            List<Double> roundSeconds,
            List<RoundMemory.Row> roundMemory) {
        /** {@code fedavg / (raw × workers)}. */
        public double efficiency() {
            return fedAvgExamplesPerSecond / (rawExamplesPerSecond * workers);
        }
    }

    private TrainingBenchmark() {}

    public static Result run(PrintStream out, Options o) {
        ModelSpec spec = BenchModels.byName(o.model());
        out.printf(
                Locale.ROOT,
                "bench training: %s, batch %d, %d clients x %d examples, %d timed rounds, %d workers (%d cores), "
                        + "load average %.2f%n",
                o.model(),
                o.batch(),
                o.clients(),
                o.examplesPerClient(),
                o.rounds(),
                o.workers(),
                Runtime.getRuntime().availableProcessors(),
                loadAverage());

        CpuUsage rawStart = CpuUsage.now();
        RawThroughput.Measurement raw = RawThroughput.measure(
                spec, Sgd.of(o.clientLearningRate()), o.batch(), Math.min(20, o.rawSteps()), o.rawSteps(), o.seed());
        CpuUsage rawEnd = CpuUsage.now();
        out.printf(Locale.ROOT, "raw        %10.1f examples/s  (%s)%n", raw.examplesPerSecond(), raw);

        int batchesPerClient = o.examplesPerClient() / o.batch();
        List<SequenceValue> datasets = new ArrayList<>(o.clients());
        for (int c = 0; c < o.clients(); c++) {
            List<Struct> batches = SyntheticBatches.of(spec, o.batch(), batchesPerClient, Seeds.derive(o.seed(), c));
            datasets.add(ListSequence.of(spec.inputSpec(), batches));
        }

        double oneClient = oneClient(spec, o, datasets.get(0));
        out.printf(
                Locale.ROOT,
                "one client %10.1f examples/s  (local training of %d examples on 1 thread, weights assigned and read "
                        + "back)%n",
                oneClient,
                o.examplesPerClient());

        LongAdder loopNanos = new LongAdder();
        List<Value> timed = new ArrayList<>(o.clients());
        for (SequenceValue d : datasets) {
            timed.add(new TimedSequence(d, loopNanos));
        }
        Value clientData = FederatedValue.clients(timed);
        LearningProcess process = FedAvg.builder(spec)
                .setClientOptimizer(Sgd.of(o.clientLearningRate()))
                .optSeed(o.seed())
                .build();
        List<Double> seconds = new ArrayList<>();
        double loopShare;
        double fedAvgCores;
        double othersInRounds;
        List<RoundMemory.Row> memory = List.of();
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(o.workers()).build()) {
            Value state = process.initialize(rt);
            state = process.next(rt, state, clientData).state();
            loopNanos.reset();
            CpuUsage roundsStart = CpuUsage.now();
            long total = 0;
            for (int r = 0; r < o.rounds(); r++) {
                long start = System.nanoTime();
                state = process.next(rt, state, clientData).state();
                long took = System.nanoTime() - start;
                total += took;
                seconds.add(took / 1e9);
            }
            loopShare = loopNanos.sum() / ((double) total * o.workers());
            CpuUsage roundsEnd = CpuUsage.now();
            fedAvgCores = roundsEnd.processCoresSince(roundsStart);
            othersInRounds = roundsEnd.otherCoresSince(roundsStart);
            if (!o.heapClients().isEmpty()) {
                memory = RoundMemory.sweep(
                        rt, process, state, spec, o.heapClients(), o.heapExamplesPerClient(), o.batch(), o.seed());
            }
        }
        double roundExamples = (double) o.clients() * o.examplesPerClient();
        double fedAvg = roundExamples
                * o.rounds()
                / seconds.stream().mapToDouble(Double::doubleValue).sum();
        Result result = new Result(
                raw.examplesPerSecond(), oneClient, fedAvg, o.workers(), loopShare, List.copyOf(seconds), memory);

        out.printf(
                Locale.ROOT,
                "fedavg     %10.1f examples/s  (%d clients per round on %d workers; rounds %s s)%n",
                fedAvg,
                o.clients(),
                o.workers(),
                formatSeconds(seconds));
        out.printf(
                Locale.ROOT,
                "efficiency %10.3f          = fedavg / (raw x %d workers)%n",
                result.efficiency(),
                o.workers());
        int slots = (o.clients() + o.workers() - 1) / o.workers() * o.workers();
        out.printf(
                Locale.ROOT,
                "  one client / raw            %.3f  (per-client overhead on one thread)%n",
                oneClient / raw.examplesPerSecond());
        out.printf(
                Locale.ROOT,
                "  training-loop share         %.3f  (workers' time inside clients' training loops)%n",
                loopShare);
        out.printf(
                Locale.ROOT,
                "  load-balance bound          %.3f  (%d clients over %d workers)%n",
                (double) o.clients() / slots,
                o.clients(),
                o.workers());
        out.printf(
                Locale.ROOT,
                "  cores used by this process  %.2f in the raw loop (1 thread), %.2f in the rounds (%d workers)%n",
                rawEnd.processCoresSince(rawStart),
                fedAvgCores,
                o.workers());
        out.printf(
                Locale.ROOT,
                "  cores used by others        %.2f in the raw loop, %.2f in the rounds (of %d; other processes and "
                        + "hypervisor steal;"
                        + " above 0 the figures are disturbed)%n",
                rawEnd.otherCoresSince(rawStart),
                othersInRounds,
                Runtime.getRuntime().availableProcessors());
        if (!memory.isEmpty()) {
            RoundMemory.print(out, memory, o.heapExamplesPerClient(), o.workers());
        }
        out.printf(Locale.ROOT, "load average after: %.2f%n", loadAverage());
        return result;
    }

    /** A client's whole local training, as a round runs it, on this thread: one warm-up, then the best of three. */
    private static double oneClient(ModelSpec spec, Options o, SequenceValue data) {
        ModelWeights initial = spec.initialWeights(o.seed());
        try (ClientTrainer trainer =
                ModelEngines.defaultEngine().newTrainer(TrainingSpec.of(spec, Sgd.of(o.clientLearningRate())))) {
            trainer.train(initial, data, o.seed());
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                trainer.train(initial, data, o.seed() + i);
                best = Math.min(best, System.nanoTime() - start);
            }
            return o.examplesPerClient() / (best / 1e9);
        }
    }

    private static String formatSeconds(List<Double> seconds) {
        StringBuilder b = new StringBuilder();
        for (double s : seconds) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", s));
        }
        return b.toString();
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }
}
