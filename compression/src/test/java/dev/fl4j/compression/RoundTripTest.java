package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every preset round-trips random tensors: exact where lossless, within the stated bound otherwise. */
class RoundTripTest {

    static final String[] PRESETS = {
        "identity",
        "uniform8",
        "uniform:1",
        "uniform:3",
        "uniform:16",
        "hadamard-uniform:4",
        "nonuniform:3",
        "entropy-uniform:6",
        "entropy-nonuniform:4",
        "drive",
        "topk:0.1",
        "topk-uniform:0.2:8",
        "randk:0.3",
        "randk-ef:0.3",
        "adaptive-uniform:3",
        "hadamard-lloyd:1",
        "hadamard-lloyd:2",
        "hadamard-lloyd:4",
        "sampled-drive:0.3",
        "sampled-lloyd:0.5:1",
        "sampled-lloyd:0.2:3",
        "subsampled-drive:0.5",
        "subsampled-drive:0.0625"
    };

    /** Random shapes including scalars, empty and single-element tensors, odd sizes and constant tensors. */
    static List<Tensor> randomTensors() {
        List<Tensor> out = new ArrayList<>();
        out.add(Tensor.scalar(3.5f));
        out.add(Tensor.of(new float[0], 0));
        out.add(Tensor.of(new float[0], 3, 0));
        out.add(Tensor.vector(-2f));
        out.add(Tensor.of(new float[] {7f, 7f, 7f, 7f, 7f}, 5));
        out.add(Tensor.of(new float[] {0f, 0f, 0f}, 3, 1));
        SplittableRandom r = new SplittableRandom(42);
        for (int t = 0; t < 12; t++) {
            int rank = 1 + r.nextInt(4);
            int[] shape = new int[rank];
            for (int i = 0; i < rank; i++) {
                shape[i] = 1 + r.nextInt(rank == 1 ? 3000 : 24);
            }
            out.add(TestData.gaussian(r.nextLong(), r.nextDouble() * 4 - 2, 0.01 + r.nextDouble() * 3, shape));
        }
        out.add(TestData.heavyTailed(5, 64, 33));
        return out;
    }

    @Test
    void everyPresetRestoresShapeAndDtypeAndIsDeterministic() {
        for (String preset : PRESETS) {
            TensorEncoder enc = Encoders.tensorEncoder(preset);
            for (Tensor x : randomTensors()) {
                Tensor bytes = enc.encode(x, 11);
                Tensor y = enc.decode(bytes, x.size());
                assertEquals(x.type(), y.type(), preset + " on " + x.type());
                assertEquals(
                        y,
                        enc.decode(bytes, x.type()),
                        preset + ": decoding with the expected type or a cap gives the same tensor");
                assertEquals(DType.UINT8, bytes.dtype());
                assertEquals(bytes, enc.encode(x, 11), preset + ": same seed must give the same bytes");
            }
        }
    }

    @Test
    void float64TensorsComeBackAsFloat64WithFloat32Precision() {
        Tensor x = TestData.gaussian(3, 10, 10).cast(DType.FLOAT64);
        TensorEncoder enc = Encoders.tensorEncoder("identity");
        Tensor y = enc.decode(enc.encode(x, 1), x.type());
        assertEquals(x.type(), y.type());
        assertEquals(x.cast(DType.FLOAT32).cast(DType.FLOAT64), y);
    }

    @Test
    void identityIsExact() {
        TensorEncoder enc = Encoders.tensorEncoder("identity");
        for (Tensor x : randomTensors()) {
            assertEquals(x, enc.decode(enc.encode(x, 1), x.type()));
        }
    }

    @Test
    void uniformQuantizationStaysWithinOneStepAndHitsTheRange() {
        for (int bits : new int[] {1, 2, 3, 5, 8, 12, 16}) {
            TensorEncoder enc = Encoders.tensorEncoder("uniform:" + bits);
            for (Tensor x : randomTensors()) {
                float[] a = x.floatData();
                float[] b = enc.decode(enc.encode(x, bits), x.type()).floatData();
                if (a.length == 0) {
                    continue;
                }
                double step = ((double) TestData.max(a) - TestData.min(a)) / ((1 << bits) - 1);
                for (int i = 0; i < a.length; i++) {
                    assertTrue(
                            Math.abs(a[i] - b[i]) <= step * (1 + 1e-6) + 1e-6 * Math.abs(a[i]),
                            "uniform:" + bits + " element " + i + ": " + a[i] + " -> " + b[i] + ", step " + step);
                    assertTrue(b[i] >= TestData.min(a) - 1e-5 && b[i] <= TestData.max(a) + 1e-5);
                }
            }
        }
    }

