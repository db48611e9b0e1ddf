package dev.fl4j.cli.simulate;

/** A setting of {@code fl4j simulate} that cannot work; the message says which and why. */
public final class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
