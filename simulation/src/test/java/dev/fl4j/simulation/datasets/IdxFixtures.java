package dev.fl4j.simulation.datasets;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files in the MNIST layout for tests. */
final class IdxFixtures {

    private IdxFixtures() {
    }

    /** IDX bytes: header for {@code dims} followed by {@code data}. */
    static byte[] idx(int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bos);
        out.write(new byte[] {0, 0, 0x08, (byte) dims.length});
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bos.toByteArray();
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bos)) {
            out.write(bytes);
        }
        return bos.toByteArray();
    }

    /** Image i has every pixel = (i * 37 + 11) mod 256 and label i mod 10. */
    static byte[] images(int n) {
        byte[] b = new byte[n * 784];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(b, i * 784, (i + 1) * 784, (byte) ((i * 37 + 11) % 256));
        }
        return b;
    }

    static byte[] labels(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 10);
        }
        return b;
    }

    /** The four Fashion-MNIST/MNIST files in {@code dir}: {@code train} and {@code test} examples. */
    static void writeDataset(Path dir, int train, int test, boolean gz) throws IOException {
        Files.createDirectories(dir);
        write(dir, "train-images-idx3-ubyte", idx(new int[] {train, 28, 28}, images(train)), gz);
        write(dir, "train-labels-idx1-ubyte", idx(new int[] {train}, labels(train)), gz);
        write(dir, "t10k-images-idx3-ubyte", idx(new int[] {test, 28, 28}, images(test)), gz);
        write(dir, "t10k-labels-idx1-ubyte", idx(new int[] {test}, labels(test)), gz);
    }

    static void write(Path dir, String name, byte[] content, boolean gz) throws IOException {
        Files.write(dir.resolve(gz ? name + ".gz" : name), gz ? gzip(content) : content);
    }
}
