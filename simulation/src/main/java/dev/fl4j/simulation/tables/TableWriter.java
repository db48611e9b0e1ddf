package dev.fl4j.simulation.tables;

import java.io.Closeable;
import java.io.IOException;

/**
 * One table file written row by row, with the columns given when it was created. Set every cell of a
 * row (in any order), then {@link #endRow()}; {@link #close()} finishes the file. Not thread-safe.
 */
public interface TableWriter extends Closeable {

    /** Sets a {@link TableColumn.Kind#STRING} or {@link TableColumn.Kind#TEXT} cell. */
    void setString(int column, String value);

    /** Sets a {@link TableColumn.Kind#FLOAT} cell. */
    void setFloat(int column, float value);

    /** Sets an {@link TableColumn.Kind#INT} cell. */
    void setInt(int column, int value);

    /**
     * Writes the row.
     *
     * @throws IllegalStateException if a cell was not set
     */
    void endRow() throws IOException;
}
