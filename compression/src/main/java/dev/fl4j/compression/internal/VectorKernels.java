package dev.fl4j.compression.internal;

import dev.fl4j.core.random.SplitMix64;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API versions of the hot kernels of {@link HadamardStage} and {@link SignStage}, chosen by
 * {@link Kernels}; loaded only when {@code jdk.incubator.vector} is in the boot layer. A 512-bit vector holds the 16
 * elements of the 16-point kernel, whose butterflies at strides 1 to 8 are lane permutations the JIT's
 * auto-vectorizer cannot make.
 *
 * <p>Same floats, bit for bit, as the scalar kernels: every butterfly takes the same two operands in the same order
 * ({@code (a, b) -> (a + b, a - b)}, {@code a} the element of lower index: the upper lane computes {@code a - b} from
 * its partner {@code a}, never {@code -(b - a)}, which differs for {@code a == b}); a sign is applied as the product
 * with {@code ±scale}, the scale's sign bit flipped; the butterflies of the passes at strides 16 and more run on whole
 * vectors in the scalar order of passes. DRIVE's norms are summed in four double lanes, element {@code i} in lane
 * {@code i mod 4} in index order, as {@link SignStage.Norms} sums them.
 */
final class VectorKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> HALF = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> QUARTER = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;

    /** Lane k shifts sign bit k of a draw's 16 bits to bit 31. */
    private static final IntVector SIGN_SHIFTS =
            IntVector.fromArray(I, new int[] {31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16}, 0);

    private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(F, i -> i ^ 1);
    private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(F, i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(F, i -> i ^ 4);
    private static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(F, i -> i ^ 8);
    // the lanes that hold the second element (a - b) of their butterfly at stride 1, 2, 4, 8
    private static final VectorMask<Float> UPPER1 = VectorMask.fromLong(F, 0xAAAAL);
    private static final VectorMask<Float> UPPER2 = VectorMask.fromLong(F, 0xCCCCL);
    private static final VectorMask<Float> UPPER4 = VectorMask.fromLong(F, 0xF0F0L);
    private static final VectorMask<Float> UPPER8 = VectorMask.fromLong(F, 0xFF00L);

    private VectorKernels() {}

    /** Whether this JVM's vectors hold the 16 floats of one kernel. */
    static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.length() >= F.length();
    }

    /**
     * {@code ±scale} per lane: lane k is the float of {@code scaleBits} with its sign flipped when bit k of
     * {@code bits} is 1, as {@link HadamardStage#signed} makes it.
     */
    private static FloatVector signs(long bits, int scaleBits) {
        return IntVector.broadcast(I, (int) bits)
                .lanewise(VectorOperators.LSHL, SIGN_SHIFTS)
                .and(Integer.MIN_VALUE)
                .lanewise(VectorOperators.XOR, scaleBits)
                .reinterpretAsFloats();
    }

    /** The butterflies at stride {@code h} (the partner lane by {@code swap}) inside one vector. */
    private static FloatVector butterfly(FloatVector v, VectorShuffle<Float> swap, VectorMask<Float> upper) {
        FloatVector partner = v.rearrange(swap);
        // lower lane: v + partner = a + b; upper lane: partner - v = a - b
        return v.add(partner).blend(partner.sub(v), upper);
    }

    /** The passes at strides 1 to 8 over the 16 lanes, as {@code HadamardStage.radix16} makes them. */
    private static FloatVector radix16(FloatVector v) {
        v = butterfly(v, SWAP1, UPPER1);
        v = butterfly(v, SWAP2, UPPER2);
        v = butterfly(v, SWAP4, UPPER4);
        return butterfly(v, SWAP8, UPPER8);
    }

    /**
     * As {@code HadamardStage}'s encoding of one block of {@code block >= 64} elements: {@code y[yStart, yStart+block)}
     * is the transform of {@code src[start, start+block)} (0 past its end) times ±scale, one {@code rng} draw per 64
     * elements. The passes at strides 16 and 32 run on the four vectors of a draw before they are stored.
     */
    static void signedTransform(float[] src, int start, float[] y, int yStart, int block, SplitMix64 rng, float scale) {
        int scaleBits = Float.floatToRawIntBits(scale);
        int shift = yStart - start;
        int direct = Math.max(start, Math.min(start + block, src.length & ~63));
        for (int base = start; base < start + block; base += 64) {
            long bits = rng.nextLong();
            FloatVector a;
            FloatVector b;
            FloatVector c;
            FloatVector d;
            if (base < direct) {
                a = FloatVector.fromArray(F, src, base).mul(signs(bits, scaleBits));
                b = FloatVector.fromArray(F, src, base + 16).mul(signs(bits >>> 16, scaleBits));
                c = FloatVector.fromArray(F, src, base + 32).mul(signs(bits >>> 32, scaleBits));
                d = FloatVector.fromArray(F, src, base + 48).mul(signs(bits >>> 48, scaleBits));
            } else {
                // the padding's zeros (+0, as the scalar path reads them) take their signs too
                a = padded(src, base).mul(signs(bits, scaleBits));
                b = padded(src, base + 16).mul(signs(bits >>> 16, scaleBits));
                c = padded(src, base + 32).mul(signs(bits >>> 32, scaleBits));
                d = padded(src, base + 48).mul(signs(bits >>> 48, scaleBits));
            }
            radix4(radix16(a), radix16(b), radix16(c), radix16(d), y, base + shift, 16);
        }
        fwhtFrom(y, yStart, block, 64);
    }

    private static FloatVector padded(float[] src, int at) {
        return FloatVector.fromArray(F, src, at, F.indexInRange(at, src.length));
    }

    /** The butterflies of strides {@code h} and {@code 2h} over a to d, stored at {@code y[i]}, {@code y[i+h]}, .... */
    private static void radix4(FloatVector a, FloatVector b, FloatVector c, FloatVector d, float[] y, int i, int h) {
        FloatVector ab = a.add(b);
        FloatVector amb = a.sub(b);
        FloatVector cd = c.add(d);
        FloatVector cmd = c.sub(d);
        ab.add(cd).intoArray(y, i);
        amb.add(cmd).intoArray(y, i + h);
        ab.sub(cd).intoArray(y, i + 2 * h);
        amb.sub(cmd).intoArray(y, i + 3 * h);
    }

    /** The 16-point kernel over each group of 16 of {@code y[start, start+len)}, in place. */
    static void radix16Groups(float[] y, int start, int len) {
        for (int j = start; j < start + len; j += 16) {
            radix16(FloatVector.fromArray(F, y, j)).intoArray(y, j);
        }
    }

    /** As {@code HadamardStage.fwht} for {@code len >= 16}: the 16-point kernels, then {@link #fwhtFrom}. */
    static void fwht(float[] y, int start, int len) {
        radix16Groups(y, start, len);
        fwhtFrom(y, start, len, 16);
    }

    /**
     * The passes at strides {@code first} (16 or 64) and up over {@code y[start, start+len)}: radix-4 butterflies on
     * whole vectors, then one radix-2 pass when needed, as {@code HadamardStage.fwhtFrom} runs them.
     */
    static void fwhtFrom(float[] y, int start, int len, int first) {
        int h = first;
        for (; 4 * h <= len; h *= 4) {
            for (int i = start; i < start + len; i += 4 * h) {
                for (int j = i; j < i + h; j += 16) {
                    radix4(
                            FloatVector.fromArray(F, y, j),
                            FloatVector.fromArray(F, y, j + h),
                            FloatVector.fromArray(F, y, j + 2 * h),
                            FloatVector.fromArray(F, y, j + 3 * h),
                            y,
                            j,
                            h);
                }
            }
        }
        if (2 * h <= len) {
            for (int j = start; j < start + h; j += 16) {
                FloatVector a = FloatVector.fromArray(F, y, j);
                FloatVector b = FloatVector.fromArray(F, y, j + h);
                a.add(b).intoArray(y, j);
                a.sub(b).intoArray(y, j + h);
            }
        }
    }

    /** As {@code HadamardStage.unsign}: {@code x[start + i] = t[i]·±scale} for i below {@code count}. */
    static void unsign(float[] t, float[] x, int start, int count, SplitMix64 rng, float scale) {
        int scaleBits = Float.floatToRawIntBits(scale);
        int k = 0;
        for (; k + 64 <= count; k += 64) {
            long bits = rng.nextLong();
            FloatVector.fromArray(F, t, k).mul(signs(bits, scaleBits)).intoArray(x, start + k);
            FloatVector.fromArray(F, t, k + 16)
                    .mul(signs(bits >>> 16, scaleBits))
                    .intoArray(x, start + k + 16);
            FloatVector.fromArray(F, t, k + 32)
                    .mul(signs(bits >>> 32, scaleBits))
                    .intoArray(x, start + k + 32);
            FloatVector.fromArray(F, t, k + 48)
                    .mul(signs(bits >>> 48, scaleBits))
                    .intoArray(x, start + k + 48);
        }
        if (k < count) {
            long bits = rng.nextLong();
            for (int i = k; i < count; i++) {
                x[start + i] = t[i] * HadamardStage.signed(scale, bits, i - k);
            }
        }
    }

    /**
     * As {@code HadamardStage.joinBytes} for each group of 16 in {@code [from, to)}: {@code y[i, i+16)} from the bytes
     * of elements {@code offset + i}.
     */
    static void joinGroups(float[] table, int bits, byte[] packed, int offset, float[] y, int from, int to) {
        if (bits == 1) {
            for (int i = from; i < to; i += 16) {
                int at = (offset + i) >>> 3;
                FloatVector l = FloatVector.fromArray(HALF, table, (packed[at] & 0xFF) << 3);
                FloatVector h = FloatVector.fromArray(HALF, table, (packed[at + 1] & 0xFF) << 3);
                l.add(h).intoArray(y, i);
                l.sub(h).intoArray(y, i + 8);
            }
        } else {
            for (int i = from; i < to; i += 16) {
                int at = (offset + i) / 8 * bits;
                FloatVector a = FloatVector.fromArray(QUARTER, table, (packed[at] & 0xFF) << 2);
                FloatVector b = FloatVector.fromArray(QUARTER, table, (packed[at + 1] & 0xFF) << 2);
                FloatVector c = FloatVector.fromArray(QUARTER, table, (packed[at + 2] & 0xFF) << 2);
                FloatVector d = FloatVector.fromArray(QUARTER, table, (packed[at + 3] & 0xFF) << 2);
                FloatVector s = a.add(b);
                FloatVector t = a.sub(b);
                FloatVector u = c.add(d);
                FloatVector v = c.sub(d);
                s.add(u).intoArray(y, i);
                t.add(v).intoArray(y, i + 4);
                s.sub(u).intoArray(y, i + 8);
                t.sub(v).intoArray(y, i + 12);
            }
        }
    }

    /**
     * DRIVE's encoding of whole groups of 64 from {@code y[from, from+len)}: sign bit {@code k} ({@code y >= 0}) of a
     * group goes to bit k of the little-endian long at {@code out[outByte + 8·group]}, and |y| and y² (in double) are
     * added to the four lanes {@code l1} and {@code l2}, element k in lane {@code k mod 4}, in index order. Returns how
     * many elements it took (a multiple of 64).
     */
    static int signsAndNorms(float[] y, int from, int len, byte[] out, int outByte, double[] l1, double[] l2) {
        DoubleVector a = DoubleVector.fromArray(D, l1, 0);
        DoubleVector b = DoubleVector.fromArray(D, l2, 0);
        int i = 0;
        for (; i + 64 <= len; i += 64) {
            long bits = 0;
            for (int g = 0; g < 64; g += 16) {
                int j = from + i + g;
                bits |= FloatVector.fromArray(F, y, j)
                                .compare(VectorOperators.GE, 0f)
                                .toLong()
                        << g;
                for (int q = j; q < j + 16; q += 4) {
                    DoubleVector v =
                            (DoubleVector) FloatVector.fromArray(QUARTER, y, q).convertShape(VectorOperators.F2D, D, 0);
                    a = a.add(v.abs());
                    b = b.add(v.mul(v));
                }
            }
            BitPacker.putLong(out, outByte + (i >>> 3), bits);
        }
        a.intoArray(l1, 0);
        b.intoArray(l2, 0);
        return i;
    }
}
