package dev.fl4j.core.computation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A per-worker cache of resources, closed in reverse order of creation: what backs
 * {@link ClientContext#workerResource} for a runtime's worker (an engine session kept across clients and
 * rounds) and for a local computation called on its own (resources kept for the call). A runtime creates one
 * per worker thread and closes it on that thread after the worker's last task.
 */
public final class WorkerResources implements AutoCloseable {
    private final Map<Object, Object> byKey = new LinkedHashMap<>();

    /**
     * The resource for {@code key}, made by {@code factory} the first time.
     *
     * @throws IllegalStateException if {@code factory} returns null
     */
    public synchronized <T> T get(Object key, Supplier<T> factory) {
        @SuppressWarnings("unchecked")
        T existing = (T) byKey.get(key);
        if (existing != null) {
            return existing;
        }
        T made = factory.get();
        if (made == null) {
            throw new IllegalStateException("resource factory for " + key + " returned null");
        }
        byKey.put(key, made);
        return made;
    }

    /**
     * Closes every {@link AutoCloseable} resource, newest first, and forgets them all.
     *
     * @throws IllegalStateException wrapping the first failure, after trying every resource
     */
    @Override
    public synchronized void close() {
        RuntimeException first = null;
        Object[] values = byKey.values().toArray();
        byKey.clear();
        for (int i = values.length - 1; i >= 0; i--) {
            if (values[i] instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    if (first == null) {
                        first = new IllegalStateException("closing a worker resource failed", e);
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
