package dev.fl4j.spark;

import dev.fl4j.core.Value;
import dev.fl4j.spark.ExecutorSide.PartitionInput;
import dev.fl4j.spark.ExecutorSide.PassBytes;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * What a pass shares between the driver and its tasks: the pass's plan and broadcast values
 * ({@link PassBytes}), each partition's clients ({@link PartitionInput}), and on the way back the
 * blocks' partials. Tasks carry this handle, not the values.
 *
 * <p>Two forms. {@link #broadcast} makes Spark broadcasts of the values, which executors in other
 * JVMs fetch; the partials come back encoded in the tasks' results. {@link #inThisJvm}, for a local
 * master (every executor in the driver's JVM), keeps the values in a JVM-wide table under a random
 * key: a task reads them as they are, and a fold task {@link #offer offers} its block's partial (a
 * model-sized sum, 13 MB of float64 for the FedAvg CNN) as a value, which the driver {@link #take
 * takes}. That saves, per pass, the Spark broadcasts' serialization, checksums and block-manager
 * messages (and their removal), and per block the partial's encoding, Spark's two serializations of
 * a task result and the driver's decoding. A retried or speculative task reads the same values and
 * offers the same partial again (client work and folds are deterministic), replacing the first.
 * {@link #close} ends the pass whatever happened: it destroys the broadcasts, or drops the table's
 * entry with whatever was offered and not taken, after which a late task's offer fails and it sends
 * its partial encoded.
 */
final class PassShares implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The passes open in this JVM's table, by key. */
    private static final Map<String, Local> OPEN = new ConcurrentHashMap<>();

    /** A pass's values in this JVM, and the partials offered for it by block. */
    private record Local(PassBytes pass, List<PartitionInput> inputs, Map<Integer, Value> partials) {}

    private final Broadcast<PassBytes> pass;
    private final List<Broadcast<PartitionInput>> inputs;
    private final String key;

    private PassShares(Broadcast<PassBytes> pass, List<Broadcast<PartitionInput>> inputs, String key) {
        this.pass = pass;
        this.inputs = inputs;
        this.key = key;
    }

    /**
     * As Spark broadcasts, for executors anywhere; {@code inputs} may be empty (a pass whose tasks carry their
     * clients). If a broadcast fails, those made are destroyed.
     */
    static PassShares broadcast(JavaSparkContext sc, PassBytes pass, List<PartitionInput> inputs) {
        Broadcast<PassBytes> shared = sc.broadcast(pass);
        List<Broadcast<PartitionInput>> sent = new ArrayList<>(inputs.size());
        try {
            for (PartitionInput input : inputs) {
                sent.add(sc.broadcast(input));
            }
        } catch (RuntimeException e) {
            sent.forEach(Broadcast::destroy);
            shared.destroy();
            throw e;
        }
        return new PassShares(shared, List.copyOf(sent), null);
    }

    /** In this JVM's table, for tasks in this JVM only (a local master). */
    static PassShares inThisJvm(PassBytes pass, List<PartitionInput> inputs) {
        String key = UUID.randomUUID().toString();
        OPEN.put(key, new Local(pass, List.copyOf(inputs), new ConcurrentHashMap<>()));
        return new PassShares(null, null, key);
    }

    /** The pass's plan and broadcast values. */
    PassBytes pass() {
        return key == null ? pass.value() : local().pass();
    }

    /** Partition {@code k}'s clients. */
    PartitionInput input(int k) {
        return key == null ? inputs.get(k).value() : local().inputs().get(k);
    }

    /**
     * Offers block {@code block}'s partial to the driver from a fold task; false (send it encoded) unless the
     * pass is in this JVM's table and still open.
     */
    boolean offer(int block, Value partial) {
        Local local = key == null ? null : OPEN.get(key);
        if (local == null) {
            return false;
        }
        local.partials().put(block, partial);
        return true;
    }

    /** The partial offered for {@code block}, removed; null if none was (or the pass is not in this JVM's table). */
    Value take(int block) {
        Local local = key == null ? null : OPEN.get(key);
        return local == null ? null : local.partials().remove(block);
    }

    /** Ends the pass: destroys its broadcasts, or removes it from this JVM's table. */
    void close() {
        if (key != null) {
            OPEN.remove(key);
            return;
        }
        inputs.forEach(Broadcast::destroy);
        pass.destroy();
    }

    private Local local() {
        Local local = OPEN.get(key);
        if (local == null) {
            throw new IllegalStateException("a task of a local pass ran outside the driver's JVM or after its pass"
                    + " ended (no shared values under " + key + ")");
        }
        return local;
    }

    /** How many passes are open in this JVM's table (for tests: every pass closes). */
    static int openInThisJvm() {
        return OPEN.size();
    }
}
