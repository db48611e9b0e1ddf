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
    private final AtomicLong argumentsShared = new AtomicLong();

    void sent(long bytes) {
        sent.addAndGet(bytes);
    }

    void received(long bytes) {
        received.addAndGet(bytes);
    }

    /** A task's argument of {@code bytes} was handed out (a header naming it by digest). */
    void argumentHandedOut(long bytes) {
        argumentsShared.addAndGet(bytes);
    }

    /** A task's shared argument bytes, {@code bytes} of them, were fetched with {@code GetArgument}. */
    void argumentFetched(long bytes) {
        argumentsShared.addAndGet(-bytes);
    }

    /** Restores the shared-argument count a stopped server had reached. */
    void argumentsShared(long bytes) {
        argumentsShared.addAndGet(bytes);
    }

    /**
     * Argument bytes of the tasks handed out so far that no {@code GetArgument} call fetched: the clients took
     * them from a copy their host already held (or never asked, as a client that died). Logical accounting
     * counts a broadcast once per client; the wire carries it once per host.
     */
    public long argumentBytesShared() {
        return argumentsShared.get();
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
