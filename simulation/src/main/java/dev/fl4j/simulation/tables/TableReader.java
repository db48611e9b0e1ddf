package dev.fl4j.simulation.tables;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One table file read row by row (a cursor): nothing but the current row is held, so a file of any
 * size streams through. Not thread-safe.
 *
 * <p>Cell accessors read the current row (after {@link #next()} returned true); a cell that cannot be
 * read as asked throws {@link MalformedTableException} naming the file, {@link #where()} and the
 * column.
 */
public interface TableReader extends Closeable {

    /** The file read. */
    Path file();

    /** The header: every column in file order. */
    List<TableColumn> columns();

    /**
     * Advances to the next row.
     *
     * @return false at the end of the file
     * @throws MalformedTableException if the row is malformed (e.g. its column count differs from the header's)
     */
    boolean next() throws IOException;

    /** Where the current row is, for messages: {@code "line 17"} (CSV) or {@code "row 3"} (Parquet). */
    String where();

    /** Whether cell {@code column} is empty (CSV) or null (Parquet). */
    boolean isMissing(int column);

    /**
     * Cell {@code column} as a float32: a decimal number for text, the value rounded to float for
     * numbers, {@code NaN} for the texts {@code NaN} and {@code nan}, infinities for {@code Infinity},
     * {@code -Infinity}, {@code inf}, {@code -inf}.
     *
     * @throws MalformedTableException if the cell is missing, a string, or text that is not a number
     */
    float number(int column);

    /** Cell {@code column} as text (a number as Java prints it; never null: missing is the empty string). */
    String text(int column);
}
