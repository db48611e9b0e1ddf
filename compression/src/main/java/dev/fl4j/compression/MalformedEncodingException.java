package dev.fl4j.compression;

/**
 * Encoded bytes that a decoder cannot read back exactly: truncated or oversized input, an
 * unsupported format version, an unknown or unexpected stage id, side information out of range
 * (bit widths, indices, frequencies), or a payload whose length does not match its header. The
 * message says what was expected, what came and at which byte offset or stage. Decoders throw it
 * instead of returning a value built from bytes they could not fully verify.
 */
public class MalformedEncodingException extends IllegalArgumentException {

    public MalformedEncodingException(String message) {
        super(message);
    }

    public MalformedEncodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
