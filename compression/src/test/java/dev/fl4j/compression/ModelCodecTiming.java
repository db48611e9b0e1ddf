package dev.fl4j.compression;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * A timing harness, not a test: encode and decode time of whole-model {@link ValueEncoder}s on the
 * shapes of the two-layer {@code two_nn} model (784×200, 200, 200×200, 200, 200×10, 10: 199,210
 * weights), the model of the README's both-directions compression figures; first quartile of
 * repeated runs after warm-up, in this thread's CPU time (less disturbed by other processes on a
 * shared machine than wall time). Run with
 * {@code java -cp <test-classes>:<classes>:<core classes> dev.fl4j.compression.ModelCodecTiming [PRESET...]}.
 */
public final class ModelCodecTiming {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private ModelCodecTiming() {}

    /** The two_nn-shaped model, Gaussian weights (σ 0.05). */
    static Struct twoNn() {
        return Struct.builder()
                .add("w1", TestData.gaussian(1, 0, 0.05, 784, 200))
                .add("b1", TestData.gaussian(2, 0, 0.05, 200))
                .add("w2", TestData.gaussian(3, 0, 0.05, 200, 200))
                .add("b2", TestData.gaussian(4, 0, 0.05, 200))
                .add("w3", TestData.gaussian(5, 0, 0.05, 200, 10))
                .add("b3", TestData.gaussian(6, 0, 0.05, 10))
                .build();
    }

    /** {encode, decode} CPU nanoseconds, the minimum of {@code reps} calls each, of {@code preset} on {@code model}. */
    public static long[] minNanos(String preset, Struct model, int reps) {
        ValueEncoder enc = Encoders.parse(preset);
        Value state = enc.initialState(model.type());
        long e = Long.MAX_VALUE;
        long d = Long.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            long t0 = CPU.getCurrentThreadCpuTime();
            Value bytes = enc.encode(model, 1000 + r, state).value();
            long t1 = CPU.getCurrentThreadCpuTime();
            enc.decode(bytes, model.type());
            long t2 = CPU.getCurrentThreadCpuTime();
            e = Math.min(e, t1 - t0);
            d = Math.min(d, t2 - t1);
        }
        return new long[] {e, d};
    }

    public static void main(String[] args) {
        Struct model = Struct.builder()
                .add("w1", TestData.gaussian(1, 0, 0.05, 784, 200))
                .add("b1", TestData.gaussian(2, 0, 0.05, 200))
                .add("w2", TestData.gaussian(3, 0, 0.05, 200, 200))
                .add("b2", TestData.gaussian(4, 0, 0.05, 200))
                .add("w3", TestData.gaussian(5, 0, 0.05, 200, 10))
                .add("b3", TestData.gaussian(6, 0, 0.05, 10))
                .build();
        String[] presets = args.length > 0
                ? args
                : new String[] {
                    "drive",
                    "drive@0",
                    "hadamard-uniform:4",
                    "hadamard-uniform:8",
                    "hadamard-lloyd:3@0",
                    "hadamard-lloyd:2@0",
                    "sampled-lloyd:0.5:1@0",
                    "sampled-drive:0.5@0"
                };
        System.out.printf("%-24s %10s %10s %10s %12s%n", "preset", "bytes", "encode ms", "decode ms", "ns/weight");
        for (String p : presets) {
            ValueEncoder enc = Encoders.parse(p);
            Value state = enc.initialState(model.type());
            int reps = 41;
            long[] encNs = new long[reps];
            long[] decNs = new long[reps];
            Value bytes = null;
            for (int warm = 0; warm < 60; warm++) {
                enc.decode(enc.encode(model, warm, state).value(), model.type());
            }
            for (int r = 0; r < reps; r++) {
                long t0 = CPU.getCurrentThreadCpuTime();
                bytes = enc.encode(model, 1000 + r, state).value();
                long t1 = CPU.getCurrentThreadCpuTime();
                enc.decode(bytes, model.type());
                long t2 = CPU.getCurrentThreadCpuTime();
                encNs[r] = t1 - t0;
                decNs[r] = t2 - t1;
            }
            Arrays.sort(encNs);
            Arrays.sort(decNs);
            long e = encNs[reps / 4];
            long d = decNs[reps / 4];
            System.out.printf(
                    "%-24s %10d %10.3f %10.3f %12.2f%n",
                    p, bytes.sizeInBits() / 8, e / 1e6, d / 1e6, (e + d) / (double) model.sizeInBits() * 32);
        }
    }
}
