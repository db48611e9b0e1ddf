package dev.fl4j.compression.internal;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.MalformedEncodingException;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;
import dev.fl4j.core.DType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.SplitMix64;

/**
 * Uniform quantization whose range adapts across rounds: {@code 2^b} levels over
 * {@code [c − k·s, c + k·s]} (intersected with the tensor's [min, max]), where {@code c} and {@code s}
 * are exponential moving averages of the tensor's mean and standard deviation over the rounds seen,
 * carried in the stage's state. A single round's extreme elements then no longer stretch the grid
 * for all the others, as they do with [min, max]: elements outside the range are sent exactly
 * (index and float32 value) instead of being clipped, so nothing is biased. Stochastic rounding
 * inside the range, as {@link UniformQuantizationStage}: decoding is unbiased, the error of an
 * in-range element is below one step {@code (hi − lo)/(2^b − 1)}, an outlier's is zero.
 *
 * <p><b>State</b>: float64[3] = {@code [rounds, c, s]}, initially zeros. Encoding a tensor with mean
 * μ and (population) standard deviation σ sets {@code c = μ, s = σ} in the first round
 * ({@code rounds = 0}) and {@code c ← d·c + (1 − d)·μ}, {@code s ← d·s + (1 − d)·σ} after it, then
 * counts the round; this round's range uses the updated values. If more than
 * {@code floor(n/}{@value #MAX_OUTLIER_DIVISOR}{@code )} elements would fall outside the range (the
 * distribution moved faster than the average), this round uses [min, max] with no outliers instead;
 * the state is updated either way.
 *
 * <p>Side information, {@code 13 + 8·m} bytes for m outliers: u8 bits, f32 lo, f32 hi, i32 m, then m
 * times (i32 index, f32 value), indices increasing.
 */
public final class AdaptiveQuantizationStage extends QuantizerStage {

    public static final int ID = 11;
    /** Side information without outliers. */
    public static final int FIXED_SIDE_INFO_BYTES = 13;
    /** Side information per outlier. */
    public static final int BYTES_PER_OUTLIER = 8;
    /** At most {@code floor(n / MAX_OUTLIER_DIVISOR)} elements are sent as outliers. */
    public static final int MAX_OUTLIER_DIVISOR = 256;
    /** Length of the state vector {@code [rounds, c, s]}. */
    public static final int STATE_LENGTH = 3;

    private final int bits;
    private final double spread;
    private final double decay;

