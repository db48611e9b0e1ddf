package dev.fl4j.deploy;

import com.google.protobuf.ByteString;
import dev.fl4j.deploy.protocol.Rejection;
import java.util.function.IntFunction;

/**
 * Puts a streamed payload back together under explicit limits. The declared total is checked
 * against the payload limit before anything is allocated, every chunk against the chunk limit and
 * the bytes still due, and {@link #bytes()} refuses a payload that ended short. Each violation is a
 * {@link RejectedMessageException} with its own reason ({@link Rejection#OVERSIZED},
 * {@link Rejection#TRUNCATED}).
 */
public final class ChunkAssembler {

    private final byte[] buffer;
    private final int maxChunk;
    private int filled;

    /**
     * @param declared the total the sender announced
     * @param maxPayload the largest total this side accepts
     * @param maxChunk the largest chunk this side accepts
     * @param what what the payload is, for messages ("result of task 3f…")
     */
    public ChunkAssembler(long declared, long maxPayload, int maxChunk, String what) {
        this(declared, maxPayload, maxChunk, what, byte[]::new);
    }

    /**
     * As {@link #ChunkAssembler(long, long, int, String)}, assembling into {@code arrays.apply(declared)} (an array
     * of exactly that length, taken only once the declared total passed the limit; its content is overwritten).
     */
    public ChunkAssembler(long declared, long maxPayload, int maxChunk, String what, IntFunction<byte[]> arrays) {
        if (declared < 0 || declared > maxPayload || declared > Integer.MAX_VALUE - 8) {
            throw new RejectedMessageException(
                    Rejection.OVERSIZED,
                    what + " declares " + Long.toUnsignedString(declared) + " bytes, above the limit of " + maxPayload
                            + " bytes");
        }
        this.buffer = arrays.apply((int) declared);
        if (buffer.length != declared) {
            throw new IllegalArgumentException(
                    "an array of " + declared + " bytes was asked for, got " + buffer.length);
        }
        this.maxChunk = maxChunk;
        this.what = what;
    }

    private final String what;

    /** Appends one chunk. */
    public void add(ByteString chunk) {
        int n = chunk.size();
        if (n > maxChunk) {
            throw new RejectedMessageException(
                    Rejection.OVERSIZED,
                    what + ": a chunk of " + n + " bytes is above the chunk limit of " + maxChunk + " bytes");
        }
        if (n > buffer.length - filled) {
            throw new RejectedMessageException(
                    Rejection.OVERSIZED,
                    what + ": chunks add up to more than the declared " + buffer.length + " bytes (" + filled
                            + " received, then " + n + " more)");
        }
        chunk.copyTo(buffer, filled);
        filled += n;
    }

    /** The whole payload, once exactly the declared bytes have arrived. */
    public byte[] bytes() {
        if (filled != buffer.length) {
            throw new RejectedMessageException(
                    Rejection.TRUNCATED,
                    what + " ended after " + filled + " of the declared " + buffer.length + " bytes");
        }
        return buffer;
    }

    public int received() {
        return filled;
    }
}
