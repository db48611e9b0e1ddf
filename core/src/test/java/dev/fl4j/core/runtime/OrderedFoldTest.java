package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** {@link OrderedFold} on a real {@link WorkerPool}: order, bounded memory, back-pressure, failures. */
class OrderedFoldTest {

    /** A result that counts itself live from when its client produces it until the fold drops it. */
    private static final class Counted {
        final int index;

        Counted(int index, AtomicInteger live, AtomicInteger peak) {
            this.index = index;
            peak.accumulateAndGet(live.incrementAndGet(), Math::max);
        }
    }

    /** Deterministic, uneven work: some clients take 40 times longer than others. */
    private static void work(int index) {
        LockSupport.parkNanos(((index * 7919L) % 40 + 1) * 50_000L);
    }

    @Test
    void foldsInClientOrderAndHoldsAtMostCapacityResultsWhoeverFinishesFirst() {
        for (int workers = 1; workers <= 3; workers++) {
            try (WorkerPool pool = new WorkerPool(workers, "fold-test-")) {
                int n = 300;
                int capacity = 2 * workers;
                AtomicInteger live = new AtomicInteger();
                AtomicInteger peak = new AtomicInteger();
                List<Integer> folded = Collections.synchronizedList(new ArrayList<>());
                OrderedFold<Counted> fold = pool.runOrdered(
                        n,
                        capacity,
                        (i, w, r) -> {
                            work(i);
                            return new Counted(i, live, peak);
                        },
                        (i, c) -> {
                            assertEquals(i, c.index);
                            folded.add(i);
                            live.decrementAndGet();
                        });
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    expected.add(i);
                }
                assertEquals(expected, folded, workers + " workers");
                assertEquals(0, live.get());
                assertTrue(
                        peak.get() <= capacity,
                        workers + " workers held " + peak.get() + " results at once, capacity " + capacity);
                assertTrue(fold.peakInFlight() <= capacity);
                assertEquals(n, fold.folded());
            }
        }
    }

    @Test
    void theThreadWaitingForTheRoundFoldsSoWorkersOnlyRunClients() {
        try (WorkerPool pool = new WorkerPool(2, "fold-test-")) {
            Thread caller = Thread.currentThread();
            List<Thread> folders = Collections.synchronizedList(new ArrayList<>());
            pool.runOrdered(
                    40,
                    4,
                    (i, w, r) -> {
                        work(i);
                        return i;
                    },
                    (i, result) -> folders.add(Thread.currentThread()));
            assertEquals(40, folders.size());
            assertTrue(folders.stream().allMatch(t -> t == caller), "every result is folded on the calling thread");
        }
    }

    @Test
    void workersDoNotStartClientsBeyondTheCapacityWhileTheNextToFoldIsRunning() throws Exception {
        try (WorkerPool pool = new WorkerPool(3, "fold-test-")) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger started = new AtomicInteger();
            AtomicInteger highest = new AtomicInteger(-1);
            Thread round = new Thread(() -> pool.runOrdered(
                    50,
                    4,
                    (i, w, r) -> {
                        started.incrementAndGet();
                        highest.accumulateAndGet(i, Math::max);
                        if (i == 0) {
                            release.await();
                        }
                        return i;
                    },
                    (i, x) -> {}));
            round.start();
            // clients 1..3 finish at once and wait for client 0; nothing else may start until it is folded
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (started.get() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(200);
            assertEquals(4, started.get(), "clients started while client 0 holds the fold back");
            assertEquals(3, highest.get());
            release.countDown();
            round.join(10_000);
            assertEquals(50, started.get());
        }
    }

    @Test
    void aFailingClientStopsTheFoldThereAndIsReportedByIndex() {
        try (WorkerPool pool = new WorkerPool(3, "fold-test-")) {
            List<Integer> folded = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger maxStarted = new AtomicInteger(-1);
            IllegalStateException boom = new IllegalStateException("client 17 broke");
            WorkerPool.TaskFailure f = assertThrows(
                    WorkerPool.TaskFailure.class,
                    () -> pool.runOrdered(
                            200,
                            6,
                            (i, w, r) -> {
                                maxStarted.accumulateAndGet(i, Math::max);
                                work(i);
                                if (i == 17) {
                                    throw boom;
                                }
                                return i;
                            },
                            (i, x) -> folded.add(i)));
            assertEquals(17, f.index());
            assertSame(boom, f.getCause());
            assertEquals(17, folded.size());
            assertEquals(16, folded.get(16));
            assertTrue(maxStarted.get() < 17 + 6, "started client " + maxStarted.get() + " after client 17 failed");
        }
    }

    @Test
    void theLowestFailingClientIsReportedWhicheverFailsFirst() {
        try (WorkerPool pool = new WorkerPool(3, "fold-test-")) {
            WorkerPool.TaskFailure f = assertThrows(
                    WorkerPool.TaskFailure.class,
                    () -> pool.runOrdered(
                            20,
                            8,
                            (i, w, r) -> {
                                if (i == 2) {
                                    LockSupport.parkNanos(100_000_000L);
                                    throw new IllegalArgumentException("slow failure of 2");
                                }
                                if (i == 4) {
                                    throw new IllegalArgumentException("fast failure of 4");
                                }
                                return i;
                            },
                            (i, x) -> {}));
            assertEquals(2, f.index());
            assertEquals("slow failure of 2", f.getCause().getMessage());
        }
    }

    @Test
    void aFailingFoldStopsAtItsClient() {
        try (WorkerPool pool = new WorkerPool(2, "fold-test-")) {
            List<Integer> folded = new ArrayList<>();
            WorkerPool.TaskFailure f = assertThrows(
                    WorkerPool.TaskFailure.class,
                    () -> pool.runOrdered(30, 4, (i, w, r) -> i, (i, x) -> {
                        if (i == 9) {
                            throw new ArithmeticException("fold of 9");
                        }
                        folded.add(i);
                    }));
            assertEquals(9, f.index());
            assertEquals(9, folded.size());
        }
    }

    @Test
    void rejectsNonsenseSizes() {
        assertThrows(IllegalArgumentException.class, () -> new OrderedFold<Integer>(3, 0, (i, x) -> {}));
        assertThrows(IllegalArgumentException.class, () -> new OrderedFold<Integer>(-1, 2, (i, x) -> {}));
        OrderedFold<Integer> fold = new OrderedFold<>(3, 2, (i, x) -> {});
        assertThrows(IndexOutOfBoundsException.class, () -> fold.complete(3, 1));
    }
}
