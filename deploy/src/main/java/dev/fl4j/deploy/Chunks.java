package dev.fl4j.deploy;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;

/** Cuts a payload into chunks of at most a given size, as the protocol streams it. */
public final class Chunks {

    private Chunks() {}

    /** {@code payload} in order, each piece at most {@code chunkBytes} long (none for an empty payload). */
    public static List<ByteString> split(byte[] payload, int chunkBytes) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunk size must be positive, got " + chunkBytes);
        }
        List<ByteString> chunks = new ArrayList<>();
        for (int off = 0; off < payload.length; off += chunkBytes) {
            chunks.add(ByteString.copyFrom(payload, off, Math.min(chunkBytes, payload.length - off)));
        }
        return chunks;
    }
}
