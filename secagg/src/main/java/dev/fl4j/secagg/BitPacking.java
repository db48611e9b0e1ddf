package dev.fl4j.secagg;

/**
 * Packs values of {@code bitwidth} bits (each in {@code [0, 2^bitwidth)}) densely, little-endian: value
 * {@code j} occupies bits {@code j·bitwidth} to {@code (j+1)·bitwidth − 1} of the byte string, bit 0 being
 * the lowest bit of byte 0; the padding bits of the last byte are zero.
 */
final class BitPacking {

    private BitPacking() {}

    static long packedBytes(int length, int bitwidth) {
        return ((long) length * bitwidth + 7) / 8;
    }

    static byte[] pack(long[] values, int bitwidth) {
        byte[] out = new byte[Math.toIntExact(packedBytes(values.length, bitwidth))];
        int low = Math.min(bitwidth, 32);
        int high = bitwidth - low;
        long lowMask = (1L << low) - 1;
        long buf = 0;
        int n = 0;
        int pos = 0;
        for (long v : values) {
            buf |= (v & lowMask) << n;
            n += low;
            while (n >= 8) {
                out[pos++] = (byte) buf;
                buf >>>= 8;
                n -= 8;
            }
            if (high > 0) {
                buf |= (v >>> 32) << n;
                n += high;
                while (n >= 8) {
                    out[pos++] = (byte) buf;
                    buf >>>= 8;
                    n -= 8;
                }
            }
        }
        if (n > 0) {
            out[pos] = (byte) buf;
        }
        return out;
    }

    /**
     * {@code length} values from {@code bytes} starting at {@code offset} (the caller checked that
     * {@link #packedBytes} bytes are there).
     *
     * @throws SecAggException ({@link SecAggException.Kind#OUT_OF_RANGE}) if a padding bit is set, the only
     *     way packed bits can hold a value outside the modulus
     */
    static long[] unpack(byte[] bytes, int offset, int length, int bitwidth) {
        long[] out = new long[length];
        checkPadding(bytes, offset, length, bitwidth);
        addInto(bytes, offset, bitwidth, out, -1L);
        return out;
    }

    /**
     * Adds the {@code acc.length} packed values to {@code acc} modulo {@code mask + 1}, after checking
     * the padding bits (so a refused message adds nothing): the server folds a masked input into its
     * accumulator without materialising it.
     */
    static void unpackAdd(byte[] bytes, int offset, int bitwidth, long[] acc, long mask) {
        checkPadding(bytes, offset, acc.length, bitwidth);
        addInto(bytes, offset, bitwidth, acc, mask);
    }

    private static void checkPadding(byte[] bytes, int offset, int length, int bitwidth) {
        long bits = (long) length * bitwidth;
        int used = (int) (bits & 7);
        if (used != 0) {
            int last = offset + (int) (bits >>> 3);
            if (((bytes[last] & 0xFF) >>> used) != 0) {
                throw new SecAggException(
                        SecAggException.Kind.OUT_OF_RANGE,
                        "masked input has bits set beyond its last " + bitwidth + "-bit value (byte " + last
                                + "): a value outside the modulus 2^" + bitwidth);
            }
        }
    }

    private static final java.lang.invoke.VarHandle INTS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private static void addInto(byte[] bytes, int offset, int bitwidth, long[] acc, long mask) {
        int length = acc.length;
        if (bitwidth == 32) {
            for (int j = 0; j < length; j++) {
                acc[j] = (acc[j] + (((int) INTS.get(bytes, offset + 4 * j)) & 0xFFFF_FFFFL)) & mask;
            }
            return;
        }
        int low = Math.min(bitwidth, 32);
        int high = bitwidth - low;
        long lowMask = (1L << low) - 1;
        long highMask = (1L << high) - 1;
        long buf = 0;
        int n = 0;
        int pos = offset;
        for (int j = 0; j < length; j++) {
            while (n < low) {
                buf |= (bytes[pos++] & 0xFFL) << n;
                n += 8;
            }
            long v = buf & lowMask;
            buf >>>= low;
            n -= low;
            if (high > 0) {
                while (n < high) {
                    buf |= (bytes[pos++] & 0xFFL) << n;
                    n += 8;
                }
                v |= (buf & highMask) << 32;
                buf >>>= high;
                n -= high;
            }
            acc[j] = (acc[j] + v) & mask;
        }
    }
}
