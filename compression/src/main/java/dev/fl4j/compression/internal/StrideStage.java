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
import java.util.Arrays;

/**
 * Keeps every {@code q}-th element, {@code q} a power of two: elements {@code 0, q, 2q, ...}, {@code k = ceil(n/q)}
 * of {@code n}. The subset is fixed, so the stage draws nothing and sends no indices; decoding puts the kept values
 * back at their places times {@code n/k} (as a float32, {@code q} when q divides n) and fills the rest with zeros.
 * See {@link dev.fl4j.compression.Stages#stride} for what it is for.
 *
 * <p>Side information, 1 byte: u8 log2(q), checked by the decoder against its own stride; the decoder also checks
 * that the later stages hand it k values. The encoder refuses (IllegalArgumentException) a kept element that is not
 * finite (from a rotation in front that overflowed float32) or whose magnitude decoding's {@code n/k} would scale past
 * float32's range. The elements it drops are not looked at.
 *
 * <p>After a {@link HadamardStage} whose blocks are multiples of {@code q}, with a {@link BlockQuantizer} and bit
 * packing after it, the {@link dev.fl4j.compression.TensorEncoder} runs the four stages a rotation block at a time
 * through {@link #over}: same side information, bytes, floats and rejections.
 */
public final class StrideStage implements EncodingStage {

    public static final int ID = 13;
    public static final int SIDE_INFO_BYTES = 1;
    /** The largest log2 of a stride, that of the largest Hadamard block. */
    public static final int MAX_STRIDE_LOG2 = HadamardStage.MAX_BLOCK_LOG2;

    /** Raw bits of a float's magnitude at and above which it is not finite. */
    private static final int NON_FINITE = 0x7f800000;

    private final int strideLog2;

    public StrideStage(int stride) {
        if (stride < 1 || stride > 1 << MAX_STRIDE_LOG2 || Integer.bitCount(stride) != 1) {
            throw new IllegalArgumentException("stride must be a power of two from 1 to 2^" + MAX_STRIDE_LOG2 + " ("
                    + (1 << MAX_STRIDE_LOG2) + "), got " + stride);
        }
        this.strideLog2 = Integer.numberOfTrailingZeros(stride);
    }

    /** The stride q: every q-th element is kept. */
    public int stride() {
        return 1 << strideLog2;
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "stride(" + stride() + ")";
    }

    @Override
    public SignalKind inputKind() {
        return SignalKind.FLOATS;
    }

    @Override
    public SignalKind outputKind() {
        return SignalKind.FLOATS;
    }

    /** Yes: decoding is linear in the kept values, and the subset is the same for every encoding. */
    @Override
    public boolean commutesWithSum() {
        return true;
    }

    /** Elements kept of {@code n}: {@code ceil(n/q)}. */
    public int kept(int n) {
        return (int) (((long) n + stride() - 1) >>> strideLog2);
    }

    /** The factor decoding multiplies the kept values by: {@code n/k} as a float32, 1 for none of none. */
    public float scale(int n) {
        int k = kept(n);
        return k == 0 ? 1f : (float) ((double) n / k);
    }