    /**
     * @param bits 1-16
     * @param spread {@code k}, the half-width of the range in moving standard deviations, &gt; 0
     * @param decay {@code d} in [0, 1): the weight of the past; 0 uses only the current round
     */
    public AdaptiveQuantizationStage(int bits, double spread, double decay) {
        super(1 << bits);
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("adaptive quantization bits must be 1-16, got " + bits);
        }
        if (!(spread > 0) || Double.isInfinite(spread)) {
            throw new IllegalArgumentException(
                    "adaptive quantization spread must be a finite number > 0, got " + spread);
        }
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("adaptive quantization decay must be in [0, 1), got " + decay);
        }
        this.bits = bits;
        this.spread = spread;
        this.decay = decay;
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "adaptive-uniform(" + bits + ",k=" + spread + ",decay=" + decay + ")";
    }

    @Override
    public Value initialState(SignalShape input) {
        return Tensor.of(new double[STATE_LENGTH], STATE_LENGTH);
    }

    /** The state after a round, {@code [rounds, c, s]}, given the state before and the round's mean and deviation. */
    double[] nextState(double[] before, double mean, double deviation) {
        if (before[0] == 0) {
            return new double[] {1, mean, deviation};
        }
        return new double[] {
            before[0] + 1, decay * before[1] + (1 - decay) * mean, decay * before[2] + (1 - decay) * deviation
        };
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] x = input.floats();
        int n = x.length;
        double[] before = checkedState(context.state());
        float min = 0f;
        float max = 0f;
        double sum = 0;
        double sumOfSquares = 0;
        if (n > 0) {
            min = Float.POSITIVE_INFINITY;
            max = Float.NEGATIVE_INFINITY;
            for (float v : x) {
                min = v < min ? v : min;
                max = v > max ? v : max;
                sum += v;
                sumOfSquares += (double) v * v;
            }
        }
        if (!Float.isFinite(min) || !Float.isFinite(max)) {
            throw new IllegalArgumentException(name() + ": input holds non-finite values");
        }
        double mean = n == 0 ? 0 : sum / n;
        double deviation = n == 0 ? 0 : Math.sqrt(Math.max(0, sumOfSquares / n - mean * mean));
        double[] after = nextState(before, mean, deviation);
        context.updateState(Tensor.of(after, STATE_LENGTH));

        float lo = Math.max(min, (float) (after[1] - spread * after[2]));
        float hi = Math.min(max, (float) (after[1] + spread * after[2]));
        int outliers = 0;
        if (lo <= hi) {
            for (float v : x) {
                outliers += v < lo || v > hi ? 1 : 0;
            }
        }
        if (lo > hi || outliers > n / MAX_OUTLIER_DIVISOR) {
            lo = min;
            hi = max;
            outliers = 0;
        }
        sideInfo.writeU8(bits).writeFloat(lo).writeFloat(hi).writeInt(outliers);
        if (outliers > 0) {
            for (int i = 0; i < n; i++) {
                if (x[i] < lo || x[i] > hi) {
                    sideInfo.writeInt(i).writeFloat(x[i]);
                }
            }
        }
        return Signal.symbols(quantize(x, lo, hi, context.seed()), 1 << bits);
    }

    /** Stochastic rounding onto the grid over [lo, hi]; elements outside get the nearest end (and are sent exactly). */
    private int[] quantize(float[] x, float lo, float hi, long seed) {
        int top = (1 << bits) - 1;
        int[] q = new int[x.length];
        double range = (double) hi - lo;
        if (range > 0) {
            double scale = top / range;
            SplitMix64 rng = new SplitMix64(seed);
            for (int i = 0; i < x.length; i++) {
                int s = (int) Math.floor((x[i] - (double) lo) * scale + rng.nextDouble());
                q[i] = s < 0 ? 0 : s > top ? top : s;
            }
        }
        return q;
    }

    private double[] checkedState(Value state) {
        if (!(state instanceof Tensor t) || t.dtype() != DType.FLOAT64 || t.rank() != 1 || t.size() != STATE_LENGTH) {
            throw new IllegalArgumentException(name() + ": state must be float64[" + STATE_LENGTH
                    + "] = [rounds, mean, deviation], got " + state.type());
        }
        double[] s = t.doubleData();
        if (!(s[0] >= 0)
                || s[0] != Math.rint(s[0])
                || !Double.isFinite(s[0])
                || !Double.isFinite(s[1])
                || !Double.isFinite(s[2])
                || s[2] < 0) {
            throw new IllegalArgumentException(name() + ": state " + java.util.Arrays.toString(s)
                    + " is not [rounds, mean, deviation] with a whole rounds >= 0, a finite mean and a "
                    + "finite deviation >= 0");
        }
        return s.clone();
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        int at = in.position();
        int b = in.readU8("adaptive quantization bits");
        if (b != bits) {
            throw new MalformedEncodingException("adaptive quantization bits at offset " + at + " is " + b
                    + " but this decoder is " + name() + (b < 1 || b > 16 ? " (and bits must be 1-16)" : ""));
        }
        float lo = in.readFloat("adaptive quantization lo");
        float hi = in.readFloat("adaptive quantization hi");
        if (!Float.isFinite(lo) || !Float.isFinite(hi) || lo > hi) {
            throw new MalformedEncodingException("adaptive quantization range at offset " + (at + 1) + " is [" + lo
                    + ", " + hi + "], expected finite lo <= hi");
        }
        int n = input.length();
        int countAt = in.position();
        int outliers = in.readInt("adaptive quantization outlier count");
        if (outliers < 0 || outliers > n / MAX_OUTLIER_DIVISOR) {
            throw new MalformedEncodingException("adaptive quantization outlier count at offset " + countAt + " is "
                    + outliers + ", expected 0-" + n / MAX_OUTLIER_DIVISOR + " for " + n + " elements");
        }
        int[] index = new int[outliers];
        float[] value = new float[outliers];
        for (int j = 0; j < outliers; j++) {
            int where = in.position();
            index[j] = in.readInt("adaptive quantization outlier index");
            value[j] = in.readFloat("adaptive quantization outlier value");
            if (index[j] < 0 || index[j] >= n || (j > 0 && index[j] <= index[j - 1])) {
                throw new MalformedEncodingException("adaptive quantization outlier " + j + " at offset " + where
                        + " has index " + index[j] + ", expected increasing indices in [0, " + n + ")");
            }
            if (!Float.isFinite(value[j]) || (value[j] >= lo && value[j] <= hi)) {
                throw new MalformedEncodingException("adaptive quantization outlier " + j + " at offset " + (where + 4)
                        + " is " + value[j] + ", expected a finite value outside [" + lo + ", " + hi + "]");
            }
        }
        int top = (1 << bits) - 1;
        double step = ((double) hi - lo) / top;
        return output -> {
            int[] q = output.symbols();
            float[] x = new float[q.length];
            for (int i = 0; i < q.length; i++) {
                x[i] = (float) (lo + q[i] * step);
            }
            for (int j = 0; j < outliers; j++) {
                x[index[j]] = value[j];
            }
            return Signal.floats(x);
        };
    }
}
