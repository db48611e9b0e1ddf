package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.ValueMath;
import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.ValueEncoder;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.Aggregation;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.computation.ShippableAggregation;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.List;
import java.util.Objects;

/**
 * TFF's {@code EncodedSumFactory}: each client encodes (compresses) its value with a
 * {@link ValueEncoder} of the compression module, the encoded value crosses to the server, and the
 * server decodes and sums. Because what crosses is the encoded value — floating leaves above the
 * threshold as uint8 tensors holding the real wire bytes — the runtime counts the encoded bits.
 *
 * <h2>Mechanism</h2>
 * The server's state is the round number; it is broadcast (64 bits per client) so each client
 * encodes with a seed derived from the factory's seed, the round and its position in the round
 * ({@link Seeds#derive}): the same run gives the same bytes. The sum is a
 * {@code federated_aggregate} whose accumulate decodes one client's value and adds it into one
 * double-precision accumulator (memory is one value, not one per client). Values must be finite
 * (wrap in {@link NonFiniteZeroingFactory} or zeroing before). Measurements are empty, as TFF's.
 *
 * <h2>Stateful encoders: error feedback</h2>
 * An encoder that keeps state across rounds (top-k or random-k with error feedback, adaptive
 * ranges; see {@link dev.fl4j.compression.TensorEncoder#isStateful}) keeps it per client, which TFF's
 * aggregators cannot: each client reads its state with
 * {@link dev.fl4j.core.computation.ClientContext#clientState} under {@link #stateKey()} (its
 * {@linkplain ValueEncoder#initialState initial state} the first time it is sampled), encodes, and
 * writes the next state back. The state stays on the client (it is not counted as communication);
 * a simulation keeps it in the runtime's {@link dev.fl4j.core.runtime.ClientStateStore}, and a
 * training loop checkpoints it. A client that is not sampled keeps its residual until it is.
 * Memory: one state per client ever sampled (for top-k, one float per model parameter each).
 *
 * <p>{@link #quantizeAboveThreshold} is TFF's {@code quantize_above_threshold}: unbiased uniform
 * quantization to {@code bits} bits with bit packing for tensors of more than {@code threshold}
 * elements; smaller tensors cross unencoded.
 */
public final class EncodedSumFactory implements UnweightedAggregationFactory {

    /** TFF's default quantization bits of {@code compression_aggregator}. */
    public static final int DEFAULT_BITS = 8;

    private static final TensorType I64 = TensorType.scalar(DType.INT64);
    private static final long PURPOSE = Seeds.purpose("encoded_sum");

    private final ValueEncoder encoder;
    private final long seed;
    private final String stateKey;
    private final String explicitStateKey;

