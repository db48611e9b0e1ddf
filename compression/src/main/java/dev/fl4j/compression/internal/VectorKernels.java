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
 * The Vector API versions of the hot kernels of {@link HadamardStage}, {@link SignStage} and {@link LloydMaxStage}
 * (with {@code LloydMaxFewBits}), and {@link StrideStage}'s gathering at stride 2, chosen by {@link Kernels}; loaded
 * only when {@code jdk.incubator.vector} is in the boot layer. A 512-bit vector holds the 16 elements of the
 * 16-point kernel, whose butterflies at strides 1 to 8 are lane permutations the JIT's auto-vectorizer cannot make.
 *
 * <p>Same floats, bit for bit, as the scalar kernels: every butterfly takes the same two operands in the same order
 * ({@code (a, b) -> (a + b, a - b)}, {@code a} the element of lower index: the upper lane computes {@code a - b} from
 * its partner {@code a}, never {@code -(b - a)}, which differs for {@code a == b}); a sign is applied as the product
 * with {@code ±scale}, the scale's sign bit flipped; the butterflies of the passes at strides 16 and more run on whole
 * vectors in the scalar order of passes. The double sums (DRIVE's norms, Lloyd–Max's sums of squares and products)
 * run in four double lanes, element {@code i} in lane {@code i mod 4} in index order, as the scalar code sums them;
 * products of two floats are exact in double, so widening first changes nothing.
 */
final class VectorKernels {

    // One species per element type: C2 (JDK 17) compiles the Vector API's calls to vector instructions only where it
    // knows the vector's class, and a second species of the same element type, seen at the same call sites of the API,
    // leaves it guessing. Helper methods taking or returning vectors are avoided for the same reason (a call not
    // inlined boxes its vectors), so the kernels are written out in full; nor does a vector merge two branches (a phi,
    // which C2 boxes), and a loop body stays small enough for C2 to inline all of its calls (see signedTransform).
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;

    /** Lane k shifts sign bit k of a draw's 16 bits to bit 31. */
    private static final IntVector SIGN_SHIFTS =
            IntVector.fromArray(I, new int[] {31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16}, 0);

    /** Lane k holds {@code 1 << k}. */
    private static final IntVector BIT = IntVector.fromArray(
            I, new int[] {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768}, 0);

