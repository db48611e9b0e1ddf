package dev.fl4j.compression.internal;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.EncodingStage;
import dev.fl4j.compression.MalformedEncodingException;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalKind;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;

/**
 * Randomized Hadamard rotation (Suresh et al. 2017): random signs from the seed, then the
 * orthonormal Walsh-Hadamard transform. The input is padded with zeros to a whole number of blocks
 * of {@code B = min(nextPowerOfTwo(n), 2^maxBlockLog2)} elements, each block rotated on its own, so
 * padding stays below one block. Orthonormal: norms are kept and decoding is exact up to float
 * rounding. The 1/sqrt(B) normalization is folded into the signs. Spreads a vector's energy evenly, so a following quantizer's range shrinks. Side
 * information, 9 bytes: u8 log2(B), i64 seed.
 */
public final class HadamardStage implements EncodingStage {

    public static final int ID = 5;
    public static final int SIDE_INFO_BYTES = 9;
    public static final int MAX_BLOCK_LOG2 = 24;

    private final int maxBlockLog2;

    public HadamardStage(int maxBlockLog2) {
        if (maxBlockLog2 < 0 || maxBlockLog2 > MAX_BLOCK_LOG2) {
            throw new IllegalArgumentException("hadamard block log2 must be 0-" + MAX_BLOCK_LOG2 + ", got " + maxBlockLog2);
        }
        this.maxBlockLog2 = maxBlockLog2;
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "hadamard(block<=2^" + maxBlockLog2 + ")";
    }

    @Override
    public SignalKind inputKind() {
        return SignalKind.FLOATS;
    }

    @Override
    public SignalKind outputKind() {
        return SignalKind.FLOATS;
    }

    @Override
    public boolean commutesWithSum() {
        return true;
    }

    /** log2 of the block size for {@code n} elements. */
    public int blockLog2(int n) {
        int needed = n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
        return Math.min(needed, maxBlockLog2);
    }

    @Override
    public SignalShape outputShape(SignalShape input) {
        int n = input.length();
        int block = 1 << blockLog2(n);
        long padded = ((long) n + block - 1) / block * block;
        if (padded > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("hadamard: " + n + " elements padded to " + padded + " exceed 2^31");
        }
        return SignalShape.floats((int) padded);
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] x = input.floats();
        int log2 = blockLog2(x.length);
        int m = outputShape(input.shape()).length();
        sideInfo.writeU8(log2).writeLong(context.seed());
        float[] y = new float[m];
        System.arraycopy(x, 0, y, 0, x.length);
        applySigns(y, context.seed(), (float) (1.0 / Math.sqrt(1 << log2)));
        transformBlocks(y, 1 << log2);
        return Signal.floats(y);
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        int at = in.position();
        int log2 = in.readU8("hadamard block log2");
        int n = input.length();
        if (log2 != blockLog2(n)) {
            throw new MalformedEncodingException("hadamard block log2 at offset " + at + " is " + log2 + " but " + name() + " uses "
                    + blockLog2(n) + " for " + n + " elements");
        }
        long seed = in.readLong("hadamard seed");
        return output -> {
            float[] y = output.floats().clone();
            transformBlocks(y, 1 << log2);
            applySigns(y, seed, (float) (1.0 / Math.sqrt(1 << log2)));
            float[] x = new float[n];
            System.arraycopy(y, 0, x, 0, n);
            return Signal.floats(x);
        };
    }

    /** Multiplies each element by {@code ±scale}, the signs drawn from {@code seed}, 64 per draw. */
    private static void applySigns(float[] y, long seed, float scale) {
        SplitMix64 rng = new SplitMix64(seed);
        for (int base = 0; base < y.length; base += 64) {
            long bits = rng.nextLong();
            int end = Math.min(y.length, base + 64);
            for (int i = base; i < end; i++) {
                y[i] *= (bits & 1L) != 0 ? -scale : scale;
                bits >>>= 1;
            }
        }
    }

    /** The unnormalized Walsh-Hadamard transform of each block, in place (radix 4, then a final radix-2 pass if needed). */
    static void transformBlocks(float[] y, int block) {
        for (int start = 0; start < y.length; start += block) {
            fwht(y, start, block);
        }
    }

    private static void fwht(float[] y, int start, int len) {
        int h = 1;
        for (; 4 * h <= len; h *= 4) {
            for (int i = start; i < start + len; i += 4 * h) {
                for (int j = i; j < i + h; j++) {
                    float a = y[j];
                    float b = y[j + h];
                    float c = y[j + 2 * h];
                    float d = y[j + 3 * h];
                    float ab = a + b;
                    float amb = a - b;
                    float cd = c + d;
                    float cmd = c - d;
                    y[j] = ab + cd;
                    y[j + h] = amb + cmd;
                    y[j + 2 * h] = ab - cd;
                    y[j + 3 * h] = amb - cmd;
                }
            }
        }
        if (h < len) {
            for (int j = start; j < start + h; j++) {
                float a = y[j];
                float b = y[j + h];
                y[j] = a + b;
                y[j + h] = a - b;
            }
        }
    }
}
