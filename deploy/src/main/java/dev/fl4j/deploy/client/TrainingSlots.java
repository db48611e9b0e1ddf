package dev.fl4j.deploy.client;

import dev.fl4j.core.computation.WorkerResources;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Function;

/**
 * How many of the clients sharing a host may run a task's local computation at once, and the engine resources
 * they share. A process that hosts several {@link FederatedClient}s (a silo holding several data owners' shards,
 * or a test bench emulating devices) gives them one {@code TrainingSlots}: each client takes a slot to decode its
 * task, train and encode its result, and gives it back before pushing the result, so receiving and sending
 * overlap with the others' training while the training itself never oversubscribes the cores, as a simulation's
 * workers do. Slots are handed out in the order they were asked for.
 *
 * <p>A slot is a worker in {@link dev.fl4j.core.computation.ClientContext}'s sense: its index is the worker index
 * the task sees, and the worker resources a task makes (an engine's trainer, with its graph and buffers) stay with
 * the slot for the next client that takes it, as a simulation's worker keeps them for every client it trains,
 * instead of one set per client. So the host holds as many trainers as slots, not as clients. Close the slots
 * once the clients sharing them have stopped: that closes those resources.
 *
 * <p>A client without slots (the default) trains as soon as its task arrives, on resources of its own.
 */
public final class TrainingSlots implements AutoCloseable {

    /** One slot: the worker index its tasks see and the resources they share. */
    static final class Slot {
        private final int index;
        private final WorkerResources resources = new WorkerResources();

        private Slot(int index) {
            this.index = index;
        }

        int index() {
            return index;
        }

        WorkerResources resources() {
            return resources;
        }
    }

    private final Slot[] all;
    private final BlockingQueue<Slot> free;

    private TrainingSlots(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("training slots must be at least 1, got " + slots);
        }
        this.all = new Slot[slots];
        this.free = new ArrayBlockingQueue<>(slots, true);
        for (int i = 0; i < slots; i++) {
            all[i] = new Slot(i);
            free.add(all[i]);
        }
    }

    /** {@code slots} tasks training at once. */
    public static TrainingSlots of(int slots) {
        return new TrainingSlots(slots);
    }

    /** One slot per core this JVM may use ({@link Runtime#availableProcessors()}). */
    public static TrainingSlots perCore() {
        return new TrainingSlots(Runtime.getRuntime().availableProcessors());
    }

    /** The number of slots. */
    public int size() {
        return all.length;
    }

    /**
     * Runs {@code work} on a slot, waiting for one first; the slot is free again when {@code work} returns or
     * throws.
     *
     * @throws InterruptedException when interrupted while waiting; {@code work} has not run then
     */
    <T> T run(Function<Slot, T> work) throws InterruptedException {
        Slot slot = free.take();
        try {
            return work.apply(slot);
        } finally {
            free.add(slot);
        }
    }

    /**
     * Closes every slot's worker resources; call it after the clients sharing the slots have stopped.
     *
     * @throws IllegalStateException wrapping the first failure to close a resource, after trying them all
     */
    @Override
    public void close() {
        IllegalStateException first = null;
        for (Slot s : all) {
            try {
                s.resources.close();
            } catch (IllegalStateException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "TrainingSlots[" + all.length + "]";
    }
}
