package dev.fl4j.deploy.client;

import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.deploy.Payloads;
import dev.fl4j.deploy.RejectedMessageException;
import dev.fl4j.deploy.protocol.Rejection;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The task arguments a host's clients share: the bytes every task of a round starts from (its broadcast), kept
 * by their SHA-256, so that the clients of one host (one JVM running several {@link FederatedClient}s, as a
 * machine emulating devices or a silo with several data owners does) download a round's broadcast once between
 * them, as the local runtime's clients share it in memory. A task header names the digest of the shared bytes;
 * the first of the host's clients to need them fetches them with its own task's {@code GetArgument} call, the
 * others wait for that download and then use the same bytes (each writes its own position over a copy). The
 * first client to run its task decodes the shared bytes ({@link Held#decoded()}); each client then decodes its
 * own bytes like them ({@link ValueCodec#decode(byte[], ValueCodec.Decoded)}), reading only its position and
 * sharing the model's tensors, so a host also decodes and holds a round's model once.
 *
 * <p>Fetched bytes are kept only if they hash to the digest the header named, so a host never hands one client
 * bytes meant for another round. A failed download is not kept: a client that waited for it fetches the bytes
 * itself. The {@linkplain #of(int) capacity} bounds how many arguments are held (the last round's, and the one
 * before it for a client that is a round behind); each is as large as the model. Thread-safe.
 */
public final class SharedArguments {

    /** Downloads the shared bytes of a task (the caller's own {@code GetArgument} call). */
    @FunctionalInterface
    interface Download {
        byte[] fetch() throws InterruptedException;
    }

    /** The shared bytes of one digest and, once a client asks, their value. */
    final class Held {
        private final byte[] bytes;
        private ValueCodec.Decoded decoded;
        private boolean decodeTried;

        private Held(byte[] bytes) {
            this.bytes = bytes;
        }

        /** The shared bytes (callers copy them before writing). */
        byte[] bytes() {
            return bytes;
        }

        /**
         * The shared bytes decoded, by the first client that asks (the others wait for it); null if they are no fl4j
         * value, which each client's own decode then reports.
         */
        synchronized ValueCodec.Decoded decoded() {
            if (!decodeTried) {
                decodeTried = true;
                try {
                    decoded = ValueCodec.decodeKept(bytes);
                    countDecode();
                } catch (MalformedDataException e) {
                    decoded = null;
                }
            }
            return decoded;
        }
    }

    private final int capacity;
    private final Map<ByteBuffer, CompletableFuture<Held>> held = new LinkedHashMap<>();
    private long downloads;
    private long decodes;

    private SharedArguments(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("shared arguments need room for at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** A cache for the clients of one host, holding at most {@code capacity} arguments. */
    public static SharedArguments of(int capacity) {
        return new SharedArguments(capacity);
    }

    /** A cache holding the current round's argument and the one before. */
    public static SharedArguments forHost() {
        return of(2);
    }

    /** How many times a client of this host downloaded shared bytes (the others took them from here). */
    public synchronized long downloads() {
        return downloads;
    }

    /** How many times shared bytes were decoded (once per download that a client ran a task with). */
    public synchronized long decodes() {
        return decodes;
    }

    private synchronized void countDecode() {
        decodes++;
    }

    /**
     * The shared bytes whose SHA-256 is {@code sha256}: held ones, the download another client of the host is
     * making, or else {@code download}'s, checked against the digest. The array is shared: callers copy it
     * before writing.
     *
     * @throws RejectedMessageException ({@link Rejection#MALFORMED}) if downloaded bytes do not hash to
     *     {@code sha256}
     */
    Held get(byte[] sha256, Download download) throws InterruptedException {
        ByteBuffer key = ByteBuffer.wrap(sha256.clone());
        while (true) {
            CompletableFuture<Held> mine = new CompletableFuture<>();
            CompletableFuture<Held> existing;
            synchronized (this) {
                existing = held.putIfAbsent(key, mine);
                if (existing == null) {
                    downloads++;
                    evictBeyondCapacity();
                }
            }
            if (existing == null) {
                return fetchInto(mine, key, sha256, download);
            }
            try {
                return existing.get();
            } catch (ExecutionException e) {
                // that client's download failed and was dropped: try again, downloading ourselves if no one is
            }
        }
    }

    private Held fetchInto(CompletableFuture<Held> mine, ByteBuffer key, byte[] sha256, Download download)
            throws InterruptedException {
        try {
            Held fetched = new Held(checkDigest(sha256, download.fetch()));
            mine.complete(fetched);
            return fetched;
        } catch (RuntimeException | InterruptedException | Error e) {
            synchronized (this) {
                held.remove(key, mine);
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * {@code bytes}, if they hash to {@code sha256}; else a {@link RejectedMessageException}
     * ({@link Rejection#MALFORMED}).
     */
    static byte[] checkDigest(byte[] sha256, byte[] bytes) {
        if (!MessageDigest.isEqual(sha256, Payloads.sha256(bytes))) {
            throw new RejectedMessageException(
                    Rejection.MALFORMED,
                    "the argument fetched for SHA-256 " + HexFormat.of().formatHex(sha256) + " hashes otherwise");
        }
        return bytes;
    }

    private void evictBeyondCapacity() {
        Iterator<CompletableFuture<Held>> oldest = held.values().iterator();
        while (held.size() > capacity) {
            oldest.next();
            oldest.remove();
        }
    }

    @Override
    public synchronized String toString() {
        return "SharedArguments[" + held.size() + " of " + capacity + ", " + downloads + " downloads, " + decodes
                + " decodes]";
    }
}
