package dev.fl4j.deploy.client;

import dev.fl4j.core.Placement;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What client work sees on a deployed client: its own id, one worker (this client's task thread)
 * whose resources (an engine's trainer) live until the client stops, and no cross-round client
 * state, which deployed clients do not keep yet (work that writes it fails, saying so).
 */
final class TaskContext implements ClientContext, AutoCloseable {

    private final String clientId;
    private final Map<Object, Object> resources = new LinkedHashMap<>();

    TaskContext(String clientId) {
        this.clientId = clientId;
    }

    @Override
    public Placement placement() {
        return Placement.CLIENTS;
    }

    @Override
    public int clientIndex() {
        return 0;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public int workerIndex() {
        return 0;
    }

    @Override
    public synchronized <T> T workerResource(Object key, Supplier<T> factory) {
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

    @Override
    public Optional<Value> clientState(String key) {
        return Optional.empty();
    }

    @Override
    public void setClientState(String key, Value state) {
        throw new UnsupportedOperationException("client state '" + key
                + "' is not kept by deployed clients yet;"
                + " stateful client work (error feedback) runs only in simulation");
    }

    /** Closes the resources, newest first, on the thread that ran the tasks. */
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
