package dev.fl4j.compression.internal;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.MalformedEncodingException;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;

/**
 * One bit per element, the sign, plus one scale: the quantizer of DRIVE (Vargaftik et al. 2021),
 * meant to follow a random rotation. Symbol 1 means {@code +scale}, 0 means {@code -scale}. The
 * bias-corrected scale {@code ||y||²/||y||₁} makes the reconstruction's projection on the input
 * exact ({@code <ŷ, y> = ||y||²}), which after a uniformly random rotation makes the estimate
 * unbiased; the MSE-optimal scale {@code ||y||₁/n} is biased. Side information, 4 bytes: f32 scale.
 */
public final class SignStage extends QuantizerStage implements BlockQuantizer {

    public static final int ID = 8;
    public static final int SIDE_INFO_BYTES = 4;

    private final boolean unbiased;

    public SignStage(boolean unbiased) {
        super(2);
        this.unbiased = unbiased;
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return unbiased ? "sign(unbiased)" : "sign(mse)";
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] y = input.floats();
        int[] s = new int[y.length];
        Norms norms = new Norms();
        for (int i = 0; i < y.length; i++) {
            s[i] = y[i] >= 0 ? 1 : 0;
            norms.add(i, y[i]);
        }
        sideInfo.writeFloat(scale(norms.l1(), norms.l2(), y.length));
        return Signal.symbols(s, 2);
    }

    @Override
    public boolean takesBlocks(int block, int m) {
        return true;
    }

    /**
     * As {@link #encode} then bit packing: sign bit i at bit {@code i mod 8} of byte {@code i/8}, gathered 64 at a
     * time into a little-endian long. The norms are summed in the lanes of {@link Norms}, as {@link #encode} sums them,
     * so the scale is the same float.
     */
    @Override
    public Sink startPacked(int m, ByteWriter sideInfo) {
        return new Sink() {
            private final byte[] out = new byte[BitPacker.packedBytes(m, 1)];
            private final Norms norms = new Norms();

            @Override
            public void accept(float[] y, int from, int offset, int len) {
                int i = 0;
                if ((offset & 63) == 0 && Kernels.vector()) {
                    i = VectorKernels.signsAndNorms(y, from, len, out, offset >>> 3, norms.l1, norms.l2);
                } else if ((offset & 63) == 0) {
                    double a0 = norms.l1[0];
                    double a1 = norms.l1[1];
                    double a2 = norms.l1[2];
                    double a3 = norms.l1[3];
                    double b0 = norms.l2[0];
                    double b1 = norms.l2[1];
                    double b2 = norms.l2[2];
                    double b3 = norms.l2[3];
                    for (; i + 64 <= len; i += 64) {
                        // four partial words, so that no element's bit waits for the previous one's
                        long p0 = 0;
                        long p1 = 0;
                        long p2 = 0;
                        long p3 = 0;
                        for (int k = 0; k < 64; k += 4) {
                            int j = from + i + k;
                            // widened once: the same signs (-0 and NaN as in the float comparison), |v| and v²
                            double v0 = y[j];
                            double v1 = y[j + 1];
                            double v2 = y[j + 2];
                            double v3 = y[j + 3];
                            p0 |= (v0 >= 0 ? 1L : 0L) << k;
                            p1 |= (v1 >= 0 ? 2L : 0L) << k;
                            p2 |= (v2 >= 0 ? 4L : 0L) << k;
                            p3 |= (v3 >= 0 ? 8L : 0L) << k;
                            a0 += Math.abs(v0);
                            a1 += Math.abs(v1);
                            a2 += Math.abs(v2);
                            a3 += Math.abs(v3);
                            b0 += v0 * v0;
                            b1 += v1 * v1;
                            b2 += v2 * v2;
                            b3 += v3 * v3;
                        }
                        long bits = p0 | p1 | p2 | p3;
                        BitPacker.putLong(out, (offset + i) >>> 3, bits);
                    }
                    norms.set(a0, a1, a2, a3, b0, b1, b2, b3);
                }
                for (; i < len; i++) {
                    float v = y[from + i];
                    int at = offset + i;
                    out[at >>> 3] |= (byte) ((v >= 0 ? 1 : 0) << (at & 7));
                    norms.add(at, v);
                }
            }

            /**
             * Writes the scale. It is not finite exactly when an element was not (in double, the sums of finite
             * floats and of their squares cannot overflow): the encoder checks its input, so such an element comes
             * from a rotation whose signed sums of finite elements overflowed float32, and is rejected here rather
             * than sent with a scale no decoder accepts.
             */
            @Override
            public byte[] finish() {
                float scale = scale(norms.l1(), norms.l2(), m);
                if (!Float.isFinite(scale)) {
                    throw new IllegalArgumentException(name() + ": input holds non-finite values (a rotation before"
                            + " this stage overflows float32 when finite elements are this large)");
                }
                sideInfo.writeFloat(scale);
                return out;
            }
        };
    }

    private float scale(double l1, double l2, int n) {
        return (float) (l1 == 0 ? 0 : unbiased ? l2 / l1 : l1 / n);
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        float scale = readScale(in);
        return output -> {
            int[] s = output.symbols();
            float[] y = new float[s.length];
            for (int i = 0; i < s.length; i++) {
                // +scale for symbol 1, -scale for 0; copySign is branch-free, and the signs are random
                y[i] = Math.copySign(scale, s[i] - 0.5f);
            }
            return Signal.floats(y);
        };
    }

    @Override
    public Source readSideInfoSource(ByteReader in, SignalShape input) {
        float scale = readScale(in);
        int n = input.length();
        int magnitude = Float.floatToRawIntBits(scale) & 0x7fffffff;
        return new Source() {
            private byte[] b;
            private float[] halves;

            @Override
            public void start(byte[] payload) {
                BitPacker.checkPacked(payload, n, 1, "bitpack payload");
                b = payload;
            }

            @Override
            public void fill(int offset, float[] y, int len) {
                int i = 0;
                if ((offset & 63) == 0) {
                    for (; i + 64 <= len; i += 64) {
                        long bits = BitPacker.getLong(b, (offset + i) >>> 3);
                        for (int k = 0; k < 64; k++) {
                            y[i + k] = Float.intBitsToFloat(magnitude | ~(int) (bits >>> k) << 31);
                        }
                    }
                }
                for (; i < len; i++) {
                    int at = offset + i;
                    y[i] = Float.intBitsToFloat(magnitude | ~(b[at >>> 3] >>> (at & 7)) << 31);
                }
            }

            /**
             * Each byte of signs is one of 256 patterns of 8 values ±scale, so the passes at strides 1, 2 and 4 over
             * them are looked up in a table made once with the same additions ({@link HadamardStage#byteTable}).
             */
            @Override
            public void fillRadix16(int offset, float[] y, int len) {
                if (halves == null) {
                    float negative = Float.intBitsToFloat(magnitude | Integer.MIN_VALUE);
                    halves = new float[HadamardStage.BYTE_TABLE_LENGTH];
                    HadamardStage.byteTable(new float[] {negative, Float.intBitsToFloat(magnitude)}, 1, halves);
                }
                HadamardStage.joinGroups(halves, 1, b, offset, y, 0, len);
            }
        };
    }

    /** Reads and checks the scale, as this stage's decoders do. */
    static float readScale(ByteReader in) {
        int at = in.position();
        float scale = in.readFloat("sign scale");
        if (!Float.isFinite(scale) || scale < 0) {
            throw new MalformedEncodingException(
                    "sign scale at offset " + at + " is " + scale + ", expected a finite value >= 0");
        }
        return scale;
    }

    /**
     * The sums of |y| and y² in double, in four lanes so that the additions do not wait on each other: element
     * {@code i} (its index in the tensor) goes to lane {@code i mod 4}, each lane sums in index order, and the lanes
     * combine as {@code (lane0 + lane1) + (lane2 + lane3)}. That order, not how the elements arrive, fixes the scale's
     * float. The decoder only reads the scale, so the order is the encoder's choice.
     */
    static final class Norms {
        private final double[] l1 = new double[4];
        private final double[] l2 = new double[4];

        void add(int index, float v) {
            l1[index & 3] += Math.abs(v);
            l2[index & 3] += (double) v * v;
        }

        @SuppressWarnings("checkstyle:ParameterNumber")
        void set(double a0, double a1, double a2, double a3, double b0, double b1, double b2, double b3) {
            l1[0] = a0;
            l1[1] = a1;
            l1[2] = a2;
            l1[3] = a3;
            l2[0] = b0;
            l2[1] = b1;
            l2[2] = b2;
            l2[3] = b3;
        }

        double l1() {
            return (l1[0] + l1[1]) + (l1[2] + l1[3]);
        }

        double l2() {
            return (l2[0] + l2[1]) + (l2[2] + l2[3]);
        }
    }
}
