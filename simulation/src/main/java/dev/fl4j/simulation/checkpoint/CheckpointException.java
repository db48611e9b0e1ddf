package dev.fl4j.simulation.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint that cannot be used: unreadable, truncated, corrupt, of an unknown format version,
 * or holding a state of another type. The message names the file and what is wrong with it.
 */
public class CheckpointException extends RuntimeException {

    private final transient Path file;
    private final String problem;

    public CheckpointException(Path file, String problem) {
        super("checkpoint " + file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super("checkpoint " + file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** What is wrong, without the file name. */
    public String problem() {
        return problem;
    }

    /** The checkpoint file concerned. */
    public Path file() {
        return file;
    }
}
