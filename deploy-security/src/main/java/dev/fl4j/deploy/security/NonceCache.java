package dev.fl4j.deploy.security;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The nonces a {@link RequestVerifier} has accepted and must refuse to see again, each kept until its request's
 * timestamp leaves the freshness window (after which the timestamp check refuses a replay by itself), and never more
 * than a fixed number at once.
 *
 * <p>When full of nonces still within their window, it refuses the new one ({@link Result#FULL}) rather than evicting
 * a live nonce, since forgetting a live nonce would let its request be replayed: a flood costs availability, never
 * replay protection. Only requests whose signature already verified reach the cache, so only an authorized client can
 * fill it. Expired entries are dropped (oldest expiry first) on every call. Thread-safe.
 */
public final class NonceCache {

    /** What {@link #record} did. */
    public enum Result {
        /** The nonce was new and is now remembered. */
        RECORDED,
        /** The nonce is remembered already: a replay. */
        REPLAYED,
        /** The cache is full of live nonces; nothing was recorded. */
        FULL
    }

    /** A client's nonce; the id is the verifier's shared instance, so an entry costs about 110 bytes. */
    private record Key(String clientId, long high, long low) {}

    private record Entry(long expiresAtMillis, Key key) {}

    private final int capacity;
    private final Set<Key> live = new HashSet<>();
    private final PriorityQueue<Entry> byExpiry =
            new PriorityQueue<>((a, b) -> Long.compare(a.expiresAtMillis, b.expiresAtMillis));

    /** A cache holding at most {@code capacity} nonces (at least 1). */
    public NonceCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("nonce cache capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Records client {@code clientId}'s {@code nonce}, remembered while {@code nowMillis <= expiresAtMillis}; first
     * drops every entry that expired before {@code nowMillis}.
     */
    public synchronized Result record(String clientId, byte[] nonce, long expiresAtMillis, long nowMillis) {
        evictExpired(nowMillis);
        if (nonce.length != SignedEnvelope.NONCE_BYTES) {
            throw new IllegalArgumentException(
                    "a nonce is " + SignedEnvelope.NONCE_BYTES + " bytes, got " + nonce.length);
        }
        ByteBuffer n = ByteBuffer.wrap(nonce);
        Key key = new Key(clientId, n.getLong(), n.getLong());
        if (live.contains(key)) {
            return Result.REPLAYED;
        }
        if (live.size() >= capacity) {
            return Result.FULL;
        }
        live.add(key);
        byExpiry.add(new Entry(expiresAtMillis, key));
        return Result.RECORDED;
    }

    /** How many nonces are remembered after dropping those expired before {@code nowMillis}. */
    public synchronized int size(long nowMillis) {
        evictExpired(nowMillis);
        return live.size();
    }

    public int capacity() {
        return capacity;
    }

    private void evictExpired(long nowMillis) {
        while (!byExpiry.isEmpty() && byExpiry.peek().expiresAtMillis < nowMillis) {
            live.remove(byExpiry.poll().key);
        }
    }
}