    @Test
    void constantTensorsAreExactUnderQuantization() {
        Tensor x = Tensor.of(new float[] {-1.25f, -1.25f, -1.25f}, 3);
        for (String p : new String[] {"uniform:2", "nonuniform:2", "entropy-uniform:4"}) {
            TensorEncoder enc = Encoders.tensorEncoder(p);
            assertEquals(x, enc.decode(enc.encode(x, 9), x.type()), p);
        }
    }

    @Test
    void nearestRoundingIsWithinHalfAStep() {
        TensorEncoder enc = TensorEncoder.of(Stages.uniformQuantizationNearest(4), Stages.bitPacking());
        Tensor x = TestData.gaussian(8, 500);
        float[] a = x.floatData();
        float[] b = enc.decode(enc.encode(x, 1), x.type()).floatData();
        double step = ((double) TestData.max(a) - TestData.min(a)) / 15;
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(a[i] - b[i]) <= step / 2 * (1 + 1e-5));
        }
    }

    @Test
    void hadamardRotationIsOrthonormalAndInvertible() {
        for (int log2 : new int[] {0, 3, 12}) {
            TensorEncoder enc = TensorEncoder.of(Stages.hadamard(log2), Stages.float32());
            for (Tensor x : randomTensors()) {
                float[] a = x.floatData();
                float[] b = enc.decode(enc.encode(x, 77), x.type()).floatData();
                double norm = Math.sqrt(TestData.squaredNorm(a));
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 1e-5 * (1 + norm), "block 2^" + log2);
                }
            }
        }
        // The rotated signal keeps the norm and differs from the input.
        Tensor x = TestData.gaussian(4, 1000);
        TensorEncoder raw = TensorEncoder.of(Stages.hadamard(), Stages.float32());
        byte[] bytes = raw.encode(x, 5).byteData();
        int offset = TensorEncoder.headerBytes(1, 2) + 9;
        java.nio.ByteBuffer bb =
                java.nio.ByteBuffer.wrap(bytes, offset, bytes.length - offset).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] rotated = new float[1024];
        for (int i = 0; i < rotated.length; i++) {
            rotated[i] = bb.getFloat();
        }
        assertEquals(
                TestData.squaredNorm(x.floatData()),
                TestData.squaredNorm(rotated),
                1e-3 * TestData.squaredNorm(rotated));
        assertFalse(rotated[0] == x.floatData()[0] && rotated[1] == x.floatData()[1]);
    }

    @Test
    void hadamardUniformErrorIsWithinTheRotatedStepBound() {
        for (int bits : new int[] {2, 4, 8}) {
            TensorEncoder enc = Encoders.tensorEncoder("hadamard-uniform:" + bits);
            for (Tensor x : randomTensors()) {
                float[] a = x.floatData();
                int m = enc.signalShapes(a.length).get(1).length();
                // every rotated coordinate lies in [-|x|, |x|], so the step is at most 2|x|/(2^b-1) and the
                // error norm at most sqrt(m) steps
                double bound = Math.sqrt(m) * 2 * Math.sqrt(TestData.squaredNorm(a)) / ((1 << bits) - 1);
                double err = Math.sqrt(TestData.squaredError(
                        a, enc.decode(enc.encode(x, bits), x.type()).floatData()));
                assertTrue(
                        err <= bound * (1 + 1e-4) + 1e-6, "hadamard-uniform:" + bits + " error " + err + " > " + bound);
            }
        }
    }

    @Test
    void nonUniformValuesStayBetweenTheirNeighbouringLevels() {
        for (int bits : new int[] {1, 2, 4, 8}) {
            TensorEncoder enc = Encoders.tensorEncoder("nonuniform:" + bits);
            for (Tensor x : randomTensors()) {
                Tensor bytes = enc.encode(x, 3);
                float[] levels = levelsOf(bytes.byteData(), x.rank(), bits);
                float[] a = x.floatData();
                float[] b = enc.decode(bytes, x.type()).floatData();
                for (int i = 0; i < a.length; i++) {
                    int j = java.util.Arrays.binarySearch(levels, b[i]);
                    assertTrue(j >= 0, "decoded value is a level");
                    // the value is at most one gap away from its level: between levels[j-1] and levels[j+1]
                    float lo = levels[Math.max(0, j - 1)];
                    float hi = levels[Math.min(levels.length - 1, j + 1)];
                    int first = j;
                    while (first > 0 && levels[first - 1] == b[i]) {
                        first--;
                    }
                    int last = j;
                    while (last < levels.length - 1 && levels[last + 1] == b[i]) {
                        last++;
                    }
                    lo = levels[Math.max(0, first - 1)];
                    hi = levels[Math.min(levels.length - 1, last + 1)];
                    assertTrue(
                            a[i] >= lo && a[i] <= hi,
                            "nonuniform:" + bits + ": " + a[i] + " decoded to " + b[i] + " outside [" + lo + "," + hi
                                    + "]");
                }
                assertEquals(a.length == 0 ? 0f : TestData.min(a), levels[0]);
                assertEquals(a.length == 0 ? 0f : TestData.max(a), levels[levels.length - 1]);
            }
        }
    }

    static float[] levelsOf(byte[] bytes, int rank, int bits) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.position(TensorEncoder.headerBytes(rank, 2));
        assertEquals(bits, bb.get());
        float[] levels = new float[1 << bits];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = bb.getFloat();
        }
        return levels;
    }

    @Test
    void nonUniformLevelsBeatUniformOnBellShapedData() {
        Tensor x = TestData.gaussian(21, 100_000);
        for (int bits : new int[] {2, 3, 4}) {
            TensorEncoder uni = Encoders.tensorEncoder("uniform:" + bits);
            TensorEncoder non = Encoders.tensorEncoder("nonuniform:" + bits);
            double eu = TestData.squaredError(
                    x.floatData(), uni.decode(uni.encode(x, 1), x.type()).floatData());
            double en = TestData.squaredError(
                    x.floatData(), non.decode(non.encode(x, 1), x.type()).floatData());
            assertTrue(en < 0.8 * eu, bits + " bits: non-uniform MSE " + en + " should be well below uniform " + eu);
        }
    }

    @Test
    void entropyCodingIsLosslessOverTheQuantizedSymbols() {
        for (int bits : new int[] {1, 4, 8, 12}) {
            TensorEncoder packed = Encoders.tensorEncoder("uniform:" + bits);
            TensorEncoder coded = Encoders.tensorEncoder("entropy-uniform:" + bits);
            for (Tensor x : randomTensors()) {
                assertEquals(
                        packed.decode(packed.encode(x, 6), x.type()),
                        coded.decode(coded.encode(x, 6), x.type()),
                        "bits " + bits + " " + x.type());
            }
        }
        TensorEncoder packed = Encoders.tensorEncoder("nonuniform:4");
        TensorEncoder coded = Encoders.tensorEncoder("entropy-nonuniform:4");
        Tensor x = TestData.heavyTailed(2, 5000);
        assertEquals(packed.decode(packed.encode(x, 6), x.type()), coded.decode(coded.encode(x, 6), x.type()));
    }

    @Test
    void entropyCodingComesWithinOnePercentOfTheEmpiricalEntropy() {
        Tensor x = TestData.gaussian(9, 200_000);
        TensorEncoder packed = Encoders.tensorEncoder("uniform:8");
        TensorEncoder coded = Encoders.tensorEncoder("entropy-uniform:8");
        byte[] p = packed.encode(x, 1).byteData();
        byte[] c = coded.encode(x, 1).byteData();
        int header = TensorEncoder.headerBytes(1, 2) + 9;
        // the packed 8-bit payload is the symbols themselves
        long[] counts = new long[256];
        for (int i = header; i < p.length; i++) {
            counts[p[i] & 0xFF]++;
        }
        double entropyBits = 0;
        for (long n : counts) {
            if (n > 0) {
                entropyBits -= n * (Math.log((double) n / 200_000) / Math.log(2));
            }
        }
        int tableBytes = 0;
        for (long n : counts) {
            int f = n == 0
                    ? 0
                    : (int) (1
                            + n
                                    * (65536
                                            - java.util.Arrays.stream(counts)
                                                    .filter(v -> v > 0)
                                                    .count())
                                    / 200_000);
            tableBytes += f < 128 ? 1 : f < 16384 ? 2 : 3;
        }
        long codedPayloadBits = 8L * (c.length - header);
        assertTrue(
                codedPayloadBits <= 1.01 * entropyBits + 8 * (tableBytes + 8),
                codedPayloadBits + " bits vs entropy " + entropyBits);
        assertTrue(codedPayloadBits >= 0.99 * entropyBits, codedPayloadBits + " bits below entropy " + entropyBits);
        assertTrue(c.length < 0.9 * p.length);
    }

    @Test
    void driveKeepsTheProjectionOnTheInput() {
        TensorEncoder enc = Encoders.tensorEncoder("drive");
        for (Tensor x : randomTensors()) {
            float[] a = x.floatData();
            float[] b = enc.decode(enc.encode(x, 13), x.type()).floatData();
            double dot = 0;
            for (int i = 0; i < a.length; i++) {
                dot += (double) a[i] * b[i];
            }
            double norm2 = TestData.squaredNorm(a);
            assertEquals(norm2, dot, 1e-4 * norm2 + 1e-9, "drive on " + x.type());
        }
    }

    @Test
    void topKKeepsTheLargestMagnitudesExactly() {
        Tensor x = TestData.gaussian(17, 40, 25);
        TensorEncoder enc = TensorEncoder.of(Stages.topK().setFraction(0.1).build(), Stages.float32());
        float[] a = x.floatData();
        float[] b = enc.decode(enc.encode(x, 1), x.type()).floatData();
        float[] mags = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            mags[i] = Math.abs(a[i]);
        }
        java.util.Arrays.sort(mags);
        float threshold = mags[a.length - 100];
        int kept = 0;
        for (int i = 0; i < a.length; i++) {
            if (b[i] != 0) {
                kept++;
                assertEquals(a[i], b[i]);
                assertTrue(Math.abs(a[i]) >= threshold);
            } else {
                assertTrue(Math.abs(a[i]) <= threshold);
            }
        }
        assertEquals(100, kept);
    }

    @Test
    void topKBreaksTiesTowardsLowerIndices() {
        Tensor x = Tensor.vector(1f, -3f, 3f, 3f, 0.5f, -3f);
        TensorEncoder enc = TensorEncoder.of(Stages.topK().setFraction(0.5).build(), Stages.float32());
        assertArrayEquals(
                new float[] {0f, -3f, 3f, 3f, 0f, 0f},
                enc.decode(enc.encode(x, 1), x.type()).floatData());
    }

    @Test
    void randomKKeepsExactlyKValuesScaledByNOverK() {
        Tensor x = TestData.gaussian(23, 1000);
        TensorEncoder enc = Encoders.tensorEncoder("randk:0.25");
        float[] a = x.floatData();
        float[] b = enc.decode(enc.encode(x, 99), x.type()).floatData();
        int kept = 0;
        for (int i = 0; i < a.length; i++) {
            if (b[i] != 0) {
                kept++;
                assertEquals(a[i] * 4f, b[i], 1e-5);
            }
        }
        assertEquals(250, kept);
        assertFalse(
                java.util.Arrays.equals(
                        b, enc.decode(enc.encode(x, 100), x.type()).floatData()),
                "another seed picks other elements");
    }

    @Test
    void stochasticEncodersDependOnTheSeed() {
        Tensor x = TestData.gaussian(1, 3000);
        for (String p : new String[] {"uniform:4", "hadamard-uniform:4", "nonuniform:4", "drive", "randk:0.1"}) {
            TensorEncoder enc = Encoders.tensorEncoder(p);
            assertFalse(enc.encode(x, 1).equals(enc.encode(x, 2)), p);
        }
    }
}
