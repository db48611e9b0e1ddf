package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.ValueMath;
import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactory;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.TypeCodec;
import java.nio.charset.StandardCharsets;

/**
 * The aggregators' steps that run on the clients, described so that a runtime running a client's
 * work elsewhere (a deployed client, a Spark executor) runs them there with the client's training,
 * and the encoded update, not the update, is what travels: {@link NonFiniteZeroingFactory}'s
 * zeroing, {@link ClippingFactory}'s clipping and {@link ZeroingFactory}'s zeroing by norm (the bound
 * is broadcast to the clients; the clients send back the bounded value, its norm and whether the
 * bound applied), {@link DifferentiallyPrivateFactory}'s clipping to its L2 sensitivity (the clip is
 * broadcast; the clients send back the clipped value and its norm before clipping),
 * {@link MeanFactory}'s multiplication by the weight and {@link EncodedSumFactory}'s
 * encoding (for encoders that are {@link dev.fl4j.compression.Encoders} presets; a stateful one
 * keeps its state in the client's state, wherever the client runs). {@link Factory} rebuilds them
 * from a descriptor whose config is the step's name and whose payload holds its types and
 * settings; nothing else is describable here.
 */
public final class ClientSteps {

    static final String MULTIPLY_BY_WEIGHT = "multiply_by_weight";
    static final String ENCODE = "encode";
    static final String ZERO_NON_FINITE = "zero_non_finite";
    static final String SECURE_SUM_ENCODE = "secure_sum_encode";
    static final String BELOW_ESTIMATE_AND_ONE = "below_estimate_and_one";
    static final String NORM_BOUND = "norm_bound";
    static final String DP_CLIP = "dp_clip";
    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    private ClientSteps() {}

    /** {@code <value, weight> -> value · weight}, described. */
    static LocalComputation multiplyByWeight(Type valueType, Type weightType) {
        LocalComputation multiply = LocalComputation.of(
                MULTIPLY_BY_WEIGHT,
                StructType.of(valueType, weightType),
                valueType,
                v -> ValueMath.scale(((Struct) v).get(0), ((Struct) v).tensor(1).doubleValue()));
        return LocalComputation.described(
                multiply,
                ComputationDescriptor.of(
                        Factory.class,
                        MULTIPLY_BY_WEIGHT,
                        Struct.named(
                                "value_type", TypeCodec.toValue(valueType),
                                "weight_type", TypeCodec.toValue(weightType))));
    }

    /**
     * {@link NonFiniteZeroingFactory}'s step: {@code value} (or {@code <value, weight>}) to
     * {@code <value, non_finite[, weight]>}, zeros and flag 1 when the value or weight is not finite;
     * described. {@code weightType} is null for an unweighted aggregation.
     */
    static LocalComputation zeroNonFinite(Type valueType, Type weightType) {
        StructType.Builder out = StructType.builder().add("value", valueType).add("non_finite", I32);
        if (weightType != null) {
            out.add("weight", weightType);
        }
        Type inType = weightType == null ? valueType : StructType.of(valueType, weightType);
        LocalComputation check = LocalComputation.of(ZERO_NON_FINITE, inType, out.build(), v -> {
            Value value = weightType == null ? v : ((Struct) v).get(0);
            Tensor weight = weightType == null ? null : ((Struct) v).tensor(1);
            boolean bad = !Structures.isFinite(value) || (weight != null && !weight.isFinite());
            Struct.Builder b = Struct.builder()
                    .add("value", bad ? Structures.zerosLike(value) : value)
                    .add("non_finite", Tensor.scalar(bad ? 1 : 0));
            if (weight != null) {
                b.add("weight", bad ? Tensor.zerosLike(weight) : weight);
            }
            return b.build();
        });
        Struct.Builder payload = Struct.builder().add("value_type", TypeCodec.toValue(valueType));
        if (weightType != null) {
            payload.add("weight_type", TypeCodec.toValue(weightType));
        }
        return LocalComputation.described(
                check, ComputationDescriptor.of(Factory.class, ZERO_NON_FINITE, payload.build()));
    }

    /** The descriptor of an encoded sum's client step. */
    static ComputationDescriptor encodeDescriptor(Type valueType, String preset, long seed, String stateKey) {
        return ComputationDescriptor.of(
                Factory.class,
                ENCODE,
                Struct.builder()
                        .add("value_type", TypeCodec.toValue(valueType))
                        .add("preset", text(preset))
                        .add("seed", Tensor.scalar(seed))
                        .add("state_key", text(stateKey))
                        .build());
    }

