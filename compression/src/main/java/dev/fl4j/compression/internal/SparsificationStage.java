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
import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.SplitMix64;

/**
 * Keeps {@code k = clamp(round(fraction·n), 1, n)} of {@code n} elements (none of none): the k of
 * largest magnitude (top-k; ties go to the lower index) or k chosen uniformly at random from the
 * seed (random-k, by selection sampling). The output is the kept values in index order; decoding
 * scatters them back and zero-fills the rest.
 *
 * <p><b>Error feedback</b> (optional, client state): the stage keeps a float32[n] residual, adds it
 * to the input before selecting, and carries what was not sent ({@code input + residual - sent}) to
 * the next round, so nothing is lost, only delayed. The residual covers this stage's error only,
 * not that of later stages. <b>Unbiased</b> random-k (optional, no error feedback) scales the kept
 * values by {@code n/k} on decoding.
 *
 * <p>Side information: top-k, {@code 4 + ceil(k·w/8)} bytes: i32 k, then the k indices ascending,
 * bit-packed with {@code w = ceil(log2 n)} bits; random-k, 12 bytes: i32 k, i64 seed.
 */
public final class SparsificationStage implements EncodingStage {

    public static final int TOP_K_ID = 6;
    public static final int RANDOM_K_ID = 7;

    private final boolean topK;
    private final double fraction;
    private final boolean errorFeedback;
    private final boolean unbiased;

