package dev.fl4j.learning.templates;

import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.ValueEncoder;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.learning.keras.ModelSpec;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * An encoded broadcast: the distributor that compresses the model on its way from the server to the
 * clients, so that both directions of a round can be compressed (TFF's first compression tutorial
 * encodes the broadcast as well as the aggregation).
 *
 * <p>Each round, {@code next(state, weights@SERVER)}
 * <ol>
 *   <li>encodes the weights at the server with a {@link ValueEncoder} ({@code federated_apply}),
 *       with the seed {@code Seeds.derive(seed, round, purpose("broadcast"))}, so every round draws
 *       fresh stochastic rounding and rotations, reproducibly;</li>
 *   <li>broadcasts the encoded value: the runtime counts its exact size (unencoded leaves at 32 bits
 *       per element, encoded leaves at 8 bits per byte of their encoding, headers included) once
 *       per receiving client;</li>
 *   <li>decodes it on every client ({@code federated_map}), giving {@code weights@CLIENTS} within
 *       the encoder's error (e.g. for {@code uniform8}, less than (max − min)/255 per element of
 *       each encoded tensor; tensors at or below the threshold arrive exact).</li>
 * </ol>
 *
 * <p>The state, {@code <round=int64, encoder=S>@SERVER}, holds the round counter the seed derives
 * from and the encoder's state (error-feedback residuals for encoders that keep them; empty
 * structures for stateless ones). The measurements, {@code <encoded_bits=int64>@SERVER}, give the
 * bits one client receives.
 *
 * <p>Names: {@link #fromName} accepts {@code none} (a plain, unencoded broadcast, as
 * {@link DistributionProcess#broadcast}) and every {@link Encoders} preset, e.g. {@code uniform8}
 * (TFF's default: 8 bits above 20,000 elements), {@code hadamard-uniform:4}, {@code uniform:6@1000}.
 */
public final class EncodedDistribution {

    /** The name of the plain broadcast. */
    public static final String NONE = "none";

    private static final TensorType ROUND = TensorType.scalar(DType.INT64);
    private static final TensorType ENCODED_LEAF = new TensorType(DType.UINT8, TensorType.UNKNOWN);
    private static final long BROADCAST_PURPOSE = Seeds.purpose("broadcast");

    private EncodedDistribution() {}

    /** The distributor a name selects, with run seed 0; see {@link #fromName(String, Type, long)}. */
    public static DistributionProcess fromName(String name, Type valueType) {
        return fromName(name, valueType, 0L);
    }

    /**
     * The distributor for values of {@code valueType} that {@code name} selects: {@code none} for a
     * plain broadcast, {@code delta:ENCODER[/FULL]} for a {@link DeltaDistribution} (cross-silo),
     * otherwise an encoded broadcast of the full model with the {@link Encoders#parse} preset (both
     * regimes; the one for cross-device).
     *
     * @throws IllegalArgumentException for an unknown preset, naming the valid ones
     */
    public static DistributionProcess fromName(String name, Type valueType, long seed) {
        Objects.requireNonNull(valueType, "value type");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("broadcast encoder name is empty; use '" + NONE + "' or one of "
                    + String.join(", ", Encoders.PRESETS) + ", from-init:ENCODER, delta:ENCODER[/FULL]");
        }
        if (name.trim().equals(NONE)) {
            return DistributionProcess.broadcast(valueType);
        }
        if (DeltaDistribution.isDeltaName(name)) {
            return DeltaDistribution.fromName(name, valueType, seed);
        }
        if (FromInitDistribution.isFromInitName(name)) {
            throw new IllegalArgumentException(
                    "'" + name + "' encodes the change from the initial weights, which needs the model spec");
        }
        return create(valueType, Encoders.parse(name), seed);
    }

    /**
     * As {@link #fromName(String, Type, long)} for {@code spec}'s weights, and also
     * {@code from-init:ENCODER}: a {@link FromInitDistribution} whose reference is the initial weights
     * of {@code initSeed} (the learning process's seed, so that the reference is the run's start).
     */
    public static DistributionProcess fromName(String name, ModelSpec spec, long initSeed, long seed) {
        if (FromInitDistribution.isFromInitName(name)) {
            return FromInitDistribution.fromName(name, spec, initSeed, seed);
        }
        return fromName(name, spec.weightsType(), seed);
    }

    /**
     * An encoded broadcast of values of {@code valueType} (fully defined tensors or structures of
     * them) with {@code encoder}; random draws derive from {@code seed} and the round.
     */
    public static DistributionProcess create(Type valueType, ValueEncoder encoder, long seed) {
        Objects.requireNonNull(valueType, "value type");
        Objects.requireNonNull(encoder, "encoder");
        return create(valueType, encoder, seed, encoder.name(), UnaryOperator.identity(), decode(valueType, encoder));
    }

    /**
     * The encoded broadcast of {@code toEncode(value)}, which the clients turn back into a value of
     * {@code valueType} with {@code decode}; {@code name} names the server's encoding.
     */
    static DistributionProcess create(
            Type valueType,
            ValueEncoder encoder,
            long seed,
            String name,
            UnaryOperator<Value> toEncode,
            LocalComputation decode) {
        Value initialEncoderState = encoder.initialState(valueType);
        Type encoderState = initialEncoderState.type();
        StructType stateMember = StructType.builder()
                .add("round", ROUND)
                .add("encoder", encoderState)
                .build();
        FederatedType state = FederatedType.server(stateMember);
        StructType measurementsMember =
                StructType.builder().add("encoded_bits", ROUND).build();
        Type encodedType = encodedType(valueType, encoder);
        StructType encodeResult = StructType.builder()
                .add("state", stateMember)
                .add("encoded", encodedType)
                .add("measurements", measurementsMember)
                .build();

        LocalComputation encode = LocalComputation.of(
                "broadcast_encode_" + name,
                StructType.builder()
                        .add("state", stateMember)
                        .add("value", valueType)
                        .build(),
                encodeResult,
                arg -> {
                    Struct a = (Struct) arg;
                    Struct s = (Struct) a.get("state");
                    long round = ((Tensor) s.get("round")).getLong(0);
                    ValueEncoder.Encoding e = encoder.encode(
                            toEncode.apply(a.get("value")),
                            Seeds.derive(seed, round, BROADCAST_PURPOSE),
                            s.get("encoder"));
                    Struct nextState = Struct.named("round", Tensor.scalar(round + 1), "encoder", e.state());
                    return Struct.named(
                            "state",
                            nextState,
                            "encoded",
                            e.value(),
                            "measurements",
                            Struct.named("encoded_bits", Tensor.scalar(e.value().sizeInBits())));
                });

        FederatedComputation init = FederatedComputation.noArg(
                "encoded_broadcast_initialize",
                state,
                (ctx, a) -> ctx.federatedValue(
                        Struct.named("round", Tensor.scalar(0L), "encoder", initialEncoderState), Placement.SERVER));
        FederatedComputation next = FederatedComputation.of(
                "encoded_broadcast_next",
                StructType.builder()
                        .add("state", state)
                        .add("value", FederatedType.server(valueType))
                        .build(),
                MeasuredProcess.outputType(
                        state, FederatedType.clients(valueType), FederatedType.server(measurementsMember)),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue encoded = ctx.federatedMap(
                            encode, ctx.federatedZip(Struct.named("state", a.get("state"), "value", a.get("value"))));
                    FederatedValue sent = ctx.federatedBroadcast(ctx.federatedField(encoded, "encoded"));
                    FederatedValue decoded = ctx.federatedMap(decode, sent);
                    return new MeasuredProcessOutput(
                            ctx.federatedField(encoded, "state"), decoded, ctx.federatedField(encoded, "measurements"));
                });
        return new DistributionProcess(init, next);
    }

    /**
     * The clients' decoding of the broadcast; described ({@link DecodeFactory}) when the encoder is an
     * {@link dev.fl4j.compression.Encoders} preset, so that a client that runs its work elsewhere (a
     * deployed client) receives the encoded model and decodes it itself.
     */
    private static LocalComputation decode(Type valueType, ValueEncoder encoder) {
        LocalComputation decode = LocalComputation.of(
                "broadcast_decode_" + encoder.name(),
                encodedType(valueType, encoder),
                valueType,
                encoded -> encoder.decode(encoded, valueType));
        return encoder.presetName()
                .map(preset -> LocalComputation.described(
                        decode,
                        dev.fl4j.core.computation.ComputationDescriptor.of(
                                DecodeFactory.class, preset, dev.fl4j.core.io.TypeCodec.toValue(valueType))))
                .orElse(decode);
    }

    /**
     * Rebuilds the clients' decoding of an encoded broadcast: config the encoder preset, payload the
     * model's type ({@link dev.fl4j.core.io.TypeCodec}).
     */
    public static final class DecodeFactory implements dev.fl4j.core.computation.ComputationFactory {
        @Override
        public LocalComputation create(String config, dev.fl4j.core.Value payload) {
            if (payload == null) {
                throw new dev.fl4j.core.io.MalformedDataException("a broadcast decoding needs the model's type");
            }
            Type valueType = dev.fl4j.core.io.TypeCodec.fromValue(payload);
            ValueEncoder encoder;
            try {
                encoder = dev.fl4j.compression.Encoders.parse(config);
            } catch (IllegalArgumentException e) {
                throw new dev.fl4j.core.io.MalformedDataException("broadcast decoding: " + e.getMessage());
            }
            return decode(valueType, encoder);
        }
    }

    /** {@code valueType} with every leaf the encoder encodes replaced by a flat uint8 tensor. */
    static Type encodedType(Type valueType, ValueEncoder encoder) {
        if (valueType instanceof TensorType t) {
            return encoder.encodes(t) ? ENCODED_LEAF : t;
        }
        if (valueType instanceof StructType s) {
            StructType.Builder b = StructType.builder();
            for (int i = 0; i < s.size(); i++) {
                b.add(s.fields().get(i).name(), encodedType(s.get(i), encoder));
            }
            return b.build();
        }
        throw new IllegalArgumentException(
                "an encoded broadcast carries tensors and structures of tensors, not " + valueType);
    }
}