    /** The descriptor of {@link SecureSumFactory}'s client step; {@code lower} null: the negated upper bound. */
    static ComputationDescriptor secureSumEncodeDescriptor(
            Type valueType, boolean adaptive, double fixedUpper, Double lower, int maxClients) {
        return ComputationDescriptor.of(
                Factory.class,
                SECURE_SUM_ENCODE,
                Struct.builder()
                        .add("value_type", TypeCodec.toValue(valueType))
                        .add("adaptive", Tensor.scalar(adaptive ? 1 : 0))
                        .add("upper", Tensor.scalar(adaptive ? 0.0 : fixedUpper))
                        .add("lower", Tensor.scalar(lower == null ? Double.NaN : lower))
                        .add("max_clients", Tensor.scalar(maxClients))
                        .build());
    }

    /** The descriptor of {@link ClippingFactory}'s or {@link ZeroingFactory}'s client step. */
    static ComputationDescriptor normBoundDescriptor(String kind, Norm norm, Type valueType) {
        return ComputationDescriptor.of(
                Factory.class,
                NORM_BOUND,
                Struct.builder()
                        .add("value_type", TypeCodec.toValue(valueType))
                        .add("kind", text(kind))
                        .add("norm", text(norm.name()))
                        .build());
    }

    /** The descriptor of {@link DifferentiallyPrivateFactory}'s client step. */
    static ComputationDescriptor dpClipDescriptor(Type valueType) {
        return ComputationDescriptor.of(
                Factory.class,
                DP_CLIP,
                Struct.builder().add("value_type", TypeCodec.toValue(valueType)).build());
    }