    /** Lane k holds {@code k mod 8}: which bit of its byte lane k's symbol is, two bytes a vector. */
    private static final IntVector BIT_OF_BYTE =
            IntVector.fromArray(I, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7}, 0);

    /** Lane k holds {@code k / 8}: which of the two bytes. */
    private static final IntVector SECOND_BYTE =
            IntVector.fromArray(I, new int[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}, 0);

    /** Lane k holds {@code 2k}: the shift of a 2-bit symbol in its 32-bit word of 16. */
    private static final IntVector TWO_BIT_SHIFTS =
            IntVector.fromArray(I, new int[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}, 0);

    private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(F, i -> i ^ 1);
    private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(F, i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(F, i -> i ^ 4);
    private static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(F, i -> i ^ 8);
    // the first 8 (4) lanes repeated
    private static final VectorShuffle<Float> REPEAT8 = VectorShuffle.fromOp(F, i -> i & 7);
    private static final VectorShuffle<Float> REPEAT4 = VectorShuffle.fromOp(F, i -> i & 3);
    // the even lanes, in the first 8 lanes and again in the last 8
    private static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(F, i -> (2 * i) & 15);
    // the lanes that hold the second element (a - b) of their butterfly at stride 1, 2, 4, 8
    private static final VectorMask<Float> UPPER1 = VectorMask.fromLong(F, 0xAAAAL);
    private static final VectorMask<Float> UPPER2 = VectorMask.fromLong(F, 0xCCCCL);
    private static final VectorMask<Float> UPPER4 = VectorMask.fromLong(F, 0xF0F0L);
    private static final VectorMask<Float> UPPER8 = VectorMask.fromLong(F, 0xFF00L);
    // the lanes k with k mod 4 in {1, 3}, and in {2, 3}
    private static final VectorMask<Float> ODD = UPPER1;
    private static final VectorMask<Float> HIGH_PAIR = UPPER2;

    private VectorKernels() {}

    /** Whether this JVM's vectors hold the 16 floats of one kernel. */
    static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.length() >= F.length();
    }

    /**
     * As {@code HadamardStage}'s encoding of one block of {@code block >= 64} elements: {@code y[yStart, yStart+block)}
     * is the transform of {@code src[start, start+block)} (0 past its end) times ±scale, one {@code rng} draw per 64
     * elements: each vector times its ±scale (lane k: the scale's float with its sign bit flipped when bit k of the
     * draw's 16 bits is 1, as {@code HadamardStage.signed} makes it), stored; then {@link #fwht} over the block (in
     * L1). The loop does nothing else: with four vectors in flight through the strides 1 to 32, C2 in JDK 17
     * sometimes stopped inlining the Vector API's calls before the end of the loop (its inlining budget) and ran the
     * last ones as boxed, unintrinsified calls, a vector allocated per 16 elements and twice the encode time.
     */
    static void signedTransform(float[] src, int start, float[] y, int yStart, int block, SplitMix64 rng, float scale) {
        int scaleBits = Float.floatToRawIntBits(scale);
        int shift = yStart - start;
        int direct = Math.max(start, Math.min(start + block, src.length & ~63));
        for (int base = start; base < start + block; base += 64) {
            long bits = rng.nextLong();
            float[] from = src;
            int at = base;
            if (base >= direct) {
                // the padding's zeros (+0, as the scalar path reads them) take their signs too; copied, as masked
                // loads are not compiled to vector instructions in JDK 17
                from = new float[64];
                at = 0;
                if (base < src.length) {
                    System.arraycopy(src, base, from, 0, Math.min(64, src.length - base));
                }
            }
            for (int part = 0; part < 4; part++) {
                FloatVector.fromArray(F, from, at + 16 * part)
                        .mul(IntVector.broadcast(I, (int) (bits >>> (16 * part)))
                                .lanewise(VectorOperators.LSHL, SIGN_SHIFTS)
                                .and(Integer.MIN_VALUE)
                                .lanewise(VectorOperators.XOR, scaleBits)
                                .reinterpretAsFloats())
                        .intoArray(y, base + shift + 16 * part);
            }
        }
        fwht(y, yStart, block);
    }

    /** The 16-point kernel (strides 1 to 8) over each group of 16 of {@code y[start, start+len)}, in place. */
    static void radix16Groups(float[] y, int start, int len) {
        for (int j = start; j < start + len; j += 16) {
            FloatVector v = FloatVector.fromArray(F, y, j);
            FloatVector p = v.rearrange(SWAP1);
            v = v.add(p).blend(p.sub(v), UPPER1);
            p = v.rearrange(SWAP2);
            v = v.add(p).blend(p.sub(v), UPPER2);
            p = v.rearrange(SWAP4);
            v = v.add(p).blend(p.sub(v), UPPER4);
            p = v.rearrange(SWAP8);
            v.add(p).blend(p.sub(v), UPPER8).intoArray(y, j);
        }
    }

    /** As {@code HadamardStage.fwht} for {@code len >= 16}: the 16-point kernels, then {@link #fwhtFrom}. */
    static void fwht(float[] y, int start, int len) {
        radix16Groups(y, start, len);
        fwhtFrom(y, start, len, 16);
    }

    /**
     * The passes at strides {@code first} (a power of two, at least 16) and up over {@code y[start, start+len)}: four
     * strides at a time ({@link #radix16Pass}), then radix-4 butterflies on whole vectors, then one radix-2 pass when
     * needed; each element goes through the butterflies of {@code HadamardStage.fwhtFrom} in its order.
     */
    static void fwhtFrom(float[] y, int start, int len, int first) {
        int h = first;
        for (; 16 * h <= len; h *= 16) {
            radix16Pass(y, start, len, h);
        }
        for (; 4 * h <= len; h *= 4) {
            for (int i = start; i < start + len; i += 4 * h) {
                for (int j = i; j < i + h; j += 16) {
                    FloatVector a = FloatVector.fromArray(F, y, j);
                    FloatVector b = FloatVector.fromArray(F, y, j + h);
                    FloatVector c = FloatVector.fromArray(F, y, j + 2 * h);
                    FloatVector d = FloatVector.fromArray(F, y, j + 3 * h);
                    FloatVector ab = a.add(b);
                    FloatVector amb = a.sub(b);
                    FloatVector cd = c.add(d);
                    FloatVector cmd = c.sub(d);
                    ab.add(cd).intoArray(y, j);
                    amb.add(cmd).intoArray(y, j + h);
                    ab.sub(cd).intoArray(y, j + 2 * h);
                    amb.sub(cmd).intoArray(y, j + 3 * h);
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

    /**
     * The butterflies at strides {@code h, 2h, 4h, 8h} over {@code y[start, start+len)} ({@code h >= 16}), in
     * that order, as two radix-4 passes make them: for each group of 16h and each vector offset in [0, h), the 16
     * vectors {@code h} apart are loaded once, go through the four strides in registers (lower {@code a + b}, upper
     * {@code a - b}), and are stored once.
     */
    private static void radix16Pass(float[] y, int start, int len, int h) {
        for (int i = start; i < start + len; i += 16 * h) {
            for (int j = i; j < i + h; j += 16) {
                FloatVector v0 = FloatVector.fromArray(F, y, j);
                FloatVector v1 = FloatVector.fromArray(F, y, j + h);
                FloatVector v2 = FloatVector.fromArray(F, y, j + 2 * h);
                FloatVector v3 = FloatVector.fromArray(F, y, j + 3 * h);
                FloatVector v4 = FloatVector.fromArray(F, y, j + 4 * h);
                FloatVector v5 = FloatVector.fromArray(F, y, j + 5 * h);
                FloatVector v6 = FloatVector.fromArray(F, y, j + 6 * h);
                FloatVector v7 = FloatVector.fromArray(F, y, j + 7 * h);
                FloatVector v8 = FloatVector.fromArray(F, y, j + 8 * h);
                FloatVector v9 = FloatVector.fromArray(F, y, j + 9 * h);
                FloatVector v10 = FloatVector.fromArray(F, y, j + 10 * h);
                FloatVector v11 = FloatVector.fromArray(F, y, j + 11 * h);
                FloatVector v12 = FloatVector.fromArray(F, y, j + 12 * h);
                FloatVector v13 = FloatVector.fromArray(F, y, j + 13 * h);
                FloatVector v14 = FloatVector.fromArray(F, y, j + 14 * h);
                FloatVector v15 = FloatVector.fromArray(F, y, j + 15 * h);
                FloatVector t;
                t = v0.sub(v1);
                v0 = v0.add(v1);
                v1 = t;
                t = v2.sub(v3);
                v2 = v2.add(v3);
                v3 = t;
                t = v4.sub(v5);
                v4 = v4.add(v5);
                v5 = t;
                t = v6.sub(v7);
                v6 = v6.add(v7);
                v7 = t;
                t = v8.sub(v9);
                v8 = v8.add(v9);
                v9 = t;
                t = v10.sub(v11);
                v10 = v10.add(v11);
                v11 = t;
                t = v12.sub(v13);
                v12 = v12.add(v13);
                v13 = t;
                t = v14.sub(v15);
                v14 = v14.add(v15);
                v15 = t;
                t = v0.sub(v2);
                v0 = v0.add(v2);
                v2 = t;
                t = v1.sub(v3);
                v1 = v1.add(v3);
                v3 = t;
                t = v4.sub(v6);
                v4 = v4.add(v6);
                v6 = t;
                t = v5.sub(v7);
                v5 = v5.add(v7);
                v7 = t;
                t = v8.sub(v10);
                v8 = v8.add(v10);
                v10 = t;
                t = v9.sub(v11);
                v9 = v9.add(v11);
                v11 = t;
                t = v12.sub(v14);
                v12 = v12.add(v14);
                v14 = t;
                t = v13.sub(v15);
                v13 = v13.add(v15);
                v15 = t;
                t = v0.sub(v4);
                v0 = v0.add(v4);
                v4 = t;
                t = v1.sub(v5);
                v1 = v1.add(v5);
                v5 = t;
                t = v2.sub(v6);
                v2 = v2.add(v6);
                v6 = t;
                t = v3.sub(v7);
                v3 = v3.add(v7);
                v7 = t;
                t = v8.sub(v12);
                v8 = v8.add(v12);
                v12 = t;
                t = v9.sub(v13);
                v9 = v9.add(v13);
                v13 = t;
                t = v10.sub(v14);
                v10 = v10.add(v14);
                v14 = t;
                t = v11.sub(v15);
                v11 = v11.add(v15);
                v15 = t;
                t = v0.sub(v8);
                v0 = v0.add(v8);
                v8 = t;
                t = v1.sub(v9);
                v1 = v1.add(v9);
                v9 = t;
                t = v2.sub(v10);
                v2 = v2.add(v10);
                v10 = t;
                t = v3.sub(v11);
                v3 = v3.add(v11);
                v11 = t;
                t = v4.sub(v12);
                v4 = v4.add(v12);
                v12 = t;
                t = v5.sub(v13);
                v5 = v5.add(v13);
                v13 = t;
                t = v6.sub(v14);
                v6 = v6.add(v14);
                v14 = t;
                t = v7.sub(v15);
                v7 = v7.add(v15);
                v15 = t;
                v0.intoArray(y, j);
                v1.intoArray(y, j + h);
                v2.intoArray(y, j + 2 * h);
                v3.intoArray(y, j + 3 * h);
                v4.intoArray(y, j + 4 * h);
                v5.intoArray(y, j + 5 * h);
                v6.intoArray(y, j + 6 * h);
                v7.intoArray(y, j + 7 * h);
                v8.intoArray(y, j + 8 * h);
                v9.intoArray(y, j + 9 * h);
                v10.intoArray(y, j + 10 * h);
                v11.intoArray(y, j + 11 * h);
                v12.intoArray(y, j + 12 * h);
                v13.intoArray(y, j + 13 * h);
                v14.intoArray(y, j + 14 * h);
                v15.intoArray(y, j + 15 * h);
            }
        }
    }

    /** As {@code HadamardStage.unsign}: {@code x[start + i] = t[i]·±scale} for i below {@code count}. */
    static void unsign(float[] t, float[] x, int start, int count, SplitMix64 rng, float scale) {
        int scaleBits = Float.floatToRawIntBits(scale);
        int k = 0;
        for (; k + 64 <= count; k += 64) {
            long bits = rng.nextLong();
            for (int g = 0; g < 64; g += 16) {
                FloatVector.fromArray(F, t, k + g)
                        .mul(IntVector.broadcast(I, (int) (bits >>> g))
                                .lanewise(VectorOperators.LSHL, SIGN_SHIFTS)
                                .and(Integer.MIN_VALUE)
                                .lanewise(VectorOperators.XOR, scaleBits)
                                .reinterpretAsFloats())
                        .intoArray(x, start + k + g);
            }
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
     * of elements {@code offset + i}; the table holds {@link HadamardStage#BYTE_TABLE_LENGTH} floats. At 1 bit, each
     * half is loaded into the 8 lower lanes and repeated, and the lanes take {@code l + h} (lower 8) or {@code l - h};
     * at 2 bits, the four quarters likewise, joined at stride 4 then 8.
     */
    static void joinGroups(float[] table, int bits, byte[] packed, int offset, float[] y, int from, int to) {
        if (bits == 1) {
            for (int i = from; i < to; i += 16) {
                int at = (offset + i) >>> 3;
                FloatVector l = FloatVector.fromArray(F, table, (packed[at] & 0xFF) << 3)
                        .rearrange(REPEAT8);
                FloatVector h = FloatVector.fromArray(F, table, (packed[at + 1] & 0xFF) << 3)
                        .rearrange(REPEAT8);
                l.add(h).blend(l.sub(h), UPPER8).intoArray(y, i);
            }
        } else {
            for (int i = from; i < to; i += 16) {
                int at = (offset + i) / 8 * bits;
                FloatVector a = FloatVector.fromArray(F, table, (packed[at] & 0xFF) << 2)
                        .rearrange(REPEAT4);
                FloatVector b = FloatVector.fromArray(F, table, (packed[at + 1] & 0xFF) << 2)
                        .rearrange(REPEAT4);
                FloatVector c = FloatVector.fromArray(F, table, (packed[at + 2] & 0xFF) << 2)
                        .rearrange(REPEAT4);
                FloatVector d = FloatVector.fromArray(F, table, (packed[at + 3] & 0xFF) << 2)
                        .rearrange(REPEAT4);
                // lanes [s, t, s, t] and [u, v, u, v] in fours, then s + u, t + v, s - u, t - v
                FloatVector st = a.add(b).blend(a.sub(b), UPPER4);
                FloatVector uv = c.add(d).blend(c.sub(d), UPPER4);
                st.add(uv).blend(st.sub(uv), UPPER8).intoArray(y, i);
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
        IntVector zero = IntVector.zero(I);
        int i = 0;
        for (; i + 64 <= len; i += 64) {
            long bits = 0;
            for (int g = 0; g < 64; g += 16) {
                FloatVector f = FloatVector.fromArray(F, y, from + i + g);
                // VectorMask.toLong is not compiled to vector instructions in JDK 17; an OR of the lanes' bits is
                bits |= (long) zero.blend(BIT, f.compare(VectorOperators.GE, 0f).cast(I))
                                .reduceLanes(VectorOperators.OR)
                        << g;
                for (int part = 0; part < 4; part++) {
                    DoubleVector v = (DoubleVector) f.convertShape(VectorOperators.F2D, D, part);
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

    /**
     * As {@code StrideStage}'s gathering at stride 2, for whole groups of 16 kept elements of a run of {@code len}:
     * {@code c[j] = y[from + 2j]}, two vectors of the run making one of kept elements; returns how many it took
     * (groups of 16 whose 32 elements lie in the run) and the largest of {@code largest} and their raw magnitude
     * bits in {@code largest[0]}. A copy and an integer maximum: the same values as the scalar loop.
     */
    static int gatherEvens(float[] y, int from, int len, float[] c, int[] largest) {
        IntVector max = IntVector.zero(I);
        int j = 0;
        for (; 2 * j + 32 <= len; j += 16) {
            FloatVector a = FloatVector.fromArray(F, y, from + 2 * j).rearrange(EVENS);
            FloatVector b = FloatVector.fromArray(F, y, from + 2 * j + 16).rearrange(EVENS);
            FloatVector v = a.blend(b, UPPER8);
            v.intoArray(c, j);
            max = max.max(v.reinterpretAsInts().and(0x7fffffff));
        }
        largest[0] = Math.max(largest[0], max.reduceLanes(VectorOperators.MAX));
        return j;
    }

    /**
     * As {@code HadamardStage.quarterTable}: per {@code hi} and {@code lo} in 0..15, {@code table[4·(16·hi + lo) + k]}
     * is {@code sum[lo] + sum[hi]}, {@code difference[lo] + difference[hi]}, {@code sum[lo] - sum[hi]},
     * {@code difference[lo] - difference[hi]} for k = 0 to 3, the same additions in the same operand order.
     */
    static void quarterTable(float[] sum, float[] difference, float[] table) {
        // pattern[4·lo + k]: sum[lo], difference[lo], sum[lo], difference[lo]
        float[] pattern = new float[64];
        for (int lo = 0; lo < 16; lo++) {
            pattern[4 * lo] = sum[lo];
            pattern[4 * lo + 1] = difference[lo];
            pattern[4 * lo + 2] = sum[lo];
            pattern[4 * lo + 3] = difference[lo];
        }
        FloatVector p0 = FloatVector.fromArray(F, pattern, 0);
        FloatVector p1 = FloatVector.fromArray(F, pattern, 16);
        FloatVector p2 = FloatVector.fromArray(F, pattern, 32);
        FloatVector p3 = FloatVector.fromArray(F, pattern, 48);
        for (int hi = 0; hi < 16; hi++) {
            // lanes k mod 4: sum[hi], difference[hi], sum[hi], difference[hi]
            FloatVector q = FloatVector.broadcast(F, sum[hi]).blend(FloatVector.broadcast(F, difference[hi]), ODD);
            int at = 64 * hi;
            p0.add(q).blend(p0.sub(q), HIGH_PAIR).intoArray(table, at);
            p1.add(q).blend(p1.sub(q), HIGH_PAIR).intoArray(table, at + 16);
            p2.add(q).blend(p2.sub(q), HIGH_PAIR).intoArray(table, at + 32);
            p3.add(q).blend(p3.sub(q), HIGH_PAIR).intoArray(table, at + 48);
        }
    }

    /**
     * Adds {@code x[i]²} (in double) to the four lanes {@code sums}, element {@code start + k} in lane {@code k mod 4}
     * in index order, for the whole groups of 16 from {@code start} below {@code end}, as
     * {@code LloydMaxStage.sumOfSquares} adds them; returns the index after the last element it took.
     */
    static int sumOfSquares(float[] x, int start, int end, double[] sums) {
        DoubleVector a = DoubleVector.fromArray(D, sums, 0);
        int i = start;
        for (; i + 16 <= end; i += 16) {
            FloatVector f = FloatVector.fromArray(F, x, i);
            DoubleVector v = (DoubleVector) f.convertShape(VectorOperators.F2D, D, 0);
            a = a.add(v.mul(v));
            v = (DoubleVector) f.convertShape(VectorOperators.F2D, D, 1);
            a = a.add(v.mul(v));
            v = (DoubleVector) f.convertShape(VectorOperators.F2D, D, 2);
            a = a.add(v.mul(v));
            v = (DoubleVector) f.convertShape(VectorOperators.F2D, D, 3);
            a = a.add(v.mul(v));
        }
        a.intoArray(sums, 0);
        return i;
    }

    /**
     * {@code LloydMaxFewBits}' quantize-and-pack of whole groups of 16 elements from {@code x[start]}, {@code groups}
     * of them, at {@code bits} 1 or 2 with the ascending {@code levels} and {@code thresholds} (the middle one 0):
     * element {@code v = x·inverseScale} takes the symbol {@code #thresholds below v} (float comparisons, which for
     * finite v agree with that class's integer ones), packed from byte {@code at}; {@code sums[0..3]} collect
     * {@code x·c} and {@code sums[4..7]} {@code c·c}, in double, element {@code start + k} in lane {@code k mod 4} in
     * index order, as that class sums them (the products of two floats are exact in double); {@code c·c} is summed
     * for the unbiased scale too, which ignores it, so that the loop has no branch.
     */
    static void quantizeFewBits(
            float[] x,
            int start,
            int groups,
            float inverseScale,
            int bits,
            float[] levels,
            float[] thresholds,
            byte[] out,
            int at,
            double[] sums) {
        DoubleVector xc = DoubleVector.fromArray(D, sums, 0);
        DoubleVector cc = DoubleVector.fromArray(D, sums, 4);
        IntVector zero = IntVector.zero(I);
        IntVector one = IntVector.broadcast(I, 1);
        boolean twoBits = bits == 2;
        float t0 = thresholds[0];
        float t2 = twoBits ? thresholds[2] : 0f;
        // the level of each lane without a branch (at 1 bit the four levels are c0, c0, c1, c1 and the middle mask
        // alone decides): C2 in JDK 17 boxes a vector that merges two branches (a phi), one box per group
        FloatVector c0 = FloatVector.broadcast(F, levels[0]);
        FloatVector c1 = FloatVector.broadcast(F, twoBits ? levels[1] : levels[0]);
        FloatVector c2 = FloatVector.broadcast(F, twoBits ? levels[2] : levels[1]);
        FloatVector c3 = FloatVector.broadcast(F, twoBits ? levels[3] : levels[1]);
        for (int g = 0; g < groups; g++) {
            int i = start + 16 * g;
            FloatVector f = FloatVector.fromArray(F, x, i);
            FloatVector v = f.mul(inverseScale);
            VectorMask<Float> above0 = v.compare(VectorOperators.GT, t0);
            VectorMask<Float> above1 = v.compare(VectorOperators.GT, 0f);
            VectorMask<Float> above2 = v.compare(VectorOperators.GT, t2);
            FloatVector c = c0.blend(c1, above0).blend(c2, above1).blend(c3, above2);
            if (twoBits) {
                IntVector symbols = zero.blend(one, above0.cast(I))
                        .add(zero.blend(one, above1.cast(I)))
                        .add(zero.blend(one, above2.cast(I)));
                BitPacker.putInt(
                        out,
                        at + 4 * g,
                        symbols.lanewise(VectorOperators.LSHL, TWO_BIT_SHIFTS).reduceLanes(VectorOperators.OR));
            } else {
                int word = zero.blend(BIT, above1.cast(I)).reduceLanes(VectorOperators.OR);
                out[at + 2 * g] = (byte) word;
                out[at + 2 * g + 1] = (byte) (word >>> 8);
            }
            for (int part = 0; part < 4; part++) {
                DoubleVector xd = (DoubleVector) f.convertShape(VectorOperators.F2D, D, part);
                DoubleVector cd = (DoubleVector) c.convertShape(VectorOperators.F2D, D, part);
                xc = xc.add(xd.mul(cd));
                cc = cc.add(cd.mul(cd));
            }
        }
        xc.intoArray(sums, 0);
        cc.intoArray(sums, 4);
    }

    /**
     * As {@code HadamardStage.byteTable} at 1 bit: entry {@code p} ({@code table[8p, 8p+8)}) holds the passes at
     * strides 1, 2 and 4 over the 8 values {@code bit k of p ? one : zero}, two entries a vector, with the butterflies
     * of {@code radix16} (lower lane {@code v + partner}, upper lane {@code partner - v}) that {@code radix8} makes.
     */
    static void halfTable(float zero, float one, float[] table) {
        FloatVector zeros = FloatVector.broadcast(F, zero);
        FloatVector ones = FloatVector.broadcast(F, one);
        for (int p = 0; p < 256; p += 2) {
            VectorMask<Integer> set = IntVector.broadcast(I, p)
                    .add(SECOND_BYTE)
                    .lanewise(VectorOperators.LSHR, BIT_OF_BYTE)
                    .and(1)
                    .compare(VectorOperators.EQ, 1);
            FloatVector v = zeros.blend(ones, set.cast(F));
            FloatVector q = v.rearrange(SWAP1);
            v = v.add(q).blend(q.sub(v), UPPER1);
            q = v.rearrange(SWAP2);
            v = v.add(q).blend(q.sub(v), UPPER2);
            q = v.rearrange(SWAP4);
            v.add(q).blend(q.sub(v), UPPER4).intoArray(table, 8 * p);
        }
    }
}
