package dev.fl4j.compression;

/**
 * Reads what a {@link ByteWriter} wrote, with bounds checks: every read names what it reads, and
 * running past the end throws {@link MalformedEncodingException} saying what was being read, at
 * which absolute byte offset, and how many bytes were missing. Never returns bytes it does not have.
 */
public final class ByteReader {

    private final byte[] buf;
    private final int end;
    private int pos;

    /** Reads {@code buf[offset, offset+length)}; offsets in error messages are indices into {@code buf}. */
    public ByteReader(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buf.length) {
            throw new IllegalArgumentException(
                    "range [" + offset + ", " + (offset + length) + ") outside array of " + buf.length);
        }
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    public ByteReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    /** Absolute offset of the next byte. */
    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    private void need(int n, String what) {
        if (end - pos < n) {
            throw new MalformedEncodingException("truncated: reading " + what + " needs " + n + " bytes at offset "
                    + pos + " but only " + (end - pos) + " remain");
        }
    }

    public int readU8(String what) {
        need(1, what);
        return buf[pos++] & 0xFF;
    }

    public int readInt(String what) {
        need(4, what);
        int v = (buf[pos] & 0xFF)
                | (buf[pos + 1] & 0xFF) << 8
                | (buf[pos + 2] & 0xFF) << 16
                | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    public long readLong(String what) {
        need(8, what);
        long lo = readInt(what) & 0xFFFFFFFFL;
        long hi = readInt(what) & 0xFFFFFFFFL;
        return lo | hi << 32;
    }

    public float readFloat(String what) {
        return Float.intBitsToFloat(readInt(what));
    }

    /** An unsigned LEB128 int of at most 5 bytes that fits in a non-negative int. */
    public int readVarInt(String what) {
        int start = pos;
        long v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = readU8(what);
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (v > Integer.MAX_VALUE) {
                    throw new MalformedEncodingException(
                            what + " at offset " + start + " is " + v + ", more than 2^31-1");
                }
                return (int) v;
            }
        }
        throw new MalformedEncodingException(what + " at offset " + start + " is a varint longer than 5 bytes");
    }

    /** A copy of the next {@code n} bytes. */
    public byte[] readBytes(int n, String what) {
        if (n < 0) {
            throw new MalformedEncodingException(what + " at offset " + pos + " has negative length " + n);
        }
        need(n, what);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    /** The backing array, for stages that decode in place; use with {@link #position()} and {@link #skip}. */
    public byte[] array() {
        return buf;
    }

    /** Advances over {@code n} bytes that were read directly from {@link #array()}. */
    public void skip(int n, String what) {
        need(n, what);
        pos += n;
    }
}
