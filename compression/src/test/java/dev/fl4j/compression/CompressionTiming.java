package dev.fl4j.compression;

import dev.fl4j.core.Tensor;

/**
 * A timing harness, not a test: encode+decode time per preset for the FedAvg CNN's dense kernel
 * (3136x512 = 1,605,632 float32 elements), median of repeated runs after warm-up. Run with
 * {@code java -cp <test-classes>:<classes>:<core classes> dev.fl4j.compression.CompressionTiming}.
 */
public final class CompressionTiming {

    private CompressionTiming() {}

    public static void main(String[] args) {
        Tensor x = TestData.gaussian(1, 0, 0.02, 3136, 512);
        String[] presets = args.length > 0
                ? args
                : new String[] {
                    "identity",
                    "uniform8",
                    "uniform:4",
                    "hadamard-uniform:4",
                    "nonuniform:4",
                    "entropy-uniform:8",
                    "entropy-nonuniform:4",
                    "drive",
                    "topk:0.01",
                    "topk-uniform:0.05:8",
                    "randk:0.01"
                };
        System.out.printf("%-22s %10s %10s %10s %8s%n", "preset", "bytes", "encode ms", "decode ms", "x fewer");
        for (String p : presets) {
            TensorEncoder enc = Encoders.tensorEncoder(p);
            long[] encNs = new long[15];
            long[] decNs = new long[15];
            Tensor bytes = null;
            for (int warm = 0; warm < 5; warm++) {
                enc.decode(enc.encode(x, warm), x.type());
            }
            for (int r = 0; r < encNs.length; r++) {
                long t0 = System.nanoTime();
                bytes = enc.encode(x, r);
                long t1 = System.nanoTime();
                enc.decode(bytes, x.type());
                long t2 = System.nanoTime();
                encNs[r] = t1 - t0;
                decNs[r] = t2 - t1;
            }
            java.util.Arrays.sort(encNs);
            java.util.Arrays.sort(decNs);
            System.out.printf(
                    "%-22s %10d %10.2f %10.2f %8.1f%n",
                    p, bytes.size(), encNs[7] / 1e6, decNs[7] / 1e6, (double) x.sizeInBits() / bytes.sizeInBits());
        }
    }
}
