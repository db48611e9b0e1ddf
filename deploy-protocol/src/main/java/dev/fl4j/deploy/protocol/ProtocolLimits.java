package dev.fl4j.deploy.protocol;

/**
 * The protocol version and the size limits both sides of the {@code Fleet} service check. A payload
 * (a task's argument, a result) travels in chunks of at most {@link #MAX_CHUNK_BYTES}; a gRPC
 * message is then never larger than {@link #MAX_MESSAGE_BYTES}, below gRPC's default of 4 MiB, so
 * a 6.6 MB model update crosses as seven chunks instead of failing. The total payload has a limit
 * each side is configured with (default {@link #DEFAULT_MAX_PAYLOAD_BYTES}); a declared size above it
 * is refused before anything is allocated.
 */
public final class ProtocolLimits {

    /** The protocol version this build speaks ({@code protocol_version} in every request). */
    public static final int VERSION = 3;

    /** Largest data chunk: 1 MiB. */
    public static final int MAX_CHUNK_BYTES = 1 << 20;

    /** Largest gRPC message either side accepts: a chunk plus room for the header fields. */
    public static final int MAX_MESSAGE_BYTES = MAX_CHUNK_BYTES + (64 << 10);

    /**
     * Largest patch a task header writes over its shared argument bytes: the client's position takes 4; a
     * larger patch is refused as malformed.
     */
    public static final int MAX_ARGUMENT_PATCH_BYTES = 1 << 10;

    /** Default limit on one payload: 256 MiB. */
    public static final long DEFAULT_MAX_PAYLOAD_BYTES = 256L << 20;

    private ProtocolLimits() {}
}
