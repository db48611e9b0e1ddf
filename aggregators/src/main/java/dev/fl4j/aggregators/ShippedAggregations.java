package dev.fl4j.aggregators;

import dev.fl4j.compression.Encoders;
import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.Aggregation;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ShippableAggregation;
import dev.fl4j.core.computation.ShippableAggregationFactory;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.TypeCodec;
import java.nio.charset.StandardCharsets;

/**
 * The aggregators' {@code federated_aggregate}s that a runtime can run where the clients run
 * ({@link ShippableAggregation}): {@link EncodedSumFactory}'s decode-and-sum, for encoders that are
 * {@link Encoders} presets. {@link Factory} rebuilds it from a descriptor whose config is
 * {@value #DECODE_AND_SUM} and whose payload is {@code <value_type, preset=uint8[?]>}; nothing else
 * is describable here. The robust aggregators' collect-every-update aggregation is not shippable on
 * purpose: its accumulator is every update (see {@link ShippableAggregation}).
 */
public final class ShippedAggregations {

    static final String DECODE_AND_SUM = "decode_and_sum";

    private ShippedAggregations() {}

    /** The descriptor of an encoded sum's decode-and-sum of {@code preset}-encoded values of {@code valueType}. */
    static ComputationDescriptor decodeAndSumDescriptor(Type valueType, String preset) {
        byte[] p = preset.getBytes(StandardCharsets.UTF_8);
        return new ComputationDescriptor(
                Factory.class.getName(),
                DECODE_AND_SUM,
                Struct.named("value_type", TypeCodec.toValue(valueType), "preset", Tensor.of(p, p.length)));
    }

    /** Rebuilds a described aggregation (see the class comment). */
    public static final class Factory implements ShippableAggregationFactory {
        @Override
        public ShippableAggregation<?> create(String config, Value payload) {
            if (!config.equals(DECODE_AND_SUM)) {
                throw new MalformedDataException(
                        "unknown described aggregation '" + config + "'; known: " + DECODE_AND_SUM);
            }
            if (!(payload instanceof Struct p) || p.size() != 2 || !p.has("value_type") || !p.has("preset")) {
                throw new MalformedDataException(DECODE_AND_SUM + ": payload must be <value_type,preset>, got "
                        + (payload == null ? "none" : payload.type()));
            }
            if (!(p.get("preset") instanceof Tensor t) || t.dtype() != DType.UINT8 || t.rank() != 1) {
                throw new MalformedDataException(DECODE_AND_SUM + ": preset must be uint8[?] text, got "
                        + p.get("preset").type());
            }
            Type valueType = TypeCodec.fromValue(p.get("value_type"));
            String preset = new String(t.byteData(), StandardCharsets.UTF_8);
            Aggregation<double[][]> sum = EncodedSumFactory.decodeAndSum(Encoders.parse(preset), valueType);
            if (!(sum instanceof ShippableAggregation<double[][]> shippable)) {
                throw new MalformedDataException(DECODE_AND_SUM + ": '" + preset + "' is not an encoder preset");
            }
            return shippable;
        }
    }
}
