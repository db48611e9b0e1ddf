package dev.fl4j.simulation.datasets;

import java.nio.file.Path;

/** A dataset file that is missing, truncated or not in the expected format; names the file. */
public class DatasetFileException extends RuntimeException {

    private final transient Path file;

    public DatasetFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public DatasetFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
