package dev.fl4j.secagg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Derivation of the pairwise mask seeds, shared by the client (masking) and the server (unmasking). */
final class Masks {

    private static final byte[] INFO = "fl4j secagg+ v1 pairwise mask".getBytes(StandardCharsets.US_ASCII);

    private Masks() {}

    /**
     * The 256-bit seed of the mask clients {@code a} and {@code b} share: HKDF-SHA256 of their X25519
     * agreement, salted with the session id, bound to the pair.
     */
    static byte[] pairwiseSeed(byte[] agreement, byte[] sessionId, int a, int b) {
        byte[] info = ByteBuffer.allocate(INFO.length + 8)
                .put(INFO)
                .putInt(Math.min(a, b))
                .putInt(Math.max(a, b))
                .array();
        return Hkdf.sha256(agreement, sessionId, info, 32);
    }

    /** Whether client {@code self} subtracts (rather than adds) the mask it shares with {@code peer}. */
    static boolean subtracts(int self, int peer) {
        return self > peer;
    }
}
