package dev.fl4j.deploy.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fl4j.deploy.security.NonceCache.Result;
import org.junit.jupiter.api.Test;

class NonceCacheTest {

    private static byte[] nonce(int i) {
        byte[] n = new byte[16];
        n[15] = (byte) i;
        n[14] = (byte) (i >> 8);
        return n;
    }

    @Test
    void aNonceIsSingleUsePerClientUntilItExpires() {
        NonceCache cache = new NonceCache(10);
        assertEquals(Result.RECORDED, cache.record("a", nonce(1), 100, 0));
        assertEquals(Result.REPLAYED, cache.record("a", nonce(1), 100, 50));
        assertEquals(Result.RECORDED, cache.record("b", nonce(1), 100, 50), "another client's equal nonce is its own");
        assertEquals(Result.REPLAYED, cache.record("a", nonce(1), 100, 100), "remembered through its expiry instant");
        assertEquals(2, cache.size(100));
        assertEquals(0, cache.size(101));
        assertEquals(Result.RECORDED, cache.record("a", nonce(1), 300, 101));
    }

    @Test
    void theCacheIsBoundedAndRefusesRatherThanForgetsALiveNonce() {
        NonceCache cache = new NonceCache(100);
        for (int i = 0; i < 100; i++) {
            assertEquals(Result.RECORDED, cache.record("a", nonce(i), 1_000 + i, 0));
        }
        assertEquals(Result.FULL, cache.record("a", nonce(500), 5_000, 10));
        assertEquals(100, cache.size(10));
        for (int i = 0; i < 100; i++) {
            assertEquals(Result.REPLAYED, cache.record("a", nonce(i), 1_000 + i, 10), "nonce " + i);
        }
        // at 1049 the nonces expiring at 1000..1048 are gone, oldest expiry first
        assertEquals(Result.RECORDED, cache.record("a", nonce(500), 5_000, 1_049));
        assertEquals(52, cache.size(1_049));
        assertEquals(Result.RECORDED, cache.record("a", nonce(0), 5_000, 1_049));
        assertEquals(Result.REPLAYED, cache.record("a", nonce(49), 5_000, 1_049));
        assertEquals(2, cache.size(1_100));
        assertEquals(0, cache.size(5_001));
    }

    @Test
    void capacityMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new NonceCache(0));
        assertThrows(IllegalArgumentException.class, () -> new NonceCache(1).record("a", new byte[15], 1, 0));
    }
}
