package dev.fl4j.core.computation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Computation bodies typed by their parameter type: no casts in the body, and a misfit is a TypeMismatchException. */
class TypedComputationTest {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final SequenceType READINGS = new SequenceType(F32);

    /** A value that claims an FC type without being of the class that type's values have. */
    private record Impostor(Type type) implements Value {
        @Override
        public long sizeInBits() {
            return 0;
        }
    }

    private static LocalComputation localAverage() {
        return LocalComputation.of("local_average", READINGS, F32, readings -> {
            float sum = 0;
            int n = 0;
            for (Tensor r : readings.tensors()) {
                sum += r.floatValue();
                n++;
            }
            return Tensor.scalar(sum / n);
        });
    }

    @Test
    void sequenceBodyReceivesASequenceAndReadsItsElementsAsTensors() {
        assertEquals(Tensor.scalar(2f), localAverage().call(ListSequence.ofFloats(1, 2, 3)));
    }

    @Test
    void sequenceBodyHandedATensorNamesExpectedAndActualTypes() {
        TypeMismatchException e =
                assertThrows(TypeMismatchException.class, () -> localAverage().call(Tensor.scalar(1f)));
        assertEquals("computation 'local_average' argument: expected float32* but got float32", e.getMessage());
        assertEquals(READINGS, e.expected());
        assertEquals(F32, e.actual());
    }

    @Test
    void valueOfTheRightTypeButNotASequenceIsATypeMismatchNotAClassCast() {
        TypeMismatchException e =
                assertThrows(TypeMismatchException.class, () -> localAverage().call(new Impostor(READINGS)));
        assertEquals(
                "computation 'local_average' argument: expected float32* (a SequenceValue) but got float32* (a "
                        + Impostor.class.getName() + ")",
                e.getMessage());
        assertEquals(READINGS, e.expected());
    }

    @Test
    void structBodyReceivesAStructAndRefusesAnImpostor() {
        StructType xy = StructType.builder().add("x", F32).add("y", F32).build();
        LocalComputation sum = LocalComputation.of(
                "sum_xy",
                xy,
                F32,
                s -> Tensor.scalar(((Tensor) s.get("x")).floatValue() + ((Tensor) s.get("y")).floatValue()));
        assertEquals(
                Tensor.scalar(3f),
                sum.call(Struct.builder()
                        .add("x", Tensor.scalar(1f))
                        .add("y", Tensor.scalar(2f))
                        .build()));
        TypeMismatchException e = assertThrows(TypeMismatchException.class, () -> sum.call(new Impostor(xy)));
        assertTrue(
                e.getMessage()
                        .startsWith("computation 'sum_xy' argument: expected <x=float32,y=float32> (a Struct) but got"),
                e.getMessage());
    }

