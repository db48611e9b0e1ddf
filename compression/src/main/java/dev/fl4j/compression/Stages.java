package dev.fl4j.compression;

import dev.fl4j.compression.internal.AdaptiveQuantizationStage;
import dev.fl4j.compression.internal.BitPackingStage;
import dev.fl4j.compression.internal.Float32Stage;
import dev.fl4j.compression.internal.HadamardStage;
import dev.fl4j.compression.internal.IdentityStage;
import dev.fl4j.compression.internal.LloydMaxStage;
import dev.fl4j.compression.internal.NonUniformQuantizationStage;
import dev.fl4j.compression.internal.RansStage;
import dev.fl4j.compression.internal.SignStage;
import dev.fl4j.compression.internal.SparsificationStage;
import dev.fl4j.compression.internal.StrideStage;
import dev.fl4j.compression.internal.UniformQuantizationStage;

/**
 * The built-in {@link EncodingStage}s, with their header ids and exact side-information sizes. Chain
 * them with {@link TensorEncoder#of}; every chain starts from floats and ends in a stage producing
 * bytes ({@link #float32()}, {@link #bitPacking()} or {@link #entropyCoding()}).
 *
 * <p>There is no flatten stage: a {@link TensorEncoder} always works on the row-major flattened
 * tensor and records the shape in its header (TFF's {@code FlattenEncodingStage} is implicit).
 *
 * <table>
 * <caption>Built-in stages</caption>
 * <tr><th>id</th><th>stage</th><th>signal</th><th>side information (bytes)</th><th>payload</th></tr>
 * <tr><td>1</td><td>{@link #identity()}</td><td>floats → floats</td><td>0</td><td></td></tr>
 * <tr><td>2</td><td>{@link #float32()}</td><td>floats → bytes</td><td>0</td><td>4n</td></tr>
 * <tr><td>3</td><td>{@link #uniformQuantization(int)}</td><td>floats → symbols [0,2^b)</td><td>9: u8 bits, f32 min, f32
 * max</td><td></td></tr>
 * <tr><td>4</td><td>{@link #bitPacking()}</td><td>symbols [0,L) → bytes</td><td>0</td><td>ceil(n·ceil(log2
 * L)/8)</td></tr>
 * <tr><td>5</td><td>{@link #hadamard()}</td><td>floats[n] → floats[m], m = n padded to whole blocks</td><td>9: u8 log2
 * block, i64 seed</td><td></td></tr>
 * <tr><td>6</td><td>{@link #topK()}</td><td>floats[n] → floats[k]</td><td>4 + ceil(k·ceil(log2 n)/8): i32 k, packed
 * indices</td><td></td></tr>
 * <tr><td>7</td><td>{@link #randomK()}</td><td>floats[n] → floats[k]</td><td>12: i32 k, i64 seed</td><td></td></tr>
 * <tr><td>8</td><td>{@link #sign()}</td><td>floats → symbols [0,2)</td><td>4: f32 scale</td><td></td></tr>
 * <tr><td>9</td><td>{@link #entropyCoding()}</td><td>symbols [0,L≤4096) → bytes</td><td>L varints (L to 3L)</td><td>4 +
 * data dependent</td></tr>
 * <tr><td>10</td><td>{@link #nonUniformQuantization(int)}</td><td>floats → symbols [0,2^b)</td><td>1 + 4·2^b: u8 bits,
 * f32 levels</td><td></td></tr>
 * <tr><td>11</td><td>{@link #adaptiveUniformQuantization(int)}</td><td>floats → symbols [0,2^b); state
 * float64[3]</td><td>13 + 8m: u8 bits, f32 lo, f32 hi, i32 m, m × (i32 index, f32 value) for m
 * outliers</td><td></td></tr>
 * <tr><td>12</td><td>{@link #lloydMax(int, boolean)}</td><td>floats → symbols [0,2^b)</td><td>1 + 4·ceil(n/4096):
 * u8 bits, f32 scale per block of 4096</td><td></td></tr>
 * <tr><td>13</td><td>{@link #stride(int)}</td><td>floats[n] → floats[ceil(n/q)]</td><td>1: u8 log2
 * q</td><td></td></tr>
 * </table>
 * Ids 14-127 are reserved for future built-in stages; user stages take ids from
 * {@link EncodingStage#FIRST_USER_ID}.
 */
public final class Stages {

    /** The default largest Hadamard block, 2^12 elements: small padding, cheap transform. */
    public static final int DEFAULT_HADAMARD_BLOCK_LOG2 = 12;

