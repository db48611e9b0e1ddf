package dev.fl4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a process's CPU time goes, by kind of thread: the CPU seconds of each thread of a Linux process
 * ({@code utime + stime} of {@code /proc/PID/task/TID/stat}, in clock ticks), grouped by the thread's name
 * as the kernel knows it (the JVM gives its own and Java threads their names, cut to 15 characters;
 * native threads, such as TensorFlow's, inherit the name of the thread that started them). A snapshot
 * taken before and after some work tells which threads did it: {@link #since}.
 */
final class ThreadCpu {

    /** The thread on which {@code bench deploy} runs the local runtime's round loop (at most 15 characters). */
    static final String LOCAL_ROUNDS_THREAD = "local-rounds";

    /** A kind of thread. */
    enum Group {
        /**
         * The threads running the work: a JVM's main thread (a deployed client's task thread, the local run's
         * round loop, or {@value ThreadCpu#LOCAL_ROUNDS_THREAD} where {@code bench deploy} runs it), the local
         * runtime's workers; TensorFlow runs its session on the calling thread.
         */
        WORK("work"),
        /**
         * The network side: gRPC's and Netty's threads (event loops doing TLS and HTTP/2, executors), the server's
         * service threads (request signatures, pulls and pushes) and a client's heartbeats.
         */
        GRPC("gRPC"),
        /** The JIT compilers. */
        JIT("JIT"),
        /** The garbage collector. */
        GC("GC"),
        /** Every other thread, and the threads that ended between two snapshots. */
        OTHER("other");

        final String label;

        Group(String label) {
            this.label = label;
        }

        static Group of(String name) {
            // the JVM's main thread keeps the launcher's name ("java")
            if (name.equals("java")
                    || name.equals("main")
                    || name.equals(LOCAL_ROUNDS_THREAD)
                    || name.startsWith("fl4j-worker")
                    || name.startsWith("fl4j-client")) {
                return WORK;
            }
            if (name.startsWith("grpc-")
                    || name.contains("netty")
                    || name.contains("EventLoop")
                    || name.startsWith("fl4j-fleet")
                    || name.startsWith("fl4j-poll")
                    || name.startsWith("fl4j-heartbeat")) {
                return GRPC;
            }
            if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") || name.startsWith("Compiler")) {
                return JIT;
            }
            if (name.startsWith("GC ") || name.startsWith("G1 ") || name.startsWith("VM Periodic")) {
                return GC;
            }
            return OTHER;
        }
    }

    private static final double TICKS_PER_SECOND = ProcessCpu.ticksPerSecond();

    /** Clock ticks by thread id, and the process's own total; empty where unreadable. */
    private final Map<Long, Long> ticks;

    private final Map<Long, String> names;
    private final long processTicks;

    private ThreadCpu(Map<Long, Long> ticks, Map<Long, String> names, long processTicks) {
        this.ticks = ticks;
        this.names = names;
        this.processTicks = processTicks;
    }

    /** The CPU ticks of process {@code pid}'s threads now; a snapshot with no threads where unreadable. */
    static ThreadCpu of(long pid) {
        Map<Long, Long> ticks = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        Path proc = Path.of("/proc", Long.toString(pid));
        long total = -1;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                    long tid = Long.parseLong(task.getFileName().toString());
                    names.put(tid, stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
                    ticks.put(tid, ticksOf(stat));
                } catch (NoSuchFileException e) {
                    // the thread ended between the listing and the read
                }
            }
            total = ticksOf(Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return new ThreadCpu(Map.of(), Map.of(), -1);
        }
        return new ThreadCpu(ticks, names, total);
    }

    /** The snapshots of each of {@code processes}. */
    static List<ThreadCpu> of(List<Process> processes) {
        return processes.stream().map(p -> of(p.pid())).toList();
    }

    /**
     * CPU seconds by group from {@code earlier} to this snapshot (of the same process); the process's CPU
     * that no thread living now accounts for (threads that ended) counts as {@link Group#OTHER}. All NaN
     * where either snapshot was unreadable.
     */
    Map<Group, Double> since(ThreadCpu earlier) {
        Map<Group, Double> out = new EnumMap<>(Group.class);
        if (processTicks < 0 || earlier.processTicks < 0) {
            for (Group g : Group.values()) {
                out.put(g, Double.NaN);
            }
            return out;
        }
        for (Group g : Group.values()) {
            out.put(g, 0.0);
        }
        long accounted = 0;
        for (Map.Entry<Long, Long> e : ticks.entrySet()) {
            long d = e.getValue() - earlier.ticks.getOrDefault(e.getKey(), 0L);
            accounted += d;
            out.merge(Group.of(names.get(e.getKey())), d / TICKS_PER_SECOND, Double::sum);
        }
        // a thread that ended took its ticks out of the per-thread sum but not out of the process's
        long ended = (processTicks - earlier.processTicks) - accounted;
        out.merge(Group.OTHER, Math.max(0, ended) / TICKS_PER_SECOND, Double::sum);
        return out;
    }

    /** The sum by group of {@code now.get(i).since(before.get(i))}. */
    static Map<Group, Double> since(List<ThreadCpu> before, List<ThreadCpu> now) {
        Map<Group, Double> sum = new EnumMap<>(Group.class);
        for (Group g : Group.values()) {
            sum.put(g, 0.0);
        }
        for (int i = 0; i < now.size(); i++) {
            now.get(i).since(before.get(i)).forEach((g, s) -> sum.merge(g, s, Double::sum));
        }
        return sum;
    }

    /** {@code work 1.23, gRPC 0.10, JIT 0.40, GC 0.02, other 0.05} of {@code seconds} divided by {@code per}. */
    static String format(Map<Group, Double> seconds, int per) {
        StringBuilder b = new StringBuilder();
        for (Group g : Group.values()) {
            b.append(b.length() == 0 ? "" : ", ")
                    .append(g.label)
                    .append(' ')
                    .append(String.format(Locale.ROOT, "%.2f", seconds.get(g) / per));
        }
        return b.toString();
    }

    /** utime + stime (fields 14 and 15) of a {@code stat} line. */
    private static long ticksOf(String stat) {
        // the name (field 2) is in parentheses and may hold spaces: count fields after its end
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