    @Test
    void bodyWithContextIsTypedAndChecked() {
        LocalComputation count =
                LocalComputation.withContext("count", READINGS, TensorType.scalar(DType.INT32), (readings, client) -> {
                    int n = 0;
                    for (Tensor ignored : readings.tensors()) {
                        n++;
                    }
                    return Tensor.scalar(n);
                });
        assertEquals(Tensor.scalar(3), count.call(ListSequence.ofFloats(4, 5, 6)));
        TypeMismatchException e = assertThrows(TypeMismatchException.class, () -> count.call(new Impostor(READINGS)));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "computation 'count' argument: expected float32* (a SequenceValue) but got float32*"),
                e.getMessage());
    }

    @Test
    void tensorBodyReceivesATensor() {
        LocalComputation twice = LocalComputation.of("twice", F32, F32, t -> Tensor.scalar(2 * t.floatValue()));
        assertEquals(Tensor.scalar(5f), twice.call(Tensor.scalar(2.5f)));
    }

    @Test
    void parameterTypedOnlyAsTypeKeepsTheUntypedBody() {
        Type parameter = F32;
        LocalComputation identity = LocalComputation.of("identity", parameter, F32, v -> v);
        assertEquals(Tensor.scalar(1f), identity.call(Tensor.scalar(1f)));
    }

    @Test
    void tensorsOfASequenceOfStructuresNamesTheElementType() {
        StructType xy = StructType.builder().add("x", F32).build();
        SequenceValue batches = ListSequence.of(
                xy, List.of(Struct.builder().add("x", Tensor.scalar(1f)).build()));
        TypeMismatchException e = assertThrows(TypeMismatchException.class, batches::tensors);
        assertEquals(
                "sequence <x=float32>* read as tensors: its elements are <x=float32>, not tensors", e.getMessage());
        assertEquals(1, countStructs(batches));
    }

    private static int countStructs(SequenceValue s) {
        int n = 0;
        for (Struct b : s.structs()) {
            assertTrue(b.get("x") instanceof Tensor);
            n++;
        }
        return n;
    }

    @Test
    void tensorsStopsAtAnElementThatIsNotATensorNamingItsIndex() {
        SequenceValue readings = ListSequence.of(F32, List.of(Tensor.scalar(1f), new Impostor(F32)));
        var it = readings.tensors().iterator();
        assertEquals(Tensor.scalar(1f), it.next());
        TypeMismatchException e = assertThrows(TypeMismatchException.class, it::next);
        assertEquals(
                "sequence element 1: expected float32 (a Tensor) but got float32 (a " + Impostor.class.getName() + ")",
                e.getMessage());
    }

    @Test
    void federatedBodyReceivesAFederatedValueWithoutACast() {
        LocalComputation localAverage = localAverage();
        FederatedComputation globalAverage = FederatedComputation.of(
                "global_average",
                FederatedType.clients(READINGS),
                FederatedType.server(F32),
                (ctx, readings) -> ctx.federatedMean(ctx.federatedMap(localAverage, readings)));
        try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build()) {
            Value mean = runtime.invoke(
                    globalAverage,
                    FederatedValue.clients(List.of(ListSequence.ofFloats(1, 1, 1), ListSequence.ofFloats(13))));
            assertEquals("float32 7.0@SERVER", mean.toString());
            TypeMismatchException e = assertThrows(
                    TypeMismatchException.class, () -> runtime.invoke(globalAverage, ListSequence.ofFloats(1)));
            assertTrue(
                    e.getMessage().contains("{float32*}@CLIENTS")
                            && e.getMessage().contains("float32*"),
                    e.getMessage());
        }
    }

    @Test
    void federatedBodyOverSeveralPlacedArgumentsReceivesAStruct() {
        StructType args = StructType.builder()
                .add("a", FederatedType.clients(F32))
                .add("b", FederatedType.clients(F32))
                .build();
        FederatedComputation sumOfA = FederatedComputation.of(
                "sum_of_a",
                args,
                FederatedType.server(F32),
                (ctx, placed) -> ctx.federatedSum((FederatedValue) placed.get("a")));
        try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(1).build()) {
            Value sum = runtime.invoke(
                    sumOfA,
                    FederatedValue.clients(List.of(Tensor.scalar(1f), Tensor.scalar(2f))),
                    FederatedValue.clients(List.of(Tensor.scalar(5f), Tensor.scalar(5f))));
            assertEquals("float32 3.0@SERVER", sum.toString());
        }
    }

    @Test
    void typedFederatedBodyCalledThroughItsUntypedBodyChecksTheClass() {
        FederatedComputation c = FederatedComputation.of(
                "needs_clients",
                FederatedType.clients(F32),
                FederatedType.server(F32),
                (ctx, clients) -> ctx.federatedSum(clients));
        TypeMismatchException e = assertThrows(
                TypeMismatchException.class, () -> c.body().apply(null, new Impostor(FederatedType.clients(F32))));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "computation 'needs_clients' argument: expected {float32}@CLIENTS (a FederatedValue) "
                                        + "but got"),
                e.getMessage());
    }
}
