package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A round may have no clients (Poisson sampling under differential privacy): their sum, plain or secure, is the zero
 * of the type, as in TFF.
 */
class EmptyCohortSumTest {

    private static Value sumOverNoClients(Type member) {
        FederatedComputation sum = FederatedComputation.of(
                "sum",
                FederatedType.clients(member),
                FederatedType.server(member),
                (ctx, v) -> ctx.federatedSum((FederatedValue) v));
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            return ((ServerValue) rt.invoke(sum, ClientValues.of(member, List.of(), List.of()))).value();
        }
    }

    @Test
    void sumOverNoClientsIsTheZeroOfTheMemberType() {
        Type member = StructType.builder()
                .add("w", new TensorType(DType.FLOAT32, 2, 3))
                .add("n", TensorType.scalar(DType.INT32))
                .build();
        Value zero = sumOverNoClients(member);
        assertEquals(Struct.named("w", Tensor.zeros(DType.FLOAT32, 2, 3), "n", Tensor.zeros(DType.INT32)), zero);
        assertEquals(member, zero.type());
    }

    @Test
    void aSecureSumOverNoClientsIsTheZeroOfTheMemberTypeToo() {
        Type member = StructType.builder()
                .add("q", new TensorType(DType.INT64, 4))
                .add("n", TensorType.scalar(DType.INT32))
                .build();
        FederatedComputation sum = FederatedComputation.of(
                "secure_sum",
                FederatedType.clients(member),
                FederatedType.server(member),
                (ctx, v) -> ctx.federatedSecureSumBitwidth((FederatedValue) v, 20));
        Value zero;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            zero = ((ServerValue) rt.invoke(sum, ClientValues.of(member, List.of(), List.of()))).value();
        }
        assertEquals(Struct.named("q", Tensor.zeros(DType.INT64, 4), "n", Tensor.zeros(DType.INT32)), zero);
    }

    @Test
    void sumOverNoClientsOfAnUnknownShapeSaysWhyItHasNoZero() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> sumOverNoClients(new TensorType(DType.FLOAT32, -1)));
        assertTrue(
                e.getMessage().contains("federated_sum over zero clients")
                        && e.getMessage().contains("has no defined zero")
                        && e.getMessage().contains("float32[?]"),
                e.getMessage());
    }
}
