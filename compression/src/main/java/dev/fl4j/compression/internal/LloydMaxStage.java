package dev.fl4j.compression.internal;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.MalformedEncodingException;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;

/**
 * Deterministic scalar quantization with the Lloyd–Max levels of the standard Gaussian (Max 1960), one
 * scale per block of {@value #BLOCK} elements; meant to follow a random rotation, after which the
 * elements of a block are close to Gaussian. Each element {@code x} of a block maps to the level
 * {@code c_j} nearest to {@code x/rms} (the block's root mean square), and decodes to {@code scale·c_j}.
 *
 * <p>The block's scale is either the least-squares one ({@code Σ x·c / Σ c²}, never worse than the RMS)
 * or, <b>unbiased</b>, DRIVE's bias correction ({@code Σ x² / Σ x·c}), which makes the decoded block's
 * projection on the input exact, so that after a uniformly random rotation of the block the estimate
 * is unbiased (Vargaftik et al. 2021; {@link SignStage} is its 1-bit case). Nearest-level rounding with
 * the least-squares scale shrinks every block towards zero by the quantizer's relative error: a model
 * broadcast that way is systematically smaller than the server's, and the clients' updates, which
 * grow it back, make the server's model drift; the unbiased scale avoids that.
 *
 * <p>For Gaussian input the mean squared error per element is D = 0.3634σ² (1 bit), 0.1175σ² (2),
 * 0.03454σ² (3) and 0.009497σ² (4) with the least-squares scale, and D/(1 − D) (0.571, 0.133, 0.0358,
 * 0.00959 σ²) with the unbiased one: several times lower than stochastic uniform rounding at the same
 * width, which must span the whole range.
 *
 * <p>Side information, {@code 1 + 4·ceil(n/}{@value #BLOCK}{@code )} bytes: u8 bits, then one f32
 * scale (finite, ≥ 0) per block.
 */
public final class LloydMaxStage extends QuantizerStage implements BlockQuantizer {

    public static final int ID = 12;
    public static final int MAX_BITS = 4;
    /** Elements per scale; the default Hadamard block, so scales and rotation blocks align. */
    public static final int BLOCK = 4096;

    /** The positive Lloyd–Max levels of N(0, 1) for 1 to 4 bits, ascending; the negative ones mirror them. */
    private static final double[][] HALF_LEVELS = {
        {0.7979},
        {0.4528, 1.5104},
        {0.2451, 0.7560, 1.3440, 2.1520},
        {0.1284, 0.3881, 0.6568, 0.9424, 1.2562, 1.6181, 2.0690, 2.7326},
    };

    private final int bits;
    private final boolean unbiased;
    private final float[] levels;
    private final float[] thresholds;

    public LloydMaxStage(int bits, boolean unbiased) {
        super(1 << bits);
        if (bits < 1 || bits > MAX_BITS) {
            throw new IllegalArgumentException("lloyd-max bits must be 1-" + MAX_BITS + ", got " + bits);
        }
        this.bits = bits;
        this.unbiased = unbiased;
        this.levels = gaussianLevels(bits);
        this.thresholds = thresholds(levels);
    }

    /** The midpoints between consecutive levels, ascending: the boundaries of nearest-level rounding. */
    static float[] thresholds(float[] levels) {
        float[] t = new float[levels.length - 1];
        for (int j = 0; j < t.length; j++) {
            t[j] = (levels[j] + levels[j + 1]) / 2;
        }
        return t;
    }

    /** The {@code 2^bits} Lloyd–Max levels of N(0, 1), ascending. */
    static float[] gaussianLevels(int bits) {
        double[] half = HALF_LEVELS[bits - 1];
        float[] l = new float[2 * half.length];
        for (int j = 0; j < half.length; j++) {
            l[half.length + j] = (float) half[j];
            l[half.length - 1 - j] = (float) -half[j];
        }
        return l;
    }

