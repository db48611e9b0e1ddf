package dev.fl4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The CPU time child processes have used so far, from Linux's {@code /proc/PID/stat} ({@code utime}
 * and {@code stime}, in clock ticks of {@code getconf CLK_TCK}); NaN where it cannot be read.
 */
final class ProcessCpu {

    private static final double TICKS_PER_SECOND = ticksPerSecond();

    private ProcessCpu() {}

    /** User plus system CPU seconds of {@code processes} so far, summed; NaN if any is unreadable. */
    static double seconds(List<Process> processes) {
        double sum = 0;
        for (Process p : processes) {
            sum += seconds(p.pid());
        }
        return sum;
    }

    /** User plus system CPU seconds of process {@code pid} so far, or NaN. */
    static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // the command name (field 2) is in parentheses and may hold spaces: count fields after its end
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 (utime) and 15 (stime) of the whole line are 11 and 12 after the name
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * CPU nanoseconds all threads of this process have used so far (native ones too, such as TensorFlow's): the sum of
     * the first field of Linux's {@code /proc/self/task/TID/schedstat}; -1 where it cannot be read. Unlike wall time,
     * it does not grow while other processes hold the cores.
     */
    static long selfNanos() {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            long sum = 0;
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("schedstat"), StandardCharsets.US_ASCII);
                    sum += Long.parseLong(stat.substring(0, stat.indexOf(' ')));
                } catch (NoSuchFileException e) {
                    // the thread ended between the listing and the read
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The process CPU milliseconds per run of {@code runs} runs of {@code work}, less the cost of reading the counters
     * (the cheapest of three empty readings); NaN where the counters cannot be read.
     */
    static double millisPerRun(int runs, Runnable work) {
        long overhead = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long a = selfNanos();
            long b = selfNanos();
            overhead = Math.min(overhead, b - a);
        }
        long start = selfNanos();
        for (int i = 0; i < runs; i++) {
            work.run();
        }
        long end = selfNanos();
        if (start < 0 || end < 0) {
            return Double.NaN;
        }
        return Math.max(0, end - start - overhead) / 1e6 / runs;
    }

    static double ticksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Double.parseDouble(out);
            }
        } catch (IOException | RuntimeException e) {
            // the usual value below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
