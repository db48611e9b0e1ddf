package dev.fl4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TypeNotationTest {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    @Test
    void printsTffNotation() {
        assertEquals("float32[10]", new TensorType(DType.FLOAT32, 10).toString());
        assertEquals("float32[?,784]", new TensorType(DType.FLOAT32, TensorType.UNKNOWN, 784).toString());
        assertEquals(
                "<a=int32,b=float32>",
                StructType.builder().add("a", I32).add("b", F32).build().toString());
        assertEquals("<int32,float32>", StructType.of(I32, F32).toString());
        assertEquals("<>", StructType.of().toString());
        assertEquals(
                "{float32*}@CLIENTS",
                FederatedType.clients(new SequenceType(F32)).toString());
        assertEquals("float32@SERVER", FederatedType.server(F32).toString());
        assertEquals("float32@CLIENTS", FederatedType.clientsAllEqual(F32).toString());
        assertEquals(
                "({float32*}@CLIENTS -> float32@SERVER)",
                new FunctionType(FederatedType.clients(new SequenceType(F32)), FederatedType.server(F32)).toString());
        assertEquals("( -> int32)", FunctionType.noArg(I32).toString());
        assertEquals(
                "<x=float32[?,28,28,1],y=int32[?]>*",
                new SequenceType(StructType.builder()
                                .add("x", new TensorType(DType.FLOAT32, -1, 28, 28, 1))
                                .add("y", new TensorType(DType.INT32, -1))
                                .build())
                        .toString());
    }

    @Test
    void tensorAssignability() {
        TensorType unknownBatch = new TensorType(DType.FLOAT32, TensorType.UNKNOWN, 3);
        assertTrue(unknownBatch.isAssignableFrom(new TensorType(DType.FLOAT32, 7, 3)));
        assertFalse(unknownBatch.isAssignableFrom(new TensorType(DType.FLOAT32, 7, 4)));
        assertFalse(unknownBatch.isAssignableFrom(new TensorType(DType.FLOAT64, 7, 3)));
        assertFalse(new TensorType(DType.FLOAT32, 7, 3).isAssignableFrom(unknownBatch));
        assertFalse(F32.isAssignableFrom(new TensorType(DType.FLOAT32, 1)));
    }

    @Test
    void structAssignabilityChecksNamesWhereBothSidesHaveThem() {
        StructType named = StructType.builder().add("a", I32).add("b", F32).build();
        assertTrue(named.isAssignableFrom(StructType.of(I32, F32)));
        assertFalse(named.isAssignableFrom(
                StructType.builder().add("b", I32).add("a", F32).build()));
        assertFalse(named.isAssignableFrom(StructType.of(I32)));
    }

    @Test
    void federatedAssignabilityRespectsAllEqualAndPlacement() {
        assertTrue(FederatedType.clients(F32).isAssignableFrom(FederatedType.clientsAllEqual(F32)));
        assertFalse(FederatedType.clientsAllEqual(F32).isAssignableFrom(FederatedType.clients(F32)));
        assertFalse(FederatedType.server(F32).isAssignableFrom(FederatedType.clientsAllEqual(F32)));
        assertFalse(FederatedType.server(F32).isAssignableFrom(F32));
        assertThrows(IllegalArgumentException.class, () -> new FederatedType(F32, Placement.SERVER, false));
    }

    @Test
    void functionAssignabilityIsContravariantInTheParameter() {
        TensorType any = new TensorType(DType.FLOAT32, TensorType.UNKNOWN);
        TensorType three = new TensorType(DType.FLOAT32, 3);
        FunctionType takesAny = new FunctionType(any, three);
        FunctionType takesThree = new FunctionType(three, three);
        assertTrue(takesThree.isAssignableFrom(takesAny));
        assertFalse(takesAny.isAssignableFrom(takesThree));
    }

    @Test
    void mismatchMessageNamesPlaceExpectedAndActual() {
        TypeMismatchException e = assertThrows(
                TypeMismatchException.class, () -> F32.checkAssignableFrom(I32, "computation 'f' argument"));
        assertEquals("computation 'f' argument: expected float32 but got int32", e.getMessage());
    }
}
