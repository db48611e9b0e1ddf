package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.AllEqualClientValue;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Placement;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.Aggregation;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IntrinsicsTest {

    static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    static final TensorType I32 = TensorType.scalar(DType.INT32);
    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    static LocalComputation sequenceAverage() {
        return LocalComputation.of("get_local_temperature_average", new SequenceType(F32), F32, seq -> {
            float sum = 0;
            int count = 0;
            for (Value v : (ListSequence) seq) {
                sum += ((Tensor) v).floatValue();
                count++;
            }
            return Tensor.scalar(sum / count);
        });
    }

    @Test
    void temperatureAverageIsSevenWithTheTutorialsSignature() {
        LocalComputation local = sequenceAverage();
        assertEquals("(float32* -> float32)", local.type().toString());
        FederatedComputation avg = FederatedComputation.of(
                "get_global_temperature_average",
                FederatedType.clients(new SequenceType(F32)),
                FederatedType.server(F32),
                (ctx, temps) -> ctx.federatedMean(ctx.federatedMap(local, (FederatedValue) temps)));
        assertEquals("({float32*}@CLIENTS -> float32@SERVER)", avg.type().toString());
        Value result = runtime.invoke(
                avg, FederatedValue.clients(List.of(ListSequence.ofFloats(1, 1, 1), ListSequence.ofFloats(13))));
        assertEquals(7.0f, ((Tensor) ((ServerValue) result).value()).floatValue());
        assertEquals(2.0f, ((Tensor) local.call(ListSequence.ofFloats(1, 3))).floatValue());
    }

    @Test
    void wrongArgumentNamesExpectedAndActualTypes() {
        FederatedComputation avg = FederatedComputation.of(
                "avg",
                FederatedType.clients(new SequenceType(F32)),
                FederatedType.server(F32),
                (ctx, temps) -> ctx.federatedMean(ctx.federatedMap(sequenceAverage(), (FederatedValue) temps)));
        TypeMismatchException notFederated =
                assertThrows(TypeMismatchException.class, () -> runtime.invoke(avg, ListSequence.ofFloats(1f)));
        assertEquals(
                "federated computation 'avg' argument: expected {float32*}@CLIENTS but got float32*",
                notFederated.getMessage());
        TypeMismatchException wrongMember = assertThrows(
                TypeMismatchException.class,
                () -> runtime.invoke(avg, FederatedValue.clients(List.of(Tensor.scalar(1)))));
        assertTrue(
                wrongMember.getMessage().contains("expected {float32*}@CLIENTS but got {int32}@CLIENTS"),
                wrongMember.getMessage());
        TypeMismatchException local = assertThrows(
                TypeMismatchException.class, () -> sequenceAverage().call(Tensor.scalar(1f)));
        assertEquals(
                "computation 'get_local_temperature_average' argument: expected float32* but got float32",
                local.getMessage());
    }

    @Test
    void allEqualViolationIsATypeError() {
        FederatedComputation needsAllEqual = FederatedComputation.of(
                "needs_all_equal",
                FederatedType.clientsAllEqual(F32),
                FederatedType.server(F32),
                (ctx, v) -> ctx.federatedSum((FederatedValue) v));
        TypeMismatchException e = assertThrows(
                TypeMismatchException.class,
                () -> runtime.invoke(
                        needsAllEqual, FederatedValue.clients(List.of(Tensor.scalar(1f), Tensor.scalar(2f)))));
        assertTrue(e.getMessage().contains("expected float32@CLIENTS but got {float32}@CLIENTS"), e.getMessage());
    }

    @Test
    void broadcastMapSumAndWeightedMean() {
        Type clientsF32 = FederatedType.clients(F32);
        LocalComputation addOffset = LocalComputation.of(
                "add",
                StructType.of(F32, F32),
                F32,
                v -> Tensor.scalar(((Struct) v).tensor(0).floatValue()
                        + ((Struct) v).tensor(1).floatValue()));
        FederatedComputation comp = FederatedComputation.of(
                "comp",
                StructType.builder()
                        .add("offset", FederatedType.server(F32))
                        .add("values", clientsF32)
                        .add("weights", clientsF32)
                        .build(),
                StructType.builder()
                        .add("sum", FederatedType.server(F32))
                        .add("wmean", FederatedType.server(F32))
                        .build(),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue offset = ctx.federatedBroadcast((FederatedValue) a.get("offset"));
                    FederatedValue shifted =
                            ctx.federatedMap(addOffset, ctx.federatedZip(Struct.of(a.get("values"), offset)));
                    return Struct.named(
                            "sum", ctx.federatedSum(shifted), "wmean", ctx.federatedMean(shifted, (FederatedValue)
                                    a.get("weights")));
                });
        Struct out = (Struct) runtime.invoke(
                comp,
                FederatedValue.server(Tensor.scalar(10f)),
                FederatedValue.clients(List.of(Tensor.scalar(1f), Tensor.scalar(2f), Tensor.scalar(3f))),
                FederatedValue.clients(List.of(Tensor.scalar(1f), Tensor.scalar(0f), Tensor.scalar(3f))));
        assertEquals(36f, ((Tensor) ((ServerValue) out.get("sum")).value()).floatValue());
        assertEquals((11f + 3 * 13f) / 4f, ((Tensor) ((ServerValue) out.get("wmean")).value()).floatValue(), 1e-6);
    }

    @Test
    void aggregateStreamsThroughOneAccumulator() {
        AtomicInteger zeros = new AtomicInteger();
        Aggregation<float[]> max = new Aggregation<>() {
            @Override
            public float[] zero() {
                zeros.incrementAndGet();
                return new float[] {Float.NEGATIVE_INFINITY};
            }

            @Override
            public float[] accumulate(float[] acc, Value v) {
                acc[0] = Math.max(acc[0], ((Tensor) v).floatValue());
                return acc;
            }

            @Override
            public float[] merge(float[] a, float[] b) {
                a[0] = Math.max(a[0], b[0]);
                return a;
            }

            @Override
            public Value report(float[] acc) {
                return Tensor.scalar(acc[0]);
            }
        };
        FederatedComputation comp = FederatedComputation.of(
                "max",
                FederatedType.clients(F32),
                FederatedType.server(F32),
                (ctx, v) -> ctx.federatedAggregate((FederatedValue) v, max));
        AtomicInteger loaded = new AtomicInteger();
        List<String> ids = List.of("a", "b", "c", "d");
        ClientValues lazy = ClientValues.lazy(F32, ids, id -> {
            loaded.incrementAndGet();
            return Tensor.scalar((float) id.charAt(0));
        });
        Value out = runtime.invoke(comp, lazy);
        assertEquals((float) 'd', ((Tensor) ((ServerValue) out).value()).floatValue());
        assertEquals(1, zeros.get());
        assertEquals(4, loaded.get());
    }

    @Test
    void secureSumIsModularAndChecksRange() {
        FederatedComputation comp = FederatedComputation.of(
                "secure",
                FederatedType.clients(I32),
                FederatedType.server(I32),
                (ctx, v) -> ctx.federatedSecureSumBitwidth((FederatedValue) v, 3));
        Value out = runtime.invoke(
                comp, FederatedValue.clients(List.of(Tensor.scalar(5), Tensor.scalar(6), Tensor.scalar(7))));
        assertEquals((5 + 6 + 7) % 8, ((Tensor) ((ServerValue) out).value()).longValue());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> runtime.invoke(comp, FederatedValue.clients(List.of(Tensor.scalar(5), Tensor.scalar(8)))));
        assertTrue(
                e.getMessage().contains("client client_1 (#1) leaf 0 element 0 is 8, outside [0, 8) for bitwidth 3"),
                e.getMessage());
        assertEquals(3 * 3, runtime.communication().records().get(0).bits());
    }

    /**
     * An int32 result holds sums modulo at most 2^31: a wider bitwidth would wrap into negative sums, so it is refused.
     */
    @Test
    void integerSumsRefuseToOverflowNamingTheClient() {
        FederatedComputation sum = FederatedComputation.of(
                "sum32",
                FederatedType.clients(I32),
                FederatedType.server(I32),
                (ctx, v) -> ctx.federatedSum((FederatedValue) v));
        RuntimeException e = assertThrows(
                RuntimeException.class,
                () -> runtime.invoke(
                        sum,
                        FederatedValue.clients(
                                List.of(Tensor.scalar(Integer.MAX_VALUE - 1), Tensor.scalar(1), Tensor.scalar(1)))));
        String message = String.valueOf(e.getMessage()) + " / " + e.getCause();
        assertTrue(message.contains("sum overflows at element 0") && message.contains("(2147483647 + 1)"), message);
        assertTrue(message.contains("#2"), "the client that overflowed is named: " + message);
        Value fits = runtime.invoke(
                sum, FederatedValue.clients(List.of(Tensor.scalar(Integer.MAX_VALUE - 1), Tensor.scalar(1))));
        assertEquals(Integer.MAX_VALUE, ((Tensor) ((ServerValue) fits).value()).longValue());
        TensorType i64 = TensorType.scalar(DType.INT64);
        FederatedComputation sum64 = FederatedComputation.of(
                "sum64",
                FederatedType.clients(i64),
                FederatedType.server(i64),
                (ctx, v) -> ctx.federatedSum((FederatedValue) v));
        assertThrows(
                RuntimeException.class,
                () -> runtime.invoke(
                        sum64, FederatedValue.clients(List.of(Tensor.scalar(Long.MIN_VALUE), Tensor.scalar(-1L)))));
    }

    @Test
    void secureSumOfInt32RefusesBitwidthsTheResultCannotHold() {
        FederatedComputation wide = FederatedComputation.of(
                "secure32",
                FederatedType.clients(I32),
                FederatedType.server(I32),
                (ctx, v) -> ctx.federatedSecureSumBitwidth((FederatedValue) v, 32));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> runtime.invoke(
                        wide, FederatedValue.clients(List.of(Tensor.scalar(Integer.MAX_VALUE), Tensor.scalar(1)))));
        assertTrue(
                e.getMessage().contains("federated_secure_sum_bitwidth: bitwidth 32 does not fit the int32 leaf int32"),
                e.getMessage());
        assertTrue(e.getMessage().contains("at most 31"), e.getMessage());
        assertEquals(0, runtime.communication().recordCount(), "nothing was summed");
        FederatedComputation narrow = FederatedComputation.of(
                "secure31",
                FederatedType.clients(I32),
                FederatedType.server(I32),
                (ctx, v) -> ctx.federatedSecureSumBitwidth((FederatedValue) v, 31));
        Value out = runtime.invoke(
                narrow, FederatedValue.clients(List.of(Tensor.scalar(Integer.MAX_VALUE), Tensor.scalar(2))));
        assertEquals(1, ((Tensor) ((ServerValue) out).value()).longValue(), "(2^31 - 1 + 2) mod 2^31");
        TensorType i64 = TensorType.scalar(DType.INT64);
        FederatedComputation wide64 = FederatedComputation.of(
                "secure40",
                FederatedType.clients(i64),
                FederatedType.server(i64),
                (ctx, v) -> ctx.federatedSecureSumBitwidth((FederatedValue) v, 40));
        Value out64 = runtime.invoke(
                wide64, FederatedValue.clients(List.of(Tensor.scalar((long) Integer.MAX_VALUE), Tensor.scalar((long)
                        Integer.MAX_VALUE))));
        assertEquals(2L * Integer.MAX_VALUE, ((Tensor) ((ServerValue) out64).value()).longValue());
    }

    /** A weighted mean with a negative or NaN weight has no meaning; the intrinsic refuses it and names the client. */
    @Test
    void weightedMeanRefusesNegativeAndNonFiniteWeightsNamingTheClient() {
        Type clientsF32 = FederatedType.clients(F32);
        FederatedComputation wmean = FederatedComputation.of(
                "wmean",
                StructType.builder().add("v", clientsF32).add("w", clientsF32).build(),
                FederatedType.server(F32),
                (ctx, a) -> ctx.federatedMean(
                        (FederatedValue) ((Struct) a).get("v"), (FederatedValue) ((Struct) a).get("w")));
        List<String> ids = List.of("alice", "bob", "carol");
        Value values = ClientValues.of(ids, List.of(Tensor.scalar(1f), Tensor.scalar(2f), Tensor.scalar(3f)));
        for (float bad : new float[] {-1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            Value weights = ClientValues.of(ids, List.of(Tensor.scalar(1f), Tensor.scalar(bad), Tensor.scalar(1f)));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> runtime.invoke(wmean, values, weights));
            assertTrue(
                    e.getMessage()
                            .startsWith("federated_mean: client bob (#1) has weight " + bad
                                    + "; weights must be finite and >= 0"),
                    e.getMessage());
        }
        Value zeroForBob = ClientValues.of(ids, List.of(Tensor.scalar(1f), Tensor.scalar(0f), Tensor.scalar(3f)));
        assertEquals(
                (1f + 9f) / 4f,
                ((Tensor) ((ServerValue) runtime.invoke(wmean, values, zeroForBob)).value()).floatValue());
    }

    @Test
    void valueEvalAndZipPlacements() {
        LocalComputation one = LocalComputation.noArg("one", F32, () -> Tensor.scalar(1f));
        FederatedComputation comp =
                FederatedComputation.of("count", FederatedType.clients(F32), FederatedType.server(F32), (ctx, v) -> {
                    FederatedValue onEach = ctx.federatedEval(one, Placement.CLIENTS);
                    FederatedValue two = ctx.federatedValue(Tensor.scalar(2f), Placement.CLIENTS);
                    assertInstanceOf(AllEqualClientValue.class, two);
                    FederatedValue zipped = ctx.federatedZip(Struct.named("one", onEach, "x", (FederatedValue) v));
                    FederatedValue ones = ctx.federatedField(zipped, "one");
                    return ctx.federatedSum(ones);
                });
        Value out = runtime.invoke(
                comp, FederatedValue.clients(List.of(Tensor.scalar(5f), Tensor.scalar(6f), Tensor.scalar(7f))));
        assertEquals(3f, ((Tensor) ((ServerValue) out).value()).floatValue());
        FederatedComputation mixed = FederatedComputation.of(
                "mixed",
                FederatedType.clients(F32),
                FederatedType.server(F32),
                (ctx, v) -> ctx.federatedZip(Struct.of(v, ctx.federatedValue(Tensor.scalar(1f), Placement.SERVER))));
        TypeMismatchException e = assertThrows(
                TypeMismatchException.class,
                () -> runtime.invoke(mixed, FederatedValue.clients(List.of(Tensor.scalar(5f)))));
        assertTrue(
                e.getMessage().contains("federated_zip: field #1 is at SERVER but earlier fields are at CLIENTS"),
                e.getMessage());
    }

    @Test
    void clientFailureNamesIntrinsicAndClient() {
        LocalComputation failsOnThird = LocalComputation.withContext("fragile", F32, F32, (v, ctx) -> {
            if (ctx.clientIndex() == 2) {
                throw new IllegalStateException("disk on fire");
            }
            return v;
        });
        FederatedComputation comp = FederatedComputation.of(
                "comp",
                FederatedType.clients(F32),
                FederatedType.server(F32),
                (ctx, v) -> ctx.federatedSum(ctx.federatedMap(failsOnThird, (FederatedValue) v)));
        ClientWorkException e = assertThrows(
                ClientWorkException.class,
                () -> runtime.invoke(
                        comp,
                        ClientValues.of(
                                List.of("alice", "bob", "carol", "dave"),
                                List.of(Tensor.scalar(1f), Tensor.scalar(2f), Tensor.scalar(3f), Tensor.scalar(4f)))));
        assertEquals("federated_map", e.intrinsic());
        assertEquals("carol", e.clientId());
        assertTrue(
                e.getMessage()
                        .startsWith("federated_map: client carol (#2) failed: java.lang.IllegalStateException: disk on "
                                + "fire"),
                e.getMessage());
        assertEquals(0, runtime.communication().recordCount(), "nothing was aggregated after the failed map");
    }

    @Test
    void nonFederatedValueWhereFederatedIsNeeded() {
        FederatedComputation comp = FederatedComputation.of(
                "comp",
                F32,
                FederatedType.server(F32),
                (ctx, v) -> ctx.federatedSum((FederatedValue) ctx.federatedValue(v, Placement.SERVER)));
        TypeMismatchException e =
                assertThrows(TypeMismatchException.class, () -> runtime.invoke(comp, Tensor.scalar(1f)));
        assertEquals("federated_sum: expected {T}@CLIENTS but got float32@SERVER", e.getMessage());
        FederatedComputation broadcastsClients = FederatedComputation.of(
                "b",
                FederatedType.clients(F32),
                FederatedType.clientsAllEqual(F32),
                (ctx, v) -> ctx.federatedBroadcast((FederatedValue) v));
        TypeMismatchException b = assertThrows(
                TypeMismatchException.class,
                () -> runtime.invoke(broadcastsClients, FederatedValue.clients(List.of(Tensor.scalar(1f)))));
        assertEquals("federated_broadcast: expected T@SERVER but got {float32}@CLIENTS", b.getMessage());
    }

    @Test
    void broadcastWithoutClientsIsAClearError() {
        FederatedComputation comp = FederatedComputation.of(
                "b",
                FederatedType.server(F32),
                FederatedType.clientsAllEqual(F32),
                (ctx, v) -> ctx.federatedBroadcast((FederatedValue) v));
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> runtime.invoke(comp, FederatedValue.server(Tensor.scalar(1f))));
        assertTrue(e.getMessage().contains("number of clients is unknown"), e.getMessage());
    }

    @Test
    void resultTypeIsChecked() {
        FederatedComputation lies = FederatedComputation.of(
                "lies",
                FederatedType.clients(F32),
                FederatedType.server(I32),
                (ctx, v) -> ctx.federatedSum((FederatedValue) v));
        TypeMismatchException e = assertThrows(
                TypeMismatchException.class,
                () -> runtime.invoke(lies, FederatedValue.clients(List.of(Tensor.scalar(1f)))));
        assertEquals(
                "federated computation 'lies' result: expected int32@SERVER but got float32@SERVER", e.getMessage());
    }

    @Test
    void workerResourcesAreMadeOncePerWorkerReusedAndClosedWithTheRuntime() {
        java.util.Set<Integer> workersSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<AtomicInteger> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger closed = new AtomicInteger();
        LocalComputation usesSession = LocalComputation.withContext("uses_session", F32, F32, (v, ctx) -> {
            workersSeen.add(ctx.workerIndex());
            AtomicInteger uses = ctx.workerResource("session", () -> {
                AtomicInteger counter = new AtomicInteger();
                made.add(counter);
                return counter;
            });
            uses.incrementAndGet();
            ctx.workerResource("closeable", () -> (AutoCloseable) closed::incrementAndGet);
            return v;
        });
        FederatedComputation comp = FederatedComputation.of(
                "comp",
                FederatedType.clients(F32),
                FederatedType.server(F32),
                (ctx, v) -> ctx.federatedSum(ctx.federatedMap(usesSession, (FederatedValue) v)));
        LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build();
        List<Value> values = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            values.add(Tensor.scalar((float) i));
        }
        for (int round = 0; round < 3; round++) {
            rt.invoke(comp, FederatedValue.clients(values));
        }
        assertTrue(
                made.size() <= 2 && made.size() == workersSeen.size(), "one resource per worker, got " + made.size());
        assertEquals(36, made.stream().mapToInt(AtomicInteger::get).sum());
        assertEquals(0, closed.get());
        rt.close();
        assertEquals(made.size(), closed.get());
    }
}
