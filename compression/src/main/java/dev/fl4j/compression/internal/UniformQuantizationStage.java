package dev.fl4j.compression.internal;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.MalformedEncodingException;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;
import dev.fl4j.core.random.SplitMix64;

/**
 * Uniform quantization to {@code 2^b} levels spanning the tensor's {@code [min, max]}, TFF's
 * {@code UniformQuantizationEncodingStage}. With stochastic rounding a value at fractional level
 * {@code v} becomes {@code floor(v)+1} with probability {@code v - floor(v)}, so decoding is unbiased;
 * otherwise it rounds to nearest. Error per element is below one step {@code (max-min)/(2^b-1)}
 * (half a step when rounding to nearest). Side information, 9 bytes: u8 bits, f32 min, f32 max.
 */
public final class UniformQuantizationStage extends QuantizerStage implements PackedQuantizer {

    /** Elements quantized and packed at a time by {@link #encodePacked}: even, whole bytes at any width. */
    private static final int PACK_BLOCK = 4096;

    public static final int ID = 3;
    public static final int SIDE_INFO_BYTES = 9;

    private final int bits;
    private final boolean stochastic;

    public UniformQuantizationStage(int bits, boolean stochastic) {
        super(1 << bits);
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("uniform quantization bits must be 1-16, got " + bits);
        }
        this.bits = bits;
        this.stochastic = stochastic;
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "uniform(" + bits + (stochastic ? "" : ",nearest") + ")";
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] x = input.floats();
        int[] q = new int[x.length];
        Quantizer quantizer = start(x, context, sideInfo);
        if (quantizer != null) {
            quantizer.quantize(x, 0, x.length, q, 0);
        }
        return Signal.symbols(q, levels);
    }

    /**
     * As {@link #encode} then bit packing, {@value #PACK_BLOCK} elements at a time through a block of symbols; the
     * random draws pair the same elements (a block starts at an even index) and come in the same order.
     */
    @Override
    public Signal encodePacked(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] x = input.floats();
        byte[] out = new byte[BitPacker.packedBytes(x.length, bits)];
        Quantizer quantizer = start(x, context, sideInfo);
        if (quantizer != null) {
            int[] q = new int[Math.min(x.length, PACK_BLOCK)];
            for (int from = 0; from < x.length; from += PACK_BLOCK) {
                int to = Math.min(x.length, from + PACK_BLOCK);
                quantizer.quantize(x, from, to, q, 0);
                BitPacker.packInto(q, to - from, bits, out, from / 8 * bits);
            }
        }
        return Signal.bytes(out);
    }

    /**
     * Writes the side information and returns the quantizer of this tensor, or null when its range is empty (every
     * symbol 0).
     */
    private Quantizer start(float[] x, StageContext context, ByteWriter sideInfo) {
        float min = 0f;
        float max = 0f;
        if (x.length > 0) {
            min = Float.POSITIVE_INFINITY;
            max = Float.NEGATIVE_INFINITY;
            for (float v : x) {
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
        }
        if (!Float.isFinite(min) || !Float.isFinite(max)) {
            throw new IllegalArgumentException(name() + ": input holds non-finite values");
        }
        sideInfo.writeU8(bits).writeFloat(min).writeFloat(max);
        double range = (double) max - min;
        return range > 0
                ? new Quantizer(min, (1 << bits) - 1, range, stochastic ? new SplitMix64(context.seed()) : null)
                : null;
    }

    /** The symbols of one tensor's range, in order: stochastic rounding draws one 64-bit value per two elements. */
    private static final class Quantizer {
        private final double lo;
        private final int top;
        private final double scale;
        private final float min;
        private final SplitMix64 rng;

        Quantizer(float min, int top, double range, SplitMix64 rng) {
            this.lo = min;
            this.min = min;
            this.top = top;
            this.scale = top / range;
            this.rng = rng;
        }

        /** Symbols of {@code x[from, to)} into {@code q} from {@code qStart}; {@code from} even, ranges in order. */
        void quantize(float[] x, int from, int to, int[] q, int qStart) {
            int shift = qStart - from;
            if (rng != null) {
                int i = from;
                // one 64-bit draw gives two 24-bit uniforms
                for (; i + 1 < to; i += 2) {
                    long r = rng.nextLong();
                    int s0 = (int) ((x[i] - lo) * scale + (r >>> 40) * 0x1.0p-24);
                    int s1 = (int) ((x[i + 1] - lo) * scale + ((r >>> 8) & 0xFFFFFF) * 0x1.0p-24);
                    q[i + shift] = s0 > top ? top : s0;
                    q[i + 1 + shift] = s1 > top ? top : s1;
                }
                if (i < to) {
                    int s0 = (int) ((x[i] - lo) * scale + rng.nextFloat());
                    q[i + shift] = s0 > top ? top : s0;
                }
            } else {
                for (int i = from; i < to; i++) {
                    int s = (int) ((x[i] - (double) min) * scale + 0.5);
                    q[i + shift] = s > top ? top : s;
                }
            }
        }
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        double[] range = readRange(in);
        float min = (float) range[0];
        double step = range[1];
        return output -> {
            int[] q = output.symbols();
            float[] x = new float[q.length];
            for (int i = 0; i < q.length; i++) {
                x[i] = (float) (min + q[i] * step);
            }
            return Signal.floats(x);
        };
    }

    /** As {@link #readSideInfo}, unpacking the symbols {@value #PACK_BLOCK} at a time. */
    @Override
    public StageDecoder readSideInfoPacked(ByteReader in, SignalShape input) {
        double[] range = readRange(in);
        float min = (float) range[0];
        double step = range[1];
        int n = input.length();
        return output -> {
            byte[] b = output.bytes();
            BitPacker.checkPacked(b, n, bits, "bitpack payload");
            float[] x = new float[n];
            int[] q = new int[Math.min(n, PACK_BLOCK)];
            for (int from = 0; from < n; from += PACK_BLOCK) {
                int count = Math.min(n - from, PACK_BLOCK);
                BitPacker.unpack(b, from / 8 * bits, count, bits, q, "bitpack payload");
                for (int i = 0; i < count; i++) {
                    x[from + i] = (float) (min + q[i] * step);
                }
            }
            return Signal.floats(x);
        };
    }

    /** Reads and checks bits, min and max; returns {min, step}. */
    private double[] readRange(ByteReader in) {
        int at = in.position();
        int b = in.readU8("uniform quantization bits");
        if (b != bits) {
            throw new MalformedEncodingException("uniform quantization bits at offset " + at + " is " + b
                    + " but this decoder is " + name() + (b < 1 || b > 16 ? " (and bits must be 1-16)" : ""));
        }
        float min = in.readFloat("uniform quantization min");
        float max = in.readFloat("uniform quantization max");
        if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
            throw new MalformedEncodingException("uniform quantization range at offset " + (at + 1) + " is [" + min
                    + ", " + max + "], expected finite min <= max");
        }
        return new double[] {min, ((double) max - min) / ((1 << bits) - 1)};
    }
}
