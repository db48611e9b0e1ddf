package dev.fl4j.core.runtime;

import dev.fl4j.core.computation.WorkerResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed pool of worker threads, each with its own resource cache that lives until the pool closes.
 * {@link #runOrdered} runs one task per index and folds the results in index order as they finish,
 * in bounded memory (what the runtime uses); {@link #runAll} runs one task per index and returns all
 * results by index. Either way what the caller sees never depends on scheduling.
 *
 * <p>A worker's resources (an engine session holding native memory, say) are closed by that worker's
 * own thread as it exits, after its last task has returned, so they are never freed under running
 * work: not when the caller was interrupted or gave up on a round, nor when {@link #close} stops
 * waiting for a worker stuck in a call that ignores interrupts.
 */
final class WorkerPool implements AutoCloseable {

    /** A task for one index, told which worker runs it. */
    @FunctionalInterface
    public interface Task<T> {
        T run(int index, int workerIndex, WorkerResources resources) throws Exception;
    }

    /** Starts index {@code index}'s asynchronous work, on the calling thread; must not wait for it. */
    @FunctionalInterface
    public interface AsyncStart<S> {
        CompletionStage<S> start(int index) throws Exception;
    }

    /**
     * The rest of index {@code index}'s work once its asynchronous part ended, with {@code value} or
     * the {@code failure} it ended with (null when none), told which worker runs it.
     */
    @FunctionalInterface
    public interface Continuation<S, T> {
        T run(int index, S value, Throwable failure, int workerIndex, WorkerResources resources) throws Exception;
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
        private final AtomicReference<RuntimeException> closeFailure;

        WorkerThread(Runnable r, int workerIndex, String prefix, AtomicReference<RuntimeException> closeFailure) {
            super(r, prefix + workerIndex);
            this.workerIndex = workerIndex;
            this.closeFailure = closeFailure;
            setDaemon(true);
        }

        /** Runs the pool's work loop, then closes this worker's resources on this thread, after its last task. */
        @Override
        public void run() {
            try {
                super.run();
            } finally {
                try {
                    resources.close();
                } catch (RuntimeException e) {
                    closeFailure.compareAndSet(null, e);
                }
            }
        }
    }

    /** How long {@link #close} waits for running work to end, once before and once after interrupting it. */
    static final Duration DEFAULT_CLOSE_WAIT = Duration.ofSeconds(60);

    private final int size;
    private final ExecutorService executor;
    private final List<WorkerThread> threads = new ArrayList<>();
    private final AtomicReference<RuntimeException> closeFailure = new AtomicReference<>();
    private final Duration closeWait;

    public WorkerPool(int size, String namePrefix) {
        this(size, namePrefix, DEFAULT_CLOSE_WAIT);
    }

    WorkerPool(int size, String namePrefix, Duration closeWait) {
        if (size < 1) {
            throw new IllegalArgumentException("a worker pool needs at least one worker, got " + size);
        }
        this.size = size;
        this.closeWait = closeWait;
        AtomicInteger next = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(size, r -> {
            WorkerThread t = new WorkerThread(r, next.getAndIncrement(), namePrefix, closeFailure);
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
     * Runs {@code task} for indices {@code 0..n-1} on the workers and returns the results in index
     * order. Waits for every task; if any failed, throws {@link TaskFailure} for the lowest index.
     */
    public <T> List<T> runAll(int n, Task<T> task) {
        List<Future<T>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final int index = i;
            futures.add(executor.submit(() -> {
                WorkerThread w = (WorkerThread) Thread.currentThread();
                return task.run(index, w.workerIndex, w.resources);
            }));
        }
        List<T> results = new ArrayList<>(n);
        TaskFailure failure = null;
        for (int i = 0; i < n; i++) {
            try {
                results.add(futures.get(i).get());
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = new TaskFailure(i, e.getCause());
                }
                results.add(null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(f -> f.cancel(true));
                throw new IllegalStateException("interrupted while waiting for client work", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /**
     * Runs {@code task} for indices {@code 0..n-1} on the workers and hands each result to {@code sink}
     * in index order as soon as it is its turn, holding at most {@code capacity} results at once (see
     * {@link OrderedFold}); the sink runs on the calling thread, which waits for the round anyway, so
     * folding overlaps the workers' client work instead of taking their time.
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
            fold.foldUntilDone();
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

    /**
     * Like {@link #runOrdered}, for work whose first part completes on its own (a remote client's
     * result): {@code start} starts every index's first part at once, in index order on the calling
     * thread, and no worker waits for it; when index {@code i}'s part ends, {@code rest} runs on a
     * worker with its outcome, and the results fold in index order on the calling thread. Every
     * index is out at once, so the results held ahead of the fold's turn are bounded by what
     * completes the stages, not here; a failure stops the starting of later indices, and the fold
     * returns (throwing {@link TaskFailure} for the lowest failing index) once every started stage has
     * ended and its rest has run. An interrupt cancels the started stages and the queued rests.
     */
    public <S, T> OrderedFold<T> runOrderedAsync(
            int n, AsyncStart<S> start, Continuation<S, T> rest, OrderedFold.Sink<T> sink) {
        OrderedFold<T> fold = new OrderedFold<>(n, Math.max(1, n), sink);
        List<CompletableFuture<S>> started = new ArrayList<>(n);
        List<Future<?>> rests = Collections.synchronizedList(new ArrayList<>(n));
        try {
            for (int i = 0; i < n && fold.awaitStart(i); i++) {
                final int index = i;
                CompletableFuture<S> stage;
                try {
                    stage = start.start(index).toCompletableFuture();
                } catch (Exception | Error e) {
                    fold.fail(index, e);
                    continue;
                }
                started.add(stage);
                stage.whenComplete((value, failure) -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause()
                            : failure;
                    try {
                        rests.add(executor.submit(() -> {
                            WorkerThread w = (WorkerThread) Thread.currentThread();
                            try {
                                fold.complete(index, rest.run(index, value, cause, w.workerIndex, w.resources));
                            } catch (Exception | Error e) {
                                fold.fail(index, e);
                            }
                        }));
                    } catch (RuntimeException e) {
                        fold.fail(index, e); // the pool is closing
                    }
                });
            }
            fold.foldUntilDone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.forEach(f -> f.cancel(true));
            synchronized (rests) {
                rests.forEach(f -> f.cancel(true));
            }
            throw new IllegalStateException("interrupted while waiting for client work", e);
        }
        if (fold.failedIndex() < n) {
            throw new TaskFailure(fold.failedIndex(), fold.failure());
        }
        return fold;
    }

    /**
     * Stops the workers and waits until each has exited and closed its resources. A caller that was
     * interrupted (it gave up on a round) has queued work dropped and running work interrupted at
     * once; otherwise running work gets {@code closeWait} to finish before it is interrupted and
     * waited for once more. Waiting ignores interrupts (the caller's interrupt status is kept), since
     * returning early would not make the work stop.
     *
     * @throws IllegalStateException if a worker is still running work after both waits (its
     *     resources stay open until it returns, then it closes them), or if closing a worker's
     *     resources failed
     */
    @Override
    public void close() {
        boolean interrupted = Thread.interrupted();
        if (interrupted) {
            executor.shutdownNow();
        } else {
            executor.shutdown();
        }
        List<WorkerThread> all;
        synchronized (threads) {
            all = new ArrayList<>(threads);
        }
        interrupted |= awaitExit(all);
        long running = all.stream().filter(Thread::isAlive).count();
        if (running > 0) {
            executor.shutdownNow();
            interrupted |= awaitExit(all);
            running = all.stream().filter(Thread::isAlive).count();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (running > 0) {
            throw new IllegalStateException(String.format(
                    java.util.Locale.ROOT,
                    "%d worker%s still running client work %.1f s after close began, even after an interrupt; each "
                            + "closes its own resources"
                            + " (engine sessions) when its work returns",
                    running,
                    running == 1 ? "" : "s",
                    closeWait.toMillis() * 2 / 1000.0));
        }
        RuntimeException failure = closeFailure.getAndSet(null);
        if (failure != null) {
            throw failure;
        }
    }

    /** Waits up to {@code closeWait} for every thread to exit, through interrupts; whether one came. */
    private boolean awaitExit(List<WorkerThread> all) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + closeWait.toNanos();
        for (WorkerThread t : all) {
            while (t.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return interrupted;
                }
                try {
                    t.join(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        return interrupted;
    }
}
