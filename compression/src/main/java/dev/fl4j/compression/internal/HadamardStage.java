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
import dev.fl4j.core.random.SplitMix64;

/**
 * Randomized Hadamard rotation (Suresh et al. 2017): random signs from the seed, then the
 * orthonormal Walsh-Hadamard transform. The input is padded with zeros to a whole number of blocks
 * of {@code B = min(nextPowerOfTwo(n), 2^maxBlockLog2)} elements, each block rotated on its own, so
 * padding stays below one block. Orthonormal: norms are kept and decoding is exact up to float
 * rounding. The 1/sqrt(B) normalization is folded into the signs. Spreads a vector's energy evenly, so a following
 * quantizer's range shrinks. Side
 * information, 9 bytes: u8 log2(B), i64 seed.
 */
public final class HadamardStage implements EncodingStage {

    public static final int ID = 5;
    public static final int SIDE_INFO_BYTES = 9;
    public static final int MAX_BLOCK_LOG2 = 24;
    /**
     * Floats of a {@link #byteTable}: 256 entries of 8, and 8 more that the vector kernels load past the last entry
     * (a 16-lane load from an entry's start).
     */
    static final int BYTE_TABLE_LENGTH = 256 * 8 + 8;

    private final int maxBlockLog2;

    public HadamardStage(int maxBlockLog2) {
        if (maxBlockLog2 < 0 || maxBlockLog2 > MAX_BLOCK_LOG2) {
            throw new IllegalArgumentException(
                    "hadamard block log2 must be 0-" + MAX_BLOCK_LOG2 + ", got " + maxBlockLog2);
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
        int block = 1 << log2;
        int m = outputShape(input.shape()).length();
        sideInfo.writeU8(log2).writeLong(context.seed());
        float[] y = new float[m];
        float scale = (float) (1.0 / Math.sqrt(block));
        if (block >= 64) {
            // blocks hold whole 64-sign draws: the signs are applied as each group of 16 is first loaded
            SplitMix64 rng = new SplitMix64(context.seed());
            boolean vector = Kernels.vector();
            for (int start = 0; start < m; start += block) {
                signedTransform(x, start, y, start, block, rng, scale, vector);
            }
        } else {
            applySigns(x, y, m, context.seed(), scale);
            transformBlocks(y, block);
        }
        return Signal.floats(y);
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        int at = in.position();
        int log2 = in.readU8("hadamard block log2");
        int n = input.length();
        if (log2 != blockLog2(n)) {
            throw new MalformedEncodingException("hadamard block log2 at offset " + at + " is " + log2 + " but "
                    + name() + " uses " + blockLog2(n) + " for " + n + " elements");
        }
        long seed = in.readLong("hadamard seed");
        return output -> Signal.floats(inverse(output.floats(), n, log2, seed));
    }

    /**
     * As {@link #encode} followed by {@code quantizer} and bit packing, a rotation block at a time: each block is
     * rotated into one scratch block that the quantizer takes at once. Writes this stage's side information, then the
     * quantizer's; returns the packed bytes.
     *
     * <p>{@code finiteCheck}, if not null, runs before a quantizer takes any block that holds a non-finite element of
     * {@code x} (and before any block at all when blocks are shorter than 64): it is meant to throw, and saves the
     * caller a separate pass over {@code x}. It sees no false negatives: every rotated element sums every element of
     * its block with signs and a positive finite scale, and a sum or difference with an infinite or NaN operand is
     * never finite, so a block with a non-finite input has a non-finite first element. It may run for finite inputs
     * whose rotation overflows, then finds nothing to throw.
     */
    public byte[] encodeBlocks(
            float[] x, long seed, ByteWriter sideInfo, BlockQuantizer quantizer, Runnable finiteCheck) {
        int log2 = blockLog2(x.length);
        int block = 1 << log2;
        int m = outputShape(SignalShape.floats(x.length)).length();
        sideInfo.writeU8(log2).writeLong(seed);
        BlockQuantizer.Sink sink = quantizer.startPacked(m, sideInfo);
        float scale = (float) (1.0 / Math.sqrt(block));
        if (block < 64) {
            if (finiteCheck != null) {
                finiteCheck.run();
            }
            float[] y = new float[m];
            applySigns(x, y, m, seed, scale);
            transformBlocks(y, block);
            sink.accept(y, 0, 0, m);
            return sink.finish();
        }
        SplitMix64 rng = new SplitMix64(seed);
        float[] t = new float[block];
        boolean vector = Kernels.vector();
        for (int start = 0; start < m; start += block) {
            signedTransform(x, start, t, 0, block, rng, scale, vector);
            if (finiteCheck != null && !Float.isFinite(t[0])) {
                finiteCheck.run();
                finiteCheck = null;
            }
            sink.accept(t, 0, start, block);
        }
        return sink.finish();
    }

    /** The inverse rotation, as the decoder {@link #readSideInfo} returns, of what {@code source} decodes. */
    public interface SourceDecoder {
        float[] decode(BlockQuantizer.Source source);
    }

    /** As {@link #readSideInfo}, for a decoder that reads the rotated floats from a quantizer a block at a time. */
    public SourceDecoder readSideInfoBlocks(ByteReader in, SignalShape input) {
        int at = in.position();
        int log2 = in.readU8("hadamard block log2");
        int n = input.length();
        if (log2 != blockLog2(n)) {
            throw new MalformedEncodingException("hadamard block log2 at offset " + at + " is " + log2 + " but "
                    + name() + " uses " + blockLog2(n) + " for " + n + " elements");
        }
        long seed = in.readLong("hadamard seed");
        int m = outputShape(input).length();
        return source -> {
            int block = 1 << log2;
            if (block < 64) {
                float[] y = new float[m];
                source.fill(0, y, m);
                return inverse(y, n, log2, seed);
            }
            float scale = (float) (1.0 / Math.sqrt(block));
            float[] x = new float[n];
            SplitMix64 rng = new SplitMix64(seed);
            float[] t = new float[block];
            boolean vector = Kernels.vector();
            float[] signs = vector ? null : signTable(scale);
            for (int start = 0; start < n; start += block) {
                source.fillRadix16(start, t, block);
                if (vector) {
                    VectorKernels.fwhtFrom(t, 0, block, 16);
                    VectorKernels.unsign(t, x, start, Math.min(block, n - start), rng, scale);
                } else {
                    fwhtFrom16(t, 0, block);
                    unsign(t, x, start, Math.min(block, n - start), rng, signs, scale);
                }
            }
            return x;
        };
    }

    /**
     * The first {@code n} elements of the inverse rotation of {@code y} (not modified): each block is
     * copied to a scratch block, transformed there, and written out with its signs and scale; the
     * padding is dropped, so only the first n elements need their signs.
     */
    private static float[] inverse(float[] y, int n, int log2, long seed) {
        int block = 1 << log2;
        float scale = (float) (1.0 / Math.sqrt(block));
        float[] x = new float[n];
        if (block < 64) {
            float[] t = y.clone();
            transformBlocks(t, block);
            applySigns(t, x, n, seed, scale);
            return x;
        }
        SplitMix64 rng = new SplitMix64(seed);
        float[] t = new float[block];
        boolean vector = Kernels.vector();
        float[] signs = vector ? null : signTable(scale);
        for (int start = 0; start < n; start += block) {
            System.arraycopy(y, start, t, 0, block);
            if (vector) {
                VectorKernels.fwht(t, 0, block);
                VectorKernels.unsign(t, x, start, Math.min(block, n - start), rng, scale);
            } else {
                fwht(t, 0, block);
                unsign(t, x, start, Math.min(block, n - start), rng, signs, scale);
            }
        }
        return x;
    }

    /**
     * {@code x[start + i] = t[i]·±scale} for i below {@code count}, one draw per 64 elements; whole groups of 4 take
     * their ±scale from a {@link #signTable} of {@code scale}.
     */
    private static void unsign(float[] t, float[] x, int start, int count, SplitMix64 rng, float[] signs, float scale) {
        int k = 0;
        for (; k + 64 <= count; k += 64) {
            long bits = rng.nextLong();
            for (int g = 0; g < 64; g += 4) {
                int s = (int) (bits >>> g) << 2 & 60;
                int i = k + g;
                x[start + i] = t[i] * signs[s];
                x[start + i + 1] = t[i + 1] * signs[s + 1];
                x[start + i + 2] = t[i + 2] * signs[s + 2];
                x[start + i + 3] = t[i + 3] * signs[s + 3];
            }
        }
        if (k < count) {
            long bits = rng.nextLong();
            for (int i = k; i < count; i++) {
                x[start + i] = t[i] * signed(scale, bits, i - k);
            }
        }
    }

    /** {@code scale} negated when bit {@code k} of {@code bits} is 1: an exact sign flip, no branch. */
    static float signed(float scale, long bits, int k) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(scale) ^ ((int) (bits >>> k) << 31));
    }

    /**
     * Sets {@code dst[i] = src[i] · ±scale} for i in [0, count), reading 0 past the end of
     * {@code src} (the padding); {@code src} may be {@code dst}. Element i takes the sign from bit
     * {@code i mod 64} (1 = negative) of the {@code (i/64)}-th draw from {@code seed}. Branch-free: the
     * signs are random, so a branch per element would be mispredicted half the time. The product is
     * {@code src[i]·scale} or {@code src[i]·(-scale)}, bit for bit what a multiplication by the negated
     * scale gives.
     */
    static void applySigns(float[] src, float[] dst, int count, long seed, float scale) {
        SplitMix64 rng = new SplitMix64(seed);
        for (int base = 0; base < count; base += 64) {
            long bits = rng.nextLong();
            int end = Math.min(count, base + 64);
            for (int i = base; i < end; i++) {
                float v = i < src.length ? src[i] : 0f;
                dst[i] = v * signed(scale, bits, i - base);
            }
        }
    }

    /**
     * The rotation of one block of {@code block >= 64} elements: {@code y[yStart, yStart+block)} is the transform of
     * {@code src[start, start+block)} (0 past its end) times ±scale, one {@code rng} draw per 64 elements; by the
     * {@link VectorKernels} or by the scalar kernels, the same floats.
     */
    private static void signedTransform(
            float[] src, int start, float[] y, int yStart, int block, SplitMix64 rng, float scale, boolean vector) {
        if (vector) {
            VectorKernels.signedTransform(src, start, y, yStart, block, rng, scale);
        } else {
            signedRadix16Pass(src, start, y, yStart, block, rng, scale);
            fwhtFrom16(y, yStart, block);
        }
    }

    /**
     * The signs of {@code y[start, start+block)} from {@code src} (0 past its end) and the first four
     * butterfly passes (strides 1 to 8) in one sweep: per group of 16 elements, the signed values are
     * loaded and go through {@link #radix16}. Draws one {@code rng} value per 64 elements, as
     * {@link #applySigns} does.
     */
    private static void signedRadix16Pass(
            float[] src, int start, float[] y, int yStart, int block, SplitMix64 rng, float scale) {
        int shift = yStart - start;
        int direct = Math.max(start, Math.min(start + block, src.length & ~63));
        for (int base = start; base < direct; base += 64) {
            long bits = rng.nextLong();
            signedRadix16(src, base, y, base + shift, bits, scale);
            signedRadix16(src, base + 16, y, base + 16 + shift, bits >>> 16, scale);
            signedRadix16(src, base + 32, y, base + 32 + shift, bits >>> 32, scale);
            signedRadix16(src, base + 48, y, base + 48 + shift, bits >>> 48, scale);
        }
        for (int base = direct; base < start + block; base += 64) {
            long bits = rng.nextLong();
            for (int i = base; i < base + 64; i++) {
                // the padding's zeros take their signs too: -0 and +0 add differently
                float v = i < src.length ? src[i] : 0f;
                y[i + shift] = v * signed(scale, bits, i - base);
            }
            for (int j = base; j < base + 64; j += 16) {
                radix16(y, j + shift);
            }
        }
    }

    /**
     * {@code ±scale} by 4 sign bits: entry {@code 4·p + k} is {@code scale} negated when bit {@code k} of {@code p} is
     * 1, as {@link #signed} makes it. A multiplication by an entry is one load-and-multiply, where {@link #signed}
     * takes a shift, a mask and an exclusive or per element. (Encoding's 16-point kernel ran no faster with it.)
     */
    private static float[] signTable(float scale) {
        float[] t = new float[64];
        for (int p = 0; p < 16; p++) {
            for (int k = 0; k < 4; k++) {
                t[4 * p + k] = signed(scale, p, k);
            }
        }
        return t;
    }

    /**
     * {@link #radix16} of the 16 elements {@code src[j, j+16)} times ±scale by the low 16 bits of {@code bits}, into
     * {@code y[k, k+16)}.
     */
    private static void signedRadix16(float[] src, int j, float[] y, int k, long bits, float scale) {
        radix16(
                y,
                k,
                src[j] * signed(scale, bits, 0),
                src[j + 1] * signed(scale, bits, 1),
                src[j + 2] * signed(scale, bits, 2),
                src[j + 3] * signed(scale, bits, 3),
                src[j + 4] * signed(scale, bits, 4),
                src[j + 5] * signed(scale, bits, 5),
                src[j + 6] * signed(scale, bits, 6),
                src[j + 7] * signed(scale, bits, 7),
                src[j + 8] * signed(scale, bits, 8),
                src[j + 9] * signed(scale, bits, 9),
                src[j + 10] * signed(scale, bits, 10),
                src[j + 11] * signed(scale, bits, 11),
                src[j + 12] * signed(scale, bits, 12),
                src[j + 13] * signed(scale, bits, 13),
                src[j + 14] * signed(scale, bits, 14),
                src[j + 15] * signed(scale, bits, 15));
    }

    /**
     * The unnormalized Walsh-Hadamard transform of each block of {@code block} elements, in place:
     * radix-4 butterflies at strides 1, 4, 16, ..., then one radix-2 pass when log2 of the block is
     * odd. The passes at strides 1 and 4 run fused as one 16-point kernel per 16 elements; the
     * passes at strides of 16 and more run as loops over contiguous runs, which the JIT vectorizes.
     * Every element goes through the same butterflies as in the plain pass-by-pass order, so the
     * results are bit-identical to it.
     */
    static void transformBlocks(float[] y, int block) {
        for (int start = 0; start < y.length; start += block) {
            fwht(y, start, block);
        }
    }

    private static void fwht(float[] y, int start, int len) {
        if (len >= 16) {
            for (int i = start; i < start + len; i += 16) {
                radix16(y, i);
            }
            fwhtFrom16(y, start, len);
        } else {
            fwhtFrom(y, start, len, 1);
        }
    }

    /** The passes of {@link #fwht} after the strides 1 to 8 of {@link #radix16}; {@code len >= 16}. */
    private static void fwhtFrom16(float[] y, int start, int len) {
        fwhtFrom(y, start, len, 16);
    }

    private static void fwhtFrom(float[] y, int start, int len, int first) {
        int h = first;
        for (; 4 * h <= len; h *= 4) {
            // A literal stride lets the JIT prove the four runs of a butterfly apart and vectorize.
            switch (h) {
                case 16 -> radix4Pass(y, start, len, 16);
                case 64 -> radix4Pass(y, start, len, 64);
                case 256 -> radix4Pass(y, start, len, 256);
                case 1024 -> radix4Pass(y, start, len, 1024);
                case 4096 -> radix4Pass(y, start, len, 4096);
                case 16384 -> radix4Pass(y, start, len, 16384);
                case 65536 -> radix4Pass(y, start, len, 65536);
                case 262144 -> radix4Pass(y, start, len, 262144);
                case 1048576 -> radix4Pass(y, start, len, 1048576);
                case 4194304 -> radix4Pass(y, start, len, 4194304);
                default -> radix4Pass(y, start, len, h);
            }
        }
        if (2 * h <= len) {
            int p = start;
            int q = start + h;
            for (int j = 0; j < h; j++) {
                float a = y[p + j];
                float b = y[q + j];
                y[p + j] = a + b;
                y[q + j] = a - b;
            }
        }
    }

    /**
     * One radix-4 pass at stride {@code h} over {@code y[start, start+len)}: butterflies on
     * {@code (y[i+j], y[i+h+j], y[i+2h+j], y[i+3h+j])} for each 4h-group i and j in [0, h).
     */
    private static void radix4Pass(float[] y, int start, int len, int h) {
        for (int i = start; i < start + len; i += 4 * h) {
            radix4(y, i, h);
        }
    }

    private static void radix4(float[] y, int i, int h) {
        int p = i;
        int q = i + h;
        int r = i + 2 * h;
        int s = i + 3 * h;
        for (int j = 0; j < h; j++) {
            float a = y[p + j];
            float b = y[q + j];
            float c = y[r + j];
            float d = y[s + j];
            float ab = a + b;
            float amb = a - b;
            float cd = c + d;
            float cmd = c - d;
            y[p + j] = ab + cd;
            y[q + j] = amb + cmd;
            y[r + j] = ab - cd;
            y[s + j] = amb - cmd;
        }
    }

    /** {@link #radix16} over each group of 16 of {@code y[0, len)}; {@code len} a multiple of 16. */
    static void radix16Groups(float[] y, int len) {
        radix16Groups(y, 0, len);
    }

    /** {@link #radix16} over each group of 16 of {@code y[start, start+len)}; {@code len} a multiple of 16. */
    static void radix16Groups(float[] y, int start, int len) {
        if (Kernels.vector()) {
            VectorKernels.radix16Groups(y, start, len);
            return;
        }
        for (int j = start; j < start + len; j += 16) {
            radix16(y, j);
        }
    }

    /*
     * Table-driven first passes, for decoders whose values take few patterns (a byte of 1-bit or 2-bit symbols):
     * a table holds, per byte value, the passes inside the byte's elements, made with the additions radix16 makes for
     * them; the passes across bytes then follow as radix16 makes them. Same floats, bit for bit.
     */

    /**
     * Fills {@code table} (256·8 floats at least) with, per byte value {@code p}, the passes inside its
     * {@code 8/bits} elements (strides 1 to 4 at 1 bit, 1 and 2 at 2 bits) over the values
     * {@code symbolValues[symbol]} of its symbols, symbol k of the byte at bits {@code [k·bits, (k+1)·bits)}.
     */
    static void byteTable(float[] symbolValues, int bits, float[] table) {
        if (bits == 2) {
            quarterTable(symbolValues, table);
            return;
        }
        if (Kernels.vector()) {
            VectorKernels.halfTable(symbolValues[0], symbolValues[1], table);
            return;
        }
        for (int p = 0; p < 256; p++) {
            for (int k = 0; k < 8; k++) {
                table[8 * p + k] = symbolValues[(p >>> k) & 1];
            }
            radix8(table, 8 * p);
        }
    }

    /**
     * {@link #byteTable} at 2 bits: a byte holds two pairs of symbols, whose sums and differences (the stride-1
     * butterflies) take 16 patterns each, so they are made once per pair and each byte's entry joins its two pairs
     * (the stride-2 butterflies), the additions {@link #radix4Stride1} makes.
     */
    private static void quarterTable(float[] symbolValues, float[] table) {
        float[] sum = new float[16];
        float[] difference = new float[16];
        for (int q = 0; q < 16; q++) {
            sum[q] = symbolValues[q & 3] + symbolValues[q >>> 2];
            difference[q] = symbolValues[q & 3] - symbolValues[q >>> 2];
        }
        if (Kernels.vector()) {
            VectorKernels.quarterTable(sum, difference, table);
            return;
        }
        for (int hi = 0; hi < 16; hi++) {
            float s = sum[hi];
            float d = difference[hi];
            for (int lo = 0; lo < 16; lo++) {
                int at = 4 * (16 * hi + lo);
                table[at] = sum[lo] + s;
                table[at + 1] = difference[lo] + d;
                table[at + 2] = sum[lo] - s;
                table[at + 3] = difference[lo] - d;
            }
        }
    }

    /**
     * {@link #joinBytes} for each group of 16 in {@code [from, to)}: {@code y[i, i+16)} from the symbols of elements
     * {@code [offset + i, offset + i + 16)}, which start at byte {@code (offset + i)·bits/8} of {@code packed}.
     */
    static void joinGroups(float[] table, int bits, byte[] packed, int offset, float[] y, int from, int to) {
        if (Kernels.vector()) {
            VectorKernels.joinGroups(table, bits, packed, offset, y, from, to);
            return;
        }
        for (int i = from; i < to; i += 16) {
            joinBytes(table, bits, packed, (offset + i) / 8 * bits, y, i);
        }
    }

    /**
     * {@code y[i, i+16)}: the 16-point kernel's output for the 16 symbols packed in {@code packed} from byte
     * {@code at}, from a {@link #byteTable} of the same {@code bits} (1 or 2).
     */
    private static void joinBytes(float[] table, int bits, byte[] packed, int at, float[] y, int i) {
        if (bits == 1) {
            joinHalves(table, (packed[at] & 0xFF) << 3, (packed[at + 1] & 0xFF) << 3, y, i);
        } else {
            joinQuarters(
                    table,
                    (packed[at] & 0xFF) << 2,
                    (packed[at + 1] & 0xFF) << 2,
                    (packed[at + 2] & 0xFF) << 2,
                    (packed[at + 3] & 0xFF) << 2,
                    y,
                    i);
        }
    }

    /** The passes at strides 1, 2 and 4 over the 8 elements {@code y[j, j+8)}, as {@link #radix16} makes them. */
    private static void radix8(float[] y, int j) {
        radix4Stride1(y, j);
        radix4Stride1(y, j + 4);
        for (int k = j; k < j + 4; k++) {
            float a = y[k];
            float b = y[k + 4];
            y[k] = a + b;
            y[k + 4] = a - b;
        }
    }

    /** The passes at strides 1 and 2 over the 4 elements {@code y[j, j+4)}, as {@link #radix16} makes them. */
    private static void radix4Stride1(float[] y, int j) {
        float s = y[j] + y[j + 1];
        float t = y[j] - y[j + 1];
        float u = y[j + 2] + y[j + 3];
        float v = y[j + 2] - y[j + 3];
        y[j] = s + u;
        y[j + 1] = t + v;
        y[j + 2] = s - u;
        y[j + 3] = t - v;
    }

    /**
     * {@code y[i, i+16)}: the pass at stride 8 over two halves whose passes at strides 1 to 4 are
     * {@code table[lo, lo+8)} and {@code table[hi, hi+8)}.
     */
    private static void joinHalves(float[] table, int lo, int hi, float[] y, int i) {
        for (int k = 0; k < 8; k++) {
            float l = table[lo + k];
            float h = table[hi + k];
            y[i + k] = l + h;
            y[i + k + 8] = l - h;
        }
    }

    /**
     * {@code y[i, i+16)}: the passes at strides 4 and 8 over four quarters whose passes at strides 1 and 2 are
     * {@code table[q0, q0+4)} to {@code table[q3, q3+4)}.
     */
    @SuppressWarnings("checkstyle:ParameterNumber")
    private static void joinQuarters(float[] table, int q0, int q1, int q2, int q3, float[] y, int i) {
        for (int k = 0; k < 4; k++) {
            float a = table[q0 + k];
            float b = table[q1 + k];
            float c = table[q2 + k];
            float d = table[q3 + k];
            float s = a + b;
            float t = a - b;
            float u = c + d;
            float v = c - d;
            y[i + k] = s + u;
            y[i + k + 4] = t + v;
            y[i + k + 8] = s - u;
            y[i + k + 12] = t - v;
        }
    }

    /** The radix-4 passes at strides 1 and 4 over the 16 elements {@code y[j, j+16)}. */
    private static void radix16(float[] y, int j) {
        radix16(
                y, j, y[j], y[j + 1], y[j + 2], y[j + 3], y[j + 4], y[j + 5], y[j + 6], y[j + 7], y[j + 8], y[j + 9],
                y[j + 10], y[j + 11], y[j + 12], y[j + 13], y[j + 14], y[j + 15]);
    }

    /** The radix-4 passes at strides 1 and 4 over the 16 values {@code x0..x15}, written to {@code y[j, j+16)}. */
    @SuppressWarnings("checkstyle:ParameterNumber")
    private static void radix16(
            float[] y,
            int j,
            float x0,
            float x1,
            float x2,
            float x3,
            float x4,
            float x5,
            float x6,
            float x7,
            float x8,
            float x9,
            float x10,
            float x11,
            float x12,
            float x13,
            float x14,
            float x15) {
        // stride 1: groups (0..3), (4..7), (8..11), (12..15)
        float s;
        float t;
        float u;
        float v;
        s = x0 + x1;
        t = x0 - x1;
        u = x2 + x3;
        v = x2 - x3;
        x0 = s + u;
        x1 = t + v;
        x2 = s - u;
        x3 = t - v;
        s = x4 + x5;
        t = x4 - x5;
        u = x6 + x7;
        v = x6 - x7;
        x4 = s + u;
        x5 = t + v;
        x6 = s - u;
        x7 = t - v;
        s = x8 + x9;
        t = x8 - x9;
        u = x10 + x11;
        v = x10 - x11;
        x8 = s + u;
        x9 = t + v;
        x10 = s - u;
        x11 = t - v;
        s = x12 + x13;
        t = x12 - x13;
        u = x14 + x15;
        v = x14 - x15;
        x12 = s + u;
        x13 = t + v;
        x14 = s - u;
        x15 = t - v;
        // stride 4: groups (0,4,8,12), (1,5,9,13), (2,6,10,14), (3,7,11,15)
        s = x0 + x4;
        t = x0 - x4;
        u = x8 + x12;
        v = x8 - x12;
        y[j] = s + u;
        y[j + 4] = t + v;
        y[j + 8] = s - u;
        y[j + 12] = t - v;
        s = x1 + x5;
        t = x1 - x5;
        u = x9 + x13;
        v = x9 - x13;
        y[j + 1] = s + u;
        y[j + 5] = t + v;
        y[j + 9] = s - u;
        y[j + 13] = t - v;
        s = x2 + x6;
        t = x2 - x6;
        u = x10 + x14;
        v = x10 - x14;
        y[j + 2] = s + u;
        y[j + 6] = t + v;
        y[j + 10] = s - u;
        y[j + 14] = t - v;
        s = x3 + x7;
        t = x3 - x7;
        u = x11 + x15;
        v = x11 - x15;
        y[j + 3] = s + u;
        y[j + 7] = t + v;
        y[j + 11] = s - u;
        y[j + 15] = t - v;
    }
}
