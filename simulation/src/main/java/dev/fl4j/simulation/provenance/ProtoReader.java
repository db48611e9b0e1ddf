package dev.fl4j.simulation.provenance;

import dev.fl4j.core.io.MalformedDataException;
import java.util.Arrays;

/**
 * Reads protocol-buffer wire format from a bounded range of untrusted bytes: field tags, varints (at most ten bytes),
 * fixed 32/64-bit values, and length-delimited fields whose length must fit in what remains of the range. The caller
 * walks messages one level at a time ({@link #message()}); nothing recurses. Any violation is a
 * {@link MalformedDataException} naming the source and the offset.
 */
final class ProtoReader {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] bytes;
    private final int end;
    private final String where;
    private int pos;
    private int wireType = -1;

    ProtoReader(byte[] bytes, int offset, int length, String where) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new IllegalArgumentException(
                    "range " + offset + "+" + length + " is outside " + bytes.length + " bytes");
        }
        this.bytes = bytes;
        this.pos = offset;
        this.end = offset + length;
        this.where = where;
    }

    String where() {
        return where;
    }

    boolean hasMore() {
        return pos < end;
    }

    /** Reads the next tag and returns its field number; {@link #wireType()} is then the tag's wire type. */
    int field() {
        int at = pos;
        long tag = varint();
        wireType = (int) (tag & 7);
        long field = tag >>> 3;
        if (field < 1 || field > (1 << 29) - 1) {
            throw new MalformedDataException(
                    where + ": field number " + field + " at byte " + at + " is outside 1.." + ((1 << 29) - 1));
        }
        return (int) field;
    }

    int wireType() {
        return wireType;
    }

    /** Skips the value of the field just read. */
    void skip() {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> advance(8);
            case FIXED32 -> advance(4);
            case LENGTH_DELIMITED -> advance(length());
            default ->
                throw new MalformedDataException(where + ": wire type " + wireType + " before byte " + pos
                        + " is not one fl4j reads (0, 1, 2, 5)");
        }
    }

    /** The bytes of the length-delimited field just read. */
    byte[] bytes() {
        int n = length();
        int from = pos;
        advance(n);
        return Arrays.copyOfRange(bytes, from, from + n);
    }

    /** A reader over the embedded message of the length-delimited field just read. */
    ProtoReader message() {
        int n = length();
        int from = pos;
        advance(n);
        return new ProtoReader(bytes, from, n, where);
    }

    private int length() {
        if (wireType != LENGTH_DELIMITED) {
            throw new IllegalStateException("the field just read has wire type " + wireType + ", not length-delimited");
        }
        int at = pos;
        long n = varint();
        if (n < 0 || n > end - pos) {
            throw new MalformedDataException(where + ": length " + Long.toUnsignedString(n) + " at byte " + at
                    + " is more than the " + (end - pos) + " bytes left");
        }
        return (int) n;
    }

    private void advance(int n) {
        if (n > end - pos) {
            throw new MalformedDataException(where + ": a " + n + "-byte value at byte " + pos + " runs past the end ("
                    + (end - pos) + " bytes left)");
        }
        pos += n;
    }

    private long varint() {
        long value = 0;
        for (int i = 0; i < 10; i++) {
            if (pos >= end) {
                throw new MalformedDataException(where + ": varint cut short at byte " + pos);
            }
            byte b = bytes[pos++];
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new MalformedDataException(where + ": varint longer than ten bytes before byte " + pos);
    }
}
