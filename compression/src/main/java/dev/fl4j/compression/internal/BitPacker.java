package dev.fl4j.compression.internal;

import dev.fl4j.compression.MalformedEncodingException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Packs non-negative ints of a fixed bit width into bytes, least significant bit first: value
 * {@code i} occupies bits {@code [i·w, (i+1)·w)} of the little-endian bit stream, and unused high
 * bits of the last byte are zero.
 */
public final class BitPacker {

    private BitPacker() {}

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

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** The 8 bytes {@code b[offset, offset+8)} as a little-endian long. */
    static long getLong(byte[] b, int offset) {
        return (long) LONGS.get(b, offset);
    }

    /** Writes {@code v} little-endian to {@code b[offset, offset+8)}. */
    static void putLong(byte[] b, int offset, long v) {
        LONGS.set(b, offset, v);
    }

    /** Writes {@code v} little-endian to {@code b[offset, offset+4)}. */
    static void putInt(byte[] b, int offset, int v) {
        INTS.set(b, offset, v);
    }

    /** Packs {@code values[0, count)}, each below {@code 2^bits}, into a new array. */
    public static byte[] pack(int[] values, int count, int bits) {
        byte[] out = new byte[packedBytes(count, bits)];
        packInto(values, count, bits, out, 0);
        return out;
    }

    /**
     * Packs {@code values[0, count)} as {@link #pack} does into {@code out} from byte {@code offset}, which must hold
     * zeros there (a fresh array).
     */
    static void packInto(int[] values, int count, int bits, byte[] out, int offset) {
        if (bits == 0) {
            return;
        }
        if (bits == 8) {
            for (int i = 0; i < count; i++) {
                out[offset + i] = (byte) values[i];
            }
            return;
        }
        if (bits == 1 || bits == 2 || bits == 4) {
            packWholeBytes(values, count, bits, out, offset);
            return;
        }
        long acc = 0;
        int filled = 0;
        int pos = offset;
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
        if (bits == 1 || bits == 2 || bits == 4) {
            unpackWholeBytes(src, offset, count, bits, dst, what);
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
            throw new MalformedEncodingException(what + ": padding bits after the last " + bits
                    + "-bit value at offset " + (pos - 1) + " are not zero (" + Long.toBinaryString(acc) + ")");
        }
    }

    /** {@link #pack} for widths that divide 8: a byte holds 8/bits whole values. */
    private static void packWholeBytes(int[] values, int count, int bits, byte[] out, int offset) {
        int whole = count / (8 / bits);
        switch (bits) {
            case 1 -> {
                for (int k = 0; k < whole; k++) {
                    int i = 8 * k;
                    out[offset + k] = (byte) (values[i]
                            | values[i + 1] << 1
                            | values[i + 2] << 2
                            | values[i + 3] << 3
                            | values[i + 4] << 4
                            | values[i + 5] << 5
                            | values[i + 6] << 6
                            | values[i + 7] << 7);
                }
            }
            case 2 -> {
                for (int k = 0; k < whole; k++) {
                    int i = 4 * k;
                    out[offset + k] = (byte) (values[i] | values[i + 1] << 2 | values[i + 2] << 4 | values[i + 3] << 6);
                }
            }
            default -> {
                for (int k = 0; k < whole; k++) {
                    int i = 2 * k;
                    out[offset + k] = (byte) (values[i] | values[i + 1] << 4);
                }
            }
        }
        int done = whole * (8 / bits);
        if (done < count) {
            int last = 0;
            for (int i = done; i < count; i++) {
                last |= values[i] << ((i - done) * bits);
            }
            out[offset + whole] = (byte) last;
        }
    }

    /** {@link #unpack} for widths that divide 8. */
    private static void unpackWholeBytes(byte[] src, int offset, int count, int bits, int[] dst, String what) {
        int whole = count / (8 / bits);
        switch (bits) {
            case 1 -> {
                for (int k = 0; k < whole; k++) {
                    int b = src[offset + k];
                    int i = 8 * k;
                    dst[i] = b & 1;
                    dst[i + 1] = b >>> 1 & 1;
                    dst[i + 2] = b >>> 2 & 1;
                    dst[i + 3] = b >>> 3 & 1;
                    dst[i + 4] = b >>> 4 & 1;
                    dst[i + 5] = b >>> 5 & 1;
                    dst[i + 6] = b >>> 6 & 1;
                    dst[i + 7] = b >>> 7 & 1;
                }
            }
            case 2 -> {
                for (int k = 0; k < whole; k++) {
                    int b = src[offset + k];
                    int i = 4 * k;
                    dst[i] = b & 3;
                    dst[i + 1] = b >>> 2 & 3;
                    dst[i + 2] = b >>> 4 & 3;
                    dst[i + 3] = b >>> 6 & 3;
                }
            }
            default -> {
                for (int k = 0; k < whole; k++) {
                    int b = src[offset + k];
                    int i = 2 * k;
                    dst[i] = b & 15;
                    dst[i + 1] = b >>> 4 & 15;
                }
            }
        }
        int done = whole * (8 / bits);
        if (done < count) {
            int b = src[offset + whole] & 0xFF;
            int mask = (1 << bits) - 1;
            for (int i = done; i < count; i++) {
                dst[i] = b & mask;
                b >>>= bits;
            }
            if (b != 0) {
                throw new MalformedEncodingException(
                        what + ": padding bits after the last " + bits + "-bit value at offset " + (offset + whole)
                                + " are not zero (" + Integer.toBinaryString(b) + ")");
            }
        }
    }

    /**
     * Checks packed bytes as {@link #unpack} and {@link BitPackingStage}'s decoder do, with the same messages: exactly
     * {@code packedBytes(count, bits)} bytes, and zero padding bits after the last value.
     *
     * @throws MalformedEncodingException if the length is wrong or padding bits are set
     */
    public static void checkPacked(byte[] src, int count, int bits, String what) {
        int expected = packedBytes(count, bits);
        if (src.length != expected) {
            throw new MalformedEncodingException(what + ": expected " + expected + " bytes for " + count
                    + " symbols of " + bits + " bits, got " + src.length);
        }
        if (bits == 0 || bits == 8) {
            return;
        }
        int leftover = (int) ((long) expected * 8 - (long) count * bits);
        if (leftover == 0) {
            return;
        }
        int last = src[expected - 1] & 0xFF;
        int padding = last >>> (8 - leftover);
        if (padding == 0) {
            return;
        }
        throw new MalformedEncodingException(what + ": padding bits after the last " + bits + "-bit value at offset "
                + (expected - 1) + " are not zero (" + Integer.toBinaryString(padding) + ")");
    }
}
