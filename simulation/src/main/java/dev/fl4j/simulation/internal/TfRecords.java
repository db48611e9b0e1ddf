package dev.fl4j.simulation.internal;

import java.util.zip.CRC32C;

/**
 * TFRecord framing, as TensorFlow writes event files: each record is
 * {@code uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)},
 * all little-endian. The mask is {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}.
 */
public final class TfRecords {

    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecords() {}

    /** CRC-32C (Castagnoli) of {@code data[off, off+len)}. */
    public static int crc32c(byte[] data, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(data, off, len);
        return (int) c.getValue();
    }

    /** The masked CRC TFRecord stores. */
    public static int maskedCrc(byte[] data, int off, int len) {
        int crc = crc32c(data, off, len);
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    /** One framed record holding {@code data}. */
    public static byte[] frame(byte[] data) {
        byte[] rec = new byte[8 + 4 + data.length + 4];
        putLong(rec, 0, data.length);
        putInt(rec, 8, maskedCrc(rec, 0, 8));
        System.arraycopy(data, 0, rec, 12, data.length);
        putInt(rec, 12 + data.length, maskedCrc(data, 0, data.length));
        return rec;
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
