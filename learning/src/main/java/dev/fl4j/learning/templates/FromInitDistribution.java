package dev.fl4j.learning.templates;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.ValueEncoder;
import dev.fl4j.core.DType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactory;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.learning.keras.ModelSpec;
import java.util.Objects;

/**
 * An encoded broadcast of the model's <em>change from its seeded initial weights</em>, for the
 * <b>cross-device</b> regime: clients keep no state, yet each can rebuild the run's initial weights
 * itself from the model spec and the initialization seed ({@link ModelSpec#initialWeights(long)}
 * depends on nothing else), so the server encodes {@code model − initial} and each client decodes
 * and adds {@code initial} back. Early in training the model has moved little from its
 * initialization, so the change has a fraction of the model's spread and a quantizer of a given
 * width loses that fraction of its error; the reference costs no bits.
 *
 * <p>Everything else is {@link EncodedDistribution}'s: the encoder, its per-round seed, the bit
 * count (the encoded change, once per client; the initial weights are not sent), the state and
 * measurements. Arithmetic is float32 on both sides ({@code encode(m − i)}, then
 * {@code decode(·) + i}); a leaf the encoder leaves unencoded (at or below its threshold) is sent as
 * it is, so it arrives exact.
 *
 * <p>A warm start ({@code --init}) does not change the reference: it stays the seeded initial weights
 * (which the clients can compute), so the saving shrinks with how far the warm start lies from them.
 *
 * <p>Named {@code from-init:ENCODER} ({@link #fromName}), e.g. {@code from-init:hadamard-lloyd:2@0}.
 * The clients' decoding is described ({@link DecodeFactory}: the encoder preset, the seed and the
 * model spec's JSON), so a deployed client rebuilds the initial weights itself.
 */
public final class FromInitDistribution {

    /** The prefix of the name. */
    public static final String PREFIX = "from-init:";

    private static final String FORMAT = "fl4j.from_init_decode";
    private static final ObjectMapper JSON = new ObjectMapper();

    private FromInitDistribution() {}

    /** Whether {@code name} selects this distributor ({@code from-init:...}). */
    public static boolean isFromInitName(String name) {
        return name != null && name.trim().startsWith(PREFIX);
    }

    /**
     * The distributor {@code from-init:ENCODER} selects for {@code spec}'s weights, with the initial
     * weights of {@code initSeed} as the reference.
     *
     * @throws IllegalArgumentException for another name, {@code none} or an unknown preset
     */
    public static DistributionProcess fromName(String name, ModelSpec spec, long initSeed, long seed) {
        if (!isFromInitName(name)) {
            throw new IllegalArgumentException(
                    "a broadcast from the initial weights is named 'from-init:ENCODER', got '" + name + "'");
        }
        String preset = name.trim().substring(PREFIX.length()).trim();
        if (preset.isEmpty() || preset.equals(EncodedDistribution.NONE)) {
            throw new IllegalArgumentException(
                    "'" + name + "': from-init: needs an encoder preset, e.g. " + PREFIX + "hadamard-lloyd:2@0");
        }
        return create(spec, initSeed, Encoders.parse(preset), seed);
    }

    /** {@code spec}'s weights encoded with {@code encoder} as the change from the seed's initial weights. */
    public static DistributionProcess create(ModelSpec spec, long initSeed, ValueEncoder encoder, long seed) {
        Objects.requireNonNull(spec, "model spec");
        Objects.requireNonNull(encoder, "encoder");
        Type valueType = spec.weightsType();
        Value initial = spec.initialWeights(initSeed).asStruct();
        return EncodedDistribution.create(
                valueType,
                encoder,
                seed,
                "from_init_" + encoder.name(),
                model -> Structures.zip(model, initial, (m, i) -> encoder.encodes(m.type()) ? minus(m, i) : m),
                decode(spec, initSeed, encoder, initial));
    }

