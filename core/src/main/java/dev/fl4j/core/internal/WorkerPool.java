package dev.fl4j.core.internal;

import dev.fl4j.core.internal.StandaloneContext.WorkerResources;
import dev.fl4j.core.runtime.OrderedFold;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of worker threads, each with its own resource cache that lives until the pool closes.
 * {@link #runOrdered} runs one task per index and folds the results in index order as they finish,
 * in bounded memory, so what the fold sees never depends on scheduling.
 */
public final class WorkerPool implements AutoCloseable {

    /** A task for one index, told which worker runs it. */
    @FunctionalInterface
    public interface Task<T> {
        T run(int index, int workerIndex, WorkerResources resources) throws Exception;
    }

    /** The failure of the task (or its fold) with the lowest failing index. */
    public static final class TaskFailure extends RuntimeException {
        private final int index;

        TaskFailure(int index, Throwable cause) {
            super(cause);
            this.index = index;
        }

        public int index() {
            return index;
        }
    }

    private static final class WorkerThread extends Thread {
        final int workerIndex;
        final WorkerResources resources = new WorkerResources();

        WorkerThread(Runnable r, int workerIndex, String prefix) {
            super(r, prefix + workerIndex);
            this.workerIndex = workerIndex;
            setDaemon(true);
        }
    }

    private final int size;
    private final ExecutorService executor;
    private final List<WorkerThread> threads = new ArrayList<>();

    public WorkerPool(int size, String namePrefix) {
        if (size < 1) {
            throw new IllegalArgumentException("a worker pool needs at least one worker, got " + size);
        }
        this.size = size;
        AtomicInteger next = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(size, r -> {
            WorkerThread t = new WorkerThread(r, next.getAndIncrement(), namePrefix);
            synchronized (threads) {
                threads.add(t);
            }
            return t;
        });
    }

    public int size() {
        return size;
    }

    /**
     * Runs {@code task} for indices {@code 0..n-1} on the workers and hands each result to {@code sink}
     * in index order as soon as it is its turn, holding at most {@code capacity} results at once (see
     * {@link OrderedFold}); the sink runs on the worker that completed the run of consecutive results.
     * Returns when every result is folded; otherwise throws {@link TaskFailure} for the lowest index
     * whose task or fold failed, after every started task has ended.
     */
    public <T> OrderedFold<T> runOrdered(int n, int capacity, Task<T> task, OrderedFold.Sink<T> sink) {
        OrderedFold<T> fold = new OrderedFold<>(n, capacity, sink);
        List<Future<?>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final int index = i;
            futures.add(executor.submit(() -> {
                try {
                    if (!fold.awaitStart(index)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                WorkerThread w = (WorkerThread) Thread.currentThread();
                T result;
                try {
                    result = task.run(index, w.workerIndex, w.resources);
                } catch (Exception | Error e) {
                    fold.fail(index, e);
                    return;
                }
                fold.complete(index, result);
            }));
        }
        try {
            fold.awaitDone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            futures.forEach(f -> f.cancel(true));
            throw new IllegalStateException("interrupted while waiting for client work", e);
        }
        if (fold.failedIndex() < n) {
            futures.forEach(f -> f.cancel(false));
            throw new TaskFailure(fold.failedIndex(), fold.failure());
        }
        return fold;
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        synchronized (threads) {
            for (WorkerThread t : threads) {
                t.resources.close();
            }
        }
    }
}
