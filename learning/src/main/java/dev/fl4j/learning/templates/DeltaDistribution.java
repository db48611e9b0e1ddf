package dev.fl4j.learning.templates;

import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.TensorEncoder;
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
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactory;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.TypeCodec;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A delta broadcast for the <b>cross-silo</b> regime (the same clients every round): instead of the
 * model, the server sends the compressed <em>change</em> of the model since what the clients last
 * received, and each client adds it to the copy it keeps in its client state.
 *
 * <h2>Server-side error feedback, bitwise-equal copies</h2>
 * The server keeps, in its state, the <em>reference</em>: exactly the model the clients hold. Each
 * round it encodes {@code delta = model − reference} with the delta encoder (e.g. 1-bit {@code drive}),
 * decodes its own bytes and sets {@code reference += decoded}; every client does the same float32
 * addition on the same decoded bytes, so its copy equals the server's reference bitwise. What the
 * encoding lost stays in {@code model − reference} and is sent in a later round (error feedback at
 * the server, so the clients' copies do not drift from the model).
 *
 * <h2>Clients that missed rounds: the full-model fallback</h2>
 * A client's state holds its copy and the version of the reference it equals. Each round the server
 * broadcasts the reference's version (64 bits per client) and every client answers whether its copy
 * is of that version (a 32-bit count summed at the server). If any client's copy is stale or missing
 * (the first round, a client that dropped out or was not sampled, a new client), the round sends the
 * <em>full</em> model, encoded with the full-model encoder (default {@code identity}: float32, exact),
 * to every client of the round, each replaces its copy, and the reference becomes that decoded model.
 * So in the <b>cross-device</b> regime (a client appears every few rounds), nearly every round falls
 * back to the full model: use a full-model preset there ({@code hadamard-uniform:BITS} on
 * {@link EncodedDistribution}) — this distributor then only adds the copies' memory.
 *
 * <p>Tensors the delta encoder does not encode (at or below its threshold, e.g. biases) cross as
 * raw float32 every round, exactly; every encoded leaf must be float32.
 *
 * <h2>Names, state, measurements</h2>
 * {@link #fromName} reads {@code delta:ENCODER[/FULL]}, e.g. {@code delta:drive},
 * {@code delta:hadamard-uniform:2/hadamard-uniform:8}; both are {@link Encoders} presets (the
 * threshold {@code @N} of the delta encoder applies to both). The delta encoder must be stateless
 * (the reference is its error feedback). The server state is
 * {@code <round=int64, version=int64, reference=model>}; client state, under {@link #STATE_KEY},
 * is {@code <version=int64, model=model>} (one model copy per client, checkpointed with the other
 * client states). Measurements: {@code encoded_bits} (what one client receives of the model) and
 * {@code full_model} (1 in a round that fell back to the full model, else 0).
 */
public final class DeltaDistribution {

    /** The prefix of a delta broadcast's name. */
    public static final String PREFIX = "delta:";
    /** The client-state key of each client's model copy. */
    public static final String STATE_KEY = "delta_broadcast/model";

    private static final TensorType I64 = TensorType.scalar(DType.INT64);
    private static final TensorType I32 = TensorType.scalar(DType.INT32);
    private static final TensorType ENCODED_LEAF = new TensorType(DType.UINT8, TensorType.UNKNOWN);
    private static final long PURPOSE = Seeds.purpose("delta_broadcast");
    private static final String STALE_STEP = "stale";
    private static final String APPLY_STEP = "apply:";

    private DeltaDistribution() {}

    /** Whether {@code name} selects a delta broadcast ({@code delta:...}). */
    public static boolean isDeltaName(String name) {
        return name != null && name.trim().startsWith(PREFIX);
    }

    /**
     * The delta broadcast {@code delta:ENCODER[/FULL]} selects (see the class comment).
     *
     * @throws IllegalArgumentException for a bad name, an unknown or stateful encoder
     */
    public static DistributionProcess fromName(String name, Type valueType, long seed) {
        if (!isDeltaName(name)) {
            throw new IllegalArgumentException("a delta broadcast is named 'delta:ENCODER[/FULL]', got '" + name + "'");
        }
        String spec = name.trim().substring(PREFIX.length());
        int slash = spec.indexOf('/');
        String deltaName = slash >= 0 ? spec.substring(0, slash) : spec;
        String fullName = slash >= 0 ? spec.substring(slash + 1) : "identity";
        if (deltaName.isBlank() || fullName.isBlank()) {
            throw new IllegalArgumentException("'" + name + "': delta:ENCODER[/FULL] needs both names non-empty");
        }
        if (deltaName.trim().equals("none")) {
            throw new IllegalArgumentException("'" + name + "': the delta encoder must encode something, not 'none'");
        }
        ValueEncoder delta = Encoders.parse(deltaName);
        String fullPreset = fullName.trim();
        if (fullPreset.equals("none")) {
            fullPreset = "identity";
        }
        return create(valueType, delta, Encoders.tensorEncoder(fullPreset), fullPreset, seed);
    }

    /**
     * A delta broadcast of values of {@code valueType} (float32 tensors above the delta encoder's
     * threshold, any fully defined tensors below it, or structures of them).
     *
     * @param delta the encoder of the change; stateless
     * @param full  the encoder of the full model in a round where some client's copy is stale
     */
    public static DistributionProcess create(Type valueType, ValueEncoder delta, TensorEncoder full, long seed) {
        return create(valueType, delta, full, null, seed);
    }

    /**
     * As {@link #create(Type, ValueEncoder, TensorEncoder, long)}; when both encoders are
     * {@link Encoders} presets ({@code fullPreset} non-null), the clients' steps are described
     * ({@link ClientStepFactory}), so a deployed client checks and updates its own copy.
     */
    private static DistributionProcess create(
            Type valueType, ValueEncoder delta, TensorEncoder full, String fullPreset, long seed) {
        Objects.requireNonNull(valueType, "value type");
        Objects.requireNonNull(delta, "delta encoder");
        Objects.requireNonNull(full, "full-model encoder");
        List<TensorType> leafTypes = leafTypes(valueType);
        boolean[] encoded = encodedLeaves(leafTypes, delta);
        Codec codec = new Codec(valueType, leafTypes, encoded, delta.tensorEncoder(), full, seed);

        StructType serverState = StructType.builder()
                .add("round", I64)
                .add("version", I64)
                .add("reference", valueType)
                .build();
        StructType clientState =
                StructType.builder().add("version", I64).add("model", valueType).build();
        StructType payload = payloadType(valueType, delta);
        StructType measurements = StructType.builder()
                .add("encoded_bits", I64)
                .add("full_model", I64)
                .build();
        StructType encodeResult = StructType.builder()
                .add("state", serverState)
                .add("payload", payload)
                .add("measurements", measurements)
                .build();

        LocalComputation version =
                LocalComputation.of("delta_broadcast_version", serverState, I64, s -> ((Struct) s).get("version"));
        LocalComputation encode = LocalComputation.of(
                "delta_broadcast_encode",
                StructType.builder()
                        .add("state", serverState)
                        .add("value", valueType)
                        .add("stale", I32)
                        .build(),
                encodeResult,
                arg -> codec.encode((Struct) arg));
        ClientSteps steps = clientSteps(valueType, delta, full, fullPreset, leafTypes, encoded);
        LocalComputation stale = steps.stale();
        LocalComputation apply = steps.apply();

        FederatedType state = FederatedType.server(serverState);
        FederatedComputation init = FederatedComputation.noArg(
                "delta_broadcast_initialize",
                state,
                (ctx, a) -> ctx.federatedValue(
                        Struct.named(
                                "round",
                                Tensor.scalar(0L),
                                "version",
                                Tensor.scalar(0L),
                                "reference",
                                Structures.zeros(valueType)),
                        Placement.SERVER));
        FederatedComputation next = FederatedComputation.of(
                "delta_broadcast_next",
                StructType.builder()
                        .add("state", state)
                        .add("value", FederatedType.server(valueType))
                        .build(),
                MeasuredProcess.outputType(state, FederatedType.clients(valueType), FederatedType.server(measurements)),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue s = (FederatedValue) a.get("state");
                    FederatedValue sentVersion = ctx.federatedBroadcast(ctx.federatedMap(version, s));
                    FederatedValue staleCount = ctx.federatedSum(ctx.federatedMap(stale, sentVersion));
                    FederatedValue enc = ctx.federatedMap(
                            encode,
                            ctx.federatedZip(Struct.named("state", s, "value", a.get("value"), "stale", staleCount)));
                    FederatedValue sent = ctx.federatedBroadcast(ctx.federatedField(enc, "payload"));
                    FederatedValue models = ctx.federatedMap(
                            apply, ctx.federatedZip(Struct.named("payload", sent, "version", sentVersion)));
                    return new MeasuredProcessOutput(
                            ctx.federatedField(enc, "state"), models, ctx.federatedField(enc, "measurements"));
                });
        return new DistributionProcess(init, next);
    }

    private static boolean[] encodedLeaves(List<TensorType> leafTypes, ValueEncoder delta) {
        boolean[] encoded = new boolean[leafTypes.size()];
        for (int l = 0; l < encoded.length; l++) {
            TensorType t = leafTypes.get(l);
            if (!t.isFullyDefined()) {
                throw new IllegalArgumentException("a delta broadcast needs fully defined shapes, not " + t);
            }
            encoded[l] = delta.encodes(t);
            if (encoded[l] && t.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException("a delta broadcast encodes float32 tensors, not " + t);
            }
            if (encoded[l] && delta.tensorEncoder().isStateful((int) t.numElements())) {
                throw new IllegalArgumentException("delta encoder " + delta.name()
                        + " keeps state; a delta broadcast is its own error feedback, so use a stateless encoder");
            }
        }
        return encoded;
    }

    /** The two steps each client runs: whether its copy is stale, and the update of its copy. */
    private record ClientSteps(LocalComputation stale, LocalComputation apply) {}

    private static ClientSteps clientSteps(
            Type valueType,
            ValueEncoder delta,
            TensorEncoder full,
            String fullPreset,
            List<TensorType> leafTypes,
            boolean[] encoded) {
        Codec codec = new Codec(valueType, leafTypes, encoded, delta.tensorEncoder(), full, 0L);
        StructType clientState =
                StructType.builder().add("version", I64).add("model", valueType).build();
        StructType payload = payloadType(valueType, delta);
        LocalComputation stale = LocalComputation.withContext(
                "delta_broadcast_copy_is_stale",
                I64,
                I32,
                (v, client) -> Tensor.scalar(
                        copy(client, clientState)
                                        .map(c -> c.tensor(0).longValue() != ((Tensor) v).longValue())
                                        .orElse(true)
                                ? 1
                                : 0));
        LocalComputation apply = LocalComputation.withContext(
                "delta_broadcast_apply",
                StructType.builder().add("payload", payload).add("version", I64).build(),
                valueType,
                (arg, client) -> {
                    Struct a = (Struct) arg;
                    Struct p = (Struct) a.get("payload");
                    long v = ((Tensor) a.get("version")).longValue();
                    boolean fullModel = p.tensor(0).longValue() != 0;
                    Value base = null;
                    if (!fullModel) {
                        java.util.Optional<Struct> held = copy(client, clientState);
                        if (held.isEmpty() || held.get().tensor(0).longValue() != v) {
                            throw new IllegalStateException("client '" + client.clientId()
                                    + "' was sent the change of model version " + v + " but holds "
                                    + held.map(c -> "version " + c.tensor(0).longValue())
                                            .orElse("no copy")
                                    + "; a change applies only to the copy it was computed from");
                        }
                        base = held.get().get(1);
                    }
                    Value model = codec.apply(base, p.get("model"), fullModel);
                    client.setClientState(STATE_KEY, Struct.named("version", Tensor.scalar(v + 1), "model", model));
                    return model;
                });
        java.util.Optional<String> deltaPreset = delta.presetName();
        if (deltaPreset.isEmpty() || fullPreset == null) {
            return new ClientSteps(stale, apply);
        }
        Value type = TypeCodec.toValue(valueType);
        return new ClientSteps(
                LocalComputation.described(stale, ComputationDescriptor.of(ClientStepFactory.class, STALE_STEP, type)),
                LocalComputation.described(
                        apply,
                        ComputationDescriptor.of(
                                ClientStepFactory.class, APPLY_STEP + deltaPreset.get() + "/" + fullPreset, type)));
    }

    private static StructType payloadType(Type valueType, ValueEncoder delta) {
        return StructType.builder()
                .add("full_model", I32)
                .add("model", EncodedDistribution.encodedType(valueType, delta))
                .build();
    }

    /**
     * Rebuilds a client's step of a delta broadcast on a deployed client: config {@code stale} (is
     * the copy in this client's state of the version the server names?) or {@code apply:DELTA/FULL}
     * (the {@link Encoders} presets; decode the payload and add it to the copy, or replace the copy
     * by the full model), payload the model's type ({@link TypeCodec}). The apply step refuses a
     * change for a version the client does not hold, so a hostile or confused server cannot make a
     * client add a change to the wrong base.
     */
    public static final class ClientStepFactory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            if (payload == null) {
                throw new MalformedDataException("a delta broadcast's client step needs the model's type");
            }
            Type valueType = TypeCodec.fromValue(payload);
            String deltaName;
            String fullName;
            if (STALE_STEP.equals(config)) {
                deltaName = "identity";
                fullName = "identity";
            } else if (config != null && config.startsWith(APPLY_STEP) && config.indexOf('/') > 0) {
                String spec = config.substring(APPLY_STEP.length());
                deltaName = spec.substring(0, spec.indexOf('/'));
                fullName = spec.substring(spec.indexOf('/') + 1);
            } else {
                throw new MalformedDataException(
                        "a delta broadcast's client step is 'stale' or 'apply:DELTA/FULL', got '" + config + "'");
            }
            try {
                ValueEncoder delta = Encoders.parse(deltaName);
                TensorEncoder full = Encoders.tensorEncoder(fullName);
                List<TensorType> leafTypes = leafTypes(valueType);
                boolean[] encoded = encodedLeaves(leafTypes, delta);
                ClientSteps steps = clientSteps(valueType, delta, full, fullName, leafTypes, encoded);
                return STALE_STEP.equals(config) ? steps.stale() : steps.apply();
            } catch (IllegalArgumentException e) {
                throw new MalformedDataException("delta broadcast client step: " + e.getMessage());
            }
        }
    }

    /** The client's copy, checked against the expected type; empty when it has none. */
    private static java.util.Optional<Struct> copy(ClientContext client, StructType clientState) {
        return client.clientState(STATE_KEY).map(v -> {
            if (!v.type().equals(clientState)) {
                throw new IllegalStateException("client '" + client.clientId() + "' has state '" + STATE_KEY
                        + "' of type " + v.type() + " but this delta broadcast needs " + clientState);
            }
            return (Struct) v;
        });
    }

    private static List<TensorType> leafTypes(Type type) {
        List<TensorType> out = new ArrayList<>();
        collect(type, out);
        return out;
    }

    private static void collect(Type type, List<TensorType> out) {
        if (type instanceof TensorType t) {
            out.add(t);
        } else if (type instanceof StructType s) {
            for (StructType.Field f : s.fields()) {
                collect(f.type(), out);
            }
        } else {
            throw new IllegalArgumentException("a delta broadcast carries tensors and structures of them, not " + type);
        }
    }

    /** The per-leaf arithmetic the server and every client share, so their copies agree bitwise. */
    private static final class Codec {
        private final Type valueType;
        private final Value template;
        private final List<TensorType> leafTypes;
        private final boolean[] encoded;
        private final TensorEncoder delta;
        private final TensorEncoder full;
        private final long seed;

        Codec(
                Type valueType,
                List<TensorType> leafTypes,
                boolean[] encoded,
                TensorEncoder delta,
                TensorEncoder full,
                long seed) {
            this.valueType = valueType;
            this.template = Structures.zeros(valueType);
            this.leafTypes = leafTypes;
            this.encoded = encoded;
            this.delta = delta;
            this.full = full;
            this.seed = seed;
        }

        Struct encode(Struct arg) {
            Struct s = (Struct) arg.get("state");
            long round = s.tensor(0).longValue();
            long version = s.tensor(1).longValue();
            boolean fullModel = ((Tensor) arg.get("stale")).longValue() > 0 || version == 0;
            List<Tensor> model = Structures.leaves(arg.get("value"));
            List<Tensor> reference = Structures.leaves(s.get("reference"));
            List<Tensor> sent = new ArrayList<>(model.size());
            long bits = 0;
            for (int l = 0; l < model.size(); l++) {
                Tensor leaf;
                if (!encoded[l]) {
                    leaf = model.get(l);
                } else {
                    long leafSeed = Seeds.derive(seed, PURPOSE, round, l);
                    leaf = fullModel
                            ? full.encode(model.get(l), leafSeed)
                            : delta.encode(minus(model.get(l), reference.get(l)), leafSeed);
                }
                sent.add(leaf);
                bits += leaf.sizeInBits();
            }
            Value payloadModel = Structures.pack(template, sent);
            Value nextReference = apply(fullModel ? null : s.get("reference"), payloadModel, fullModel);
            return Struct.named(
                    "state",
                    Struct.named(
                            "round",
                            Tensor.scalar(round + 1),
                            "version",
                            Tensor.scalar(version + 1),
                            "reference",
                            nextReference),
                    "payload",
                    Struct.named("full_model", Tensor.scalar(fullModel ? 1 : 0), "model", payloadModel),
                    "measurements",
                    Struct.named(
                            "encoded_bits", Tensor.scalar(bits), "full_model", Tensor.scalar(fullModel ? 1L : 0L)));
        }

        /** The model a payload gives: {@code base + decoded delta}, or the decoded full model. */
        Value apply(Value base, Value payloadModel, boolean fullModel) {
            List<Tensor> sent = Structures.leaves(payloadModel);
            List<Tensor> baseLeaves = fullModel ? null : Structures.leaves(base);
            List<Tensor> out = new ArrayList<>(sent.size());
            for (int l = 0; l < sent.size(); l++) {
                TensorType t = leafTypes.get(l);
                if (!encoded[l]) {
                    out.add(sent.get(l));
                } else if (fullModel) {
                    out.add(full.decode(sent.get(l), t).cast(DType.FLOAT32));
                } else {
                    out.add(plus(baseLeaves.get(l), delta.decode(sent.get(l), t)));
                }
            }
            return Structures.pack(template, out);
        }

        private static Tensor minus(Tensor a, Tensor b) {
            float[] x = a.floatData();
            float[] y = b.floatData();
            float[] d = new float[x.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = x[i] - y[i];
            }
            return Tensor.of(d, a.shape());
        }

        private static Tensor plus(Tensor base, Tensor change) {
            float[] x = base.floatData();
            float[] y = change.floatData();
            float[] d = new float[x.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = x[i] + y[i];
            }
            return Tensor.of(d, base.shape());
        }
    }
}
