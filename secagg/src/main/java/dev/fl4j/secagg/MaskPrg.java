package dev.fl4j.secagg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The mask generator: AES-256 in counter mode keyed by a 256-bit seed (zero IV; every seed is fresh or
 * derived per session and pair, so a key stream is never reused), read as little-endian 64-bit words
 * (32-bit words for moduli up to 2^32) and reduced modulo {@code 2^bitwidth}, which divides 2^64 so the
 * masks are uniform.
 */
final class MaskPrg {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int CHUNK_ELEMENTS = 8192;

    private MaskPrg() {}

    /** {@code acc[j] = acc[j] ± PRG(seed)[j] mod 2^bitwidth} for every element. */
    static void apply(byte[] seed, long[] acc, boolean subtract, int bitwidth) {
        if (seed.length != 32) {
            throw new IllegalArgumentException("a mask seed has 32 bytes, got " + seed.length);
        }
        long mask = bitwidth == 64 ? -1L : (1L << bitwidth) - 1;
        int width = bitwidth <= 32 ? 4 : 8;
        try {
            Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
            byte[] zeros = new byte[CHUNK_ELEMENTS * width];
            byte[] stream = new byte[CHUNK_ELEMENTS * width];
            for (int start = 0; start < acc.length; start += CHUNK_ELEMENTS) {
                int n = Math.min(CHUNK_ELEMENTS, acc.length - start);
                aes.update(zeros, 0, n * width, stream, 0);
                for (int j = 0; j < n; j++) {
                    long r = width == 4
                            ? ((int) INTS.get(stream, j * 4)) & 0xFFFF_FFFFL
                            : (long) LONGS.get(stream, j * 8);
                    int k = start + j;
                    acc[k] = (subtract ? acc[k] - r : acc[k] + r) & mask;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR is unavailable in this JDK", e);
        }
    }
}
