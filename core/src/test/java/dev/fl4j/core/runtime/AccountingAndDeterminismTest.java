package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.fl4j.core.random.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AccountingAndDeterminismTest {

    private static final TensorType VEC = new TensorType(DType.FLOAT32, 1000);
    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    /** Broadcast a 1000-float model, each client adds its own noise (seeded by client), mean back. */
    private static FederatedComputation round() {
        LocalComputation perturb = LocalComputation.of(
                "perturb",
                StructType.builder().add("model", VEC).add("seed", I32).build(),
                VEC,
                v -> {
                    Struct s = (Struct) v;
                    float[] w = s.tensor("model").toFloatArray();
                    SplittableRandom r = new SplittableRandom(
                            Seeds.derive(42, s.tensor("seed").longValue()));
                    for (int i = 0; i < w.length; i++) {
                        w[i] += (float) r.nextGaussian() * 0.1f;
                    }
                    return Tensor.of(w, w.length);
                });
        return FederatedComputation.of(
                "round",
                StructType.builder()
                        .add("model", FederatedType.server(VEC))
                        .add("seeds", FederatedType.clients(I32))
                        .build(),
                FederatedType.server(VEC),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue model = ctx.federatedBroadcast((FederatedValue) a.get("model"));
                    FederatedValue updates = ctx.federatedMap(
                            perturb, ctx.federatedZip(Struct.named("model", model, "seed", a.get("seeds"))));
                    return ctx.federatedMean(updates);
                });
    }

    private static Value clientSeeds(int n) {
        List<Value> seeds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            seeds.add(Tensor.scalar(i));
        }
        return FederatedValue.clients(seeds);
    }

    @Test
    void countsBroadcastAndAggregatedBitsOfKnownSize() {
        try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build()) {
            runtime.invoke(round(), FederatedValue.server(Tensor.zeros(DType.FLOAT32, 1000)), clientSeeds(10));
            assertEquals(1000L * 32 * 10, runtime.communication().broadcastBits());
            assertEquals(1000L * 32 * 10, runtime.communication().aggregatedBits());
            CommunicationSnapshot first = runtime.communication().snapshot();
            runtime.invoke(round(), FederatedValue.server(Tensor.zeros(DType.FLOAT32, 1000)), clientSeeds(3));
            CommunicationSnapshot delta = runtime.communication().snapshot().minus(first);
            assertEquals(1000L * 32 * 3, delta.broadcastBits());
            List<TrafficRecord> records = runtime.communication().records();
            assertEquals(4, records.size());
            assertEquals(new TrafficRecord("federated_broadcast", Direction.BROADCAST, 10, 320_000), records.get(0));
            assertEquals(new TrafficRecord("federated_mean", Direction.AGGREGATION, 10, 320_000), records.get(1));
        }
    }

    @Test
    void formatsBitsAsTheTutorials() {
        assertEquals("507.62Mibit", BitFormat.format(1_663_370L * 32 * 10));
        assertEquals("1015.24Mibit", BitFormat.format(1_663_370L * 32 * 20));
        assertEquals("1.49Gibit", BitFormat.format(1_663_370L * 32 * 30));
        assertEquals("12.00bit", BitFormat.format(12));
        assertEquals("1.00Kibit", BitFormat.format(1024));
    }

    @Test
    void sameInputsGiveBitwiseSameResultsForAnyWorkerCount() {
        float[] one = runWith(1);
        float[] two = runWith(2);
        float[] five = runWith(5);
        assertEquals(java.util.Arrays.toString(one), java.util.Arrays.toString(two));
        assertEquals(java.util.Arrays.toString(one), java.util.Arrays.toString(five));
        for (int i = 0; i < one.length; i++) {
            assertEquals(Float.floatToRawIntBits(one[i]), Float.floatToRawIntBits(five[i]));
        }
        assertNotEquals(0f, one[0]);
    }

    private static float[] runWith(int workers) {
        try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(workers).build()) {
            Value model = FederatedValue.server(Tensor.zeros(DType.FLOAT32, 1000));
            for (int r = 0; r < 3; r++) {
                model = runtime.invoke(round(), model, clientSeeds(23));
            }
            return ((Tensor) ((ServerValue) model).value()).floatData();
        }
    }

    /**
     * Client i sends a float32 vector whose elements are not exact in binary; the exact sum is kept as a BigDecimal.
     */
    private static float[] clientValue(int i) {
        return new float[] {0.1f, (float) (0.1 + (i % 7) * 0.013), (float) (1e3 + i % 11)};
    }

    private static double relativeErrorInUlps(float got, java.math.BigDecimal exact) {
        float rounded = exact.floatValue();
        return Math.abs(new java.math.BigDecimal(got).subtract(exact).doubleValue()) / Math.ulp(rounded);
    }

    /**
     * A float32 sum over many clients used to accumulate in float32, so its error grew with the
     * number of clients (100,000 clients of 0.1f summed to about 1% off). The accumulator now keeps
     * the running sum in double and rounds once: whatever the client count, the sum is within one
     * float32 ulp of the exact sum, and a mean of equal values is that value.
     */
    @Test
    void float32SumAndMeanErrorDoesNotGrowWithTheClientCount() {
        TensorType vec3 = new TensorType(DType.FLOAT32, 3);
        FederatedComputation sum = FederatedComputation.of(
                "sum",
                FederatedType.clients(vec3),
                FederatedType.server(vec3),
                (ctx, v) -> ctx.federatedSum((FederatedValue) v));
        FederatedComputation mean = FederatedComputation.of(
                "mean",
                FederatedType.clients(vec3),
                FederatedType.server(vec3),
                (ctx, v) -> ctx.federatedMean((FederatedValue) v));
        FederatedComputation weightedMean = FederatedComputation.of(
                "weighted_mean",
                StructType.builder()
                        .add("v", FederatedType.clients(vec3))
                        .add("w", FederatedType.clients(TensorType.scalar(DType.FLOAT32)))
                        .build(),
                FederatedType.server(vec3),
                (ctx, a) -> ctx.federatedMean(
                        (FederatedValue) ((Struct) a).get("v"), (FederatedValue) ((Struct) a).get("w")));
        try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build()) {
            for (int n : new int[] {10, 1_000, 100_000}) {
                List<String> ids = new ArrayList<>();
                java.math.BigDecimal[] exact = new java.math.BigDecimal[3];
                java.util.Arrays.fill(exact, java.math.BigDecimal.ZERO);
                for (int i = 0; i < n; i++) {
                    ids.add("c" + i);
                    float[] v = clientValue(i);
                    for (int j = 0; j < 3; j++) {
                        exact[j] = exact[j].add(new java.math.BigDecimal(v[j]));
                    }
                }
                Value values = dev.fl4j.core.ClientValues.lazy(
                        vec3, ids, id -> Tensor.of(clientValue(Integer.parseInt(id.substring(1))), 3));
                float[] got = ((Tensor) ((ServerValue) runtime.invoke(sum, values)).value()).floatData();
                for (int j = 0; j < 3; j++) {
                    double ulps = relativeErrorInUlps(got[j], exact[j]);
                    assertTrue(
                            ulps <= 0.5,
                            n + " clients, element " + j + ": sum " + got[j] + " is " + ulps + " ulp from the exact "
                                    + exact[j]);
                }
                Value constant = dev.fl4j.core.ClientValues.lazy(vec3, ids, id -> Tensor.vector(0.1f, 0.7f, 1e-3f));
                Value ones =
                        dev.fl4j.core.ClientValues.lazy(TensorType.scalar(DType.FLOAT32), ids, id -> Tensor.scalar(1f));
                assertArrayEquals(
                        new float[] {0.1f, 0.7f, 1e-3f},
                        ((Tensor) ((ServerValue) runtime.invoke(mean, constant)).value()).floatData(),
                        n + " clients: the mean of equal values is that value");
                assertArrayEquals(
                        new float[] {0.1f, 0.7f, 1e-3f},
                        ((Tensor) ((ServerValue) runtime.invoke(weightedMean, constant, ones)).value()).floatData(),
                        n + " clients: the weighted mean of equal values is that value");
            }
        }
    }

    /** The double accumulator folds in client order, so a large round is bitwise the same for any worker count. */
    @Test
    void manyClientSumsAreBitwiseTheSameForAnyWorkerCount() {
        TensorType vec3 = new TensorType(DType.FLOAT32, 3);
        LocalComputation identity = LocalComputation.of("id", vec3, vec3, v -> v);
        FederatedComputation sum = FederatedComputation.of(
                "sum",
                FederatedType.clients(vec3),
                FederatedType.server(vec3),
                (ctx, v) -> ctx.federatedSum(ctx.federatedMap(identity, (FederatedValue) v)));
        List<Value> values = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            values.add(Tensor.of(clientValue(i), 3));
        }
        float[] reference = null;
        for (int workers : new int[] {1, 2, 5}) {
            try (LocalRuntime runtime =
                    LocalRuntime.builder().optWorkers(workers).build()) {
                float[] got = ((Tensor) ((ServerValue) runtime.invoke(sum, FederatedValue.clients(values))).value())
                        .floatData();
                if (reference == null) {
                    reference = got;
                }
                for (int j = 0; j < 3; j++) {
                    assertEquals(
                            Float.floatToRawIntBits(reference[j]),
                            Float.floatToRawIntBits(got[j]),
                            workers + " workers, element " + j);
                }
            }
        }
    }
}
