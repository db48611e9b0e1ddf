package dev.fl4j.core.io;

/** Bytes that do not follow the documented format: the message says what was expected, what came and where. */
public class MalformedDataException extends IllegalArgumentException {

    public MalformedDataException(String message) {
        super(message);
    }

    public MalformedDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
