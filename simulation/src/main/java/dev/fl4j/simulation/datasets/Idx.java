package dev.fl4j.simulation.datasets;

import dev.fl4j.simulation.data.Examples;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST: two zero bytes, an element-type byte
 * ({@code 0x08} = unsigned byte, the only type these datasets use), a rank byte, then one
 * big-endian 32-bit size per dimension, then the data row-major. Files may be gzip-compressed
 * (detected by content, not name). A file whose data is shorter or longer than its header says is
 * rejected.
 */
public final class Idx {

    /** The dimensions and unsigned-byte data of one IDX file. */
    public record Array(Path file, int[] dims, byte[] data) {}

    private Idx() {}

    /** Reads an unsigned-byte IDX file, plain or gzip-compressed. */
    public static Array read(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            return read(file, raw, b0 == 0x1f && b1 == 0x8b, Files.size(file));
        } catch (NoSuchFileException e) {
            throw new DatasetFileException(file, "file does not exist");
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** Reads IDX content already in memory, as {@link #read(Path)} reads {@code file}'s (which names it in errors). */
    static Array read(Path file, byte[] content) {
        boolean gzip = content.length >= 2 && (content[0] & 0xFF) == 0x1f && (content[1] & 0xFF) == 0x8b;
        try {
            return read(file, new java.io.ByteArrayInputStream(content), gzip, content.length);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private static Array read(Path file, InputStream raw, boolean gzip, long size) throws IOException {
        InputStream in = gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
        return read(file, in, gzip ? -1 : size);
    }

    private static DatasetFileException unreadable(Path file, IOException e) {
        if (e instanceof EOFException) {
            return new DatasetFileException(file, "compressed stream ends early (truncated gzip file)", e);
        }
        return new DatasetFileException(file, "cannot be read: " + e.getMessage(), e);
    }

    /** Reads the IDX content of {@code in}; {@code fileSize} is the plain file's size, or -1 when it is compressed. */
    private static Array read(Path file, InputStream in, long fileSize) throws IOException {
        boolean gzip = fileSize < 0;
        DataInputStream din = new DataInputStream(in);
        byte[] magic = din.readNBytes(4);
        if (magic.length < 4) {
            throw new DatasetFileException(file, "too short for an IDX header (" + magic.length + " bytes)");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DatasetFileException(
                    file, String.format("not an IDX file: magic starts %02x %02x, expected 00 00", magic[0], magic[1]));
        }
        if (magic[2] != 0x08) {
            throw new DatasetFileException(
                    file,
                    String.format("IDX element type 0x%02x is not supported (expected 0x08, unsigned byte)", magic[2]));
        }
        int rank = magic[3] & 0xFF;
        if (rank == 0 || rank > 4) {
            throw new DatasetFileException(file, "IDX rank " + rank + " is not plausible (expected 1 to 4)");
        }
        byte[] dimBytes = din.readNBytes(4 * rank);
        if (dimBytes.length < 4 * rank) {
            throw new DatasetFileException(
                    file, "header declares " + rank + " dimensions but the file ends inside them");
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = ((dimBytes[4 * i] & 0xFF) << 24)
                    | ((dimBytes[4 * i + 1] & 0xFF) << 16)
                    | ((dimBytes[4 * i + 2] & 0xFF) << 8)
                    | (dimBytes[4 * i + 3] & 0xFF);
        }
        long total = 1;
        for (int i = 0; i < rank; i++) {
            if (dims[i] < 0) {
                throw new DatasetFileException(
                        file,
                        "negative dimension " + dims[i] + " in IDX header " + Arrays.toString(dims) + " (dimension " + i
                                + ")");
            }
            try {
                total = Math.multiplyExact(total, dims[i]);
            } catch (ArithmeticException e) {
                throw new DatasetFileException(
                        file, "IDX header dimensions " + Arrays.toString(dims) + " multiply past 2^63 bytes of data");
            }
        }
        long header = 4 + 4L * rank;
        if (!gzip && header + total > fileSize) {
            throw truncated(file, dims, total, fileSize - header, false);
        }
        if (!gzip && header + total < fileSize) {
            throw trailing(file, dims, total);
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new DatasetFileException(
                    file, "IDX header declares " + total + " bytes of data, too many for one array");
        }
        // readNBytes grows its buffer with the bytes that actually arrive: a gzip stream shorter than
        // its header claims costs memory for what it holds, not for what it claims
        byte[] data = din.readNBytes((int) total);
        if (data.length < total) {
            throw truncated(file, dims, total, data.length, gzip);
        }
        if (din.read() >= 0) {
            throw trailing(file, dims, total);
        }
        return new Array(file, dims, data);
    }

    private static DatasetFileException truncated(Path file, int[] dims, long total, long held, boolean gzip) {
        return new DatasetFileException(
                file,
                "truncated: header declares dimensions " + Arrays.toString(dims) + " = " + total
                        + " bytes of data but the " + (gzip ? "decompressed " : "") + "file holds only " + held);
    }

    private static DatasetFileException trailing(Path file, int[] dims, long total) {
        return new DatasetFileException(
                file,
                "has bytes after the " + total + " bytes of data its header " + Arrays.toString(dims) + " declares");
    }

    /**
     * An images file {@code [n, rows, cols]} and a labels file {@code [n]} as examples
     * {@code <x=float32[rows,cols,1], y=int32>}, pixels scaled from 0..255 to [0, 1].
     */
    public static Examples labeledImages(Path images, Path labels, int numClasses) {
        Array img = read(images);
        Array lab = read(labels);
        if (img.dims().length != 3) {
            throw new DatasetFileException(
                    images, "expected images of rank 3 [n, rows, cols], got dimensions " + Arrays.toString(img.dims()));
        }
        if (lab.dims().length != 1) {
            throw new DatasetFileException(
                    labels, "expected labels of rank 1 [n], got dimensions " + Arrays.toString(lab.dims()));
        }
        if (img.dims()[1] == 0 || img.dims()[2] == 0) {
            throw new DatasetFileException(
                    images,
                    "images of dimensions " + Arrays.toString(img.dims())
                            + " have no pixels (rows and columns must be positive)");
        }
        int n = img.dims()[0];
        if (lab.dims()[0] != n) {
            throw new DatasetFileException(
                    labels,
                    "holds " + lab.dims()[0] + " labels but " + images.getFileName() + " holds " + n + " images");
        }
        byte[] l = lab.data();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = l[i] & 0xFF;
            if (y[i] >= numClasses) {
                throw new DatasetFileException(
                        labels, "label " + y[i] + " at index " + i + " is outside 0.." + (numClasses - 1));
            }
        }
        byte[] p = img.data();
        float[] x = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            x[i] = (p[i] & 0xFF) / 255f;
        }
        return Examples.of(x, new int[] {img.dims()[1], img.dims()[2], 1}, y);
    }
}
