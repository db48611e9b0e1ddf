package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.Aggregation;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Rounds on the local runtime fold each client's result as it finishes: bounded memory, client
 * order, one pass feeding every aggregation of the same client work, nothing applied on failure.
 */
class StreamingRoundTest {

    private static final TensorType I32 = TensorType.scalar(DType.INT32);
    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final TensorType VEC = new TensorType(DType.FLOAT32, 64);
    private static final StructType UPDATE = StructType.builder()
            .add("update", VEC)
            .add("weight", F32)
            .add("index", I32)
            .build();

    private static Value clients(int n) {
        List<Value> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(Tensor.scalar(i));
        }
        return FederatedValue.clients(ids);
    }

    /**
     * A client's "training": uneven work, then an update whose values vary in magnitude (float sums depend on order).
     */
    private static LocalComputation train(
            AtomicInteger started, AtomicInteger folded, AtomicInteger peakUnfolded, AtomicInteger calls) {
        return LocalComputation.of("train", I32, UPDATE, v -> {
            int i = (int) ((Tensor) v).longValue();
            calls.incrementAndGet();
            peakUnfolded.accumulateAndGet(started.incrementAndGet() - folded.get(), Math::max);
            LockSupport.parkNanos(((i * 7919L) % 13 + 1) * 40_000L);
            float[] u = new float[64];
            for (int j = 0; j < u.length; j++) {
                u[j] = (float) Math.pow(10, (i * 31 + j) % 9 - 4) * ((i + j) % 3 - 1);
            }
            return Struct.named(
                    "update", Tensor.of(u, u.length), "weight", Tensor.scalar(1f + i % 5), "index", Tensor.scalar(i));
        });
    }

    /** Records the order clients are folded in and counts them as folded. */
    private static Aggregation<List<Integer>> order(AtomicInteger folded) {
        return new Aggregation<>() {
            @Override
            public List<Integer> zero() {
                return new ArrayList<>();
            }

            @Override
            public List<Integer> accumulate(List<Integer> acc, Value v) {
                acc.add((int) ((Tensor) v).longValue());
                folded.incrementAndGet();
                return acc;
            }

            @Override
            public List<Integer> merge(List<Integer> a, List<Integer> b) {
                a.addAll(b);
                return a;
            }

            @Override
            public Value report(List<Integer> acc) {
                int[] out = acc.stream().mapToInt(Integer::intValue).toArray();
                return Tensor.of(out, out.length);
            }
        };
    }

    private record Round(FederatedComputation computation, AtomicInteger peakUnfolded, AtomicInteger calls) {}

    /** Sum, weighted mean and the folding order of one client map, as a learning round consumes its client work. */
    private static Round round(int n) {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger folded = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        LocalComputation train = train(started, folded, peak, calls);
        Aggregation<List<Integer>> order = order(folded);
        FederatedComputation c = FederatedComputation.of(
                "streamed_round",
                FederatedType.clients(I32),
                StructType.builder()
                        .add("sum", FederatedType.server(VEC))
                        .add("mean", FederatedType.server(VEC))
                        .add("order", FederatedType.server(new TensorType(DType.INT32, n)))
                        .build(),
                (ctx, arg) -> {
                    FederatedValue updates = ctx.federatedMap(train, (FederatedValue) arg);
                    FederatedValue update = ctx.federatedField(updates, "update");
                    FederatedValue sum = ctx.federatedSum(update);
                    FederatedValue mean = ctx.federatedMean(update, ctx.federatedField(updates, "weight"));
                    FederatedValue seen = ctx.federatedAggregate(ctx.federatedField(updates, "index"), order);
                    return Struct.named("sum", sum, "mean", mean, "order", seen);
                });
        return new Round(c, peak, calls);
    }

    @Test
    void aRoundHoldsAtMostTwiceTheWorkersClientResultsAndFoldsThemInClientOrder() {
        int n = 400;
        for (int workers = 1; workers <= 3; workers++) {
            Round r = round(n);
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(workers).build()) {
                Struct out = (Struct) rt.invoke(r.computation(), clients(n));
                int[] order = ((Tensor) ((ServerValue) out.get("order")).value()).intData();
                for (int i = 0; i < n; i++) {
                    assertEquals(i, order[i], "folding order");
                }
                assertTrue(
                        r.peakUnfolded().get() <= 2 * workers,
                        workers + " workers: " + r.peakUnfolded().get()
                                + " clients were started and not folded at once");
                assertEquals(n, r.calls().get(), "each client's work runs once for all three aggregations");
            }
        }
    }

    @Test
    void eachAggregationCountsItsTrafficWhenItsFoldFinishesInTheOrderTheComputationCalledThem() {
        int n = 20;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            rt.invoke(round(n).computation(), clients(n));
            assertEquals(
                    List.of(
                            new TrafficRecord("federated_sum", Direction.AGGREGATION, n, n * 64L * 32),
                            new TrafficRecord("federated_mean", Direction.AGGREGATION, n, n * (64L * 32 + 32)),
                            new TrafficRecord("federated_aggregate", Direction.AGGREGATION, n, n * 32L)),
                    rt.communication().records());
        }
    }

    @Test
    void resultsAreBitwiseTheSameForAnyNumberOfWorkersAndEqualToTheSequentialFold() {
        int n = 150;
        List<Struct> results = new ArrayList<>();
        for (int workers = 1; workers <= 3; workers++) {
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(workers).build()) {
                results.add((Struct) rt.invoke(round(n).computation(), clients(n)));
            }
        }
        // the reference: every client's update added in client order, on one thread
        SumAccumulator reference = new SumAccumulator("reference");
        for (int i = 0; i < n; i++) {
            Struct u =
                    (Struct) train(new AtomicInteger(), new AtomicInteger(), new AtomicInteger(), new AtomicInteger())
                            .call(Tensor.scalar(i));
            reference.add(u.tensor("update"), 1.0);
        }
        float[] expected = ((Tensor) reference.sum()).floatData();
        for (Struct s : results) {
            float[] sum = ((Tensor) ((ServerValue) s.get("sum")).value()).floatData();
            for (int j = 0; j < expected.length; j++) {
                assertEquals(Float.floatToIntBits(expected[j]), Float.floatToIntBits(sum[j]), "sum element " + j);
            }
            assertEquals(results.get(0), s);
        }
    }

    @Test
    void aFailingClientIsNamedAndTheRoundChangesNothing() {
        LocalComputation stateful = LocalComputation.withContext("train_with_state", I32, F32, (v, client) -> {
            int i = (int) ((Tensor) v).longValue();
            client.setClientState("seen", Tensor.scalar(i));
            if (i == 23) {
                throw new IllegalStateException("diverged");
            }
            return Tensor.scalar((float) i);
        });
        FederatedComputation c = FederatedComputation.of(
                "failing_round", FederatedType.clients(I32), FederatedType.server(F32), (ctx, arg) -> {
                    FederatedValue x = ctx.federatedMap(stateful, (FederatedValue) arg);
                    ctx.federatedSum(x);
                    return ctx.federatedMean(x);
                });
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(3).build()) {
            ClientWorkException e = assertThrows(ClientWorkException.class, () -> rt.invoke(c, clients(100)));
            assertEquals("client_23", e.clientId());
            assertEquals("federated_map", e.intrinsic());
            assertTrue(e.getMessage().contains("diverged"), e.getMessage());
            assertEquals(0, rt.clientStates().size(), "no client's state is applied");
            assertEquals(0, rt.communication().recordCount(), "no aggregation is counted");
        }
    }

    @Test
    void aComputationReturningClientValuesGetsEveryMember() {
        LocalComputation twice =
                LocalComputation.of("twice", I32, I32, v -> Tensor.scalar((int) ((Tensor) v).longValue() * 2));
        FederatedComputation c = FederatedComputation.of(
                "map_and_sum",
                FederatedType.clients(I32),
                StructType.builder()
                        .add("mapped", FederatedType.clients(I32))
                        .add("sum", FederatedType.server(I32))
                        .build(),
                (ctx, arg) -> {
                    FederatedValue m = ctx.federatedMap(twice, (FederatedValue) arg);
                    return Struct.named("mapped", m, "sum", ctx.federatedSum(m));
                });
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            Struct out = (Struct) rt.invoke(c, clients(10));
            ClientValues mapped = assertInstanceOf(ClientValues.class, out.get("mapped"));
            for (int i = 0; i < 10; i++) {
                assertEquals(2 * i, ((Tensor) mapped.member(i)).longValue());
            }
            assertEquals(90, ((Tensor) ((ServerValue) out.get("sum")).value()).longValue());
        }
    }

    @Test
    void aConsumerCreatedAfterItsClientWorkWasFoldedIsRefusedWithTheReason() {
        LocalComputation id = LocalComputation.of("identity", I32, I32, v -> v);
        FederatedComputation c = FederatedComputation.of(
                "two_passes", FederatedType.clients(I32), FederatedType.server(I32), (ctx, arg) -> {
                    FederatedValue m = ctx.federatedMap(id, (FederatedValue) arg);
                    FederatedValue first = ctx.federatedSum(m);
                    ctx.federatedBroadcast(first);
                    return ctx.federatedSum(m);
                });
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> rt.invoke(c, clients(5)));
            assertTrue(
                    e.getMessage()
                            .contains("federated_sum: the clients' results of federated_map of 'identity' were already "
                                    + "folded"),
                    e.getMessage());
        }
    }

    @Test
    void aggregationsOverValuesAtHandStillRunAtOnce() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        FederatedComputation c = FederatedComputation.of(
                "eager_sum", FederatedType.clients(I32), FederatedType.server(I32), (ctx, arg) -> {
                    FederatedValue s = ctx.federatedSum((FederatedValue) arg);
                    events.add(((ServerValue) s).isComputed() ? "computed" : "deferred");
                    return s;
                });
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            assertEquals(10, ((Tensor) ((ServerValue) rt.invoke(c, clients(5))).value()).longValue());
        }
        assertEquals(List.of("computed"), events);
    }
}
