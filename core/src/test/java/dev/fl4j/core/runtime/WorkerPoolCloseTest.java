package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerPoolCloseTest {

    /**
     * A worker still inside client work when close gives up waiting keeps its resources: close
     * says so, and the worker closes them itself once its work returns.
     */
    @Test
    void closeThatTimesOutLeavesAStillRunningWorkersResourcesToThatWorker() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch resourceClosed = new CountDownLatch(1);
        AtomicBoolean inUse = new AtomicBoolean();
        AtomicBoolean closedWhileInUse = new AtomicBoolean();
        AtomicInteger closes = new AtomicInteger();
        WorkerPool pool = new WorkerPool(1, "test-worker-", Duration.ofMillis(100));
        Thread caller = new Thread(() -> {
            try {
                pool.runAll(1, (i, worker, resources) -> {
                    resources.get("session", () -> (AutoCloseable) () -> {
                        closes.incrementAndGet();
                        closedWhileInUse.set(inUse.get());
                        resourceClosed.countDown();
                    });
                    inUse.set(true);
                    started.countDown();
                    while (release.getCount() > 0) {
                        try {
                            release.await();
                        } catch (InterruptedException ignored) {
                            // as a native engine call, the work does not stop when interrupted
                        }
                    }
                    inUse.set(false);
                    return null;
                });
            } catch (RuntimeException expected) {
                // the worker is interrupted by close; its failure is the caller's to see
            }
        });
        caller.setDaemon(true);
        caller.start();
        started.await();
        IllegalStateException e = assertThrows(IllegalStateException.class, pool::close);
        assertTrue(e.getMessage().contains("1 worker still running"), e.getMessage());
        assertEquals(0, closes.get(), "close freed a resource that running client work holds");
        release.countDown();
        assertTrue(
                resourceClosed.await(10, TimeUnit.SECONDS), "the worker closes its own resources when its work ends");
        assertEquals(1, closes.get());
        assertFalse(closedWhileInUse.get());
    }

    @Test
    void closeOfAnIdlePoolClosesEveryWorkersResourcesBeforeReturning() {
        AtomicInteger closes = new AtomicInteger();
        WorkerPool pool = new WorkerPool(3, "test-worker-");
        pool.runAll(
                9, (i, worker, resources) -> resources.get("session", () -> (AutoCloseable) closes::incrementAndGet));
        pool.close();
        assertTrue(closes.get() >= 1 && closes.get() <= 3, "one resource per worker that ran, got " + closes.get());
    }
}
