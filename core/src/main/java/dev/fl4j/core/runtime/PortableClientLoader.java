package dev.fl4j.core.runtime;

import dev.fl4j.core.Value;
import java.io.Serializable;
import java.util.List;
import java.util.function.Function;

/**
 * A lazy client-value loader ({@link dev.fl4j.core.ClientValues#lazy}) whose clients can be loaded
 * in another JVM, where they train: a runtime that ships client work (the Spark runtime) then sends
 * each task a small {@link Batch} naming where its clients' data is, instead of loading the data in
 * this JVM and sending it. Applied as a function, it loads one client here, as any loader does
 * (the local runtime); both ways give equal values.
 *
 * <p>Implementations are thread-safe; what travels is the {@link Batch} (Java serialization), which
 * holds locations and the means to read them, never client data.
 */
public interface PortableClientLoader extends Function<String, Value> {

    /**
     * Where clients {@code ids} are: the batch that loads them, in this order, in another JVM.
     *
     * @throws IllegalArgumentException if an id is not one of this loader's clients
     */
    Batch locate(List<String> ids);

    /**
     * A key per client that orders clients by where their data is stored (clients read together
     * are cheap to read together); a runtime may group a pass's clients by it. Default: no order
     * (all zero).
     */
    default long[] storageOrder(List<String> ids) {
        return new long[ids.size()];
    }

    /**
     * Told, in this JVM, that client {@code clientId} was loaded in another JVM from a {@link Batch} of
     * {@link #locate} and its work there is done: what a runtime that ships client work calls as its tasks
     * complete (at most once per client and pass, from any thread), so that this JVM can follow progress
     * as {@link #apply} lets it follow loads here. Default: nothing.
     */
    default void loadedElsewhere(String clientId) {}

    /** Some clients' locations and the means to read them; what travels to the JVM that loads them. */
    interface Batch extends Serializable {

        /** How many clients. */
        int size();

        /** Loads every client's value, in the order of {@link #locate}'s ids. */
        List<Value> load();
    }
}
