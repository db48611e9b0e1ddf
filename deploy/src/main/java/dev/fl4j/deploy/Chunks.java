package dev.fl4j.deploy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.fl4j.deploy.protocol.ProtocolLimits;
import java.util.ArrayList;
import java.util.List;

/** Cuts a payload into chunks of at most a given size, as the protocol streams it. */
public final class Chunks {

    /**
     * The HTTP/2 flow-control window both ends open per stream (and connection): four protocol
     * messages, so a chunked payload streams with several chunks in flight. With gRPC's default
     * (1 MiB, less than one full chunk message) every chunk waited for the receiver to consume the
     * previous one and send a window update: a stop-and-wait that made a 6.6 MB task take several
     * scheduling round trips per chunk. A receiver buffers at most this much per stream it does not
     * read.
     */
    public static final int FLOW_CONTROL_WINDOW_BYTES = 4 * ProtocolLimits.MAX_MESSAGE_BYTES;

    /**
     * The size in which this side cuts what it sends: a quarter of the {@linkplain ProtocolLimits#MAX_CHUNK_BYTES
     * limit}. The receiver copies each chunk out of gRPC's buffers into an array of its own (protobuf's
     * {@code bytes}); at 1 MiB that array is a humongous object for G1 with 1 MiB regions (the default below a
     * 2 GiB heap: an object of half a region or more gets regions of its own and starts a concurrent cycle), and
     * a 6.6 MB model update made seven of them on the server and on every client. At 256 KiB they are ordinary
     * young objects.
     */
    public static final int SENT_CHUNK_BYTES = ProtocolLimits.MAX_CHUNK_BYTES / 4;

    private Chunks() {}

    /**
     * {@code payload} in order, each piece at most {@code chunkBytes} long (none for an empty payload). The
     * pieces are views of {@code payload}, not copies (a model update is megabytes, sent once): the caller
     * must not change {@code payload} while they are in use.
     */
    public static List<ByteString> split(byte[] payload, int chunkBytes) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunk size must be positive, got " + chunkBytes);
        }
        List<ByteString> chunks = new ArrayList<>();
        for (int off = 0; off < payload.length; off += chunkBytes) {
            chunks.add(UnsafeByteOperations.unsafeWrap(payload, off, Math.min(chunkBytes, payload.length - off)));
        }
        return chunks;
    }
}
