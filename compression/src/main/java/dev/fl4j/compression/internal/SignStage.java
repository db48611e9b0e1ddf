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
        double l1 = 0;
        double l2 = 0;
        for (int i = 0; i < y.length; i++) {
            float v = y[i];
            s[i] = v >= 0 ? 1 : 0;
            l1 += Math.abs(v);
            l2 += (double) v * v;
        }
        sideInfo.writeFloat(scale(l1, l2, y.length));
        return Signal.symbols(s, 2);
    }

    /**
     * As {@link #encode} then bit packing: sign bit i at bit {@code i mod 8} of byte {@code i/8}, gathered 64 at a
     * time into a little-endian long. The norms are summed in the same order as {@link #encode} sums them, so the
     * scale is the same float.
     */
    @Override
    public Signal encodePacked(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] y = input.floats();
        Sink sink = startPacked(y.length, sideInfo);
        sink.accept(y, 0, 0, y.length);
        return Signal.bytes(sink.finish());
    }

    @Override
    public boolean takesBlocks(int block, int m) {
        return true;
    }

    @Override
    public Sink startPacked(int m, ByteWriter sideInfo) {
        return new Sink() {
            private final byte[] out = new byte[BitPacker.packedBytes(m, 1)];
            private double l1;
            private double l2;

            @Override
            public void accept(float[] y, int from, int offset, int len) {
                double a = l1;
                double b = l2;
                int i = 0;
                if ((offset & 63) == 0) {
                    for (; i + 64 <= len; i += 64) {
                        long bits = 0;
                        for (int k = 0; k < 64; k++) {
                            float v = y[from + i + k];
                            bits |= (v >= 0 ? 1L : 0L) << k;
                            a += Math.abs(v);
                            b += (double) v * v;
                        }
                        BitPacker.putLong(out, (offset + i) >>> 3, bits);
                    }
                }
                for (; i < len; i++) {
                    float v = y[from + i];
                    int at = offset + i;
                    out[at >>> 3] |= (byte) ((v >= 0 ? 1 : 0) << (at & 7));
                    a += Math.abs(v);
                    b += (double) v * v;
                }
                l1 = a;
                l2 = b;
            }

            @Override
            public byte[] finish() {
                sideInfo.writeFloat(scale(l1, l2, m));
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
        };
    }

    private static float readScale(ByteReader in) {
        int at = in.position();
        float scale = in.readFloat("sign scale");
        if (!Float.isFinite(scale) || scale < 0) {
            throw new MalformedEncodingException(
                    "sign scale at offset " + at + " is " + scale + ", expected a finite value >= 0");
        }
        return scale;
    }
}
