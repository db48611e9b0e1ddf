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
public final class UniformQuantizationStage extends QuantizerStage {

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
        int top = (1 << bits) - 1;
        int[] q = new int[x.length];
        double range = (double) max - min;
        if (range > 0) {
            double scale = top / range;
            if (stochastic) {
                SplitMix64 rng = new SplitMix64(context.seed());
                double lo = min;
                int i = 0;
                // one 64-bit draw gives two 24-bit uniforms
                for (; i + 1 < x.length; i += 2) {
                    long r = rng.nextLong();
                    int s0 = (int) ((x[i] - lo) * scale + (r >>> 40) * 0x1.0p-24);
                    int s1 = (int) ((x[i + 1] - lo) * scale + ((r >>> 8) & 0xFFFFFF) * 0x1.0p-24);
                    q[i] = s0 > top ? top : s0;
                    q[i + 1] = s1 > top ? top : s1;
                }
                if (i < x.length) {
                    int s0 = (int) ((x[i] - lo) * scale + rng.nextFloat());
                    q[i] = s0 > top ? top : s0;
                }
            } else {
                for (int i = 0; i < x.length; i++) {
                    int s = (int) ((x[i] - (double) min) * scale + 0.5);
                    q[i] = s > top ? top : s;
                }
            }
        }
        return Signal.symbols(q, top + 1);
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
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
        int top = (1 << bits) - 1;
        double step = ((double) max - min) / top;
        return output -> {
            int[] q = output.symbols();
            float[] x = new float[q.length];
            for (int i = 0; i < q.length; i++) {
                x[i] = (float) (min + q[i] * step);
            }
            return Signal.floats(x);
        };
    }
}
