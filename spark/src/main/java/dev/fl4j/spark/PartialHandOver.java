package dev.fl4j.spark;

import dev.fl4j.core.Value;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands a pass's block partials from its fold tasks to the driver as values, without encoding or
 * serialization, when both run in one JVM (a local master). A block partial is a model-sized sum
 * (13 MB of float64 for the FedAvg CNN); as a task result Spark would serialize it twice and the
 * driver deserialize and decode it, four copies a block and round.
 *
 * <p>The driver {@link #open opens} a pass and passes its key to the fold tasks; a task
 * {@link #offer offers} its block's partial and reports only that it did. The offer succeeds only
 * where the key is open, that is in the driver's JVM and class loader while the pass runs, so a task
 * anywhere else (an executor JVM of a cluster) or late (its pass already ended) sends its partial
 * encoded as before. A retried or speculative task offers the same partial again (client work and
 * folds are deterministic) and replaces the first. The driver {@link #take takes} each block's
 * partial after the jobs have ended and {@link #close closes} the pass whatever happened, dropping
 * whatever was offered and not taken.
 */
final class PartialHandOver {

    private static final Map<String, Map<Integer, Value>> OPEN = new ConcurrentHashMap<>();

    private PartialHandOver() {}

    /** Opens a pass on the driver; its key travels in the fold tasks. */
    static String open() {
        String key = UUID.randomUUID().toString();
        OPEN.put(key, new ConcurrentHashMap<>());
        return key;
    }

    /**
     * Offers block {@code block}'s partial from a fold task; false (send it encoded) when {@code key} is
     * null or not open in this JVM.
     */
    static boolean offer(String key, int block, Value partial) {
        Map<Integer, Value> pass = key == null ? null : OPEN.get(key);
        if (pass == null) {
            return false;
        }
        pass.put(block, partial);
        return true;
    }

    /** The partial a task offered for {@code block} of the open pass {@code key}, removed; null if none was. */
    static Value take(String key, int block) {
        Map<Integer, Value> pass = OPEN.get(key);
        return pass == null ? null : pass.remove(block);
    }

    /** Ends the pass {@code key} (null: nothing to end); later offers for it fail. */
    static void close(String key) {
        if (key != null) {
            OPEN.remove(key);
        }
    }

    /** How many passes are open in this JVM (for tests: every pass closes). */
    static int openPasses() {
        return OPEN.size();
    }
}