    private Stages() {}

    /** Passes floats unchanged. Commutes with sum. */
    public static EncodingStage identity() {
        return new IdentityStage();
    }

    /** Raw float32 little-endian bytes: lossless, 32 bits per element. */
    public static EncodingStage float32() {
        return new Float32Stage();
    }

    /**
     * Uniform quantization to {@code 2^bits} levels over the tensor's [min, max] with unbiased stochastic
     * rounding; error per element below one step {@code (max-min)/(2^bits-1)}. Bits 1-16.
     */
    public static EncodingStage uniformQuantization(int bits) {
        return new UniformQuantizationStage(bits, true);
    }

    /** Uniform quantization rounding to nearest (deterministic, biased, error at most half a step). */
    public static EncodingStage uniformQuantizationNearest(int bits) {
        return new UniformQuantizationStage(bits, false);
    }

    /** Non-uniform (companded) quantization to {@code 2^bits} fitted levels, unbiased stochastic rounding. Bits 1-8. */
    public static EncodingStage nonUniformQuantization(int bits) {
        return new NonUniformQuantizationStage(bits);
    }

    /** The moving-average spread of {@link #adaptiveUniformQuantization(int)}: the range is ±4 deviations. */
    public static final double DEFAULT_ADAPTIVE_SPREAD = 4.0;
    /**
     * The moving-average decay of {@link #adaptiveUniformQuantization(int)}: the past weighs 0.9, the current round
     * 0.1.
     */
    public static final double DEFAULT_ADAPTIVE_DECAY = 0.9;

    /**
     * Uniform quantization over a range that adapts across rounds, {@link #adaptiveUniformQuantization(int, double,
     * double)} with {@code spread} {@value #DEFAULT_ADAPTIVE_SPREAD} and {@code decay} {@value
     * #DEFAULT_ADAPTIVE_DECAY}.
     */
    public static EncodingStage adaptiveUniformQuantization(int bits) {
        return new AdaptiveQuantizationStage(bits, DEFAULT_ADAPTIVE_SPREAD, DEFAULT_ADAPTIVE_DECAY);
    }

    /**
     * Uniform quantization with unbiased stochastic rounding over {@code mean ± spread·deviation},
     * where mean and deviation are exponential moving averages (weight {@code decay} on the past)
     * of each round's tensor mean and standard deviation, kept in the stage's state (float64[3] =
     * [rounds, mean, deviation]; the first round takes its own statistics). Elements outside the
     * range cross exactly as (index, float32) pairs, at most n/256 of them (beyond that the round
     * falls back to [min, max]); error per in-range element below one step. Bits 1-16, spread &gt; 0,
     * decay in [0, 1).
     */
    public static EncodingStage adaptiveUniformQuantization(int bits, double spread, double decay) {
        return new AdaptiveQuantizationStage(bits, spread, decay);
    }

    /**
     * Deterministic quantization to the {@code 2^bits} Lloyd–Max levels of the standard Gaussian, one scale per block
     * of 4096 elements; after a rotation, several times lower error than uniform rounding at the same width. The scale
     * is the least-squares one unless {@code unbiased} picks DRIVE's bias correction, which after a random rotation
     * makes the estimate unbiased. Bits 1-4. See {@link LloydMaxStage}.
     */
    public static EncodingStage lloydMax(int bits, boolean unbiased) {
        return new LloydMaxStage(bits, unbiased);
    }

    /** Packs symbols in [0, L) into ceil(log2 L) bits each. */
    public static EncodingStage bitPacking() {
        return new BitPackingStage();
    }

    /** Lossless rANS entropy coding of symbols, alphabets up to 4096. */
    public static EncodingStage entropyCoding() {
        return new RansStage();
    }

    /** Randomized Hadamard rotation with blocks of at most 2^{@value #DEFAULT_HADAMARD_BLOCK_LOG2}. */
    public static EncodingStage hadamard() {
        return new HadamardStage(DEFAULT_HADAMARD_BLOCK_LOG2);
    }

    /** Randomized Hadamard rotation with blocks of at most {@code 2^maxBlockLog2} elements (0-24). */
    public static EncodingStage hadamard(int maxBlockLog2) {
        return new HadamardStage(maxBlockLog2);
    }