    /** Side information bytes for {@code n} elements. */
    public static int sideInfoBytes(int n) {
        return 1 + 4 * blocks(n);
    }

    private static int blocks(int n) {
        return (n + BLOCK - 1) / BLOCK;
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "lloyd-max(" + bits + (unbiased ? ",unbiased" : "") + ")";
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] x = input.floats();
        int[] q = new int[x.length];
        sideInfo.writeU8(bits);
        for (int start = 0; start < x.length; start += BLOCK) {
            int end = Math.min(x.length, start + BLOCK);
            sideInfo.writeFloat(quantizeBlock(x, start, end, q, start));
        }
        return Signal.symbols(q, levels.length);
    }

    /** Rotation blocks must hold whole scale blocks, or be the one block of a tensor no longer than one. */
    @Override
    public boolean takesBlocks(int block, int m) {
        return block % BLOCK == 0 || (block == m && m <= BLOCK);
    }

    /**
     * Takes whole scale blocks (or the whole tensor) per call: see {@link #takesBlocks}. At 1 and 2 bits most blocks go
     * through {@link LloydMaxFewBits}, which quantizes and packs in one loop.
     */
    @Override
    public Sink startPacked(int m, ByteWriter sideInfo) {
        sideInfo.writeU8(bits);
        byte[] out = new byte[BitPacker.packedBytes(m, bits)];
        int[] q = new int[Math.min(m, BLOCK)];
        LloydMaxFewBits fewBits = bits <= 2 ? new LloydMaxFewBits(bits, unbiased) : null;
        return new Sink() {
            @Override
            public void accept(float[] x, int from, int offset, int len) {
                for (int s = 0; s < len; s += BLOCK) {
                    int start = from + s;
                    int count = Math.min(BLOCK, len - s);
                    int at = (offset + s) / 8 * bits;
                    double sq = sumOfSquares(x, start, start + count);
                    requireFinite(sq, offset + s);
                    float rms = rms(sq, count);
                    if (fewBits != null && LloydMaxFewBits.takes(rms, count)) {
                        sideInfo.writeFloat(fewBits.quantize(x, start, count, sq, 1f / rms, out, at));
                    } else {
                        sideInfo.writeFloat(quantizeBlock(x, start, start + count, sq, q, 0));
                        BitPacker.packInto(q, count, bits, out, at);
                    }
                }
            }

            @Override
            public byte[] finish() {
                return out;
            }
        };
    }

    /**
     * Quantizes {@code x[start, end)} into {@code q[qStart, qStart + end - start)} and returns the block's scale. The
     * sums run in doubles in four lanes (element {@code start + i} in lane {@code i mod 4}, each lane in index order,
     * the lanes combined as {@code (lane0 + lane1) + (lane2 + lane3)}), so the scale does not depend on how the block
     * is stored, and the additions of one lane need not wait for the others'. The decoder reads the scale, so the
     * order is the encoder's choice.
     */
    private float quantizeBlock(float[] x, int start, int end, int[] q, int qStart) {
        double sq = sumOfSquares(x, start, end);
        requireFinite(sq, start);
        return quantizeBlock(x, start, end, sq, q, qStart);
    }

    /**
     * Rejects a block whose sum of squares is not finite, which it is exactly when an element is not: in double the
     * squares of finite floats cannot overflow. The encoder checks its input, so such a block comes from a rotation
     * whose signed sums of finite elements overflowed float32; its scale would be NaN, which no decoder accepts.
     */
    private void requireFinite(double sumOfSquares, int element) {
        if (!Double.isFinite(sumOfSquares)) {
            throw new IllegalArgumentException(
                    name() + ": input holds non-finite values in the block at element " + element
                            + " (a rotation before this stage overflows float32 when finite elements are this large)");
        }
    }

    /** As {@link #quantizeBlock(float[], int, int, int[], int)}, given the block's {@link #sumOfSquares}. */
    private float quantizeBlock(float[] x, int start, int end, double sq, int[] q, int qStart) {
        float rms = rms(sq, end - start);
        if (rms > 0) {
            float inverseScale = 1f / rms;
            double xc0 = 0;
            double xc1 = 0;
            double xc2 = 0;
            double xc3 = 0;
            double cc0 = 0;
            double cc1 = 0;
            double cc2 = 0;
            double cc3 = 0;
            int i = start;
            int shift = qStart - start;
            for (; i + 4 <= end; i += 4) {
                float x0 = x[i];
                float x1 = x[i + 1];
                float x2 = x[i + 2];
                float x3 = x[i + 3];
                int s0 = level(x0 * inverseScale);
                int s1 = level(x1 * inverseScale);
                int s2 = level(x2 * inverseScale);
                int s3 = level(x3 * inverseScale);
                q[i + shift] = s0;
                q[i + 1 + shift] = s1;
                q[i + 2 + shift] = s2;
                q[i + 3 + shift] = s3;
                double c0 = levels[s0];
                double c1 = levels[s1];
                double c2 = levels[s2];
                double c3 = levels[s3];
                xc0 += x0 * c0;
                xc1 += x1 * c1;
                xc2 += x2 * c2;
                xc3 += x3 * c3;
                cc0 += c0 * c0;
                cc1 += c1 * c1;
                cc2 += c2 * c2;
                cc3 += c3 * c3;
            }
            // at most three elements left, in lanes 0, 1, 2
            for (int lane = 0; i < end; i++, lane++) {
                int s = level(x[i] * inverseScale);
                q[i + shift] = s;
                double c = levels[s];
                if (lane == 0) {
                    xc0 += x[i] * c;
                    cc0 += c * c;
                } else if (lane == 1) {
                    xc1 += x[i] * c;
                    cc1 += c * c;
                } else {
                    xc2 += x[i] * c;
                    cc2 += c * c;
                }
            }
            return scale(unbiased, sq, (xc0 + xc1) + (xc2 + xc3), (cc0 + cc1) + (cc2 + cc3));
        }
        for (int i = start; i < end; i++) {
            q[qStart + i - start] = level(x[i] * 0f);
        }
        return 0f;
    }

    /** The block's root mean square, from its {@link #sumOfSquares} and its length. */
    static float rms(double sumOfSquares, int count) {
        return (float) Math.sqrt(sumOfSquares / count);
    }

    /** The block's scale from its sums {@code Σ x²}, {@code Σ x·c} and {@code Σ c²} (see the class javadoc). */
    static float scale(boolean unbiased, double xx, double xc, double cc) {
        return (float) Math.max(0, unbiased ? xx / xc : xc / cc);
    }

    /** The sum of {@code x[i]²} over {@code [start, end)} in double, in the lanes of {@link #quantizeBlock}. */
    static double sumOfSquares(float[] x, int start, int end) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = start;
        if (Kernels.vector()) {
            double[] sums = new double[4];
            i = VectorKernels.sumOfSquares(x, start, end, sums);
            s0 = sums[0];
            s1 = sums[1];
            s2 = sums[2];
            s3 = sums[3];
        }
        for (; i + 4 <= end; i += 4) {
            s0 += (double) x[i] * x[i];
            s1 += (double) x[i + 1] * x[i + 1];
            s2 += (double) x[i + 2] * x[i + 2];
            s3 += (double) x[i + 3] * x[i + 3];
        }
        // at most three elements left, in lanes 0, 1, 2
        if (i < end) {
            s0 += (double) x[i] * x[i];
        }
        if (i + 1 < end) {
            s1 += (double) x[i + 1] * x[i + 1];
        }
        if (i + 2 < end) {
            s2 += (double) x[i + 2] * x[i + 2];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * The index of the level nearest to {@code v}: how many thresholds lie below it, found by a branch-free binary
     * search over the ascending thresholds ({@code bits} steps). {@code t - v} is negative exactly when
     * {@code v > t}: the sign of a float difference is the sign of the exact one, and {@code v = t} gives +0.
     */
    int level(float v) {
        float[] t = thresholds;
        int s = 0;
        for (int step = levels.length >>> 1; step > 0; step >>>= 1) {
            s += (Float.floatToRawIntBits(t[s + step - 1] - v) >> 31) & step;
        }
        return s;
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        float[] scales = readScales(in, input.length());
        return output -> {
            int[] q = output.symbols();
            float[] x = new float[q.length];
            float[] scaled = new float[levels.length];
            for (int k = 0; k < scales.length; k++) {
                for (int j = 0; j < levels.length; j++) {
                    scaled[j] = scales[k] * levels[j];
                }
                int end = Math.min(q.length, (k + 1) * BLOCK);
                for (int i = k * BLOCK; i < end; i++) {
                    x[i] = scaled[q[i]];
                }
            }
            return Signal.floats(x);
        };
    }

    /** Fills whole scale blocks (or the whole tensor) per call: see {@link #takesBlocks}. */
    @Override
    public Source readSideInfoSource(ByteReader in, SignalShape input) {
        int n = input.length();
        float[] scales = readScales(in, n);
        return new Source() {
            private byte[] b;
            private final int[] q = new int[Math.min(n, BLOCK)];
            private final float[] scaled = new float[levels.length];
            private final float[] table = new float[HadamardStage.BYTE_TABLE_LENGTH];

            @Override
            public void start(byte[] payload) {
                BitPacker.checkPacked(payload, n, bits, "bitpack payload");
                b = payload;
            }

            @Override
            public void fill(int offset, float[] x, int len) {
                for (int s = 0; s < len; s += BLOCK) {
                    int start = offset + s;
                    scaleLevels(scales[start / BLOCK]);
                    int count = Math.min(BLOCK, len - s);
                    BitPacker.unpack(b, start / 8 * bits, count, bits, q, "bitpack payload");
                    for (int i = 0; i < count; i++) {
                        x[s + i] = scaled[q[i] & (levels.length - 1)];
                    }
                }
            }

            /** {@code scaled[j] = scale·levels[j]}: the block's decoded values by symbol. */
            private void scaleLevels(float scale) {
                for (int j = 0; j < levels.length; j++) {
                    scaled[j] = scale * levels[j];
                }
            }

            /**
             * At 1 and 2 bits, each byte of symbols is one of 256 patterns of a block's levels, so the passes inside a
             * byte (strides 1 to 4, or 1 and 2) are looked up in a table made per scale block with the same additions.
             */
            @Override
            public void fillRadix16(int offset, float[] x, int len) {
                if (bits > 2) {
                    Source.super.fillRadix16(offset, x, len);
                    return;
                }
                for (int s = 0; s < len; s += BLOCK) {
                    int start = offset + s;
                    scaleLevels(scales[start / BLOCK]);
                    HadamardStage.byteTable(scaled, bits, table);
                    HadamardStage.joinGroups(table, bits, b, offset, x, s, s + Math.min(BLOCK, len - s));
                }
            }
        };
    }

    private float[] readScales(ByteReader in, int n) {
        int at = in.position();
        int b = in.readU8("lloyd-max bits");
        if (b != bits) {
            throw new MalformedEncodingException(
                    "lloyd-max bits at offset " + at + " is " + b + " but this decoder is " + name());
        }
        float[] scales = new float[blocks(n)];
        for (int k = 0; k < scales.length; k++) {
            int pos = in.position();
            scales[k] = in.readFloat("lloyd-max scale of block " + k);
            if (!Float.isFinite(scales[k]) || scales[k] < 0) {
                throw new MalformedEncodingException("lloyd-max scale of block " + k + " at offset " + pos + " is "
                        + scales[k] + ", expected a finite value >= 0");
            }
        }
        return scales;
    }
}