    @Override
    public SignalShape outputShape(SignalShape input) {
        return SignalShape.floats(kept(input.length()));
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] y = input.floats();
        int k = kept(y.length);
        float[] kept = new float[k];
        int largest = gather(y, 0, y.length, kept, 0);
        check(largest, y.length);
        sideInfo.writeU8(strideLog2);
        return Signal.floats(kept);
    }

    /**
     * {@code c[j] = y[from + j·q]} for the {@code k = kept(len)} kept elements of the run {@code y[from, from+len)};
     * returns the largest of {@code largest} and the kept elements' raw magnitude bits (which order finite magnitudes
     * as the floats do, and put infinities and NaN above them). At stride 2 by the {@link VectorKernels} when they
     * run.
     */
    int gather(float[] y, int from, int len, float[] c, int largest) {
        int k = kept(len);
        int j = 0;
        if (strideLog2 == 1 && k >= 16 && Kernels.vector()) {
            int[] max = {largest};
            j = VectorKernels.gatherEvens(y, from, len, c, max);
            largest = max[0];
        }
        for (; j < k; j++) {
            float v = y[from + (j << strideLog2)];
            c[j] = v;
            largest = Math.max(largest, Float.floatToRawIntBits(v) & 0x7fffffff);
        }
        return largest;
    }

    /** Refuses kept elements, of an input of {@code n}, whose largest raw magnitude bits are {@code largest}. */
    private void check(int largest, int n) {
        checkFinite(largest);
        float magnitude = Float.intBitsToFloat(largest);
        if (!Float.isFinite(magnitude * scale(n))) {
            throw new IllegalArgumentException(name() + ": a kept element of magnitude " + magnitude + " times n/k = "
                    + scale(n) + " overflows float32 on decoding");
        }
    }

    /** Refuses kept elements whose largest raw magnitude bits are {@code largest} if they are not all finite. */
    private void checkFinite(int largest) {
        if (largest >= NON_FINITE) {
            throw new IllegalArgumentException(name() + ": a kept element is not finite (a rotation before this stage"
                    + " overflows float32 when finite elements are this large)");
        }
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        readStride(in);
        int n = input.length();
        int k = kept(n);
        float scale = scale(n);
        return output -> {
            float[] v = output.floats();
            if (v.length != k) {
                throw new MalformedEncodingException(
                        name() + ": expected " + k + " kept values for " + n + " elements, got " + v.length);
            }
            float[] x = new float[n];
            scatter(v, k, scale, x);
            return Signal.floats(x);
        };
    }

    /** {@code dst[j·q] = kept[j]·scale} for the first {@code k} kept values; the elements between stay as they are. */
    private void scatter(float[] kept, int k, float scale, float[] dst) {
        for (int j = 0; j < k; j++) {
            dst[j << strideLog2] = kept[j] * scale;
        }
    }

    /** Reads and checks the side information. */
    private void readStride(ByteReader in) {
        int at = in.position();
        int log2 = in.readU8("stride log2");
        if (log2 != strideLog2) {
            throw new MalformedEncodingException("stride log2 at offset " + at + " is " + log2 + " but " + name()
                    + " keeps every 2^" + strideLog2 + "-th element");
        }
    }

    /**
     * This stage followed by {@code quantizer} as one {@link BlockQuantizer} of this stage's input, for a fused
     * rotation: a block's sink gathers its kept elements into a scratch array for the quantizer's sink, and the source
     * scatters what the quantizer's source fills (with {@link SignStage}, a table of the first butterflies instead,
     * see {@link SignSource}). Side information: this stage's, then the quantizer's, as the stages write them.
     */
    public BlockQuantizer over(BlockQuantizer quantizer) {
        return new Strided(quantizer);
    }

    /** {@link #over}. */
    private final class Strided implements BlockQuantizer {
        private final BlockQuantizer quantizer;

        Strided(BlockQuantizer quantizer) {
            this.quantizer = quantizer;
        }

        /** Blocks of whole strides, and the quantizer takes their kept elements as its blocks. */
        @Override
        public boolean takesBlocks(int block, int m) {
            return block % stride() == 0 && quantizer.takesBlocks(block >>> strideLog2, kept(m));
        }

        /**
         * Takes the elements in runs that start at multiples of q, all but the last of whole strides. Writes this
         * stage's side information now; a non-finite kept element is refused before the quantizer takes it, and the
         * range of the largest at {@link Sink#finish}, before the quantizer's own checks: as the stages one after the
         * other refuse them.
         */
        @Override
        public Sink startPacked(int m, ByteWriter sideInfo) {
            sideInfo.writeU8(strideLog2);
            Sink inner = quantizer.startPacked(kept(m), sideInfo);
            return new Sink() {
                private float[] scratch = new float[0];
                private int largest;

                @Override
                public void accept(float[] y, int from, int offset, int len) {
                    int k = kept(len);
                    if (scratch.length < k) {
                        scratch = new float[k];
                    }
                    largest = gather(y, from, len, scratch, largest);
                    // before the quantizer sees them, as the stages one after the other would refuse them
                    checkFinite(largest);
                    inner.accept(scratch, 0, offset >>> strideLog2, k);
                }

                @Override
                public byte[] finish() {
                    check(largest, m);
                    return inner.finish();
                }
            };
        }

        /**
         * Fills runs that start at multiples of q: the quantizer's values for the run's kept elements, times n/k, at
         * their places, zeros between them.
         */
        @Override
        public Source readSideInfoSource(ByteReader in, SignalShape input) {
            readStride(in);
            int m = input.length();
            float scale = scale(m);
            if (quantizer instanceof SignStage && stride() > 1) {
                return new SignSource(SignStage.readScale(in) * scale, m);
            }
            Source inner = quantizer.readSideInfoSource(in, outputShape(input));
            return new Source() {
                private float[] scratch = new float[0];

                @Override
                public void start(byte[] payload) {
                    inner.start(payload);
                }

                @Override
                public void fill(int offset, float[] dst, int len) {
                    int k = kept(len);
                    if (scratch.length < k) {
                        scratch = new float[k];
                    }
                    inner.fill(offset >>> strideLog2, scratch, k);
                    Arrays.fill(dst, 0, len, 0f);
                    scatter(scratch, k, scale, dst);
                }
            };
        }
    }

    /**
     * {@link SignStage}'s decoded signs through this stage, for a stride of 2 or more: kept element j is
     * {@code ±value}, {@code value = scale·(n/k)} and the sign from bit j of the payload (1 for +), the others +0,
     * as the two stages' decoders make them one after the other ({@code (-scale)·(n/k)} is {@code -(scale·(n/k))},
     * bit for bit).
     */
    private final class SignSource implements BlockQuantizer.Source {
        private final int m;
        private final int magnitude;
        private byte[] b;
        private float[] table;

        SignSource(float value, int m) {
            this.m = m;
            this.magnitude = Float.floatToRawIntBits(value) & 0x7fffffff;
        }

        @Override
        public void start(byte[] payload) {
            BitPacker.checkPacked(payload, kept(m), 1, "bitpack payload");
            b = payload;
        }

        /** {@code ±value} by the sign bit of kept element {@code j}. */
        private float value(int j) {
            return Float.intBitsToFloat(magnitude | ~(b[j >>> 3] >>> (j & 7)) << 31);
        }

        @Override
        public void fill(int offset, float[] dst, int len) {
            Arrays.fill(dst, 0, len, 0f);
            int first = offset >>> strideLog2;
            for (int j = 0; j << strideLog2 < len; j++) {
                dst[j << strideLog2] = value(first + j);
            }
        }

        /**
         * A group of 16 holds the signs of {@code 16/q} kept elements: one of {@code 2^(16/q)} patterns, whose
         * 16-point kernels are looked up in a {@link #signTable} made once for the tensor (for q from 2 to 16, in
         * tensors of at least as many groups as patterns; the kernel itself otherwise). For q above 16, a group holds
         * one kept element or none, and one of none is all +0, as the kernel makes it from +0s.
         */
        @Override
        public void fillRadix16(int offset, float[] dst, int len) {
            if (strideLog2 > 4) {
                Arrays.fill(dst, 0, len, 0f);
                for (int g = 0; g < len; g += 1 << strideLog2) {
                    dst[g] = value((offset + g) >>> strideLog2);
                    HadamardStage.radix16Groups(dst, g, 16);
                }
                return;
            }
            int perGroup = 16 >>> strideLog2;
            if (m >>> 4 < 1 << perGroup) {
                fill(offset, dst, len);
                HadamardStage.radix16Groups(dst, len);
                return;
            }
            if (table == null) {
                table = signTable(perGroup);
            }
            int mask = (1 << perGroup) - 1;
            for (int g = 0; g < len; g += 16) {
                int bit = (offset + g) >>> strideLog2;
                int pattern = (b[bit >>> 3] >>> (bit & 7)) & mask;
                System.arraycopy(table, pattern << 4, dst, g, 16);
            }
        }

        /**
         * Per pattern p of {@code perGroup} sign bits, the 16-point kernel of the group whose element {@code i·q} is
         * {@code ±value} by bit i of p and whose other elements are +0, made by the kernel itself.
         */
        private float[] signTable(int perGroup) {
            float[] t = new float[16 << perGroup];
            float plus = Float.intBitsToFloat(magnitude);
            float minus = Float.intBitsToFloat(magnitude | Integer.MIN_VALUE);
            for (int p = 0; p < 1 << perGroup; p++) {
                for (int i = 0; i < perGroup; i++) {
                    t[16 * p + (i << strideLog2)] = (p >>> i & 1) != 0 ? plus : minus;
                }
            }
            HadamardStage.radix16Groups(t, t.length);
            return t;
        }
    }
}
