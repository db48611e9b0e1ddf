package dev.fl4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many cores this process and the rest of the machine used between two moments, so that a
 * benchmark can say whether its figures were taken on a quiet machine. The process's CPU time comes
 * from the JVM (all threads, native ones included); the machine's from {@code /proc/stat} where it
 * exists (Linux), otherwise the machine figure is unknown (NaN).
 */
final class CpuUsage {

    private static final Path PROC_STAT = Path.of("/proc/stat");

    private final long wallNanos;
    private final long processNanos;
    private final long machineBusyTicks;
    private final long machineTotalTicks;

    private CpuUsage(long wallNanos, long processNanos, long machineBusyTicks, long machineTotalTicks) {
        this.wallNanos = wallNanos;
        this.processNanos = processNanos;
        this.machineBusyTicks = machineBusyTicks;
        this.machineTotalTicks = machineTotalTicks;
    }

    static CpuUsage now() {
        long[] machine = machineTicks();
        return new CpuUsage(System.nanoTime(), processCpuNanos(), machine[0], machine[1]);
    }

    /** CPU seconds this process used since {@code earlier}. */
    double processSecondsSince(CpuUsage earlier) {
        return (processNanos - earlier.processNanos) / 1e9;
    }

    /** Wall seconds since {@code earlier}. */
    double wallSecondsSince(CpuUsage earlier) {
        return (wallNanos - earlier.wallNanos) / 1e9;
    }

    /** Cores this process used since {@code earlier} (CPU time over wall time). */
    double processCoresSince(CpuUsage earlier) {
        return (processNanos - earlier.processNanos) / (double) (wallNanos - earlier.wallNanos);
    }

    /** Cores the whole machine was busy since {@code earlier}, or NaN if unknown. */
    double machineCoresSince(CpuUsage earlier) {
        long total = machineTotalTicks - earlier.machineTotalTicks;
        if (machineTotalTicks < 0 || earlier.machineTotalTicks < 0 || total <= 0) {
            return Double.NaN;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        return cores * (machineBusyTicks - earlier.machineBusyTicks) / (double) total;
    }

    /** Cores used by everything but this process since {@code earlier} (never below 0), or NaN. */
    double otherCoresSince(CpuUsage earlier) {
        return Math.max(0, machineCoresSince(earlier) - processCoresSince(earlier));
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** {@code {busy, total}} jiffies of all CPUs from the first line of /proc/stat; {@code {-1, -1}} if unreadable. */
    private static long[] machineTicks() {
        try {
            String line = Files.readAllLines(PROC_STAT).get(0);
            String[] f = line.trim().split("\\s+");
            if (!f[0].equals("cpu")) {
                return new long[] {-1, -1};
            }
            long total = 0;
            long idle = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v;
                }
            }
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }
}