    public SparsificationStage(boolean topK, double fraction, boolean errorFeedback, boolean unbiased) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException(
                    (topK ? "top-k" : "random-k") + " fraction must be in (0, 1], got " + fraction);
        }
        if (unbiased && (topK || errorFeedback)) {
            throw new IllegalArgumentException("unbiased scaling applies to random-k without error feedback only");
        }
        this.topK = topK;
        this.fraction = fraction;
        this.errorFeedback = errorFeedback;
        this.unbiased = unbiased;
    }

    @Override
    public int id() {
        return topK ? TOP_K_ID : RANDOM_K_ID;
    }

    @Override
    public String name() {
        return (topK ? "topk(" : "randk(") + fraction + (errorFeedback ? ",ef" : "") + (unbiased ? ",unbiased" : "")
                + ")";
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
        return false;
    }

    /** Elements kept out of {@code n}. */
    public int k(int n) {
        if (n == 0) {
            return 0;
        }
        long k = Math.round(fraction * n);
        return (int) Math.max(1, Math.min(n, k));
    }

    @Override
    public SignalShape outputShape(SignalShape input) {
        return SignalShape.floats(k(input.length()));
    }

    @Override
    public Value initialState(SignalShape input) {
        return errorFeedback ? Tensor.zeros(DType.FLOAT32, input.length()) : Struct.empty();
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] x = input.floats();
        int n = x.length;
        int k = k(n);
        float[] v = x;
        if (errorFeedback) {
            float[] r = residual(context.state(), n);
            v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = x[i] + r[i];
            }
        }
        int[] idx = topK ? topIndices(v, k) : randomIndices(n, k, context.seed());
        float[] kept = new float[k];
        for (int j = 0; j < k; j++) {
            kept[j] = v[idx[j]];
        }
        if (unbiased) {
            requireScalable(kept, idx, unbiasedScale(n, k));
        }
        sideInfo.writeInt(k);
        if (topK) {
            byte[] packed = BitPacker.pack(idx, k, BitPacker.bitsFor(n));
            sideInfo.writeBytes(packed, 0, packed.length);
        } else {
            sideInfo.writeLong(context.seed());
        }
        if (errorFeedback) {
            for (int j = 0; j < k; j++) {
                v[idx[j]] = 0f;
            }
            context.updateState(Tensor.of(v, n));
        }
        return Signal.floats(kept);
    }

    /** The factor {@code n/k} that unbiased random-k's decoding multiplies the kept values by. */
    private static float unbiasedScale(int n, int k) {
        return (float) ((double) n / k);
    }

    /**
     * Refuses kept values that decoding would scale past float32's range: an encoding whose decoded values are
     * infinite helps no one, and the encoder is the end that knows the values are finite but too large.
     */
    private void requireScalable(float[] kept, int[] idx, float scale) {
        for (int j = 0; j < kept.length; j++) {
            if (!Float.isFinite(kept[j] * scale)) {
                throw new IllegalArgumentException(name() + ": element " + idx[j] + " (" + kept[j] + ") times n/k = "
                        + scale + " overflows float32 on decoding");
            }
        }
    }

    private float[] residual(Value state, int n) {
        if (!(state instanceof Tensor t) || t.dtype() != DType.FLOAT32 || t.size() != n) {
            throw new IllegalArgumentException(
                    name() + ": error-feedback state must be float32[" + n + "], got " + state.type());
        }
        return t.floatData();
    }

    private static int[] topIndices(float[] v, int k) {
        int n = v.length;
        int[] idx = new int[k];
        if (k == n) {
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            return idx;
        }
        float threshold = Select.kthLargestMagnitude(v, k);
        int above = 0;
        for (int i = 0; i < n; i++) {
            if (Math.abs(v[i]) > threshold) {
                above++;
            }
        }
        int tiesAllowed = k - above;
        int j = 0;
        for (int i = 0; i < n && j < k; i++) {
            float a = Math.abs(v[i]);
            if (a > threshold) {
                idx[j++] = i;
            } else if (a == threshold && tiesAllowed > 0) {
                idx[j++] = i;
                tiesAllowed--;
            }
        }
        return idx;
    }

    /** Elements whose draws {@link #randomIndices} makes ahead of the selection, in one batch. */
    private static final int DRAW_BATCH = 512;

    /**
     * Selection sampling: index i is kept with probability (still needed)/(still left), i.e. when
     * {@code u·(n-i) < k-chosen} for the i-th draw {@code u} (one {@link SplitMix64#nextDouble} per index, until k
     * are chosen). For an integer right side that comparison is the same as {@code floor(u·(n-i)) < k-chosen}, so the
     * draws and their floors are made ahead in batches, off the critical path, and the sequential part only adds
     * integers: {@code chosen} grows by the sign bit of {@code floor + chosen - k}. Branch-free: the choice is random,
     * so a branch on it would be mispredicted about as often as it is taken; the slot is written every time and the
     * count moves on only when i is kept (same indices, same draws).
     */
    static int[] randomIndices(int n, int k, long seed) {
        int[] idx = new int[k];
        SplitMix64 rng = new SplitMix64(seed);
        int[] floors = new int[Math.min(n, DRAW_BATCH)];
        int chosen = 0;
        for (int start = 0; start < n && chosen < k; start += DRAW_BATCH) {
            int len = Math.min(DRAW_BATCH, n - start);
            // nextDouble()·(n-i) = (bits·2^-53)·(n-i) = bits·((n-i)·2^-53): every factor exact, one rounding
            double left = (n - start) * 0x1.0p-53;
            for (int j = 0; j < len; j++) {
                floors[j] = (int) ((rng.nextLong() >>> 11) * left);
                left -= 0x1.0p-53;
            }
            for (int j = 0; j < len && chosen < k; j++) {
                idx[chosen] = start + j;
                chosen += (floors[j] + chosen - k) >>> 31;
            }
        }
        return idx;
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        int n = input.length();
        int expectedK = k(n);
        int at = in.position();
        int k = in.readInt((topK ? "top-k" : "random-k") + " count");
        if (k != expectedK) {
            throw new MalformedEncodingException((topK ? "top-k" : "random-k") + " count at offset " + at + " is " + k
                    + " but " + name() + " keeps " + expectedK + " of " + n);
        }
        int[] idx;
        if (topK) {
            int bits = BitPacker.bitsFor(n);
            int bytes = BitPacker.packedBytes(k, bits);
            int start = in.position();
            in.skip(bytes, "top-k indices (" + k + " of " + bits + " bits)");
            idx = new int[k];
            BitPacker.unpack(in.array(), start, k, bits, idx, "top-k indices");
            for (int j = 0; j < k; j++) {
                if (idx[j] >= n || (j > 0 && idx[j] <= idx[j - 1])) {
                    throw new MalformedEncodingException(
                            "top-k index " + j + " (side information at offset " + start + ") is " + idx[j]
                                    + (idx[j] >= n ? ", not below n=" + n : ", not above the previous " + idx[j - 1]));
                }
            }
        } else {
            idx = null;
        }
        long seed = topK ? 0 : in.readLong("random-k seed");
        float scale = unbiased && k > 0 ? unbiasedScale(n, k) : 1f;
        return output -> {
            float[] kept = output.floats();
            // random indices are drawn only once the later stages have verified the k values arrived
            int[] indices = idx != null ? idx : randomIndices(n, k, seed);
            float[] x = new float[n];
            for (int j = 0; j < k; j++) {
                x[indices[j]] = kept[j] * scale;
            }
            return Signal.floats(x);
        };
    }
}