    /**
     * Keeps every {@code stride}-th element (elements {@code 0, q, 2q, ...} for {@code q = stride}, a power of two
     * from 1 to 2^24; {@code k = ceil(n/q)} of {@code n}): a fixed, data-independent subset, so nothing is drawn and no
     * index is sent. Decoding puts the kept values back times {@code n/k} ({@code q} when q divides n), zeros
     * elsewhere: deterministic random-k. 1 byte of side information (log2 q, checked).
     *
     * <p><b>Meant to follow a {@link #hadamard() randomized Hadamard rotation}</b> {@code R} (random signs, then
     * Hadamard blocks) and to precede DRIVE's {@link SignBuilder#optUnbiased unbiased sign}, as in the
     * {@code subsampled-drive:FRACTION} preset of {@link Encoders}: a subsampled randomized Hadamard transform, one bit
     * per kept coordinate, for the aggregation. For the kept set {@code S} of {@code y = Rx} and DRIVE's estimate
     * {@code ŷ_S = s·sign(y_S)}, {@code s = ||y_S||²/||y_S||₁} (so {@code <ŷ_S, y_S> = ||y_S||²}), the decoded
     * estimate is {@code x̂ = (n/k)·Rᵀ P_Sᵀ ŷ_S}.
     * <ul>
     *   <li><b>Unbiased.</b> Write {@code ŷ_S = y_S + e}. The linear part is exactly unbiased for the randomized
     *       Hadamard rotation, for every input: {@code E[(n/k) Rᵀ P_Sᵀ P_S R] = I}, since each kept row of a block
     *       weighs each of the block's inputs by {@code 1/B} and the random signs cancel the cross terms. The error
     *       {@code e} is DRIVE's, orthogonal to {@code y_S}, whose mean the rotation's random signs cancel as they do
     *       for {@code drive}: exactly for a uniformly random rotation, and not measurably for the randomized
     *       Hadamard one on tensors of a few hundred elements or more ({@code UnbiasednessTest}); on tensors of 16
     *       elements or fewer DRIVE itself is measurably biased, and this as much. {@code <x̂, x> = (n/k)||y_S||²},
     *       which is {@code ||x||²} in expectation over the signs, exactly. As with {@code drive}, DRIVE's scale is one
     *       for the tensor while the blocks are rotated apart, so a block with less energy than the others, chiefly
     *       a padded last block, decodes with a weight above 1 and the others slightly below (two_nn's 784×200
     *       kernel: its last 1,152 weights about 1.87, the rest 0.993, for {@code drive} and this alike;
     *       {@code sampled-drive} weighs the end of its kept values likewise). Hadamard-lloyd's scale per block avoids
     *       that; not done here.</li>
     *   <li><b>Error.</b> Keeping rows {@code 0, q, 2q, ...} of a Sylvester Hadamard block makes each kept
     *       coordinate a Hadamard transform of sums of {@code q} consecutive signed inputs, so a coordinate's error is
     *       its {@code q-1} neighbours' signed values: the normalized error of random-k at {@code 1/q} before DRIVE
     *       ({@code sampled-drive}), {@code q·π/2 - 1} for large tensors, without a random draw per element or a
     *       selection on either end.</li>
     *   <li><b>Not a per-draw projection.</b> Scaling by {@code ||x||²/||y_S||₁} instead, so that
     *       {@code <x̂, x> = ||x||²} for every draw as DRIVE's scale does over all coordinates, was tried and measured
     *       worse (3,000 draws): under random signs alone the kept energy's fluctuation goes with the direction, so
     *       small tensors came out more biased and noisier (10 elements at q = 2: normalized error 4.4 against 1.4;
     *       16 elements at q = 8: 95 against 9.4) and large ones no better (2,000 elements at q = 8: 11.6 against
     *       11.4).</li>
     *   <li><b>Blocks.</b> A rotation's blocks all have the same length {@code B} (the last one padded). With
     *       {@code q <= B} every block keeps {@code B/q} of its rows; a tensor shorter than {@code q} is one block of
     *       {@code B < q} and keeps one row, its first, decoded times {@code B}. Either way every input is covered
     *       with the same weight and the linear part stays exactly unbiased. With several blocks shorter than
     *       {@code q}, whole blocks would be skipped and their inputs decode to zero (biased): keep {@code q} at most
     *       the rotation's largest block ({@code 2^}{@value #DEFAULT_HADAMARD_BLOCK_LOG2} by default), as the
     *       preset does.</li>
     * </ul>
     * Stateless, so it serves the aggregation of both regimes (cross-device and cross-silo) without client state.
     * Commutes with sum (the subset is the same for every encoding). See {@link StrideStage}.
     */
    public static EncodingStage stride(int stride) {
        return new StrideStage(stride);
    }

