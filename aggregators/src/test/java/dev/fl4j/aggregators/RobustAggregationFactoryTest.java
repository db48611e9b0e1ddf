package dev.fl4j.aggregators;

import static dev.fl4j.aggregators.Fixtures.F32;
import static dev.fl4j.aggregators.Fixtures.VEC2;
import static dev.fl4j.aggregators.Fixtures.measurement;
import static dev.fl4j.aggregators.Fixtures.server;
import static dev.fl4j.aggregators.Fixtures.vectors;
import static dev.fl4j.aggregators.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RobustAggregationFactoryTest {

    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private MeasuredProcessOutput run(AggregationProcess p, FederatedValue values) {
        return p.next(runtime, p.initialize(runtime), values);
    }

    @Test
    void medianAndTrimmedMeanByHand() {
        FederatedValue v = vectors(
                new float[] {1, 10}, new float[] {2, 20}, new float[] {3, 30}, new float[] {100, -100}, new float[] {
                    4, 40
                });
        assertArrayEquals(
                new float[] {3, 20},
                server(run(RobustAggregationFactory.median().create(VEC2), v).result()));
        // β = 0.2, n = 5: drop one from each end -> mean of {2,3,4} and {10,20,30}
        assertArrayEquals(
                new float[] {3, 20},
                server(run(RobustAggregationFactory.trimmedMean(0.2).create(VEC2), v)
                        .result()),
                1e-6f);
        MeasuredProcessOutput out =
                run(RobustAggregationFactory.trimmedMean(0.2).create(VEC2), v);
        assertEquals(5.0, measurement(out.measurements(), "robust_clients"));
        assertEquals(1.0, measurement(out.measurements(), "robust_max_faulty"));
    }

    @Test
    void krumPicksTheUpdateClosestToItsNeighbours() {
        // f = 1, n = 5 >= 2f + 3: scores count n - f - 2 = 2 nearest neighbours
        FederatedValue v = vectors(
                new float[] {0, 0}, new float[] {1, 0}, new float[] {0, 1}, new float[] {0.4f, 0.4f}, new float[] {
                    50, 50
                });
        assertArrayEquals(
                new float[] {0.4f, 0.4f},
                server(run(RobustAggregationFactory.krum(1).create(VEC2), v).result()));
        MeasuredProcessOutput multi =
                run(RobustAggregationFactory.multiKrum(1, 2).create(VEC2), v);
        assertArrayEquals(new float[] {0.2f, 0.2f}, server(multi.result()), 1e-6f);
    }

    @Test
    void weightedMedianUsesWeightsAndIgnoresZeroWeightClients() {
        AggregationProcess p = RobustAggregationFactory.median().create(VEC2, F32);
        FederatedValue values = vectors(new float[] {1, 1}, new float[] {2, 2}, new float[] {9, 9});
        assertArrayEquals(
                new float[] {2, 2},
                server(run(RobustAggregationFactory.median().create(VEC2), values)
                        .result()),
                "unweighted");
        MeasuredProcessOutput out = p.next(runtime, p.initialize(runtime), values, weights(5, 1, 0));
        assertArrayEquals(new float[] {1, 1}, server(out.result()));
        assertEquals(2.0, measurement(out.measurements(), "robust_clients"));
    }

    /** 30% of 20 clients send values 50× away from the honest spread; each statistic stays near the honest mean. */
    @Test
    void resistsAPlantedFractionOfOutliers() {
        SplittableRandom random = new SplittableRandom(7);
        int n = 20;
        int faulty = 6;
        int d = 8;
        List<Value> updates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] row = new float[d];
            for (int j = 0; j < d; j++) {
                row[j] = i < faulty ? 50f : (float) (random.nextDouble() * 2 - 1);
            }
            updates.add(Tensor.vector(row));
        }
        FederatedValue values = FederatedValue.clients(updates);
        TensorType type = new TensorType(DType.FLOAT32, d);
        float[] plainMean =
                server(run(new UnweightedMeanFactory().create(type), values).result());
        assertTrue(plainMean[0] > 14, "the plain mean is dragged toward the outliers: " + plainMean[0]);
        for (RobustAggregationFactory f : List.of(
                RobustAggregationFactory.median(),
                RobustAggregationFactory.trimmedMean(0.3),
                RobustAggregationFactory.krum(faulty),
                RobustAggregationFactory.multiKrum(faulty, 5))) {
            MeasuredProcessOutput out = run(f.create(type), values);
            for (float x : server(out.result())) {
                assertTrue(Math.abs(x) <= 1, f + " left the honest range [-1, 1]: " + x);
            }
            assertTrue(
                    measurement(out.measurements(), "robust_max_faulty") >= faulty, f + " should tolerate " + faulty);
        }
    }

    @Test
    void collectedUpdatesBeyondTheMemoryBudgetFailTheRoundNamingTheClient() {
        FederatedValue v = vectors(new float[] {1, 10}, new float[] {2, 20}, new float[] {3, 30}, new float[] {4, 40});
        // two updates of 2 floats take 16 bytes; the third would need 24
        RobustAggregationFactory small = RobustAggregationFactory.median().toBuilder()
                .optMemoryBudget(20)
                .build();
        ClientWorkException e = assertThrows(ClientWorkException.class, () -> run(small.create(VEC2), v));
        assertEquals("client_2", e.clientId());
        assertTrue(
                e.getCause()
                        .getMessage()
                        .contains("3 updates of 2 floats take 24 bytes, above its memory budget of 20 bytes"),
                e.getCause().getMessage());
        assertArrayEquals(
                new float[] {2.5f, 25f},
                server(run(
                                RobustAggregationFactory.median().toBuilder()
                                        .optMemoryBudget(32)
                                        .build()
                                        .create(VEC2),
                                v)
                        .result()));
        assertEquals(
                Runtime.getRuntime().maxMemory() / 2,
                RobustAggregationFactory.krum(1).memoryBudgetBytes());
        assertThrows(
                IllegalArgumentException.class,
                () -> RobustAggregationFactory.median().toBuilder()
                        .optMemoryBudget(0)
                        .build());
    }

    @Test
    void impossibleSettingsAreRejected() {
        IllegalArgumentException beta =
                assertThrows(IllegalArgumentException.class, () -> RobustAggregationFactory.trimmedMean(0.5));
        assertTrue(beta.getMessage().contains("[0, 0.5)"), beta.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RobustAggregationFactory.krum(-1));
        assertThrows(IllegalArgumentException.class, () -> RobustAggregationFactory.multiKrum(1, 0));
        AggregationProcess krum = RobustAggregationFactory.krum(2).create(VEC2);
        IllegalArgumentException tooFew = assertThrows(
                IllegalArgumentException.class,
                () -> run(krum, vectors(new float[] {0, 0}, new float[] {1, 1}, new float[] {2, 2})));
        assertTrue(tooFew.getMessage().contains("needs n >= 2f + 3 = 7 clients, got n=3"), tooFew.getMessage());
        ClientWorkException nan = assertThrows(
                ClientWorkException.class,
                () -> run(
                        RobustAggregationFactory.median().create(VEC2),
                        vectors(new float[] {0, 0}, new float[] {Float.NaN, 1})));
        assertTrue(
                nan.getCause().getMessage().contains("wrap the factory in NonFiniteZeroingFactory"),
                nan.getCause().getMessage());
    }
}
