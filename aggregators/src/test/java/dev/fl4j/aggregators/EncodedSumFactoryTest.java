package dev.fl4j.aggregators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.compression.Encoders;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.runtime.TrafficRecord;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.core.types.StructType;
import dev.fl4j.core.types.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EncodedSumFactoryTest {

    static final int N = 30_000;
    static final StructType MODEL = StructType.builder().add("w", new TensorType(DType.FLOAT32, N)).add("b", new TensorType(DType.FLOAT32, 3)).build();
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
        AggregationProcess p = EncodedSumFactory.quantizeAboveThreshold(8, 20_000).create(MODEL);
        FederatedValue values = updates(3);
        MeasuredProcessOutput out = p.next(runtime, p.initialize(runtime), values);
        Struct sum = (Struct) ((ServerValue) out.result()).value();
        float[] exact = new float[N];
        for (int c = 0; c < 3; c++) {
            float[] w = ((Struct) ((dev.fl4j.core.ClientValues) values).member(c)).tensor("w").floatData();
            for (int i = 0; i < N; i++) {
                exact[i] += w[i];
            }
        }
        double maxError = 0;
        for (int i = 0; i < N; i++) {
            maxError = Math.max(maxError, Math.abs(sum.tensor("w").floatData()[i] - exact[i]));
        }
        assertTrue(maxError <= 3 * 2.0 / 255 + 1e-5, "each client's element is within one quantization step (range/255): " + maxError);
        assertTrue(maxError > 0, "8-bit quantization is lossy");
        assertArrayEquals(new float[] {3, 6, 1.5f}, sum.tensor("b").floatData(), "small tensors cross unencoded");
        TrafficRecord aggregate = runtime.communication().records().stream().filter(r -> r.intrinsic().equals("federated_aggregate")).findFirst()
                .orElseThrow();
        // per client: w as header (4 + 4·rank + 2 stages = 10) + 9 + 30,000 bytes, b as 3 float32
        assertEquals(3L * ((10 + 9 + N) * 8L + 3 * 32L), aggregate.bits());
    }

    @Test
    void sameRunSameResult() {
        EncodedSumFactory f = EncodedSumFactory.quantizeAboveThreshold(4, 1000).withSeed(42);
        AggregationProcess p = f.create(MODEL);
        FederatedValue values = updates(2);
        Value a = p.next(runtime, p.initialize(runtime), values).result();
        Value b = p.next(runtime, p.initialize(runtime), values).result();
        assertEquals(a, b);
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> EncodedSumFactory.quantizeAboveThreshold(0, 10));
        IllegalArgumentException stateful = assertThrows(IllegalArgumentException.class,
                () -> EncodedSumFactory.of(Encoders.parse("topk:0.1@10")).create(MODEL));
        assertTrue(stateful.getMessage().contains("needs a stateless encoder"), stateful.getMessage());
        assertThrows(dev.fl4j.core.types.TypeMismatchException.class,
                () -> EncodedSumFactory.quantizeAboveThreshold(8, 10).create(TensorType.scalar(DType.INT32)));
    }
}
