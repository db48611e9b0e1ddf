package dev.fl4j.deploy.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes the fleet service actually sent and received: the serialized size of every protobuf message
 * of the protocol (headers, chunks, answers), which is what gRPC frames and, with TLS, encrypts.
 * HTTP/2 framing and TLS records add a few bytes per message that this does not count. Set next to
 * the runtime's logical {@link dev.fl4j.core.runtime.CommunicationStats} (bits of the values as the
 * intrinsics move them) it shows the protocol's overhead.
 */
public final class WireStats {

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    void sent(long bytes) {
        sent.addAndGet(bytes);
    }

    void received(long bytes) {
        received.addAndGet(bytes);
    }

    /** Bytes sent to clients so far. */
    public long sentBytes() {
        return sent.get();
    }

    /** Bytes received from clients so far. */
    public long receivedBytes() {
        return received.get();
    }
}
