package dev.fl4j.bench;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.runtime.RuntimeSpecs;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.SyntheticBatches;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * FedAvg round time on another runtime (a Spark runtime, {@code spark:local[2]}) against the
 * {@link LocalRuntime} with the same number of workers, in one run: the same process, synthetic
 * client data and seed on both, the warm-up rounds on each, then the timed rounds,
 * alternating between the runtimes (round r on the local runtime, then round r on the other), so that a
 * shared machine's changing load weighs on both alike. Efficiency is local round time / other round time; the process's
 * CPU time per round (every thread, TensorFlow's too; both runtimes run in this JVM) is printed next to
 * it. The final models must be bitwise equal, or the run fails.
 *
 * <p>By default 12 warm-up and 10 timed rounds: the figure is the steady state of a long run. Spark
 * runs thousands of methods a few times a round, so the JIT compiles its code paths over the first
 * ten or so rounds (on the default round, a Spark round took 1.70 s of CPU after one warm-up round
 * and 1.26–1.35 s after twelve; a local round 1.36 s and 1.16–1.20 s), a cost a JVM pays once, not
 * per round.
 */
public final class RuntimeComparison {

    private RuntimeComparison() {}

    /** What to compare. */
    public record Options(
            String model,
            String runtime,
            int workers,
            int clients,
            int examplesPerClient,
            int batch,
            int rounds,
            int warmupRounds,
            long seed) {
        public Options {
            BenchModels.byName(model);
            positive("workers", workers);
            positive("clients", clients);
            positive("batch", batch);
            positive("rounds", rounds);
            positive("warm-up rounds", warmupRounds);
            if (examplesPerClient < batch) {
                throw new IllegalArgumentException(
                        "examples per client (" + examplesPerClient + ") must be at least one batch (" + batch + ")");
            }
        }

        public static Options defaults() {
            return new Options("fedavg_cnn", "spark:local[2]", 2, 16, 64, 16, 10, 12, 1);
        }

        private static void positive(String name, int v) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, got " + v);
            }
        }
    }

    /** The measurement: median round seconds on each runtime. */
    public record Result(double localSeconds, double otherSeconds, double localCpuSeconds, double otherCpuSeconds) {
        /** local round time / other round time (1 = no overhead). */
        public double efficiency() {
            return localSeconds / otherSeconds;
        }
    }

    public static Result run(PrintStream out, Options o) {
        ModelSpec spec = BenchModels.byName(o.model());
        out.printf(
                Locale.ROOT,
                "bench spark: FedAvg %s, %d clients x %d examples (batch %d), %d warm-up and %d timed rounds; local"
                        + " runtime with %d workers vs %s%n",
                o.model(),
                o.clients(),
                o.examplesPerClient(),
                o.batch(),
                o.warmupRounds(),
                o.rounds(),
                o.workers(),
                o.runtime());
        List<String> ids = new ArrayList<>();
        List<Value> data = new ArrayList<>();
        for (int c = 0; c < o.clients(); c++) {
            ids.add("client" + c);
            List<Struct> batches =
                    SyntheticBatches.of(spec, o.batch(), o.examplesPerClient() / o.batch(), Seeds.derive(o.seed(), c));
            data.add(ListSequence.of(spec.inputSpec(), batches));
        }
        ClientValues clientData = ClientValues.of(ids, data);
        LearningProcess process = FedAvg.builder(spec)
                .setClientOptimizer(Sgd.of(0.02f))
                .optSeed(o.seed())
                .build();

        List<Double> local = new ArrayList<>();
        List<Double> other = new ArrayList<>();
        List<Double> localCpu = new ArrayList<>();
        List<Double> otherCpu = new ArrayList<>();
        Value localState;
        Value otherState;
        try (LocalRuntime localRt =
                        LocalRuntime.builder().optWorkers(o.workers()).build();
                FederatedRuntime otherRt = RuntimeSpecs.open(o.runtime(), o.workers())) {
            // warm-up rounds, then the timed rounds alternate between the runtimes, so that the other sessions' load
            // on a shared machine weighs on both alike
            localState = process.initialize(localRt);
            otherState = process.initialize(otherRt);
            for (int r = 0; r < o.warmupRounds(); r++) {
                localState = process.next(localRt, localState, clientData).state();
                otherState = process.next(otherRt, otherState, clientData).state();
            }
            for (int r = 0; r < o.rounds(); r++) {
                localState = timedRound(localRt, process, localState, clientData, local, localCpu);
                otherState = timedRound(otherRt, process, otherState, clientData, other, otherCpu);
            }
        }
        out.printf(Locale.ROOT, "local  rounds %s s (process CPU %s s)%n", format(local), format(localCpu));
        out.printf(Locale.ROOT, "%s rounds %s s (process CPU %s s)%n", o.runtime(), format(other), format(otherCpu));
        if (!process.getModelWeights(localState).equals(process.getModelWeights(otherState))) {
            throw new IllegalStateException("the model after " + (o.rounds() + o.warmupRounds()) + " rounds on "
                    + o.runtime() + " differs from the local runtime's: the runtimes disagree");
        }
        Result r = new Result(median(local), median(other), median(localCpu), median(otherCpu));
        out.printf(
                Locale.ROOT,
                "round time: local %.3f s, %s %.3f s (medians); efficiency local/%s = %.3f;"
                        + " process CPU per round: local %.3f s, %s %.3f s (medians, ratio %.3f);"
                        + " final models bitwise equal%n",
                r.localSeconds(),
                o.runtime(),
                r.otherSeconds(),
                o.runtime(),
                r.efficiency(),
                r.localCpuSeconds(),
                o.runtime(),
                r.otherCpuSeconds(),
                r.localCpuSeconds() / r.otherCpuSeconds());
        return r;
    }

    private static Value timedRound(
            FederatedRuntime rt,
            LearningProcess process,
            Value state,
            ClientValues data,
            List<Double> seconds,
            List<Double> cpuSeconds) {
        long cpu = processCpuNanos();
        long start = System.nanoTime();
        Value next = process.next(rt, state, data).state();
        seconds.add((System.nanoTime() - start) / 1e9);
        cpuSeconds.add((processCpuNanos() - cpu) / 1e9);
        return next;
    }

    /** CPU time of this JVM's process, every thread (TensorFlow's native ones too). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String format(List<Double> seconds) {
        StringBuilder b = new StringBuilder();
        for (double s : seconds) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", s));
        }
        return b.toString();
    }
}
