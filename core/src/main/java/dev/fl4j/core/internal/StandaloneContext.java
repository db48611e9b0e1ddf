package dev.fl4j.core.internal;

import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.types.Placement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The context of a local computation called directly, outside any runtime: resources live for the call. */
public final class StandaloneContext implements ClientContext, AutoCloseable {

    private final WorkerResources resources = new WorkerResources();

    @Override
    public Placement placement() {
        return Placement.SERVER;
    }

    @Override
    public int clientIndex() {
        return -1;
    }

    @Override
    public String clientId() {
        return null;
    }

    @Override
    public int workerIndex() {
        return 0;
    }

    @Override
    public <T> T workerResource(Object key, Supplier<T> factory) {
        return resources.get(key, factory);
    }

    @Override
    public Optional<Value> clientState(String key) {
        throw noClient();
    }

    @Override
    public void setClientState(String key, Value state) {
        throw noClient();
    }

    private static IllegalStateException noClient() {
        return new IllegalStateException(
                "client state exists only for client work run by a federated runtime (federated_map over CLIENTS),"
                        + " not for a local computation called directly");
    }

    @Override
    public void close() {
        resources.close();
    }

    /** A per-worker cache of resources, closed in reverse order of creation. */
    public static final class WorkerResources implements AutoCloseable {
        private final Map<Object, Object> byKey = new LinkedHashMap<>();

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
}
