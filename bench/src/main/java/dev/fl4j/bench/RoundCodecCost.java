package dev.fl4j.bench;

import dev.fl4j.compression.ValueEncoder;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ClientTrainingResult;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.simulation.data.Dataset;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;

/**
 * What the codecs of one round cost next to a client's training, call by call, in CPU time. The four
 * calls split between the two ends of a round: the server encodes the broadcast once a round, for all
 * {@code clientsPerRound} clients, and decodes each update; a client decodes the broadcast and encodes
 * its update. So a client pays {@link #clientShare()} of its training time, the server
 * {@link #serverShare()} per client it hears from, and the round as a whole {@link #allShare()} of its
 * clients' training.
 *
 * <p>Measured by {@link #measure}: rounds alternate a client's training with the four codec calls on
 * its real update, so a load that drifts on a shared machine weighs on both alike; every figure is
 * the median over the timed rounds. CPU time, unlike wall time, does not grow while other processes
 * hold the cores. A codec call runs on the calling thread and is timed by that thread's CPU clock
 * (nanosecond resolution; the garbage collector's threads are not counted); the training runs on the
 * engine's threads too and is timed by the process's CPU time (every thread, from
 * {@code /proc/self/task}, which a running thread updates at the scheduler's ticks: a few
 * milliseconds either way on a training of a hundred or more). {@link #trainWallMillis} is the
 * training's wall time, for comparison.
 *
 * @param trainMillis a client's training, process CPU milliseconds (every thread)
 * @param trainWallMillis the same training, wall milliseconds
 * @param broadcastEncodeMillis the server's encode of the broadcast (0 for a plain broadcast)
 * @param broadcastDecodeMillis a client's decode of the broadcast (0 for a plain broadcast)
 * @param updateEncodeMillis a client's encode of its update (0 for a plain aggregation)
 * @param updateDecodeMillis the server's decode of one update (0 for a plain aggregation); an upper
 *     bound where the decoder commutes with the sum and a runtime decodes the sum once a round
 * @param clientsPerRound the clients one broadcast encode serves (at least 1)
 */
public record RoundCodecCost(
        double trainMillis,
        double trainWallMillis,
        double broadcastEncodeMillis,
        double broadcastDecodeMillis,
        double updateEncodeMillis,
        double updateDecodeMillis,
        int clientsPerRound) {

    public RoundCodecCost {
        if (clientsPerRound < 1) {
            throw new IllegalArgumentException("clients per round must be at least 1, got " + clientsPerRound);
        }
    }

    /** Rounds run untimed first, so the JIT has compiled the codecs and the engine its graph (steady state). */
    static final int WARMUP_ROUNDS = 6;

    /** Rounds timed; the figures are their medians. */
    static final int TIMED_ROUNDS = 15;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** A client's codec calls (broadcast decode, update encode) over its training time. */
    public double clientShare() {
        return (broadcastDecodeMillis + updateEncodeMillis) / trainMillis;
    }

    /**
     * The server's codec calls per client over a client's training time: its update decode, and its share of the
     * broadcast encode it makes once for the round's clients.
     */
    public double serverShare() {
        return (broadcastEncodeMillis / clientsPerRound + updateDecodeMillis) / trainMillis;
    }

    /**
     * All four calls (both directions, both ends) over the clients' training: the round's codec CPU (one broadcast
     * encode; per client a broadcast decode, an update encode and an update decode) over its clients' training CPU.
     */
    public double allShare() {
        return clientShare() + serverShare();
    }

    /**
     * Times {@link #TIMED_ROUNDS} rounds after {@link #WARMUP_ROUNDS} untimed ones. Round {@code r} trains
     * {@code clients.get(r % clients.size())} from {@code model} with {@code trainer}, encodes and decodes
     * {@code broadcastModel} with {@code broadcast}, and the client's update (its trainable delta) with
     * {@code aggregation}; a null encoder is a plain direction and costs 0. {@code clientsPerRound} is the
     * clients one broadcast encode serves in the measured setting.
     */
    static RoundCodecCost measure(
            int clientsPerRound,
            ClientTrainer trainer,
            ModelWeights model,
            List<Dataset> clients,
            long seed,
            Struct broadcastModel,
            ValueEncoder broadcast,
            ValueEncoder aggregation) {
        if (clients.isEmpty()) {
            throw new IllegalArgumentException("no client to train");
        }
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot read a thread's CPU time, which the codec timing needs");
        }
        Value broadcastState = broadcast == null ? null : broadcast.initialState(broadcastModel.type());
        Value updateState = null;
        int rounds = WARMUP_ROUNDS + TIMED_ROUNDS;
        double[][] ms = new double[6][TIMED_ROUNDS];
        for (int r = 0; r < rounds; r++) {
            double[] t = new double[6];
            long wall = System.nanoTime();
            long process = processCpuNanos();
            ClientTrainingResult trained = trainer.train(model, clients.get(r % clients.size()), seed);
            t[0] = (processCpuNanos() - process) / 1e6;
            t[1] = (System.nanoTime() - wall) / 1e6;
            Struct update = model.trainableDelta(trained.weights());
            long cpu;
            if (broadcast != null) {
                cpu = THREADS.getCurrentThreadCpuTime();
                Value encoded = broadcast
                        .encode(broadcastModel, seed + r, broadcastState)
                        .value();
                t[2] = millisSince(cpu);
                cpu = THREADS.getCurrentThreadCpuTime();
                broadcast.decode(encoded, broadcastModel.type());
                t[3] = millisSince(cpu);
            }
            if (aggregation != null) {
                if (updateState == null) {
                    updateState = aggregation.initialState(update.type());
                }
                cpu = THREADS.getCurrentThreadCpuTime();
                ValueEncoder.Encoding e = aggregation.encode(update, seed + r, updateState);
                t[4] = millisSince(cpu);
                updateState = e.state();
                cpu = THREADS.getCurrentThreadCpuTime();
                aggregation.decode(e.value(), update.type());
                t[5] = millisSince(cpu);
            }
            if (r >= WARMUP_ROUNDS) {
                for (int k = 0; k < t.length; k++) {
                    ms[k][r - WARMUP_ROUNDS] = t[k];
                }
            }
        }
        return new RoundCodecCost(
                median(ms[0]),
                median(ms[1]),
                median(ms[2]),
                median(ms[3]),
                median(ms[4]),
                median(ms[5]),
                clientsPerRound);
    }

    private static double millisSince(long threadCpuNanos) {
        return (THREADS.getCurrentThreadCpuTime() - threadCpuNanos) / 1e6;
    }

    private static long processCpuNanos() {
        long nanos = ProcessCpu.selfNanos();
        if (nanos < 0) {
            throw new IllegalStateException(
                    "cannot read this process's CPU time from /proc/self/task (Linux only), which the timing needs");
        }
        return nanos;
    }

    /** The median of {@code v} (the mean of the middle two for an even length). */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
