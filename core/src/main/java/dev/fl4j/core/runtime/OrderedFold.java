package dev.fl4j.core.runtime;

import java.util.HashMap;
import java.util.Map;

/**
 * Folds the results of {@code count} client tasks, run in parallel by any number of workers, in
 * client order and in bounded memory: the fold every runtime uses so that a round over N clients
 * holds O(workers × model), not O(N × model), and ends with bitwise the same result whatever the
 * number of workers or the order in which they finish.
 *
 * <h2>How a worker takes part</h2>
 * A worker that means to run client {@code i} first calls {@link #awaitStart(int)}; it returns when
 * fewer than {@code capacity} clients are started and not yet folded ahead of it (back-pressure: a
 * worker does not start a new client while the reorder buffer is full), or returns false when an
 * earlier client has failed and {@code i} need not run. The worker then runs the client and hands in
 * the result with {@link #complete(int, Object)} (or the failure with {@link #fail}). The thread
 * that waits for the round folds: {@link #foldUntilDone()} hands the results to the {@link Sink} in
 * index order and drops each as soon as it is folded, so the fold overlaps the workers' client work
 * instead of taking their time.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>The sink sees indices {@code 0, 1, 2, …} in order, each once, from one thread at a time.</li>
 *   <li>At most {@code capacity} clients are started and not yet folded at any moment (the results
 *       held are a subset of those).</li>
 *   <li>On failure the fold stops at the lowest failing index (a client's task or the sink's fold
 *       of it): lower indices are still run and folded (one of them may fail instead), higher ones
 *       are not started; {@link #foldUntilDone()} returns once every started task has ended, so nothing
 *       is still running when the caller discards the round.</li>
 * </ul>
 * The fold must be fed tasks in index order (a FIFO executor does): the task for the index the fold
 * waits for never waits itself, so back-pressure cannot deadlock.
 *
 * @param <R> what one client's task produces
 */
public final class OrderedFold<R> {

    /** Consumes results in client order; an exception stops the fold at that client. */
    @FunctionalInterface
    public interface Sink<R> {
        void fold(int index, R result) throws Exception;
    }

    private final int count;
    private final int capacity;
    private final Sink<R> sink;
    private final Map<Integer, R> waiting = new HashMap<>();
    private int nextToFold;
    private int started;
    private int ended;
    private int failedAt;
    private Throwable failure;
    private int peakInFlight;
    private int peakWaiting;

    /**
     * @param count the number of clients, indices {@code 0..count-1}
     * @param capacity how many clients may be started and not yet folded at once (at least 1; twice the
     *     number of workers keeps every worker busy while a slow client holds the fold back)
     * @param sink the fold
     */
    public OrderedFold(int count, int capacity, Sink<R> sink) {
        if (count < 0) {
            throw new IllegalArgumentException("client count must be >= 0, got " + count);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("reorder capacity must be >= 1, got " + capacity);
        }
        this.count = count;
        this.capacity = capacity;
        this.sink = java.util.Objects.requireNonNull(sink, "sink");
        this.failedAt = count;
    }

    /**
     * Blocks while client {@code index} is {@code capacity} or more ahead of the next client to fold;
     * true when the caller should run it now, false when an earlier client failed (then it must not).
     */
    public synchronized boolean awaitStart(int index) throws InterruptedException {
        checkIndex(index);
        while (index < failedAt && index - nextToFold >= capacity) {
            wait();
        }
        if (index >= failedAt) {
            return false;
        }
        started++;
        peakInFlight = Math.max(peakInFlight, index - nextToFold + 1);
        return true;
    }

    /** Hands in client {@code index}'s result, to be folded when it is its turn. */
    public synchronized void complete(int index, R result) {
        checkIndex(index);
        ended++;
        if (index < failedAt) {
            waiting.put(index, result);
            peakWaiting = Math.max(peakWaiting, waiting.size());
        }
        notifyAll();
    }

    /** Hands in client {@code index}'s failure: later clients are not started, earlier ones still fold. */
    public synchronized void fail(int index, Throwable cause) {
        checkIndex(index);
        ended++;
        recordFailure(index, cause);
    }

    private void recordFailure(int index, Throwable cause) {
        if (index < failedAt) {
            failedAt = index;
            failure = cause;
            waiting.keySet().removeIf(i -> i >= index);
        }
        notifyAll();
    }

    private boolean nextIsReady() {
        return nextToFold < failedAt && waiting.containsKey(nextToFold);
    }

    private void foldOne(int index, R result) {
        Throwable thrown = null;
        try {
            sink.fold(index, result);
        } catch (Exception | Error e) {
            thrown = e;
        }
        synchronized (this) {
            if (thrown != null) {
                recordFailure(index, thrown);
            } else {
                nextToFold++;
                notifyAll();
            }
        }
    }

    /**
     * Folds on the calling thread until every client is folded, or, after a failure, until every
     * client below it is folded and every started task has ended.
     */
    public void foldUntilDone() throws InterruptedException {
        while (true) {
            int index;
            R result;
            synchronized (this) {
                while (!isDone() && !nextIsReady()) {
                    wait();
                }
                if (isDone()) {
                    return;
                }
                index = nextToFold;
                result = waiting.remove(index);
            }
            foldOne(index, result);
        }
    }

    private boolean isDone() {
        if (ended < started) {
            return false;
        }
        return nextToFold >= failedAt;
    }

    /** The lowest failing client index, or {@code count} when none failed. */
    public synchronized int failedIndex() {
        return failedAt;
    }

    /** The failure of {@link #failedIndex()}, or null. */
    public synchronized Throwable failure() {
        return failure;
    }

    /** How many clients have been folded. */
    public synchronized int folded() {
        return nextToFold;
    }

    /**
     * The widest window, from the next client to fold to the newest client started, seen when a
     * client started: a bound on the clients started and not yet folded at once, never above the
     * capacity.
     */
    public synchronized int peakInFlight() {
        return peakInFlight;
    }

    /** The most finished results that waited for their turn at once. */
    public synchronized int peakWaiting() {
        return peakWaiting;
    }

    public int capacity() {
        return capacity;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("client index " + index + " outside [0, " + count + ")");
        }
    }
}
