package dev.fl4j.aggregators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.ValueEncoder;
import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.Aggregation;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ShippableAggregation;
import dev.fl4j.core.computation.ShippableAggregationFactories;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import org.junit.jupiter.api.Test;

/**
 * The encoded sum's decode-and-sum rebuilt from its descriptor (through the registered factories) accumulates,
 * crosses and merges bitwise as the driver's own; what cannot be rebuilt is refused with a reason.
 */
class ShippedAggregationsTest {

    private static final StructType TYPE = StructType.builder()
            .add("w", new TensorType(DType.FLOAT32, 2, 3))
            .add("b", new TensorType(DType.FLOAT32, 2))
            .build();

    private static Value value(float base) {
        return Struct.named(
                "w",
                Tensor.of(new float[] {base, 1e7f, -base, 0.25f, base / 3, -1e7f}, 2, 3),
                "b",
                Tensor.of(new float[] {base * 2, 1f}, 2));
    }

    @SuppressWarnings("unchecked")
    private static <A> Value run(Aggregation<A> aggregation, ValueEncoder encoder, boolean throughBytes) {
        A first = aggregation.zero();
        A second = aggregation.zero();
        for (int c = 0; c < 6; c++) {
            Value encoded = encoder.encode(value(c * 1.37f), 11L + c);
            if (c < 3) {
                first = aggregation.accumulate(first, encoded);
            } else {
                second = aggregation.accumulate(second, encoded);
            }
        }
        if (throughBytes) {
            ShippableAggregation<A> s = (ShippableAggregation<A>) aggregation;
            first = s.decodeAccumulator(ValueCodec.decode(ValueCodec.encode(s.encodeAccumulator(first))));
            second = s.decodeAccumulator(ValueCodec.decode(ValueCodec.encode(s.encodeAccumulator(second))));
        }
        return aggregation.report(aggregation.merge(first, second));
    }

    @Test
    void aPresetsDecodeAndSumRebuiltFromItsDescriptorEqualsTheDriversBitwise() {
        ValueEncoder encoder = Encoders.parse("uniform:8@2");
        Aggregation<double[][]> driver = EncodedSumFactory.decodeAndSum(encoder, TYPE);
        ShippableAggregation<?> shipped = assertInstanceOf(ShippableAggregation.class, driver);
        ShippableAggregation<?> rebuilt = ShippableAggregationFactories.rebuild(
                ComputationDescriptor.fromBytes(shipped.descriptor().toBytes()));
        assertEquals(run(driver, encoder, false), run(rebuilt, encoder, true));
    }

    @Test
    void anEncoderThatIsNotAPresetKeepsItsAggregationOnTheDriver() {
        ValueEncoder custom = ValueEncoder.of(Encoders.parse("uniform:8@2").tensorEncoder(), 2);
        assertTrue(custom.presetName().isEmpty(), "the fixture is not a preset");
        Aggregation<double[][]> driver = EncodedSumFactory.decodeAndSum(custom, TYPE);
        assertTrue(!(driver instanceof ShippableAggregation<?>), "not describable, so not shippable");
    }

    @Test
    void whatCannotBeRebuiltIsRefusedWithAReason() {
        ShippableAggregation<?> shipped =
                (ShippableAggregation<?>) EncodedSumFactory.decodeAndSum(Encoders.parse("uniform:8@2"), TYPE);
        ComputationDescriptor good = shipped.descriptor();
        MalformedDataException e = assertThrows(
                MalformedDataException.class,
                () -> ShippableAggregationFactories.rebuild(
                        new ComputationDescriptor(good.factory(), "collect_everything", good.payload())));
        assertTrue(e.getMessage().contains("unknown described aggregation 'collect_everything'"), e.getMessage());
        e = assertThrows(
                MalformedDataException.class,
                () -> ShippableAggregationFactories.rebuild(
                        new ComputationDescriptor(good.factory(), good.config(), Tensor.scalar(1))));
        assertTrue(e.getMessage().contains("payload must be <value_type,preset>"), e.getMessage());
        e = assertThrows(
                MalformedDataException.class,
                () -> ShippableAggregationFactories.rebuild(
                        new ComputationDescriptor(ClientSteps.Factory.class.getName(), "encode", good.payload())));
        assertTrue(e.getMessage().contains("is not registered"), e.getMessage());

        IllegalArgumentException wrong = assertThrows(
                IllegalArgumentException.class,
                () -> shipped.decodeAccumulator(Struct.of(Tensor.of(new double[6], 6), Tensor.of(new float[2], 2))));
        assertTrue(wrong.getMessage().contains("accumulator leaf 1 must be float64[2]"), wrong.getMessage());
        assertArrayEquals(
                new double[6],
                ((double[][]) shipped.decodeAccumulator(
                                Struct.of(Tensor.of(new double[6], 6), Tensor.of(new double[2], 2))))
                        [0]);
    }
}
