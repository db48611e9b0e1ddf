package dev.fl4j.simulation.tables;

import dev.fl4j.simulation.datasets.DatasetFileException;
import java.nio.file.Path;

/**
 * A table file whose content cannot be read as asked: a malformed row (wrong column count, a cell that
 * is not a number, a missing or unknown label, a missing or NaN value the policy rejects), a header
 * without the named columns, or bytes that are not the format. The message names the file and, for a
 * row, where it is ({@code line N} of a CSV file, counting the header as line 1; {@code row N} of a
 * Parquet file, counting from 1).
 */
public class MalformedTableException extends DatasetFileException {

    private final transient String where;

    /** A problem of the file as a whole (its header, its format). */
    public MalformedTableException(Path file, String problem) {
        super(file, problem);
        this.where = "";
    }

    /** A problem at {@code where} ({@code "line 17"}, {@code "row 3"}). */
    public MalformedTableException(Path file, String where, String problem) {
        super(file, where + ": " + problem);
        this.where = where;
    }

    /** A problem the format's library reported. */
    public MalformedTableException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
        this.where = "";
    }

    /** Where in the file ({@code "line 17"}), or empty for the file as a whole. */
    public String where() {
        return where;
    }
}
