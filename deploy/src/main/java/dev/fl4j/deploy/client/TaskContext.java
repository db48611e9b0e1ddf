package dev.fl4j.deploy.client;

import dev.fl4j.core.Placement;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.WorkerResources;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What client work sees on a deployed client: its own id, the worker running the task, and this client's own client
 * state ({@link ClientStates}): a task reads the snapshot of the round the server names, writes each
 * key at most once, and its writes become the snapshot of its round only when it succeeds.
 *
 * <p>The worker is the {@linkplain TrainingSlots training slot} the task holds, whose resources (an engine's
 * trainer) the clients taking that slot share, as a simulation's worker shares them among the clients it trains;
 * a client without slots is its own single worker, whose resources live until the client stops.
 */
final class TaskContext implements ClientContext, AutoCloseable {

    private final String clientId;
    private final WorkerResources own = new WorkerResources();
    private WorkerResources worker = own;
    private int workerIndex;
    private final ClientStates states;
    private Map<String, Value> current;
    private final Map<String, Value> writes = new LinkedHashMap<>();
    private int stateRound;

    TaskContext(String clientId, ClientStates states) {
        this.clientId = clientId;
        this.states = states;
    }

    /**
     * Starts a task whose client state is that of round {@code stateRound}, on {@code slot} (null: this client's
     * own worker); the snapshot is read when the work first reads its state, so stateless work never needs one.
     */
    synchronized void begin(int stateRound, TrainingSlots.Slot slot) {
        this.worker = slot == null ? own : slot.resources();
        this.workerIndex = slot == null ? 0 : slot.index();
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
    public synchronized int workerIndex() {
        return workerIndex;
    }

    @Override
    public <T> T workerResource(Object key, Supplier<T> factory) {
        WorkerResources current;
        synchronized (this) {
            current = worker;
        }
        return current.get(key, factory);
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

    /**
     * Closes this client's own worker's resources (a training slot's belong to its {@link TrainingSlots}), best
     * effort: the client is stopping, and a resource that fails to close does not keep the others open.
     */
    @Override
    public void close() {
        try {
            own.close();
        } catch (IllegalStateException e) {
            // every resource was tried; the client stops all the same
        }
    }
}
