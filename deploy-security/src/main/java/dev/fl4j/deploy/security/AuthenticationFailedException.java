package dev.fl4j.deploy.security;

import java.util.Objects;

/**
 * A signed request the {@link RequestVerifier} refused, with the {@link Reason} it was refused for; the message says
 * what was expected and what came. Unchecked, so transport code (an interceptor) can let it propagate to the one place
 * that maps it to a status; it never carries key material.
 */
public final class AuthenticationFailedException extends SecurityException {

    private static final long serialVersionUID = 1L;

    /** Why a request was refused, in the order the verifier checks. */
    public enum Reason {
        /** The envelope bytes are not a well-formed version-1 envelope (length, format byte, client id characters). */
        MALFORMED_ENVELOPE,
        /** The envelope was made for another protocol version than the verifier's. */
        UNSUPPORTED_PROTOCOL_VERSION,
        /** No authorized key has the envelope's client id. */
        UNKNOWN_KEY,
        /** The signature does not verify with the client's authorized key over this method, envelope and body hash. */
        BAD_SIGNATURE,
        /** The body that came is not the body that was signed (its SHA-256 differs from the signed one). */
        BODY_HASH_MISMATCH,
        /** An authenticated client asked to act for another client id. */
        CLIENT_ID_MISMATCH,
        /** The signed timestamp is older than the freshness window. */
        EXPIRED,
        /** The signed timestamp is further in the future than the freshness window allows. */
        FROM_THE_FUTURE,
        /** This client's nonce was already seen within the window: the request is a replay. */
        REPLAYED_NONCE,
        /**
         * The nonce cache is full of nonces still within their window; the request is refused rather than a live
         * nonce forgotten (which would let its request be replayed).
         */
        NONCE_CACHE_FULL
    }

    private final Reason reason;

    /** A refusal for {@code reason}, described by {@code message}. */
    public AuthenticationFailedException(Reason reason, String message) {
        super(Objects.requireNonNull(reason, "reason") + ": " + message);
        this.reason = reason;
    }

    /** Why the request was refused. */
    public Reason reason() {
        return reason;
    }
}
