package dev.fl4j.compression.internal;

import dev.fl4j.compression.MalformedEncodingException;

/**
 * Packs non-negative ints of a fixed bit width into bytes, least significant bit first: value
 * {@code i} occupies bits {@code [i·w, (i+1)·w)} of the little-endian bit stream, and unused high
 * bits of the last byte are zero.
 */
public final class BitPacker {

    private BitPacker() {
    }

    /** Bits needed for values in {@code [0, levels)}: 0 for one level. */
    public static int bitsFor(int levels) {
        return levels <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(levels - 1);
    }

    /** Bytes taken by {@code count} values of {@code bits} bits. */
    public static int packedBytes(int count, int bits) {
        long total = ((long) count * bits + 7) >>> 3;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(count + " values of " + bits + " bits exceed 2^31 bytes");
        }
        return (int) total;
    }

    /** Packs {@code values[0, count)}, each below {@code 2^bits}, into a new array. */
    public static byte[] pack(int[] values, int count, int bits) {
        byte[] out = new byte[packedBytes(count, bits)];
        if (bits == 0) {
            return out;
        }
        if (bits == 8) {
            for (int i = 0; i < count; i++) {
                out[i] = (byte) values[i];
            }
            return out;
        }
        long acc = 0;
        int filled = 0;
        int pos = 0;
        for (int i = 0; i < count; i++) {
            acc |= (long) values[i] << filled;
            filled += bits;
            while (filled >= 8) {
                out[pos++] = (byte) acc;
                acc >>>= 8;
                filled -= 8;
            }
        }
        if (filled > 0) {
            out[pos] = (byte) acc;
        }
        return out;
    }

    /**
     * Unpacks {@code count} values of {@code bits} bits from {@code src[offset, offset + packedBytes)}
     * into {@code dst}. Fails if the padding bits of the last byte are not zero.
     */
    public static void unpack(byte[] src, int offset, int count, int bits, int[] dst, String what) {
        if (bits == 0) {
            java.util.Arrays.fill(dst, 0, count, 0);
            return;
        }
        if (bits == 8) {
            for (int i = 0; i < count; i++) {
                dst[i] = src[offset + i] & 0xFF;
            }
            return;
        }
        long mask = (1L << bits) - 1;
        long acc = 0;
        int filled = 0;
        int pos = offset;
        for (int i = 0; i < count; i++) {
            while (filled < bits) {
                acc |= (long) (src[pos++] & 0xFF) << filled;
                filled += 8;
            }
            dst[i] = (int) (acc & mask);
            acc >>>= bits;
            filled -= bits;
        }
        if (acc != 0) {
            throw new MalformedEncodingException(what + ": padding bits after the last " + bits + "-bit value at offset " + (pos - 1)
                    + " are not zero (" + Long.toBinaryString(acc) + ")");
        }
    }
}
