package dev.fl4j.spark;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.PortableClientLoader;
import dev.fl4j.core.runtime.ShippedPass;
import dev.fl4j.spark.ExecutorSide.PartitionInput;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * How a partition's clients get their client inputs. A client input whose values are given, or
 * loaded by an ordinary loader, is read on the driver and travels encoded with the task, per client.
 * One whose loader is a {@link PortableClientLoader} (client data in Parquet files,
 * {@code ParquetClients}) is not read on the driver: the task carries the loader's
 * {@link PortableClientLoader.Batch} (where the partition's clients' data is, no data) and loads the
 * partition's clients in the executor, once per task, before it trains them
 * ({@link Remote#load}).
 */
final class ClientInputs {

    private ClientInputs() {}

    /** The client inputs loaded in the executors, and each one's batch for one partition's clients. */
    record Remote(int[] slots, PortableClientLoader.Batch[] batches) implements Serializable {

        /** Loads every remote input's members for the partition's clients: per slot, per client. */
        List<List<Value>> load() {
            List<List<Value>> out = new ArrayList<>(slots.length);
            for (PortableClientLoader.Batch b : batches) {
                out.add(b.load());
            }
            return out;
        }
    }

    /** The pass's client inputs an executor loads itself (their indices among the client inputs). */
    static int[] remoteSlots(ShippedPass pass) {
        List<ClientValues> inputs = pass.clientInputs();
        return IntStream.range(0, inputs.size())
                .filter(j -> inputs.get(j).loader().orElse(null) instanceof PortableClientLoader)
                .toArray();
    }

    /** The clients {@code [first, end)} of the pass, in order. */
    static PartitionInput range(ShippedPass pass, int first, int end) {
        return of(pass, first, IntStream.range(first, end).toArray(), false);
    }

    /**
     * The pass's clients {@code indices} (in this order), with their explicit indices: a partition
     * cut by where the clients' data is stored rather than by pass order.
     */
    static PartitionInput at(ShippedPass pass, int[] indices) {
        return of(pass, indices.length == 0 ? 0 : indices[0], indices, true);
    }

    /**
     * The pass's client indices ordered by where the first remote input stores them (ties and the
     * pass's other clients in pass order); null if the pass has no remote input.
     */
    static int[] storageOrder(ShippedPass pass) {
        int[] slots = remoteSlots(pass);
        if (slots.length == 0) {
            return null;
        }
        PortableClientLoader loader = (PortableClientLoader)
                pass.clientInputs().get(slots[0]).loader().orElseThrow();
        long[] key = loader.storageOrder(pass.clientIds());
        return IntStream.range(0, key.length)
                .boxed()
                .sorted((a, b) -> key[a] != key[b] ? Long.compare(key[a], key[b]) : Integer.compare(a, b))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    private static PartitionInput of(ShippedPass pass, int first, int[] indices, boolean explicit) {
        int[] slots = remoteSlots(pass);
        List<ClientValues> inputs = pass.clientInputs();
        String[] ids = new String[indices.length];
        byte[][] data = new byte[indices.length][];
        for (int c = 0; c < indices.length; c++) {
            int i = indices[c];
            ids[c] = pass.clientIds().get(i);
            List<Value> local = new ArrayList<>(inputs.size() - slots.length);
            for (int j = 0; j < inputs.size(); j++) {
                if (Arrays.binarySearch(slots, j) < 0) {
                    local.add(inputs.get(j).member(i));
                }
            }
            data[c] = ValueCodec.encode(Struct.of(local));
        }
        Remote remote = null;
        if (slots.length > 0) {
            PortableClientLoader.Batch[] batches = new PortableClientLoader.Batch[slots.length];
            for (int s = 0; s < slots.length; s++) {
                PortableClientLoader loader =
                        (PortableClientLoader) inputs.get(slots[s]).loader().orElseThrow();
                batches[s] = loader.locate(Arrays.asList(ids));
            }
            remote = new Remote(slots, batches);
        }
        return new PartitionInput(first, ids, data, explicit ? indices : null, remote);
    }

    /**
     * Client {@code c}'s client inputs, in the pass's order: the members that travelled encoded
     * ({@code encoded}), with the remote slots' members ({@code loaded}, from {@link Remote#load})
     * put in their places.
     */
    static List<Value> merge(byte[] encoded, int c, int count, Remote remote, List<List<Value>> loaded) {
        Value decoded = ValueCodec.decode(encoded);
        int remoteCount = remote == null ? 0 : remote.slots().length;
        if (!(decoded instanceof Struct s) || s.size() != count - remoteCount) {
            throw new IllegalStateException(
                    "expected " + (count - remoteCount) + " client inputs that travel, got " + decoded.type());
        }
        if (remoteCount == 0) {
            return s.values();
        }
        List<Value> out = new ArrayList<>(count);
        int next = 0;
        for (int j = 0; j < count; j++) {
            int slot = Arrays.binarySearch(remote.slots(), j);
            out.add(slot >= 0 ? loaded.get(slot).get(c) : s.get(next++));
        }
        return out;
    }
}
