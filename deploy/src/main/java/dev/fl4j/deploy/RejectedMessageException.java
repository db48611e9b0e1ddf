package dev.fl4j.deploy;

import dev.fl4j.deploy.protocol.Rejection;
import java.util.Objects;

/**
 * A received message refused for a specific {@link Rejection} reason (an oversized chunk, a result
 * for a task the client was not given, non-finite values, ...). The server counts each reason and
 * answers with it; the message says what was expected and what came.
 */
public final class RejectedMessageException extends RuntimeException {

    private final Rejection reason;

    public RejectedMessageException(Rejection reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public RejectedMessageException(Rejection reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the message was refused. */
    public Rejection reason() {
        return reason;
    }
}
