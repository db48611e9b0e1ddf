package dev.fl4j.deploy.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The clients the server knows and when each was last heard from (any request counts). A client is
 * alive while it was heard from within the liveness window or has a pull open (a parked long poll,
 * cancelled by gRPC if its connection drops); rounds sample from the live ones, in
 * {@link NaturalOrder} of their ids so the population's order does not depend on who connected
 * first.
 */
final class ClientRegistry {

    private final Map<String, Long> lastSeen = new HashMap<>();
    private final Set<String> told = new HashSet<>();
    private final Map<String, Integer> openPolls = new HashMap<>();
    private final long windowNanos;
    private final ServerStore store;

    ClientRegistry(long windowMillis, ServerStore store) {
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
        this.store = store;
        if (store != null) {
            for (String id : store.clients()) {
                lastSeen.put(id, Long.MIN_VALUE);
            }
        }
    }

    synchronized void register(String clientId) {
        boolean fresh = !lastSeen.containsKey(clientId) || lastSeen.get(clientId) == Long.MIN_VALUE;
        lastSeen.put(clientId, System.nanoTime());
        if (fresh && store != null) {
            store.registerClient(clientId);
        }
        notifyAll();
    }

    /** Records that {@code clientId} was heard from; false if it never registered. */
    synchronized boolean seen(String clientId) {
        Long was = lastSeen.get(clientId);
        if (was == null || was == Long.MIN_VALUE) {
            return false;
        }
        lastSeen.put(clientId, System.nanoTime());
        return true;
    }

    /** {@code clientId} has a pull open: it counts as alive until {@link #pollClosed}. */
    synchronized void pollOpened(String clientId) {
        openPolls.merge(clientId, 1, Integer::sum);
        seen(clientId);
    }

    /**
     * One of {@code clientId}'s open pulls ended: answered (its client was alive until now) or
     * cancelled ({@code answered} false: the client went away or gave up).
     */
    synchronized void pollClosed(String clientId, boolean answered) {
        openPolls.computeIfPresent(clientId, (k, n) -> n == 1 ? null : n - 1);
        if (answered) {
            seen(clientId);
        }
    }

    synchronized boolean isRegistered(String clientId) {
        Long was = lastSeen.get(clientId);
        return was != null && was != Long.MIN_VALUE;
    }

    /** Records that {@code clientId} was told the run has finished. */
    synchronized void toldFinished(String clientId) {
        told.add(clientId);
        notifyAll();
    }

    /**
     * Waits until every live client was told the run has finished (so none is left retrying a closed
     * server), or {@code timeoutMillis} passed; returns whether all were.
     */
    synchronized boolean awaitAllToldFinished(long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!told.containsAll(alive())) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
        return true;
    }

    /** The live clients, in natural order of their ids. */
    synchronized List<String> alive() {
        long now = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (Map.Entry<String, Long> e : lastSeen.entrySet()) {
            if (e.getValue() != Long.MIN_VALUE
                    && (now - e.getValue() <= windowNanos || openPolls.containsKey(e.getKey()))) {
                ids.add(e.getKey());
            }
        }
        ids.sort(NaturalOrder.INSTANCE);
        return ids;
    }

    /** Waits until at least {@code n} clients are alive or {@code timeoutMillis} passed; returns them. */
    synchronized List<String> awaitAlive(int n, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        List<String> ids = alive();
        while (ids.size() < n) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            ids = alive();
        }
        return ids;
    }
}
