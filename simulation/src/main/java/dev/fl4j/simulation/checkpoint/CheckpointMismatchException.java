package dev.fl4j.simulation.checkpoint;

import java.nio.file.Path;

/**
 * A valid checkpoint written by a run with another configuration: resuming from it would silently
 * continue a different experiment. The message lists the settings that differ.
 */
public final class CheckpointMismatchException extends CheckpointException {

    public CheckpointMismatchException(Path file, String problem) {
        super(file, problem);
    }
}
