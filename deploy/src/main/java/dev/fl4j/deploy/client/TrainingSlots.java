package dev.fl4j.deploy.client;

import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * How many of the clients sharing a host may run a task's local computation at once. A process that
 * hosts several {@link FederatedClient}s (a silo holding several data owners' shards, or a test
 * bench emulating devices) gives them one {@code TrainingSlots}: each client takes a slot to decode
 * its task, train and encode its result, and gives it back before pushing the result, so receiving
 * and sending overlap with the others' training while the training itself never oversubscribes the
 * cores, as a simulation's workers do. Slots are handed out in the order they were asked for.
 *
 * <p>A client without slots (the default) trains as soon as its task arrives.
 */
public final class TrainingSlots {

    private final int slots;
    private final Semaphore free;

    private TrainingSlots(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("training slots must be at least 1, got " + slots);
        }
        this.slots = slots;
        this.free = new Semaphore(slots, true);
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
        return slots;
    }

    /**
     * Runs {@code work} holding a slot, waiting for one first.
     *
     * @throws InterruptedException when interrupted while waiting; {@code work} has not run then
     */
    <T> T run(Supplier<T> work) throws InterruptedException {
        free.acquire();
        try {
            return work.get();
        } finally {
            free.release();
        }
    }

    @Override
    public String toString() {
        return "TrainingSlots[" + slots + "]";
    }
}