    private static Tensor text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Tensor.of(b, b.length);
    }

    /**
     * Rebuilds a client step: config {@code multiply_by_weight} with payload
     * {@code <value_type, weight_type>} ({@link TypeCodec}), {@code encode} with payload
     * {@code <value_type, preset=uint8[?], seed=int64, state_key=uint8[?]>}, {@code zero_non_finite} with
     * payload {@code <value_type[, weight_type]>}, or {@code norm_bound} with payload
     * {@code <value_type, kind=uint8[?] (clipping|zeroing), norm=uint8[?] (L2|LINF)>}, or {@code dp_clip} with
     * payload {@code <value_type>}.
     */
    public static final class Factory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            if (config.equals(BELOW_ESTIMATE_AND_ONE)) {
                if (payload != null && !(payload instanceof Struct p && p.size() == 0)) {
                    throw new MalformedDataException(
                            "below_estimate_and_one step: takes no payload, got " + payload.type());
                }
                return QuantileEstimation.belowEstimateAndOne();
            }
            if (!(payload instanceof Struct p)) {
                throw new MalformedDataException("an aggregator client step needs a payload structure, got "
                        + (payload == null ? "none" : payload.type()));
            }
            switch (config) {
                case MULTIPLY_BY_WEIGHT -> {
                    expectFields(p, config, "value_type", "weight_type");
                    Type valueType = TypeCodec.fromValue(p.get("value_type"));
                    Type weightType = TypeCodec.fromValue(p.get("weight_type"));
                    ValueMath.requireFloatStructure(valueType, "multiply_by_weight");
                    ValueMath.requireFloatScalar(weightType, "multiply_by_weight");
                    return multiplyByWeight(valueType, weightType);
                }
                case ENCODE -> {
                    expectFields(p, config, "value_type", "preset", "seed", "state_key");
                    Type valueType = TypeCodec.fromValue(p.get("value_type"));
                    if (!(p.get("seed") instanceof Tensor seed) || seed.dtype() != DType.INT64 || seed.rank() != 0) {
                        throw new MalformedDataException("encode step: seed must be an int64 scalar, got "
                                + p.get("seed").type());
                    }
                    String stateKey = string(p.get("state_key"), "state_key");
                    if (stateKey.isBlank()) {
                        throw new MalformedDataException("encode step: the client state key is blank");
                    }
                    return EncodedSumFactory.clientEncode(
                            valueType, string(p.get("preset"), "preset"), seed.longValue(), stateKey);
                }
                case ZERO_NON_FINITE -> {
                    boolean weighted = p.has("weight_type");
                    if (weighted) {
                        expectFields(p, config, "value_type", "weight_type");
                    } else {
                        expectFields(p, config, "value_type");
                    }
                    Type valueType = TypeCodec.fromValue(p.get("value_type"));
                    Type weightType = weighted ? TypeCodec.fromValue(p.get("weight_type")) : null;
                    if (weighted) {
                        ValueMath.requireFloatScalar(weightType, "zero_non_finite");
                    }
                    return zeroNonFinite(valueType, weightType);
                }
                case SECURE_SUM_ENCODE -> {
                    expectFields(p, config, "value_type", "adaptive", "upper", "lower", "max_clients");
                    return secureSumEncode(p);
                }
                case NORM_BOUND -> {
                    expectFields(p, config, "value_type", "kind", "norm");
                    Type valueType = TypeCodec.fromValue(p.get("value_type"));
                    ValueMath.requireFloatStructure(valueType, "norm_bound");
                    String kind = string(p.get("kind"), "kind");
                    String normName = string(p.get("norm"), "norm");
                    Norm norm;
                    try {
                        norm = Norm.valueOf(normName);
                    } catch (IllegalArgumentException e) {
                        throw new MalformedDataException("norm_bound step: unknown norm '" + normName + "'");
                    }
                    try {
                        return NormBoundFactory.clientStep(kind, norm, valueType);
                    } catch (IllegalArgumentException e) {
                        throw new MalformedDataException("norm_bound step: " + e.getMessage());
                    }
                }
                case DP_CLIP -> {
                    expectFields(p, config, "value_type");
                    Type valueType = TypeCodec.fromValue(p.get("value_type"));
                    ValueMath.requireFloatStructure(valueType, "dp_clip");
                    return DifferentiallyPrivateFactory.clientClip(valueType);
                }
                default ->
                    throw new MalformedDataException("unknown aggregator client step '" + config + "'; known: "
                            + MULTIPLY_BY_WEIGHT + ", " + ENCODE + ", " + ZERO_NON_FINITE + ", " + NORM_BOUND + ", "
                            + SECURE_SUM_ENCODE + ", " + BELOW_ESTIMATE_AND_ONE + ", " + DP_CLIP);
            }
        }

        private static LocalComputation secureSumEncode(Struct p) {
            Type valueType = TypeCodec.fromValue(p.get("value_type"));
            int adaptive =
                    (int) scalar(p.get("adaptive"), DType.INT32, "adaptive").longValue();
            double upper = scalar(p.get("upper"), DType.FLOAT64, "upper").doubleValue();
            double lower = scalar(p.get("lower"), DType.FLOAT64, "lower").doubleValue();
            int maxClients = (int)
                    scalar(p.get("max_clients"), DType.INT32, "max_clients").longValue();
            if (adaptive != 0 && adaptive != 1) {
                throw new MalformedDataException("secure_sum_encode step: adaptive must be 0 or 1, got " + adaptive);
            }
            if (maxClients < 1) {
                throw new MalformedDataException("secure_sum_encode step: max_clients must be >= 1, got " + maxClients);
            }
            Double lo = Double.isNaN(lower) ? null : lower;
            if (adaptive == 0) {
                if (!Double.isFinite(upper) || (lo != null && !(Double.isFinite(lower) && lower < upper))) {
                    throw new MalformedDataException("secure_sum_encode step: fixed bounds must be finite with lower <"
                            + " upper, got lower " + lower + ", upper " + upper);
                }
            } else if (lo != null && !Double.isFinite(lower)) {
                throw new MalformedDataException("secure_sum_encode step: lower bound " + lower + " is not finite");
            }
            return SecureSumFactory.clientEncode(valueType, adaptive == 1, upper, lo, maxClients);
        }

        private static Tensor scalar(Value v, DType dtype, String what) {
            if (!(v instanceof Tensor t) || t.dtype() != dtype || t.rank() != 0) {
                throw new MalformedDataException("secure_sum_encode step: " + what + " must be a " + dtype.tffName()
                        + " scalar, got " + v.type());
            }
            return t;
        }

        private static void expectFields(Struct p, String step, String... names) {
            boolean ok = p.size() == names.length;
            for (String n : names) {
                ok &= p.has(n);
            }
            if (!ok) {
                throw new MalformedDataException(
                        step + " step: payload must have fields " + String.join(", ", names) + ", got " + p.type());
            }
        }

        private static String string(Value v, String what) {
            if (!(v instanceof Tensor t) || t.dtype() != DType.UINT8 || t.rank() != 1) {
                throw new MalformedDataException("client step: " + what + " must be uint8[?] text, got " + v.type());
            }
            return new String(t.byteData(), StandardCharsets.UTF_8);
        }
    }
}
