package dev.fl4j.aggregators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.compression.Encoders;
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
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.runtime.TrafficRecord;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EncodedSumFactoryTest {

    static final int N = 30_000;
    static final StructType MODEL = StructType.builder()
            .add("w", new TensorType(DType.FLOAT32, N))
            .add("b", new TensorType(DType.FLOAT32, 3))
            .build();
    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    static FederatedValue updates(int clients) {
        SplittableRandom random = new SplittableRandom(3);
        List<Value> out = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            float[] w = new float[N];
            for (int i = 0; i < N; i++) {
                w[i] = (float) (random.nextDouble() * 2 - 1);
            }
            out.add(Struct.named("w", Tensor.of(w, N), "b", Tensor.vector(c, 2f * c, 0.5f)));
        }
        return FederatedValue.clients(out);
    }

    @Test
    void quantizedSumIsCloseAndCountsTheEncodedBytes() {
        AggregationProcess p =
                EncodedSumFactory.quantizeAboveThreshold(8, 20_000).create(MODEL);
        FederatedValue values = updates(3);
        MeasuredProcessOutput out = p.next(runtime, p.initialize(runtime), values);
        Struct sum = (Struct) ((ServerValue) out.result()).value();
        float[] exact = new float[N];
        for (int c = 0; c < 3; c++) {
            float[] w = ((Struct) ((dev.fl4j.core.ClientValues) values).member(c))
                    .tensor("w")
                    .floatData();
            for (int i = 0; i < N; i++) {
                exact[i] += w[i];
            }
        }
        double maxError = 0;
        for (int i = 0; i < N; i++) {
            maxError = Math.max(maxError, Math.abs(sum.tensor("w").floatData()[i] - exact[i]));
        }
        assertTrue(
                maxError <= 3 * 2.0 / 255 + 1e-5,
                "each client's element is within one quantization step (range/255): " + maxError);
        assertTrue(maxError > 0, "8-bit quantization is lossy");
        assertArrayEquals(new float[] {3, 6, 1.5f}, sum.tensor("b").floatData(), "small tensors cross unencoded");
        TrafficRecord aggregate = runtime.communication().records().stream()
                .filter(r -> r.intrinsic().equals("federated_aggregate"))
                .findFirst()
                .orElseThrow();
        // per client: w as header (4 + 4·rank + 2 stages = 10) + 9 + 30,000 bytes, b as 3 float32
        assertEquals(3L * ((10 + 9 + N) * 8L + 3 * 32L), aggregate.bits());
    }

    @Test
    void sameRunSameResult() {
        EncodedSumFactory f = EncodedSumFactory.quantizeAboveThreshold(4, 1000).toBuilder()
                .optSeed(42)
                .build();
        AggregationProcess p = f.create(MODEL);
        FederatedValue values = updates(2);
        Value a = p.next(runtime, p.initialize(runtime), values).result();
        Value b = p.next(runtime, p.initialize(runtime), values).result();
        assertEquals(a, b);
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> EncodedSumFactory.quantizeAboveThreshold(0, 10));
        assertThrows(
                IllegalArgumentException.class,
                () -> EncodedSumFactory.of(Encoders.parse("topk:0.1@10")).toBuilder()
                        .optStateKey(" ")
                        .build());
        assertThrows(
                dev.fl4j.core.TypeMismatchException.class,
                () -> EncodedSumFactory.quantizeAboveThreshold(8, 10).create(TensorType.scalar(DType.INT32)));
    }

    /** {@link #updates} for clients with these ids. */
    static ClientValues withIds(String... ids) {
        ClientValues v = (ClientValues) updates(ids.length);
        List<Value> members = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            members.add(v.member(i));
        }
        return ClientValues.of(List.of(ids), members);
    }

    static float[] w(Value serverValue) {
        return ((Struct) ((ServerValue) serverValue).value()).tensor("w").floatData();
    }

    static float[] residual(LocalRuntime rt, EncodedSumFactory f, String client) {
        Struct perLeaf = (Struct) rt.clientStates().get(client, f.stateKey()).orElseThrow();
        Struct stages = (Struct) perLeaf.get(0);
        return ((Tensor) stages.get(0)).floatData();
    }

    /**
     * Error feedback: what a client does not send in a round stays in its residual (client state) and
     * is added to its next update, so over R rounds the server receives every client's total update
     * minus only the residuals still held: sum of results + sum of residuals = R × sum of updates.
     */
    @Test
    void topKErrorFeedbackKeepsEachClientsResidualAcrossRounds() {
        EncodedSumFactory f = EncodedSumFactory.of(Encoders.parse("topk:0.05@1000"));
        assertEquals("encoded_sum/topk:0.05@1000", f.stateKey());
        AggregationProcess p = f.create(MODEL);
        ClientValues twoClients = withIds("a", "b");
        Value state = p.initialize(runtime);
        double[] received = new double[N];
        float[] first = null;
        for (int round = 0; round < 4; round++) {
            MeasuredProcessOutput out = p.next(runtime, state, twoClients);
            state = out.state();
            float[] sum = w(out.result());
            if (first == null) {
                first = sum.clone();
            } else if (round == 1) {
                assertTrue(!java.util.Arrays.equals(first, sum), "the second round sends what the first held back");
            }
            for (int i = 0; i < N; i++) {
                received[i] += sum[i];
            }
        }
        float[] a = residual(runtime, f, "a");
        float[] b = residual(runtime, f, "b");
        float[] wa = ((Struct) twoClients.member(0)).tensor("w").floatData();
        float[] wb = ((Struct) twoClients.member(1)).tensor("w").floatData();
        double maxError = 0;
        double residualNorm = 0;
        for (int i = 0; i < N; i++) {
            maxError = Math.max(maxError, Math.abs(received[i] + a[i] + b[i] - 4.0 * (wa[i] + wb[i])));
            residualNorm += a[i] * a[i];
        }
        assertTrue(maxError < 1e-4, "error feedback loses nothing: " + maxError);
        assertTrue(residualNorm > 1, "5% per round leaves most of the update in the residual: " + residualNorm);

        // a round with only client b: a's residual stays as it was
        p.next(runtime, state, ClientValues.of(List.of("b"), List.of(twoClients.member(1))));
        assertArrayEquals(a, residual(runtime, f, "a"));
        assertTrue(!java.util.Arrays.equals(b, residual(runtime, f, "b")));
        assertEquals(2, runtime.clientStates().size(), "one state per client; the small leaf b keeps no state");
    }

    @Test
    void twoStatefulSumsWithOneKeyAreRefusedUntilGivenTheirOwnKeys() {
        EncodedSumFactory f = EncodedSumFactory.of(Encoders.parse("randk-ef:0.1@1000"));
        AggregationProcess one = f.create(MODEL);
        AggregationProcess other = f.create(MODEL);
        FederatedComputation both = FederatedComputation.of(
                "both", FederatedType.clients(MODEL), FederatedType.server(MODEL), (ctx, arg) -> {
                    FederatedValue x =
                            ctx.federatedMap(LocalComputation.of("id", MODEL, MODEL, v -> v), (FederatedValue) arg);
                    Value s1 = ctx.invoke(
                            one.nextComputation(), Struct.of(ctx.invoke(one.initializeComputation(), null), x));
                    ctx.invoke(other.nextComputation(), Struct.of(ctx.invoke(other.initializeComputation(), null), x));
                    return ((MeasuredProcessOutput) s1).result();
                });
        ClientValues values = withIds("a");
        dev.fl4j.core.computation.ClientWorkException e =
                assertThrows(dev.fl4j.core.computation.ClientWorkException.class, () -> runtime.invoke(both, values));
        assertTrue(
                e.getCause().getMessage().contains("wrote its state 'encoded_sum/randk-ef:0.1@1000' twice"),
                e.getCause().getMessage());
        assertEquals(0, runtime.clientStates().size(), "the failed invocation wrote nothing");
        AggregationProcess second = f.toBuilder().optStateKey("second").build().create(MODEL);
        FederatedComputation separate = FederatedComputation.of(
                "separate", FederatedType.clients(MODEL), FederatedType.server(MODEL), (ctx, arg) -> {
                    Value s1 = ctx.invoke(
                            one.nextComputation(), Struct.of(ctx.invoke(one.initializeComputation(), null), arg));
                    ctx.invoke(
                            second.nextComputation(), Struct.of(ctx.invoke(second.initializeComputation(), null), arg));
                    return ((MeasuredProcessOutput) s1).result();
                });
        runtime.invoke(separate, values);
        assertEquals(2, runtime.clientStates().size());
    }

    /** The adaptive quantizer's moving range is per client too: each client's state follows its own updates. */
    @Test
    void adaptiveRangesAreKeptPerClient() {
        EncodedSumFactory f = EncodedSumFactory.of(Encoders.parse("adaptive-uniform:4@1000"));
        AggregationProcess p = f.create(MODEL);
        ClientValues values = withIds("a", "b");
        Value state = p.initialize(runtime);
        for (int round = 0; round < 2; round++) {
            MeasuredProcessOutput out = p.next(runtime, state, values);
            state = out.state();
            float[] exact = new float[N];
            for (int c = 0; c < 2; c++) {
                float[] w = ((Struct) values.member(c)).tensor("w").floatData();
                for (int i = 0; i < N; i++) {
                    exact[i] += w[i];
                }
            }
            float[] sum = w(out.result());
            double err = 0;
            for (int i = 0; i < N; i++) {
                err = Math.max(err, Math.abs(sum[i] - exact[i]));
            }
            assertTrue(
                    err < 1.0,
                    "4-bit quantization of values in [-1, 1] for two clients stays within a step each: " + err);
        }
        Value initial = Encoders.parse("adaptive-uniform:4@1000").initialState(MODEL);
        Value a = runtime.clientStates().get("a", f.stateKey()).orElseThrow();
        Value b = runtime.clientStates().get("b", f.stateKey()).orElseThrow();
        assertTrue(
                !a.equals(initial) && !b.equals(initial) && !a.equals(b),
                "each client's ranges moved, each its own way");
    }

    @Test
    void aStateOfTheWrongShapeUnderTheKeyIsAClearError() {
        EncodedSumFactory f = EncodedSumFactory.of(Encoders.parse("topk:0.1@1000"));
        AggregationProcess p = f.create(MODEL);
        ClientValues one = withIds("a");
        p.next(runtime, p.initialize(runtime), one);
        StructType bigger = StructType.builder()
                .add("w", new TensorType(DType.FLOAT32, N + 1))
                .add("b", new TensorType(DType.FLOAT32, 3))
                .build();
        AggregationProcess q = f.create(bigger);
        Value v = Struct.named("w", Tensor.zeros(DType.FLOAT32, N + 1), "b", Tensor.vector(0f, 0f, 0f));
        dev.fl4j.core.computation.ClientWorkException e = assertThrows(
                dev.fl4j.core.computation.ClientWorkException.class,
                () -> q.next(runtime, q.initialize(runtime), ClientValues.of(List.of("a"), List.of(v))));
        assertTrue(
                e.getCause().getMessage().contains("client 'a' has state 'encoded_sum/topk:0.1@1000' of type"),
                e.getCause().getMessage());
    }
}
