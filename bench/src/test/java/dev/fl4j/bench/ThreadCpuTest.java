package dev.fl4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void groupsThreadsByTheNamesTheKernelKnows() {
        assertEquals(ThreadCpu.Group.WORK, ThreadCpu.Group.of("java"));
        assertEquals(ThreadCpu.Group.WORK, ThreadCpu.Group.of("fl4j-worker-1"));
        assertEquals(ThreadCpu.Group.WORK, ThreadCpu.Group.of(ThreadCpu.LOCAL_ROUNDS_THREAD));
        assertTrue(ThreadCpu.LOCAL_ROUNDS_THREAD.length() <= 15, "the kernel keeps 15 bytes of a thread's name");
        assertEquals(ThreadCpu.Group.GRPC, ThreadCpu.Group.of("grpc-default-wo"));
        assertEquals(ThreadCpu.Group.GRPC, ThreadCpu.Group.of("fl4j-fleet-3"));
        assertEquals(ThreadCpu.Group.GRPC, ThreadCpu.Group.of("fl4j-heartbeat-"));
        assertEquals(ThreadCpu.Group.JIT, ThreadCpu.Group.of("C2 CompilerThre"));
        assertEquals(ThreadCpu.Group.JIT, ThreadCpu.Group.of("C1 CompilerThre"));
        assertEquals(ThreadCpu.Group.GC, ThreadCpu.Group.of("GC Thread#0"));
        assertEquals(ThreadCpu.Group.GC, ThreadCpu.Group.of("G1 Conc#0"));
        assertEquals(ThreadCpu.Group.OTHER, ThreadCpu.Group.of("VM Thread"));
    }

    @Test
    void chargesTheCpuOfABusyThreadToItsGroupAndOfAnEndedOneToOther() throws InterruptedException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux's /proc");
        long self = ProcessHandle.current().pid();
        ThreadCpu before = ThreadCpu.of(self);
        CountDownLatch spun = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // a thread named as a runtime worker spins for 300 ms of its own CPU time, then waits
        Thread busy = new Thread(
                () -> {
                    spin(300_000_000L);
                    spun.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "fl4j-worker-test");
        busy.start();
        spun.await();
        Thread.sleep(50); // the kernel's per-thread counters lag by up to a clock tick
        ThreadCpu during = ThreadCpu.of(self);
        String comm = "fl4j-worker-tes"; // the kernel keeps 15 bytes of a thread's name
        assertTrue(hasTask(comm), "the busy thread is in /proc/self/task under its kernel name");
        release.countDown();
        busy.join();
        awaitTaskGone(comm); // join returns before the kernel has reaped the native thread
        Map<ThreadCpu.Group, Double> d = during.since(before);
        assertTrue(d.get(ThreadCpu.Group.WORK) >= 0.25, "the worker's CPU is work: " + d);
        Map<ThreadCpu.Group, Double> after = ThreadCpu.of(self).since(before);
        assertTrue(after.get(ThreadCpu.Group.OTHER) >= 0.25, "an ended thread's CPU is other: " + after);
    }

    /** Waits (at most 10 s) until no thread of this process has the kernel name {@code comm}. */
    private static void awaitTaskGone(String comm) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end && hasTask(comm)) {
            Thread.sleep(10);
        }
    }

    private static boolean hasTask(String comm) {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.anyMatch(t -> {
                try {
                    return Files.readString(t.resolve("comm")).strip().equals(comm);
                } catch (java.io.IOException gone) {
                    return false;
                }
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void spin(long cpuNanos) {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        long until = bean.getCurrentThreadCpuTime() + cpuNanos;
        double x = 0;
        while (bean.getCurrentThreadCpuTime() < until) {
            x += Math.sqrt(x + 1);
        }
        if (x < 0) {
            throw new AssertionError();
        }
    }

    @Test
    void anUnreadableProcessGivesNaN() {
        ThreadCpu gone = ThreadCpu.of(Long.MAX_VALUE);
        Map<ThreadCpu.Group, Double> d = gone.since(gone);
        assertTrue(d.values().stream().allMatch(v -> v.isNaN()), d.toString());
    }
}
