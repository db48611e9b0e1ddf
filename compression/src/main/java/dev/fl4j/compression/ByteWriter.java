package dev.fl4j.compression;

import java.util.Arrays;

/**
 * A growable little-endian byte buffer that encoding stages write their side information into
 * (ranges, seeds, indices, frequency tables). Multi-byte values are little-endian; floats are IEEE
 * 754 bit patterns; {@link #writeVarInt} is unsigned LEB128 (7 bits per byte, low group first).
 */
public final class ByteWriter {

    private byte[] buf;
    private int size;

    public ByteWriter() {
        this(64);
    }

    public ByteWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            long wanted = Math.max((long) buf.length * 2, (long) size + more);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("encoded value would exceed 2^31 bytes");
            }
            buf = Arrays.copyOf(buf, (int) wanted);
        }
    }

    /** Writes the low 8 bits of {@code v}. */
    public ByteWriter writeU8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public ByteWriter writeInt(int v) {
        ensure(4);
        buf[size++] = (byte) v;
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 24);
        return this;
    }

    public ByteWriter writeLong(long v) {
        writeInt((int) v);
        return writeInt((int) (v >>> 32));
    }

    public ByteWriter writeFloat(float v) {
        return writeInt(Float.floatToRawIntBits(v));
    }

    /** Unsigned LEB128 of a non-negative int: 1 to 5 bytes. */
    public ByteWriter writeVarInt(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("varint must be >= 0, got " + v);
        }
        while (v >= 0x80) {
            writeU8((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        return writeU8(v);
    }

    public ByteWriter writeBytes(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, size, length);
        size += length;
        return this;
    }

    /** Number of bytes written so far. */
    public int size() {
        return size;
    }

    /** Copies the written bytes into {@code dest} at {@code offset}. */
    public void copyTo(byte[] dest, int offset) {
        System.arraycopy(buf, 0, dest, offset, size);
    }

    /** A copy of the written bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
