package dev.fl4j.secagg;

/**
 * A SecAgg+ message or request refused, or a round that cannot complete. The {@link Kind} says which
 * rule was broken; the message says by whom (client id), at which stage, what was expected and what came.
 * A server that refuses a message keeps its state as it was, so the round goes on without it.
 */
public class SecAggException extends RuntimeException {

    /** What went wrong. */
    public enum Kind {
        /** The bytes are not a message of this format (truncated, bad magic or version, trailing bytes). */
        MALFORMED,
        /** The message belongs to another protocol session (a replay from another round). */
        WRONG_SESSION,
        /** The message answers another stage than the one in progress (a late or replayed message). */
        WRONG_STAGE,
        /** The message is addressed to someone else, or claims a sender it cannot have. */
        MISADDRESSED,
        /** The sender or a client the message names is not in this session, or no longer in the round. */
        UNKNOWN_CLIENT,
        /** A second message from the same client at one stage, or a client named twice in one message. */
        DUPLICATE,
        /** Two clients advertised the same public key. */
        DUPLICATE_KEY,
        /** Shares addressed to, or received from, a client that is not a neighbour. */
        NOT_A_NEIGHBOUR,
        /** A share ciphertext that does not decrypt (wrong key, altered bytes or authentication tag). */
        BAD_CIPHERTEXT,
        /** A public key of the wrong size, not canonical, or of small order. */
        BAD_KEY,
        /** A vector or list of the wrong length. */
        WRONG_LENGTH,
        /** A value outside the modulus. */
        OUT_OF_RANGE,
        /** An unmasking request that names one client both as survivor and as dropped, or is otherwise inconsistent. */
        CONFLICTING_REQUEST,
        /** A second unmasking response (request) for the same session. */
        SECOND_RESPONSE,
        /** Shares that rebuild no secret, or a key that does not match its advertised public key. */
        INCONSISTENT_SHARES,
        /** Too few clients or shares are left to go on: the round is aborted. */
        BELOW_THRESHOLD,
        /** Session parameters that cannot work together (threshold above the shares, say). */
        INVALID_PARAMETERS
    }

    private final Kind kind;

    public SecAggException(Kind kind, String message) {
        super(kind + ": " + message);
        this.kind = kind;
    }

    public SecAggException(Kind kind, String message, Throwable cause) {
        super(kind + ": " + message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
