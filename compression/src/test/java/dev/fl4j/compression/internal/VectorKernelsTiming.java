package dev.fl4j.compression.internal;

import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.ValueEncoder;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A timing harness, not a test: encode and decode of a model of the FedAvg CNN's shapes (its 3136×512 dense kernel
 * is 97% of it) with the vector kernels and with the scalar ones, alternating in one JVM after 30 untimed rounds (the
 * order swapped every round), in this thread's CPU time; prints the medians and their ratio. Needs
 * {@code --add-modules jdk.incubator.vector}. Run with {@code java --add-modules jdk.incubator.vector
 * -cp <test-classes>:<classes>:<core classes> dev.fl4j.compression.internal.VectorKernelsTiming [ROUNDS] [PRESET...]}.
 */
public final class VectorKernelsTiming {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private VectorKernelsTiming() {}

    /** The FedAvg CNN's shapes: two 5×5 convolutions (32 and 64 filters), a 3136×512 dense layer, 10 outputs. */
    static Struct cnnShapes() {
        return Struct.builder()
                .add("conv1", gaussian(2, 5, 5, 1, 32))
                .add("conv1_b", gaussian(3, 32))
                .add("conv2", gaussian(4, 5, 5, 32, 64))
                .add("conv2_b", gaussian(5, 64))
                .add("dense", gaussian(1, 3136, 512))
                .add("dense_b", gaussian(6, 512))
                .add("out", gaussian(7, 512, 10))
                .add("out_b", gaussian(8, 10))
                .build();
    }

    private static Tensor gaussian(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.02 * r.nextGaussian());
        }
        return Tensor.of(v, shape);
    }

    public static void main(String[] args) {
        if (!Kernels.available()) {
            throw new IllegalStateException("the vector kernels cannot run in this JVM");
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 61;
        String[] presets = args.length > 1
                ? Arrays.copyOfRange(args, 1, args.length)
                : new String[] {"drive@0", "hadamard-lloyd:2@0", "hadamard-lloyd:1@0", "sampled-drive:0.5@0"};
        Struct model = cnnShapes();
        System.out.printf(
                "%-22s %11s %11s %7s %11s %11s %7s%n",
                "preset", "enc scalar", "enc vector", "ratio", "dec scalar", "dec vector", "ratio");
        for (String p : presets) {
            ValueEncoder enc = Encoders.parse(p);
            Value state = enc.initialState(model.type());
            long[][] ns = new long[4][rounds];
            for (int r = -30; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    boolean vector = (r + k) % 2 == 0;
                    Kernels.useVector(vector);
                    long t0 = CPU.getCurrentThreadCpuTime();
                    Value bytes = enc.encode(model, 1000 + r, state).value();
                    long t1 = CPU.getCurrentThreadCpuTime();
                    enc.decode(bytes, model.type());
                    long t2 = CPU.getCurrentThreadCpuTime();
                    if (r >= 0) {
                        ns[vector ? 1 : 0][r] = t1 - t0;
                        ns[vector ? 3 : 2][r] = t2 - t1;
                    }
                }
            }
            double[] med = new double[4];
            for (int i = 0; i < 4; i++) {
                Arrays.sort(ns[i]);
                med[i] = ns[i][rounds / 2] / 1e6;
            }
            System.out.printf(
                    "%-22s %8.2f ms %8.2f ms %6.2fx %8.2f ms %8.2f ms %6.2fx%n",
                    p, med[0], med[1], med[0] / med[1], med[2], med[3], med[2] / med[3]);
        }
    }
}
