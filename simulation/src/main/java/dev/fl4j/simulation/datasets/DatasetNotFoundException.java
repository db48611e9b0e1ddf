package dev.fl4j.simulation.datasets;

/** A dataset that could not be found anywhere it was looked for; the message says how to get it. */
public class DatasetNotFoundException extends RuntimeException {

    public DatasetNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
