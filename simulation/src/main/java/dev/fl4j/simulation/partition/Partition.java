package dev.fl4j.simulation.partition;

import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An assignment of a centralised dataset's example rows to clients: client {@code i} (id
 * {@code client_i}) owns rows {@link #rowsOf(int)}. Every client owns at least one row; a partition
 * that would leave a client empty cannot be built. Rows may be owned by more than one client only if
 * the partitioner says so (none of fl4j's do).
 */
public final class Partition {

    private final String description;
    private final int[][] rows;
    private final List<String> ids;

    /**
     * A partition of {@code rows[i]} for client {@code i}; {@code description} names how it was made
     * (e.g. {@code "Dirichlet(α=0.5) label skew, seed 1"}) and appears in errors and summaries.
     *
     * @throws IllegalArgumentException if a client would have no examples
     */
    public Partition(String description, int[][] rows) {
        this.description = description;
        this.rows = new int[rows.length][];
        List<Integer> empty = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            this.rows[i] = rows[i].clone();
            if (rows[i].length == 0) {
                empty.add(i);
            }
        }
        if (rows.length == 0) {
            throw new IllegalArgumentException(description + ": a partition needs at least one client");
        }
        if (!empty.isEmpty()) {
            throw new IllegalArgumentException(description + " would leave " + empty.size() + " of " + rows.length
                    + " clients without examples (first: client_" + empty.get(0)
                    + "); a client with no data cannot train. "
                    + "Use fewer clients, a milder skew (larger α), or another seed.");
        }
        List<String> ids = new ArrayList<>(rows.length);
        for (int i = 0; i < rows.length; i++) {
            ids.add("client_" + i);
        }
        this.ids = List.copyOf(ids);
    }

    public String description() {
        return description;
    }

    /** Number of clients. */
    public int clients() {
        return rows.length;
    }

    /** Client ids, {@code client_0 …}. */
    public List<String> clientIds() {
        return ids;
    }

    /** The rows of client {@code client} (a copy). */
    public int[] rowsOf(int client) {
        return rows[client].clone();
    }

    /** Number of examples of client {@code client}. */
    public int sizeOf(int client) {
        return rows[client].length;
    }

    /**
     * The clients' datasets over {@code examples}: views of its rows, not copies, so a partition of
     * a large dataset costs only the row numbers.
     */
    public ClientData toClientData(Examples examples) {
        Map<String, int[]> byId = new HashMap<>();
        for (int i = 0; i < rows.length; i++) {
            for (int r : rows[i]) {
                if (r < 0 || r >= examples.size()) {
                    throw new IllegalArgumentException(description + ": client_" + i + " owns row " + r
                            + " but the examples have " + examples.size() + " rows");
                }
            }
            byId.put(ids.get(i), rows[i]);
        }
        return ClientData.fromFunction(ids, examples.exampleType(), id -> Dataset.of(examples, byId.get(id)));
    }

    /** Statistics of this partition over {@code labels} (the labels of the partitioned rows). */
    public PartitionSummary summary(int[] labels) {
        int[] sizes = new int[rows.length];
        int[] labelCounts = new int[rows.length];
        long total = 0;
        for (int i = 0; i < rows.length; i++) {
            sizes[i] = rows[i].length;
            total += sizes[i];
            labelCounts[i] =
                    (int) Arrays.stream(rows[i]).map(r -> labels[r]).distinct().count();
        }
        return new PartitionSummary(
                description,
                rows.length,
                total,
                PartitionSummary.Stats.of(sizes),
                PartitionSummary.Stats.of(labelCounts));
    }
}
