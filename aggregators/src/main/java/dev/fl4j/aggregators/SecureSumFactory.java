package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.Bound;
import dev.fl4j.aggregators.internal.ValueMath;
import dev.fl4j.aggregators.internal.Wrapping;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.EstimationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * TFF's {@code SecureSumFactory}: the sum of client values through
 * {@code federated_secure_sum_bitwidth}, so the server learns only the sum. On the local runtime the
 * intrinsic is the plain modular sum by default, or the SecAgg+ protocol run in-process when the runtime
 * is given it ({@code LocalRuntime.Builder.optSecureSum(SecAggPlus...)} from module {@code fl4j-secagg},
 * {@code fl4j simulate --secure-aggregation secagg+}), with bitwise the same result; over the network the
 * protocol comes with deployment. Flower's SecAgg+ names map here: {@code clipping_range} is the bounds,
 * {@code quantization_range} the {@code 2^P} levels below, {@code modulus_range} the {@code 2^bitwidth}.
 *
 * <h2>Mechanism</h2>
 * Each client clips every element to {@code [lower, upper]} and shifts it by {@code -lower} to a
 * non-negative integer: integer values as they are ({@code 0 … upper-lower}); floating values scaled
 * by {@code 2^P / (upper - lower)} and rounded to nearest ({@code 0 … 2^P}), with
 * {@code P = 32 - ⌈log2(maxClients + 1)⌉} precision bits. The integers are summed modulo
 * {@code 2^bitwidth}, where the bitwidth is the smallest that holds the sum of
 * {@link Builder#optMaxClients maxClients} (default {@value #DEFAULT_MAX_CLIENTS}) clients — 32 for
 * floating values — so no sum wraps. The server maps back: {@code Σq / scale + n·lower}. A second
 * secure sum carries {@code <upper-clipped, lower-clipped, 1, 0>} per client (bitwidth 31, the
 * widest an int32 sum holds), so the server learns the counts and {@code n} but no single client's;
 * a round with more than {@code maxClients} clients is refused. Rounding error per element and
 * client is at most {@code (upper - lower) / 2^(P+1)}; integer sums are exact, and integer bounds
 * whose sum over {@code maxClients} clients could leave the leaf's dtype (int32 or int64) are
 * refused when the process is created, so the result keeps its declared dtype and never wraps.
 *
 * <h2>Non-finite values</h2>
 * ±Inf are clipped to the bounds (and counted as clipped). A NaN has no place in a range, so a
 * client whose value holds one contributes nothing: it sends zeros and {@code <0, 0, 0, 1>}, so
 * it is left out of {@code n} and counted in {@code secure_nan_zeroed_count}; its largest
 * absolute element, for an adaptive bound, counts as 0.
 *
 * <h2>Bounds</h2>
 * Fixed ({@link #bounds}, {@link #symmetric}) or adaptive ({@link #adaptive}: the upper bound is the
 * report of an {@link EstimationProcess} fed each client's largest absolute element, the lower bound
 * its negation; floating values only), as TFF.
 *
 * <h2>Measurements</h2>
 * {@code <secure_upper_clipped_count=int32, secure_lower_clipped_count=int32,
 * secure_upper_threshold=float32, secure_lower_threshold=float32, secure_nan_zeroed_count=int32>},
 * TFF's names and then fl4j's NaN count; a clipped count is the number of clients with at least
 * one element clipped at that side. Unweighted (use it as the value-sum and weight-sum factories
 * of {@link MeanFactory} for a secure mean).
 */
public final class SecureSumFactory implements UnweightedAggregationFactory {

    /** The default largest number of clients per round. */
    public static final int DEFAULT_MAX_CLIENTS = 1000;

    private static final int FLOAT_BITWIDTH = 32;
    /** The counts are int32; 31 bits is the widest secure sum an int32 holds (and counts up to 2^31 - 1 clients). */
    private static final int COUNT_BITWIDTH = 31;

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final TensorType I32 = TensorType.scalar(DType.INT32);
    /** Per client: {@code <upper clipped, lower clipped, contributes, zeroed for a NaN>}, each 0 or 1. */
    private static final TensorType COUNTS = new TensorType(DType.INT32, 4);

    private final Bound upper;
    private final Double lower;
    private final double fixedUpper;
    private final int maxClients;

    private SecureSumFactory(Bound upper, double fixedUpper, Double lower, int maxClients) {
        this.upper = upper;
        this.fixedUpper = fixedUpper;
        this.lower = lower;
        if (maxClients < 1) {
            throw new IllegalArgumentException("optMaxClients: secure sum max clients must be >= 1, got " + maxClients);
        }
        this.maxClients = maxClients;
    }

    /**
     * Fixed bounds {@code lower < upper} (finite).
     *
     * @throws IllegalArgumentException if not finite or {@code lower >= upper}
     */
    public static SecureSumFactory bounds(double lower, double upper) {
        if (!Double.isFinite(lower) || !Double.isFinite(upper) || !(lower < upper)) {
            throw new IllegalArgumentException(
                    "secure sum bounds must be finite with lower < upper, got lower " + lower + ", upper " + upper);
        }
        return new SecureSumFactory(null, upper, lower, DEFAULT_MAX_CLIENTS);
    }

    /** Fixed bounds {@code [-upper, upper]}, {@code upper} finite and > 0. */
    public static SecureSumFactory symmetric(double upper) {
        return bounds(-upper, upper);
    }

    /** Adaptive bounds {@code [-u, u]}, {@code u} reported by {@code upper} each round (floating values only). */
    public static SecureSumFactory adaptive(EstimationProcess upper) {
        return new SecureSumFactory(
                Bound.adaptive(upper, "secure sum upper bound"), Double.NaN, null, DEFAULT_MAX_CLIENTS);
    }

    /**
     * A builder starting from these bounds and options, e.g.
     * {@code SecureSumFactory.bounds(0, 1).toBuilder().optMaxClients(100).build()}; this factory is unchanged.
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Options of a secure sum whose bounds were given by {@link #bounds}, {@link #symmetric} or {@link #adaptive}. */
    public static final class Builder {
        private final SecureSumFactory bounds;
        private int maxClients;

        private Builder(SecureSumFactory bounds) {
            this.bounds = bounds;
            this.maxClients = bounds.maxClients;
        }

        /**
         * Sized for at most {@code maxClients} clients per round, >= 1 (fewer precision bits for more
         * clients; default {@value SecureSumFactory#DEFAULT_MAX_CLIENTS}).
         */
        public Builder optMaxClients(int maxClients) {
            this.maxClients = maxClients;
            return this;
        }

        /**
         * The factory.
         *
         * @throws IllegalArgumentException if {@code optMaxClients} was given a value below 1
         */
        public SecureSumFactory build() {
            return new SecureSumFactory(bounds.upper, bounds.fixedUpper, bounds.lower, maxClients);
        }
    }

    private int clientBits() {
        return 32 - Integer.numberOfLeadingZeros(maxClients);
    }

    /** Whether the bounds are fixed ({@link #bounds}, {@link #symmetric}) rather than estimated ({@link #adaptive}). */
    public boolean hasFixedBounds() {
        return upper == null;
    }

    /** The fixed lower bound (NaN for adaptive bounds). */
    double lowerBound() {
        return upper == null ? lower : Double.NaN;
    }

    /** The fixed upper bound (NaN for adaptive bounds). */
    double upperBound() {
        return upper == null ? fixedUpper : Double.NaN;
    }

    /**
     * With fixed bounds, the largest L2 distance between a client's value of type {@code valueType} whose
     * elements lie within the bounds and what the sum counts for it (its quantized value mapped back):
     * {@code √d·(upper − lower)/2^(P+1)} over its {@code d} floating elements, rounding to nearest of
     * {@code 2^P} levels; integer elements are summed exactly.
     *
     * @throws IllegalStateException for adaptive bounds
     */
    double roundingL2Bound(Type valueType) {
        if (upper != null) {
            throw new IllegalStateException("an adaptive secure sum bound has no fixed rounding bound");
        }
        long floating = 0;
        for (TensorType t : leavesOf(valueType)) {
            if (t.dtype().isFloating()) {
                floating += t.numElements();
            }
        }
        return Math.sqrt(floating) * (fixedUpper - lower) / Math.scalb(1.0, floatPrecisionBits() + 1);
    }

    private List<TensorType> leavesOf(Type valueType) {
        List<TensorType> leaves = new ArrayList<>();
        collectLeaves(valueType, leaves);
        return leaves;
    }

    /** Precision bits P of floating elements. */
    public int floatPrecisionBits() {
        return FLOAT_BITWIDTH - clientBits();
    }

    @Override
    public AggregationProcess create(Type valueType) {
        List<TensorType> leaves = new ArrayList<>();
        collectLeaves(valueType, leaves);
        int bitwidth = 1;
        for (TensorType t : leaves) {
            bitwidth = Math.max(bitwidth, bitwidthFor(t));
        }
        int sumBitwidth = bitwidth;
        Type encodedType = encodedType(valueType);
        Bound upperBound = upper != null ? upper : Bound.constant(Math.abs(fixedUpper), "secure sum upper bound");
        Type state = StructType.builder()
                .add("upper_threshold", upperBound.stateType())
                .build();
        Type measurements = StructType.builder()
                .add("secure_upper_clipped_count", FederatedType.server(I32))
                .add("secure_lower_clipped_count", FederatedType.server(I32))
                .add("secure_upper_threshold", FederatedType.server(F32))
                .add("secure_lower_threshold", FederatedType.server(F32))
                .add("secure_nan_zeroed_count", FederatedType.server(I32))
                .build();
        FederatedComputation init = FederatedComputation.noArg(
                "secure_sum_initialize",
                state,
                (ctx, arg) -> Struct.named("upper_threshold", upperBound.initialize(ctx)));
        Type clientOut = StructType.builder()
                .add("encoded", encodedType)
                .add("counts", COUNTS)
                .add("linf", F32)
                .build();
        LocalComputation encode = clientEncode(valueType, upper != null, fixedUpper, lower, maxClients);
        LocalComputation decode =
                LocalComputation.of("secure_sum_decode", StructType.of(encodedType, COUNTS, F32), valueType, v -> {
                    Struct s = (Struct) v;
                    long n = s.tensor(1).getLong(2);
                    if (n > maxClients) {
                        throw new IllegalStateException("secure sum sized for at most " + maxClients + " clients got "
                                + n + "; its sums may have wrapped modulo 2^" + sumBitwidth
                                + " (use toBuilder().optMaxClients)");
                    }
                    double hi = upperOf(s.tensor(2));
                    double lo = lowerOf(hi);
                    return decodeValue(valueType, s.get(0), n, lo, hi);
                });
        LocalComputation count = LocalComputation.of(
                "secure_clipped_count", COUNTS, I32, v -> Tensor.scalar((int) ((Tensor) v).getLong(0)));
        LocalComputation lowerCount = LocalComputation.of(
                "secure_lower_clipped_count", COUNTS, I32, v -> Tensor.scalar((int) ((Tensor) v).getLong(1)));
        LocalComputation nanCount = LocalComputation.of(
                "secure_nan_zeroed_count", COUNTS, I32, v -> Tensor.scalar((int) ((Tensor) v).getLong(3)));
        LocalComputation lowerThreshold = LocalComputation.of(
                "secure_lower_threshold", F32, F32, v -> Tensor.scalar((float) lowerOf(upperOf((Tensor) v))));
        return Wrapping.process("secure_sum", init, valueType, null, measurements, (ctx, s, value, weight) -> {
            FederatedValue hi = upperBound.current(ctx, s.get("upper_threshold"));
            FederatedValue out =
                    ctx.federatedMap(encode, ctx.federatedZip(Struct.of(value, ctx.federatedBroadcast(hi))));
            FederatedValue counts = ctx.federatedSecureSumBitwidth(ctx.federatedField(out, "counts"), COUNT_BITWIDTH);
            FederatedValue sum = ctx.federatedSecureSumBitwidth(ctx.federatedField(out, "encoded"), sumBitwidth);
            FederatedValue result = ctx.federatedMap(decode, ctx.federatedZip(Struct.of(sum, counts, hi)));
            Value nextState = upperBound.update(ctx, s.get("upper_threshold"), ctx.federatedField(out, "linf"));
            return new MeasuredProcessOutput(
                    Struct.named("upper_threshold", nextState),
                    result,
                    Struct.builder()
                            .add("secure_upper_clipped_count", ctx.federatedMap(count, counts))
                            .add("secure_lower_clipped_count", ctx.federatedMap(lowerCount, counts))
                            .add("secure_upper_threshold", hi)
                            .add("secure_lower_threshold", ctx.federatedMap(lowerThreshold, hi))
                            .add("secure_nan_zeroed_count", ctx.federatedMap(nanCount, counts))
                            .build());
        });
    }

    /**
     * The client step {@code <value, upper_bound> -> <encoded, counts, linf>} (clip, shift, quantize), described
     * ({@link ClientSteps}) so that a runtime whose clients mask their own secure-sum inputs runs it on the client:
     * the quantized value then never leaves the client unmasked. {@code lower} null: {@code -upper}.
     */
    static LocalComputation clientEncode(
            Type valueType, boolean adaptive, double fixedUpper, Double lower, int maxClients) {
        Type clientOut = StructType.builder()
                .add("encoded", encodedType(valueType))
                .add("counts", COUNTS)
                .add("linf", F32)
                .build();
        int precisionBits = FLOAT_BITWIDTH - (32 - Integer.numberOfLeadingZeros(maxClients));
        LocalComputation encode =
                LocalComputation.of("secure_sum_encode", StructType.of(valueType, F32), clientOut, v -> {
                    Struct s = (Struct) v;
                    if (containsNaN(s.get(0))) {
                        return Struct.named(
                                "encoded",
                                Structures.map(s.get(0), t -> Tensor.of(new long[t.size()], t.shape())),
                                "counts",
                                Tensor.vector(0, 0, 0, 1),
                                "linf",
                                Tensor.scalar(0f));
                    }
                    double hi = adaptive ? Math.max(0.0, s.tensor(1).doubleValue()) : fixedUpper;
                    double lo = lower != null ? lower : -hi;
                    boolean[] clipped = new boolean[2];
                    Value encoded = Structures.map(s.get(0), t -> encodeLeaf(t, lo, hi, clipped, precisionBits));
                    return Struct.named(
                            "encoded",
                            encoded,
                            "counts",
                            Tensor.vector(clipped[0] ? 1 : 0, clipped[1] ? 1 : 0, 1, 0),
                            "linf",
                            Tensor.scalar((float) ValueMath.linfNorm(s.get(0))));
                });
        return LocalComputation.described(
                encode, ClientSteps.secureSumEncodeDescriptor(valueType, adaptive, fixedUpper, lower, maxClients));
    }

    /** The upper bound: the fixed one exactly (not its float32 rounding), else the reported one. */
    private double upperOf(Tensor reported) {
        return upper == null ? fixedUpper : Math.max(0.0, reported.doubleValue());
    }

    private double lowerOf(double hi) {
        return lower != null ? lower : -hi;
    }

    private void collectLeaves(Type type, List<TensorType> out) {
        if (type instanceof TensorType t) {
            switch (t.dtype()) {
                case FLOAT32, FLOAT64 -> {}
                case INT32, INT64 -> {
                    if (upper != null) {
                        throw new TypeMismatchException(
                                "SecureSumFactory with an adaptive bound sums floating values only, but a leaf is "
                                        + t);
                    }
                    if (lower != Math.rint(lower) || fixedUpper != Math.rint(fixedUpper)) {
                        throw new TypeMismatchException("SecureSumFactory sums integer leaf " + t
                                + " only with integer bounds, got [" + lower + ", " + fixedUpper + "]");
                    }
                }
                default ->
                    throw new TypeMismatchException(
                            "SecureSumFactory sums int32, int64, float32 or float64 tensors, but a leaf is " + t);
            }
            if (!t.isFullyDefined()) {
                throw new TypeMismatchException("SecureSumFactory needs fully defined shapes, but a leaf is " + t);
            }
            if (!t.dtype().isFloating()) {
                requireSumFits(t);
            }
            out.add(t);
        } else if (type instanceof StructType s) {
            s.fields().forEach(f -> collectLeaves(f.type(), out));
        } else {
            throw new TypeMismatchException(
                    "SecureSumFactory sums tensors or structures of tensors, but the value type is " + type
                            + (type instanceof FederatedType ? "; pass the member type, not the federated type" : ""));
        }
    }

    /** Refuses integer bounds whose sum over {@code maxClients} clients could leave the leaf's dtype. */
    private void requireSumFits(TensorType t) {
        boolean int32 = t.dtype() == DType.INT32;
        double lowest = Math.min(0, lower) * maxClients;
        double highest = Math.max(0, fixedUpper) * maxClients;
        for (double reach : new double[] {highest, lowest}) {
            boolean fits = int32
                    ? reach >= Integer.MIN_VALUE && reach <= Integer.MAX_VALUE
                    : reach >= -0x1p63 && reach < 0x1p63;
            if (!fits) {
                throw new IllegalArgumentException(
                        "SecureSumFactory: " + t.dtype().tffName() + " leaf " + t
                                + ": the sum of up to " + maxClients + " clients in [" + lower + ", " + fixedUpper
                                + "] can reach " + reach
                                + ", outside the " + t.dtype().tffName()
                                + " range; narrow the bounds, lower optMaxClients, or sum int64 values");
            }
        }
    }

    private static boolean containsNaN(Value value) {
        for (Tensor t : Structures.leaves(value)) {
            if (t.dtype().isFloating()) {
                for (int i = 0; i < t.size(); i++) {
                    double x = t.getDouble(i);
                    if (x != x) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private int bitwidthFor(TensorType t) {
        if (t.dtype().isFloating()) {
            return FLOAT_BITWIDTH;
        }
        double maxSum = (fixedUpper - lower) * (double) maxClients;
        if (maxSum >= 0x1p62) {
            throw new IllegalArgumentException("SecureSumFactory: integer range [" + lower + ", " + fixedUpper
                    + "] times " + maxClients + " clients does not fit the 62-bit secure sum");
        }
        return Math.max(1, 64 - Long.numberOfLeadingZeros((long) maxSum));
    }

    private static Type encodedType(Type type) {
        if (type instanceof TensorType t) {
            return new TensorType(DType.INT64, t.shape());
        }
        StructType.Builder b = StructType.builder();
        for (StructType.Field f : ((StructType) type).fields()) {
            b.add(f.name(), encodedType(f.type()));
        }
        return b.build();
    }

    private static Tensor encodeLeaf(Tensor t, double lo, double hi, boolean[] clipped, int precisionBits) {
        long[] q = new long[t.size()];
        boolean integer = !t.dtype().isFloating();
        double scale = integer || hi <= lo ? 1.0 : Math.scalb(1.0, precisionBits) / (hi - lo);
        for (int i = 0; i < q.length; i++) {
            double x = t.getDouble(i);
            if (x > hi) {
                clipped[0] = true;
                x = hi;
            } else if (x < lo) {
                clipped[1] = true;
                x = lo;
            }
            q[i] = integer ? (long) (x - lo) : hi <= lo ? 0 : (long) Math.rint((x - lo) * scale);
        }
        return Tensor.of(q, t.shape());
    }

    private Value decodeValue(Type type, Value encodedSum, long n, double lo, double hi) {
        if (type instanceof TensorType t) {
            Tensor q = (Tensor) encodedSum;
            int size = q.size();
            switch (t.dtype()) {
                case INT32 -> {
                    int[] r = new int[size];
                    for (int i = 0; i < size; i++) {
                        r[i] = (int) (q.getLong(i) + n * (long) lo);
                    }
                    return Tensor.of(r, t.shape());
                }
                case INT64 -> {
                    long[] r = new long[size];
                    for (int i = 0; i < size; i++) {
                        r[i] = q.getLong(i) + n * (long) lo;
                    }
                    return Tensor.of(r, t.shape());
                }
                default -> {
                    double scale = hi <= lo ? 1.0 : Math.scalb(1.0, floatPrecisionBits()) / (hi - lo);
                    double[] r = new double[size];
                    for (int i = 0; i < size; i++) {
                        r[i] = q.getLong(i) / scale + n * lo;
                    }
                    Tensor d = Tensor.of(r, t.shape());
                    return t.dtype() == DType.FLOAT64 ? d : d.cast(DType.FLOAT32);
                }
            }
        }
        StructType st = (StructType) type;
        Struct s = (Struct) encodedSum;
        Struct.Builder b = Struct.builder();
        for (int i = 0; i < st.size(); i++) {
            b.add(st.fields().get(i).name(), decodeValue(st.get(i), s.get(i), n, lo, hi));
        }
        return b.build();
    }

    @Override
    public String toString() {
        return upper != null ? "secure_sum(" + upper + ")" : "secure_sum([" + lower + ", " + fixedUpper + "])";
    }
}
