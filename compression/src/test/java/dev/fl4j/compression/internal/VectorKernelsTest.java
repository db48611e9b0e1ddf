package dev.fl4j.compression.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.EncodingStage;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.TensorEncoder;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link VectorKernels} against the scalar kernels, in one JVM, bit for bit: each case runs once with
 * {@link Kernels#useVector} off and once on. Needs a JVM started with {@code --add-modules jdk.incubator.vector} (the
 * build's test runs add it) on a machine with 512-bit vectors; elsewhere the cases are skipped, and the scalar path is
 * what every other test checks.
 */
class VectorKernelsTest {

    private static final int[] SIZES = {
        1, 2, 3, 8, 15, 16, 17, 24, 31, 40, 48, 50, 63, 64, 65, 100, 127, 128, 129, 200, 1000, 2047, 4095, 4096, 4097,
        4104, 4120, 4160, 8191, 8192, 8193, 9000, 12296, 20001
    };

    private boolean before;

    @BeforeEach
    void needsTheVectorPath() {
        Assumptions.assumeTrue(Kernels.available(), "no jdk.incubator.vector module or no 512-bit vectors");
        before = Kernels.vector();
    }

    @AfterEach
    void restore() {
        if (Kernels.available()) {
            Kernels.useVector(before);
        }
    }

    /** Values of every kind: ±0, subnormals, ordinary Gaussians of two scales, and rare ones near overflow. */
    private static float[] values(SplittableRandom r, int n, boolean huge) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (r.nextInt(huge ? 10 : 9)) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 2 -> Float.MIN_VALUE * (r.nextInt(2000) - 1000);
                case 3 -> (float) (r.nextGaussian() * 1e-38);
                case 4 -> (float) (r.nextGaussian() * 1e3);
                case 9 -> (r.nextBoolean() ? 1 : -1) * Float.MAX_VALUE / (1 + r.nextInt(64));
                default -> (float) (r.nextGaussian() * 0.02);
            };
        }
        return v;
    }

    /**
     * Mostly +0 and -0, a few ±1: butterflies of two zeros abound (their sum's and difference's signs tell an operand
     * order apart), and equal nonzero operands too.
     */
    private static float[] sparse(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(800);
            v[i] = k == 0 ? 1f : k == 1 ? -1f : r.nextBoolean() ? 0f : -0f;
        }
        return v;
    }

    private static <T> T[] bothPaths(Supplier<T> run, T[] into) {
        Kernels.useVector(false);
        into[0] = run.get();
        Kernels.useVector(true);
        into[1] = run.get();
        return into;
    }

    /**
     * Equal bits, element by element; two NaNs count as equal whatever their bits, which Java leaves open for the NaN
     * an operation makes (the JIT may swap an addition's operands, and x86 keeps the first NaN operand's sign). NaN
     * appears here only where a rotation of finite values overflowed, which the encoders refuse.
     */
    private static void assertBitsEqual(float[] scalar, float[] vector, String what) {
        assertEquals(scalar.length, vector.length, what + ": length");
        for (int i = 0; i < scalar.length; i++) {
            if (Float.floatToRawIntBits(scalar[i]) != Float.floatToRawIntBits(vector[i])
                    && !(Float.isNaN(scalar[i]) && Float.isNaN(vector[i]))) {
                assertEquals(
                        Integer.toHexString(Float.floatToRawIntBits(scalar[i])),
                        Integer.toHexString(Float.floatToRawIntBits(vector[i])),
                        what + ": bits of element " + i + " (" + scalar[i] + " scalar, " + vector[i] + " vector)");
            }
        }
    }

    @Test
    void rotationAndInverseAreBitIdentical() {
        SplittableRandom r = new SplittableRandom(11);
        for (int maxLog2 : new int[] {6, 7, 8, 9, 12, 13}) {
            HadamardStage stage = new HadamardStage(maxLog2);
            for (int n : SIZES) {
                for (int kind = 0; kind < 3; kind++) {
                    boolean huge = kind == 1;
                    float[] x = kind == 2 ? sparse(r, n) : values(r, n, huge);
                    long seed = r.nextLong();
                    String what =
                            "2^" + maxLog2 + " blocks, n " + n + new String[] {"", ", near overflow", ", sparse"}[kind];
                    byte[][] sides = new byte[2][];
                    float[][] rotated = bothPaths(
                            () -> {
                                ByteWriter side = new ByteWriter();
                                float[] y = stage.encode(
                                                Signal.floats(x.clone()), new StageContext(seed, Struct.empty()), side)
                                        .floats();
                                sides[Kernels.vector() ? 1 : 0] = side.toByteArray();
                                return y;
                            },
                            new float[2][]);
                    assertBitsEqual(rotated[0], rotated[1], what + ": rotation");
                    assertArrayEquals(sides[0], sides[1], what + ": side information");
                    float[][] inverse = bothPaths(
                            () -> stage.readSideInfo(new ByteReader(sides[0]), SignalShape.floats(n))
                                    .decode(Signal.floats(rotated[0].clone()))
                                    .floats(),
                            new float[2][]);
                    assertBitsEqual(inverse[0], inverse[1], what + ": inverse");
                }
            }
        }
    }

    /**
     * Zeros alone: every butterfly of two zeros makes +0 or -0 by its operands' signs and order, so a transform of
     * signed zeros shows any butterfly computed another way (as {@code -(b - a)}, or with its operands swapped).
     * Further butterflies with a nonzero or a +0 partner wash a wrong zero sign out, so codec-level tests of ordinary
     * values miss some of these; here each transform is compared directly.
     */
    @Test
    void transformsOfSignedZerosAreBitIdentical() {
        SplittableRandom r = new SplittableRandom(16);
        for (int log2 = 4; log2 <= 13; log2++) {
            int block = 1 << log2;
            for (int round = 0; round < 8; round++) {
                float[] x = new float[2 * block];
                for (int i = 0; i < x.length; i++) {
                    // mostly -0 in some rounds, mostly +0 in others, and an occasional ±1 in half of them
                    boolean negative = r.nextInt(8) < (round % 4) * 2 + 1;
                    x[i] = round >= 4 && r.nextInt(64) == 0 ? (negative ? -1f : 1f) : negative ? -0f : 0f;
                }
                float[] scalar = x.clone();
                HadamardStage.transformBlocks(scalar, block);
                float[] vector = x.clone();
                VectorKernels.fwht(vector, 0, block);
                VectorKernels.fwht(vector, block, block);
                String what = "block " + block + ", round " + round;
                assertBitsEqual(scalar, vector, what + ": transform");
                HadamardStage stage = new HadamardStage(log2);
                long seed = r.nextLong();
                float[][] rotated = bothPaths(
                        () -> stage.encode(
                                        Signal.floats(x.clone()),
                                        new StageContext(seed, Struct.empty()),
                                        new ByteWriter())
                                .floats(),
                        new float[2][]);
                assertBitsEqual(rotated[0], rotated[1], what + ": rotation");
            }
        }
    }

    @Test
    void fusedCodecsGiveTheSameBytesAndFloats() {
        SplittableRandom r = new SplittableRandom(12);
        EncodingStage[][] chains = {
            {new HadamardStage(12), new SignStage(true)},
            {new HadamardStage(12), new SignStage(false)},
            {new HadamardStage(13), new SignStage(true)},
            {new HadamardStage(6), new SignStage(true)},
            {new HadamardStage(12), new LloydMaxStage(1, true)},
            {new HadamardStage(12), new LloydMaxStage(2, true)},
            {new HadamardStage(12), new LloydMaxStage(2, false)},
            {new HadamardStage(13), new LloydMaxStage(2, true)},
            {new HadamardStage(12), new LloydMaxStage(3, true)},
            {new HadamardStage(12), new LloydMaxStage(4, false)},
            {new SignStage(true)},
            {new LloydMaxStage(1, false)},
            {new LloydMaxStage(1, true)},
            {new LloydMaxStage(2, false)},
            {new LloydMaxStage(2, true)},
            {new LloydMaxStage(3, false)},
            {new HadamardStage(12), new StrideStage(2), new SignStage(true)},
            {new HadamardStage(12), new StrideStage(8), new SignStage(true)},
            {new HadamardStage(12), new StrideStage(64), new SignStage(true)},
            {new HadamardStage(13), new StrideStage(2), new LloydMaxStage(1, true)},
        };
        for (EncodingStage[] chain : chains) {
            EncodingStage[] stages = Arrays.copyOf(chain, chain.length + 1);
            stages[chain.length] = new BitPackingStage();
            assertCodecIdentical(TensorEncoder.of(stages), r);
        }
        for (String preset : new String[] {
            "drive",
            "hadamard-lloyd:1",
            "hadamard-lloyd:2",
            "hadamard-lloyd:3",
            "sampled-drive:0.5",
            "sampled-lloyd:0.5:1",
            "subsampled-drive:0.5",
            "subsampled-drive:0.0625"
        }) {
            assertCodecIdentical(Encoders.tensorEncoder(preset), r);
        }
    }

    private static void assertCodecIdentical(TensorEncoder codec, SplittableRandom r) {
        for (int n : SIZES) {
            Tensor x = Tensor.of(values(r, n, false), n);
            long seed = r.nextLong();
            String what = codec.name() + ", n " + n;
            Tensor[] encoded = bothPaths(() -> codec.encode(x, seed), new Tensor[2]);
            assertArrayEquals(encoded[0].byteData(), encoded[1].byteData(), what + ": bytes");
            float[][] decoded =
                    bothPaths(() -> codec.decode(encoded[0], x.type()).floatData(), new float[2][]);
            assertBitsEqual(decoded[0], decoded[1], what + ": decoded");
        }
    }

    @Test
    void rotationsThatOverflowAreRejectedAlike() {
        SplittableRandom r = new SplittableRandom(13);
        for (String preset : new String[] {"drive", "hadamard-lloyd:2", "subsampled-drive:0.5"}) {
            TensorEncoder codec = Encoders.tensorEncoder(preset);
            // finite input, but the second block's signed sums overflow float32
            float[] x = values(r, 9000, false);
            Arrays.fill(x, 4096, 8192, Float.MAX_VALUE);
            Tensor t = Tensor.of(x, x.length);
            String[] messages = bothPaths(
                    () -> assertThrows(IllegalArgumentException.class, () -> codec.encode(t, 1))
                            .getMessage(),
                    new String[2]);
            assertEquals(messages[0], messages[1], preset);
        }
    }

    /** The stride's gathering at stride 2 (a copy and an integer maximum) over runs of every length and offset. */
    @Test
    void strideGatheringMatches() {
        SplittableRandom r = new SplittableRandom(17);
        StrideStage stride = new StrideStage(2);
        for (int len : new int[] {1, 31, 32, 33, 63, 64, 100, 4095, 4096}) {
            for (boolean huge : new boolean[] {false, true}) {
                float[] y = values(r, len + 40, huge);
                if (huge && len > 10) {
                    y[7 + 2 * (len / 3)] = r.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;
                }
                int[] largest = new int[2];
                float[][] kept = bothPaths(
                        () -> {
                            float[] c = new float[stride.kept(len) + 3];
                            largest[Kernels.vector() ? 1 : 0] = stride.gather(y, 7, len, c, 5);
                            return c;
                        },
                        new float[2][]);
                String what = "run of " + len + (huge ? ", near overflow and not finite" : "");
                assertBitsEqual(kept[0], kept[1], what + ": kept");
                assertEquals(largest[0], largest[1], what + ": largest magnitude bits");
            }
        }
    }

    @Test
    void signsAndNormsMatchInEveryChunking() {
        SplittableRandom r = new SplittableRandom(14);
        for (int m : new int[] {64, 100, 4096, 4160, 9000}) {
            float[] y = values(r, m, false);
            // chunks as the fused path passes them (whole rotation blocks) and at odd offsets
            for (int chunk : new int[] {m, 64, 4096, 37}) {
                byte[][] sides = new byte[2][];
                byte[][] packed = bothPaths(
                        () -> {
                            ByteWriter side = new ByteWriter();
                            BlockQuantizer.Sink sink = new SignStage(true).startPacked(m, side);
                            for (int at = 0; at < m; at += chunk) {
                                int len = Math.min(chunk, m - at);
                                float[] part = new float[len + 3];
                                System.arraycopy(y, at, part, 3, len);
                                sink.accept(part, 3, at, len);
                            }
                            byte[] out = sink.finish();
                            sides[Kernels.vector() ? 1 : 0] = side.toByteArray();
                            return out;
                        },
                        new byte[2][]);
                String what = "m " + m + ", chunks of " + chunk;
                assertArrayEquals(packed[0], packed[1], what + ": signs");
                assertArrayEquals(sides[0], sides[1], what + ": scale");
            }
        }
    }

    @Test
    void tableJoinsAndKernelsMatch() {
        SplittableRandom r = new SplittableRandom(15);
        for (int bits : new int[] {1, 2}) {
            float[] symbolValues = values(r, 1 << bits, true);
            float[][] tables = bothPaths(
                    () -> {
                        float[] out = new float[HadamardStage.BYTE_TABLE_LENGTH];
                        HadamardStage.byteTable(symbolValues, bits, out);
                        return out;
                    },
                    new float[2][]);
            assertBitsEqual(tables[0], tables[1], bits + " bits: byte table");
            float[] table = tables[0];
            byte[] packed = new byte[4096];
            for (int i = 0; i < packed.length; i++) {
                packed[i] = (byte) r.nextInt(256);
            }
            for (int offset : new int[] {0, 16, 4096}) {
                int len = 8192;
                float[][] y = bothPaths(
                        () -> {
                            float[] out = new float[len + 32];
                            HadamardStage.joinGroups(table, bits, packed, offset, out, 16, len);
                            return out;
                        },
                        new float[2][]);
                assertBitsEqual(y[0], y[1], bits + " bits, offset " + offset + ": joined bytes");
            }
        }
        for (int len : new int[] {16, 48, 4096}) {
            float[] x = values(r, len, true);
            float[][] y = bothPaths(
                    () -> {
                        float[] out = x.clone();
                        HadamardStage.radix16Groups(out, len);
                        return out;
                    },
                    new float[2][]);
            assertBitsEqual(y[0], y[1], "16-point kernels over " + len);
        }
    }
}
