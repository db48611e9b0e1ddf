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
 * whose resources (an engine's trainer) live until the client stops, and this client's own client
 * state ({@link ClientStates}): a task reads the snapshot of the round the server names, writes each
 * key at most once, and its writes become the snapshot of its round only when it succeeds.
 */
final class TaskContext implements ClientContext, AutoCloseable {

    private final String clientId;
    private final Map<Object, Object> resources = new LinkedHashMap<>();
    private final ClientStates states;
    private Map<String, Value> current;
    private final Map<String, Value> writes = new LinkedHashMap<>();
    private int stateRound;

    TaskContext(String clientId, ClientStates states) {
        this.clientId = clientId;
        this.states = states;
    }

    /**
     * Starts a task whose client state is that of round {@code stateRound}; the snapshot is read when
     * the work first reads its state, so stateless work never needs one.
     */
    synchronized void begin(int stateRound) {
        this.current = null;
        this.stateRound = stateRound;
        writes.clear();
    }

    private Map<String, Value> current() {
        if (current == null) {
            current = states.load(stateRound);
        }
        return current;
    }

    /** Keeps the task's writes (over the state it started from) as the state of {@code round}. */
    synchronized void commit(int round) {
        Map<String, Value> base = current != null ? current : states.loadIfPresent(stateRound);
        if (writes.isEmpty() && base.isEmpty()) {
            return;
        }
        Map<String, Value> next = new LinkedHashMap<>(base);
        next.putAll(writes);
        states.save(round, next, stateRound);
        writes.clear();
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
    public synchronized Optional<Value> clientState(String key) {
        return Optional.ofNullable(current().get(key));
    }

    @Override
    public synchronized void setClientState(String key, Value state) {
        if (writes.containsKey(key)) {
            throw new IllegalStateException("client " + clientId + " already wrote client state '" + key
                    + "' in this task; a client writes a key at most once per invocation");
        }
        writes.put(key, java.util.Objects.requireNonNull(state, "state"));
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
