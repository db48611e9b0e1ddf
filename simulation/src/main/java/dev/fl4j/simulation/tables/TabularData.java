package dev.fl4j.simulation.tables;

import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A table read as examples (see {@link Tables#read}): every row in file order as
 * {@code <x=float32[...], y=int32>}, the class of each label, the name of each float of {@code x},
 * and, for a table with a client column, which rows are whose.
 */
public final class TabularData {

    private final Examples examples;
    private final List<String> classes;
    private final List<String> featureNames;
    private final List<String> clientIds;
    private final int[][] rowsByClient;

    TabularData(
            Examples examples,
            List<String> classes,
            List<String> featureNames,
            List<String> clientIds,
            int[][] rowsByClient) {
        this.examples = examples;
        this.classes = List.copyOf(classes);
        this.featureNames = List.copyOf(featureNames);
        this.clientIds = clientIds == null ? null : List.copyOf(clientIds);
        this.rowsByClient = rowsByClient;
    }

    /** Every row, in file order (files in name order). */
    public Examples examples() {
        return examples;
    }

    /** The label of each class: {@code classes().get(y)}. */
    public List<String> classes() {
        return classes;
    }

    /**
     * What each float of {@code x} is, in order: a numeric column's name, {@code COLUMN=CATEGORY} for
     * one-hot, {@code COLUMN} for an indexed category.
     */
    public List<String> featureNames() {
        return featureNames;
    }

    /** Whether the table had a client column. */
    public boolean isFederated() {
        return clientIds != null;
    }

    /**
     * The clients, in order of first appearance, each with its rows in file order.
     *
     * @throws IllegalStateException if the table had no client column
     */
    public ClientData clientData() {
        if (clientIds == null) {
            throw new IllegalStateException("the table has no client column; partition its examples instead");
        }
        Map<String, int[]> rows = new HashMap<>();
        for (int c = 0; c < clientIds.size(); c++) {
            rows.put(clientIds.get(c), rowsByClient[c]);
        }
        return ClientData.fromFunction(clientIds, examples.exampleType(), id -> Dataset.of(examples, rows.get(id)));
    }

    @Override
    public String toString() {
        return examples.size() + " rows of " + examples.exampleType() + ", " + classes.size() + " classes"
                + (clientIds == null ? "" : ", " + clientIds.size() + " clients");
    }
}