    private EncodedSumFactory(ValueEncoder encoder, long seed, String stateKey) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.seed = seed;
        this.explicitStateKey = stateKey;
        this.stateKey = stateKey != null ? stateKey : "encoded_sum/" + encoder.name();
    }

    /**
     * Uniform quantization to {@code bits} bits (1-16) of floating tensors with more than
     * {@code threshold} elements (TFF's default: 8 bits above 20,000).
     *
     * @throws IllegalArgumentException if {@code bits} is not in 1-16 or {@code threshold < 0}
     */
    public static EncodedSumFactory quantizeAboveThreshold(int bits, long threshold) {
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("quantization bits must be 1-16, got " + bits);
        }
        return builder()
                .setEncoder(Encoders.parse("uniform:" + bits + "@" + threshold))
                .build();
    }

    /**
     * Any value encoder, e.g. {@code Encoders.parse("hadamard-uniform:4@1000")}; a stateful one
     * ({@code topk:0.01}) keeps its state per client (see the class comment).
     */
    public static EncodedSumFactory of(ValueEncoder encoder) {
        return builder().setEncoder(encoder).build();
    }

    /** A builder: {@code setEncoder} is required, the seed and the client state key are optional. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this factory's encoder, seed and (if it was set) client state key. */
    public Builder toBuilder() {
        Builder b = new Builder().setEncoder(encoder).optSeed(seed);
        b.stateKey = explicitStateKey;
        return b;
    }

    /** Options of an {@link EncodedSumFactory}. */
    public static final class Builder {
        private ValueEncoder encoder;
        private long seed;
        private String stateKey;

        private Builder() {}

        /** The value encoder, e.g. {@code Encoders.parse("hadamard-uniform:4@1000")} (required). */
        public Builder setEncoder(ValueEncoder encoder) {
            this.encoder = encoder;
            return this;
        }

        /** Encoding with seeds derived from {@code seed} (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Client state kept under {@code key} (default {@code "encoded_sum/" + encoder name}): needed
         * only when two stateful encoded sums with the same encoder run in one process, which would
         * otherwise share (and refuse to share) a key.
         */
        public Builder optStateKey(String key) {
            this.stateKey = key;
            return this;
        }

        /**
         * The factory.
         *
         * @throws IllegalStateException if {@code setEncoder} was not called
         * @throws IllegalArgumentException if the state key given to {@code optStateKey} is blank
         */
        public EncodedSumFactory build() {
            if (encoder == null) {
                throw new IllegalStateException("EncodedSumFactory needs setEncoder");
            }
            if (stateKey != null && stateKey.isBlank()) {
                throw new IllegalArgumentException("optStateKey: client state key must not be blank");
            }
            return new EncodedSumFactory(encoder, seed, stateKey);
        }
    }

    /** The key of the clients' encoder state (used only by stateful encoders). */
    public String stateKey() {
        return stateKey;
    }

    public ValueEncoder encoder() {
        return encoder;
    }

    @Override
    public AggregationProcess create(Type valueType) {
        ValueMath.requireFloatStructure(valueType, "EncodedSumFactory");
        Type encodedType = encodedType(valueType);
        FederatedType state = FederatedType.server(I64);
        FederatedComputation init = FederatedComputation.noArg(
                "encoded_sum_initialize", state, (ctx, arg) -> ctx.federatedValue(Tensor.scalar(0L), Placement.SERVER));
        LocalComputation encode = clientEncode(valueType);
        LocalComputation increment =
                LocalComputation.of("next_round", I64, I64, v -> Tensor.scalar(((Tensor) v).longValue() + 1));
        Aggregation<double[][]> sum = decodeAndSum(encoder, valueType);
        FederatedComputation next = FederatedComputation.of(
                "encoded_sum_next",
                StructType.builder()
                        .add("state", state)
                        .add("value", FederatedType.clients(valueType))
                        .build(),
                MeasuredProcess.outputType(
                        state, FederatedType.server(valueType), FederatedType.server(StructType.of())),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue round = (FederatedValue) a.get("state");
                    FederatedValue encoded = ctx.federatedMap(
                            encode, ctx.federatedZip(Struct.of(a.get("value"), ctx.federatedBroadcast(round))));
                    return new MeasuredProcessOutput(
                            ctx.federatedMap(increment, round),
                            ctx.federatedAggregate(encoded, sum),
                            ctx.federatedValue(Struct.empty(), Placement.SERVER));
                });
        return new AggregationProcess(init, next);
    }

    /**
     * The clients' step: encode {@code <value, round>}; described ({@link ClientSteps}) when the
     * encoder is an {@link Encoders} preset, so it runs where the client's update is computed.
     */
    private LocalComputation clientEncode(Type valueType) {
        Type encodedType = encodedType(valueType);
        LocalComputation encode = isStateful(valueType)
                ? statefulEncode(valueType, encodedType)
                : LocalComputation.withContext("encode", StructType.of(valueType, I64), encodedType, (v, client) -> {
                    Struct s = (Struct) v;
                    return encoder.encode(
                            s.get(0), Seeds.derive(seed, PURPOSE, s.tensor(1).longValue(), client.clientIndex()));
                });
        return encoder.presetName()
                .map(preset -> LocalComputation.described(
                        encode, ClientSteps.encodeDescriptor(valueType, preset, seed, stateKey)))
                .orElse(encode);
    }

    /** The clients' encode step of an encoded sum of {@code preset}, rebuilt from its description. */
    static LocalComputation clientEncode(Type valueType, String preset, long seed, String stateKey) {
        ValueMath.requireFloatStructure(valueType, "EncodedSumFactory");
        return new EncodedSumFactory(Encoders.parse(preset), seed, stateKey).clientEncode(valueType);
    }

    /** Encodes from the client's state under {@link #stateKey} and stores the next state. */
    private LocalComputation statefulEncode(Type valueType, Type encodedType) {
        // states are immutable values, so every client's first round can start from the same one
        Value initial = encoder.initialState(valueType);
        Type stateType = initial.type();
        return LocalComputation.withContext(
                "encode_with_client_state", StructType.of(valueType, I64), encodedType, (v, client) -> {
                    Struct s = (Struct) v;
                    Value state = client.clientState(stateKey).orElse(initial);
                    if (!state.type().equals(stateType)) {
                        throw new IllegalStateException("client '" + client.clientId() + "' has state '" + stateKey
                                + "' of type " + state.type()
                                + " but " + encoder.name() + " needs " + stateType + " for values of " + valueType
                                + " (another computation uses this key; give one a different key with optStateKey)");
                    }
                    ValueEncoder.Encoding e = encoder.encode(
                            s.get(0),
                            Seeds.derive(seed, PURPOSE, s.tensor(1).longValue(), client.clientIndex()),
                            state);
                    client.setClientState(stateKey, e.state());
                    return e.value();
                });
    }

    private boolean isStateful(Type type) {
        if (type instanceof TensorType t) {
            return encoder.encodes(t) && encoder.tensorEncoder().isStateful((int) t.numElements());
        }
        for (StructType.Field f : ((StructType) type).fields()) {
            if (isStateful(f.type())) {
                return true;
            }
        }
        return false;
    }

    /** The type of an encoded value: encoded leaves become {@code uint8[?]}. */
    private Type encodedType(Type type) {
        if (type instanceof TensorType t) {
            if (!t.isFullyDefined()) {
                throw new TypeMismatchException("EncodedSumFactory needs fully defined shapes, but a leaf is " + t);
            }
            if (!encoder.encodes(t)) {
                return t;
            }
            return new TensorType(DType.UINT8, TensorType.UNKNOWN);
        }
        StructType.Builder b = StructType.builder();
        for (StructType.Field f : ((StructType) type).fields()) {
            b.add(f.name(), encodedType(f.type()));
        }
        return b.build();
    }

    /**
     * The server's decode-and-sum of values encoded with {@code encoder}: shippable (rebuilt where the
     * clients run, from its preset and value type) when the encoder is an {@link Encoders} preset.
     */
    static Aggregation<double[][]> decodeAndSum(ValueEncoder encoder, Type valueType) {
        return encoder.presetName()
                .<Aggregation<double[][]>>map(preset -> new ShippableDecodeAndSum(encoder, valueType, preset))
                .orElseGet(() -> new DecodeAndSum(encoder, valueType));
    }

    /** Decodes each client's value into a double-precision running sum, leaf by leaf. */
    private static class DecodeAndSum implements Aggregation<double[][]> {
        final ValueEncoder encoder;
        final Type valueType;
        final int[] leafSizes;

        DecodeAndSum(ValueEncoder encoder, Type valueType) {
            this.encoder = encoder;
            this.valueType = valueType;
            List<Tensor> leaves = Structures.leaves(Structures.zeros(valueType));
            this.leafSizes = leaves.stream().mapToInt(Tensor::size).toArray();
        }

        @Override
        public Type reportType() {
            return valueType;
        }

        @Override
        public double[][] zero() {
            double[][] acc = new double[leafSizes.length][];
            for (int l = 0; l < leafSizes.length; l++) {
                acc[l] = new double[leafSizes[l]];
            }
            return acc;
        }

        @Override
        public double[][] accumulate(double[][] acc, Value clientValue) {
            List<Tensor> leaves = Structures.leaves(encoder.decode(clientValue, valueType));
            for (int l = 0; l < leaves.size(); l++) {
                Tensor t = leaves.get(l);
                double[] a = acc[l];
                if (t.dtype() == DType.FLOAT32) {
                    float[] x = t.floatData();
                    for (int i = 0; i < a.length; i++) {
                        a[i] += x[i];
                    }
                } else {
                    for (int i = 0; i < a.length; i++) {
                        a[i] += t.getDouble(i);
                    }
                }
            }
            return acc;
        }

        @Override
        public double[][] merge(double[][] a, double[][] b) {
            for (int l = 0; l < a.length; l++) {
                for (int i = 0; i < a[l].length; i++) {
                    a[l][i] += b[l][i];
                }
            }
            return a;
        }

        @Override
        public Value report(double[][] acc) {
            List<Tensor> template = Structures.leaves(Structures.zeros(valueType));
            java.util.List<Tensor> out = new java.util.ArrayList<>();
            for (int l = 0; l < acc.length; l++) {
                Tensor d = Tensor.of(acc[l].clone(), template.get(l).shape());
                out.add(d.cast(template.get(l).dtype()));
            }
            return Structures.pack(Structures.zeros(valueType), out);
        }
    }

    /**
     * {@link DecodeAndSum} of an {@link Encoders} preset: rebuilt by {@link ShippedAggregations.Factory}
     * from {@code <value_type, preset>}, its accumulator crossing as one float64 tensor per leaf.
     */
    private static final class ShippableDecodeAndSum extends DecodeAndSum implements ShippableAggregation<double[][]> {
        private final String preset;

        ShippableDecodeAndSum(ValueEncoder encoder, Type valueType, String preset) {
            super(encoder, valueType);
            this.preset = preset;
        }

        @Override
        public ComputationDescriptor descriptor() {
            return ShippedAggregations.decodeAndSumDescriptor(valueType, preset);
        }

        @Override
        public Value encodeAccumulator(double[][] acc) {
            List<Value> leaves = new java.util.ArrayList<>(acc.length);
            for (double[] leaf : acc) {
                leaves.add(Tensor.of(leaf.clone(), leaf.length));
            }
            return Struct.of(leaves);
        }

        @Override
        public double[][] decodeAccumulator(Value encoded) {
            if (!(encoded instanceof Struct s) || s.size() != leafSizes.length) {
                throw new IllegalArgumentException("encoded_sum: an accumulator of " + valueType + " is "
                        + leafSizes.length + " float64 vectors, got " + encoded.type());
            }
            double[][] acc = new double[leafSizes.length][];
            for (int l = 0; l < acc.length; l++) {
                if (!(s.get(l) instanceof Tensor t)
                        || t.dtype() != DType.FLOAT64
                        || t.rank() != 1
                        || t.size() != leafSizes[l]) {
                    throw new IllegalArgumentException("encoded_sum: accumulator leaf " + l + " must be float64["
                            + leafSizes[l] + "], got " + s.get(l).type());
                }
                acc[l] = t.doubleData();
            }
            return acc;
        }
    }

    @Override
    public String toString() {
        return "encoded_sum(" + encoder.name() + ")";
    }
}
