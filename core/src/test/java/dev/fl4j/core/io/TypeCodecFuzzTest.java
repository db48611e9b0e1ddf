package dev.fl4j.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fl4j.core.DType;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.FieldSelection;
import dev.fl4j.core.computation.UnknownComputationFactoryException;
import dev.fl4j.core.runtime.ShippedChain;
import dev.fl4j.core.testing.Fuzz;
import org.junit.jupiter.api.Test;

/**
 * Types and the core's described computations rebuilt from hostile bytes: a type round-trips, and
 * any bytes end in {@link MalformedDataException} (or a factory this JVM does not have).
 */
class TypeCodecFuzzTest {

    private static final Type MODEL = StructType.builder()
            .add(
                    "trainable",
                    StructType.builder()
                            .add("kernel", new TensorType(DType.FLOAT32, 60, 10))
                            .add(null, new TensorType(DType.INT64, TensorType.UNKNOWN))
                            .build())
            .add("data", new SequenceType(new TensorType(DType.UINT8)))
            .build();

    @Test
    void typesRoundTripAndAnyBytesEndInMalformedData() {
        assertEquals(MODEL, TypeCodec.fromValue(ValueCodec.decode(ValueCodec.encode(TypeCodec.toValue(MODEL)))));
        Fuzz.named("type codec")
                .seed(ValueCodec.encode(TypeCodec.toValue(MODEL)))
                .seed(ValueCodec.encode(TypeCodec.toValue(TensorType.scalar(DType.BOOL))))
                .expecting(MalformedDataException.class)
                .inputs(5_000)
                .run(bytes -> TypeCodec.fromValue(ValueCodec.decode(bytes)));
    }

    @Test
    void describedSelectionsAndChainsFromAnyBytesEndInMalformedData() {
        byte[] select = FieldSelection.of((StructType) MODEL, "trainable")
                .descriptor()
                .orElseThrow()
                .toBytes();
        byte[] chain = new ComputationDescriptor(
                        ShippedChain.Factory.class.getName(),
                        "",
                        Struct.builder()
                                .add("plan", Tensor.of(new byte[] {1, 2, 3}, 3))
                                .add("broadcasts", Tensor.scalar(0))
                                .add("inputs", Tensor.scalar(1))
                                .add("returned", Tensor.of(new int[] {0}, 1))
                                .build())
                .toBytes();
        Fuzz.named("described core computations")
                .seed(select)
                .seed(chain)
                .expecting(MalformedDataException.class, UnknownComputationFactoryException.class)
                .inputs(5_000)
                .run(bytes -> ComputationDescriptor.fromBytes(bytes).rebuild());
    }
}
