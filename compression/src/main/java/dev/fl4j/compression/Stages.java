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
 * </table>
 * Ids 13-127 are reserved for future built-in stages; user stages take ids from
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
            default -> id >= EncodingStage.FIRST_USER_ID ? "a user stage" : "unknown stage id";
        };
    }
}