    /** The clients' decoding: described when {@code encoder} is a preset. */
    static LocalComputation decode(ModelSpec spec, long initSeed, ValueEncoder encoder) {
        return decode(spec, initSeed, encoder, spec.initialWeights(initSeed).asStruct());
    }

    private static LocalComputation decode(ModelSpec spec, long initSeed, ValueEncoder encoder, Value initial) {
        Type valueType = spec.weightsType();
        LocalComputation decode = LocalComputation.of(
                "broadcast_decode_from_init_" + encoder.name(),
                EncodedDistribution.encodedType(valueType, encoder),
                valueType,
                encoded -> Structures.zip(
                        encoder.decode(encoded, valueType),
                        initial,
                        (d, i) -> encoder.encodes(i.type()) ? plus(d, i) : d));
        return encoder.presetName()
                .map(preset -> LocalComputation.described(
                        decode, ComputationDescriptor.of(DecodeFactory.class, config(preset, initSeed, spec), null)))
                .orElse(decode);
    }

    private static String config(String preset, long initSeed, ModelSpec spec) {
        ObjectNode c = JSON.createObjectNode();
        c.put("format", FORMAT);
        c.put("version", 1);
        c.put("encoder", preset);
        c.put("init_seed", initSeed);
        c.put("model_spec", spec.toJson());
        return c.toString();
    }

    private static Tensor minus(Tensor a, Tensor b) {
        return combined(a, b, -1f);
    }

    private static Tensor plus(Tensor change, Tensor base) {
        return combined(change, base, 1f);
    }

    /** {@code a + sign·b} in float32, element by element ({@code sign·b} is exact for ±1). */
    private static Tensor combined(Tensor a, Tensor b, float sign) {
        float[] x = floats(a);
        float[] y = floats(b);
        float[] d = new float[x.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = x[i] + sign * y[i];
        }
        return Tensor.of(d, a.shape());
    }

    private static float[] floats(Tensor t) {
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(
                    "a broadcast from the initial weights carries float32 weights, not " + t.dtype());
        }
        return t.floatData();
    }

    /**
     * Rebuilds the clients' decoding from its config: JSON of format {@code fl4j.from_init_decode},
     * version 1, with the encoder preset, the initialization seed and the model spec. The initial
     * weights of the last config seen are kept, so a client that decodes every round draws them once.
     */
    public static final class DecodeFactory implements ComputationFactory {

        private static final Object LOCK = new Object();
        private static String cachedConfig;
        private static Value cachedInitial;

        @Override
        public LocalComputation create(String config, Value payload) {
            JsonNode c;
            try {
                c = JSON.readTree(config);
            } catch (JsonProcessingException e) {
                throw new MalformedDataException("broadcast decoding from the initial weights: config is not JSON");
            }
            if (!FORMAT.equals(c.path("format").asText()) || c.path("version").asInt() != 1) {
                throw new MalformedDataException("not a " + FORMAT + " version 1 config");
            }
            if (!c.path("init_seed").isIntegralNumber()
                    || !c.path("encoder").isTextual()
                    || !c.path("model_spec").isTextual()) {
                throw new MalformedDataException(
                        FORMAT + ": needs encoder (text), init_seed (integer), model_spec (text)");
            }
            ValueEncoder encoder;
            ModelSpec spec;
            try {
                encoder = Encoders.parse(c.path("encoder").asText());
                spec = ModelSpec.fromJson(c.path("model_spec").asText());
            } catch (IllegalArgumentException e) {
                throw new MalformedDataException(FORMAT + ": " + e.getMessage());
            }
            long initSeed = c.path("init_seed").asLong();
            return decode(spec, initSeed, encoder, initial(config, spec, initSeed));
        }

        private static Value initial(String config, ModelSpec spec, long initSeed) {
            synchronized (LOCK) {
                if (!config.equals(cachedConfig)) {
                    cachedInitial = spec.initialWeights(initSeed).asStruct();
                    cachedConfig = config;
                }
                return cachedInitial;
            }
        }
    }
}
