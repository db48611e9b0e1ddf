package dev.fl4j.compression.internal;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.MalformedEncodingException;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;
import dev.fl4j.core.random.SplitMix64;
import java.util.Arrays;

/**
 * Non-uniform quantization to {@code L = 2^b} levels fitted to each tensor, with unbiased
 * stochastic rounding between neighbouring levels. The levels are companded: their density
 * follows the cube root of the value density (estimated by a {@value #BINS}-bin histogram over
 * {@code [min, max]}), which minimizes the mean squared error of stochastic rounding for smooth
 * densities (the variance of rounding a value between levels {@code a < b} is
 * {@code (x-a)(b-x)}, and minimizing {@code ∫ p(x) w(x)² dx} under a fixed level count gives step
 * width {@code w ∝ p^(-1/3)}). The first level is the minimum and the last the maximum, so every
 * value lies between two levels and the error of any element is below the widest gap. For bell-
 * shaped weights and updates this spends levels where values are, where uniform quantization wastes
 * them on the tails.
 *
 * <p>Side information, {@code 1 + 4L} bytes: u8 bits, then the L levels as f32, non-decreasing.
 */
public final class NonUniformQuantizationStage extends QuantizerStage {

    public static final int ID = 10;
    public static final int MAX_BITS = 8;
    static final int BINS = 2048;

    private final int bits;

    public NonUniformQuantizationStage(int bits) {
        super(1 << bits);
        if (bits < 1 || bits > MAX_BITS) {
            throw new IllegalArgumentException("non-uniform quantization bits must be 1-" + MAX_BITS + ", got " + bits);
        }
        this.bits = bits;
    }

    /** Side information bytes: {@code 1 + 4·2^bits}. */
    public int sideInfoBytes() {
        return 1 + 4 * (1 << bits);
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "nonuniform(" + bits + ")";
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] x = input.floats();
        int levelsCount = 1 << bits;
        float[] levels = fitLevels(x, levelsCount);
        sideInfo.writeU8(bits);
        for (float l : levels) {
            sideInfo.writeFloat(l);
        }
        int[] q = new int[x.length];
        if (x.length == 0) {
            return Signal.symbols(q, levelsCount);
        }
        SplitMix64 rng = new SplitMix64(context.seed());
        int last = levelsCount - 1;
        // firstLevel[b]: the largest level index below `last` whose level is <= the start of bin b, so the
        // search for a value starts there and only walks the few levels inside its bin
        float min = levels[0];
        double width = ((double) levels[last] - min) / BINS;
        int[] firstLevel = new int[BINS + 1];
        int j = 0;
        for (int b = 0; b <= BINS; b++) {
            double start = min + b * width;
            while (j + 1 < last && levels[j + 1] <= start) {
                j++;
            }
            firstLevel[b] = j;
        }
        if (!(width > 0)) {
            return Signal.symbols(q, levelsCount); // constant tensor: every level is the value
        }
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            int bin = (int) ((v - (double) min) / width);
            int lo = firstLevel[bin > BINS ? BINS : bin];
            while (lo > 0 && levels[lo] > v) {
                lo--;
            }
            while (lo + 1 < last && levels[lo + 1] <= v) {
                lo++;
            }
            float a = levels[lo];
            float b = levels[lo + 1];
            double gap = (double) b - a;
            double p = gap > 0 ? (v - (double) a) / gap : 0;
            q[i] = rng.nextDouble() < p ? lo + 1 : lo;
        }
        return Signal.symbols(q, levelsCount);
    }

    /** Companded levels for {@code x}: non-decreasing, first = min, last = max. */
    static float[] fitLevels(float[] x, int count) {
        float[] levels = new float[count];
        if (x.length == 0) {
            return levels;
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (!(max > min)) {
            Arrays.fill(levels, min);
            return levels;
        }
        double width = ((double) max - min) / BINS;
        long[] hist = new long[BINS];
        for (float v : x) {
            int bin = (int) ((v - (double) min) / width);
            hist[bin >= BINS ? BINS - 1 : bin]++;
        }
        double[] cum = new double[BINS + 1];
        for (int i = 0; i < BINS; i++) {
            cum[i + 1] = cum[i] + Math.cbrt(hist[i]);
        }
        double total = cum[BINS];
        levels[0] = min;
        levels[count - 1] = max;
        int bin = 0;
        for (int j = 1; j < count - 1; j++) {
            double target = total * j / (count - 1);
            while (bin < BINS - 1 && cum[bin + 1] < target) {
                bin++;
            }
            double inBin = cum[bin + 1] - cum[bin];
            double frac = inBin > 0 ? (target - cum[bin]) / inBin : 0;
            float level = (float) (min + (bin + Math.min(1, Math.max(0, frac))) * width);
            levels[j] = Math.min(max, Math.max(levels[j - 1], level));
        }
        return levels;
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        int at = in.position();
        int b = in.readU8("non-uniform quantization bits");
        if (b != bits) {
            throw new MalformedEncodingException(
                    "non-uniform quantization bits at offset " + at + " is " + b + " but this decoder is " + name());
        }
        int count = 1 << bits;
        float[] levels = new float[count];
        for (int j = 0; j < count; j++) {
            int pos = in.position();
            levels[j] = in.readFloat("non-uniform level " + j);
            if (!Float.isFinite(levels[j]) || (j > 0 && levels[j] < levels[j - 1])) {
                throw new MalformedEncodingException("non-uniform level " + j + " at offset " + pos + " is " + levels[j]
                        + ", expected finite and >= the previous level");
            }
        }
        return output -> {
            int[] q = output.symbols();
            float[] x = new float[q.length];
            for (int i = 0; i < q.length; i++) {
                x[i] = levels[q[i]];
            }
            return Signal.floats(x);
        };
    }
}
