package dev.fl4j.deploy.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The resources of one worker ({@link dev.fl4j.core.computation.ClientContext#workerResource}): each made
 * on first use under its key and kept for later tasks, whichever client runs them, as a simulation's worker
 * keeps its engine session for every client it trains; closed together, the last made first.
 */
final class WorkerResources implements AutoCloseable {

    private final Map<Object, Object> resources = new LinkedHashMap<>();

    /** The resource under {@code key}, made by {@code factory} if there is none yet. */
    synchronized <T> T get(Object key, Supplier<T> factory) {
        @SuppressWarnings("unchecked")
        T existing = (T) resources.get(key);
        if (existing != null) {
            return existing;
        }
        T made = factory.get();
        if (made == null) {
            throw new IllegalStateException("resource factory for " + key + " returned null");
        }
        resources.put(key, made);
        return made;
    }

    /** Closes the {@link AutoCloseable} resources, each even if closing another failed, and forgets them all. */
    @Override
    public synchronized void close() {
        Object[] values = resources.values().toArray();
        resources.clear();
        for (int i = values.length - 1; i >= 0; i--) {
            if (values[i] instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // best effort at shutdown: the next resource is still closed
                }
            }
        }
    }
}
