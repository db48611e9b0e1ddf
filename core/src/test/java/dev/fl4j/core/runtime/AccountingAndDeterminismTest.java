package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Seeds;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.types.FederatedType;
import dev.fl4j.core.types.StructType;
import dev.fl4j.core.types.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AccountingAndDeterminismTest {

    private static final TensorType VEC = new TensorType(DType.FLOAT32, 1000);
    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    /** Broadcast a 1000-float model, each client adds its own noise (seeded by client), mean back. */
    private static FederatedComputation round() {
        LocalComputation perturb = LocalComputation.of("perturb", StructType.builder().add("model", VEC).add("seed", I32).build(), VEC, v -> {
            Struct s = (Struct) v;
            float[] w = s.tensor("model").toFloatArray();
            SplittableRandom r = new SplittableRandom(Seeds.derive(42, s.tensor("seed").longValue()));
            for (int i = 0; i < w.length; i++) {
                w[i] += (float) r.nextGaussian() * 0.1f;
            }
            return Tensor.of(w, w.length);
        });
        return FederatedComputation.of("round",
                StructType.builder().add("model", FederatedType.server(VEC)).add("seeds", FederatedType.clients(I32)).build(),
                FederatedType.server(VEC),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue model = ctx.federatedBroadcast((FederatedValue) a.get("model"));
                    FederatedValue updates = ctx.federatedMap(perturb, ctx.federatedZip(Struct.named("model", model, "seed", a.get("seeds"))));
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
            round().invoke(runtime, FederatedValue.server(Tensor.zeros(DType.FLOAT32, 1000)), clientSeeds(10));
            assertEquals(1000L * 32 * 10, runtime.communication().broadcastBits());
            assertEquals(1000L * 32 * 10, runtime.communication().aggregatedBits());
            CommunicationSnapshot first = runtime.communication().snapshot();
            round().invoke(runtime, FederatedValue.server(Tensor.zeros(DType.FLOAT32, 1000)), clientSeeds(3));
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
                model = round().invoke(runtime, model, clientSeeds(23));
            }
            return ((Tensor) ((ServerValue) model).value()).floatData();
        }
    }
}
