package dev.fl4j.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The clients' training-loop passes of a run, each with the thread that ran it, so that a round's
 * time outside the loops can be told apart: a worker's time before its first client of the round
 * (the round's start, the first weights copied in), between its clients (a client's update read out
 * and checked, the next client's weights assigned, scheduling), and after its last client (its last
 * update, waiting for the other workers' last clients, the fold's end and the server update).
 */
final class LoopTimeline {

    private record Pass(long thread, long start, long end) {}

    /**
     * Milliseconds per worker and round outside the training loops: before a worker's first client,
     * between its clients ({@code gaps} of them per worker and round on average), after its last,
     * and whole rounds of workers that ran no client.
     */
    record Outside(double before, double between, double gaps, double after, double idle) {
        double total() {
            return before + between + after + idle;
        }
    }

    private final ConcurrentLinkedQueue<Pass> passes = new ConcurrentLinkedQueue<>();

    /** Records a pass of the calling thread over a client's dataset. */
    void add(long startNanos, long endNanos) {
        passes.add(new Pass(Thread.currentThread().getId(), startNanos, endNanos));
    }

    void clear() {
        passes.clear();
    }

    /** The summed length of the passes. */
    long totalNanos() {
        long sum = 0;
        for (Pass p : passes) {
            sum += p.end - p.start;
        }
        return sum;
    }

    /**
     * How the time outside the loops splits, for rounds given as {@code [startNanos, endNanos]} that
     * ran on {@code workers} workers; passes are assigned to the round they lie in.
     */
    Outside outside(List<long[]> rounds, int workers) {
        double before = 0;
        double between = 0;
        double after = 0;
        double idle = 0;
        long gaps = 0;
        for (long[] round : rounds) {
            Map<Long, List<Pass>> byThread = new HashMap<>();
            for (Pass p : passes) {
                if (p.start >= round[0] && p.end <= round[1]) {
                    byThread.computeIfAbsent(p.thread, t -> new ArrayList<>()).add(p);
                }
            }
            for (List<Pass> own : byThread.values()) {
                own.sort(Comparator.comparingLong(Pass::start));
                before += own.get(0).start - round[0];
                for (int i = 1; i < own.size(); i++) {
                    between += own.get(i).start - own.get(i - 1).end;
                    gaps++;
                }
                after += round[1] - own.get(own.size() - 1).end;
            }
            idle += (double) Math.max(0, workers - byThread.size()) * (round[1] - round[0]);
        }
        double n = (double) rounds.size() * workers;
        return new Outside(before / n / 1e6, between / n / 1e6, gaps / n, after / n / 1e6, idle / n / 1e6);
    }
}
