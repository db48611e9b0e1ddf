package dev.fl4j.simulation.tables;

import dev.fl4j.simulation.data.ClientData;
import java.util.List;

/**
 * The clients of a table with a client column, indexed where the table is stored and read where each
 * client's data is loaded ({@link TableFormat#openClients}), with what a model needs to know of the
 * whole table without reading its rows.
 */
public abstract class TableClients extends ClientData {

    /**
     * The label of each class, as {@link TabularData#classes()} has them for the same table: the labels named
     * by {@link TableOptions#labels()}, in order, or {@code "0"} to the largest class number in the label column.
     * May read the label column (once).
     *
     * @throws MalformedTableException if the label column holds a value that is not a class number
     */
    public abstract List<String> classes();
}