    /**
     * Top-k sparsification: keeps the {@code round(fraction·n)} largest-magnitude elements. Set the fraction with
     * {@link TopKBuilder#setFraction}; error feedback is off unless {@link TopKBuilder#optErrorFeedback}.
     */
    public static TopKBuilder topK() {
        return new TopKBuilder();
    }

    /**
     * Random-k sparsification: keeps {@code round(fraction·n)} elements chosen at random from the seed. Set the
     * fraction with {@link RandomKBuilder#setFraction}; error feedback and unbiased scaling are off by default.
     */
    public static RandomKBuilder randomK() {
        return new RandomKBuilder();
    }

    /**
     * One sign bit per element and one scale (DRIVE). The scale minimises the squared error unless
     * {@link SignBuilder#optUnbiased} picks the bias-corrected one.
     */
    public static SignBuilder sign() {
        return new SignBuilder();
    }

    /** Settings of {@link #topK()}. */
    public static final class TopKBuilder {
        private Double fraction;
        private boolean errorFeedback;

        private TopKBuilder() {}

        /** The share of elements kept, in (0, 1]. */
        public TopKBuilder setFraction(double fraction) {
            this.fraction = fraction;
            return this;
        }

        /** Whether each client adds what it left out last round to its next update (default false). */
        public TopKBuilder optErrorFeedback(boolean errorFeedback) {
            this.errorFeedback = errorFeedback;
            return this;
        }

        /**
         * @throws IllegalStateException without {@code setFraction}
         * @throws IllegalArgumentException for a fraction outside (0, 1]
         */
        public EncodingStage build() {
            if (fraction == null) {
                throw new IllegalStateException("top-k needs setFraction");
            }
            return new SparsificationStage(true, fraction, errorFeedback, false);
        }
    }

    /** Settings of {@link #randomK()}. */
    public static final class RandomKBuilder {
        private Double fraction;
        private boolean errorFeedback;
        private boolean unbiased;

        private RandomKBuilder() {}

        /** The share of elements kept, in (0, 1]. */
        public RandomKBuilder setFraction(double fraction) {
            this.fraction = fraction;
            return this;
        }

        /** Whether each client adds what it left out last round to its next update (default false). */
        public RandomKBuilder optErrorFeedback(boolean errorFeedback) {
            this.errorFeedback = errorFeedback;
            return this;
        }

        /**
         * Whether kept elements are scaled by n/k on decoding, for an unbiased estimate (default false; not with error
         * feedback).
         */
        public RandomKBuilder optUnbiased(boolean unbiased) {
            this.unbiased = unbiased;
            return this;
        }

        /**
         * @throws IllegalStateException without {@code setFraction}
         * @throws IllegalArgumentException for a fraction outside (0, 1], or unbiased scaling with error feedback
         */
        public EncodingStage build() {
            if (fraction == null) {
                throw new IllegalStateException("random-k needs setFraction");
            }
            return new SparsificationStage(false, fraction, errorFeedback, unbiased);
        }
    }

    /** Settings of {@link #sign()}. */
    public static final class SignBuilder {
        private boolean unbiased;

        private SignBuilder() {}

        /** Whether the scale is DRIVE's bias-corrected one (default false: the scale minimising squared error). */
        public SignBuilder optUnbiased(boolean unbiased) {
            this.unbiased = unbiased;
            return this;
        }

        public EncodingStage build() {
            return new SignStage(unbiased);
        }
    }

    /** A readable name for a header stage id, for error messages. */
    public static String describeId(int id) {
        return switch (id) {
            case IdentityStage.ID -> "identity";
            case Float32Stage.ID -> "float32";
            case UniformQuantizationStage.ID -> "uniform quantization";
            case BitPackingStage.ID -> "bitpack";
            case HadamardStage.ID -> "hadamard";
            case SparsificationStage.TOP_K_ID -> "top-k";
            case SparsificationStage.RANDOM_K_ID -> "random-k";
            case SignStage.ID -> "sign";
            case RansStage.ID -> "rans";
            case NonUniformQuantizationStage.ID -> "non-uniform quantization";
            case AdaptiveQuantizationStage.ID -> "adaptive uniform quantization";
            case LloydMaxStage.ID -> "lloyd-max quantization";
            case StrideStage.ID -> "stride";
            default -> id >= EncodingStage.FIRST_USER_ID ? "a user stage" : "unknown stage id";
        };
    }
}
