package dev.fl4j.learning.algorithms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.templates.LearningProcessOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** TFF's {@code build_fed_kmeans} against rounds by hand. */
class FedKMeansTest {

    private static SequenceValue points(float... xs) {
        List<Value> out = new ArrayList<>();
        for (float x : xs) {
            out.add(Tensor.of(new float[] {x}, 1));
        }
        return ListSequence.of(new TensorType(DType.FLOAT32, 1), out);
    }

    private static Value withCentroids(LearningProcess p, Value state, float... c) {
        return p.setModelWeights(
                state, ModelWeights.of(Struct.named("centroids", Tensor.of(c, c.length, 1)), Struct.empty()));
    }

    @Test
    void evaluationReportsInertiaMeanSquaredDistanceAndClusterSizesAsByHand() {
        Struct weights = ModelWeights.of(
                        Struct.named("centroids", Tensor.of(new float[] {0f, 10f}, 2, 1)), Struct.empty())
                .asStruct();
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            Value out = rt.invoke(
                    FedKMeans.buildEvaluation(2, new int[] {1}),
                    FederatedValue.server(weights),
                    FederatedValue.clients(List.of(points(1, 2), points(9, 12, -1), points())));
            Struct eval = ((Struct) ((ServerValue) out).value()).struct("eval");
            // squared distances 1, 4 | 1, 4, 1 to centroids 0, 0 | 10, 10, 0: inertia 11 over 5 points
            assertEquals(11.0, eval.tensor("inertia").getDouble(0));
            assertEquals(11.0 / 5, eval.tensor("mean_squared_distance").getDouble(0));
            assertEquals(5L, eval.tensor("num_points").getLong(0));
            assertEquals(3L, eval.struct("cluster_sizes").tensor("cluster_0").getLong(0));
            assertEquals(2L, eval.struct("cluster_sizes").tensor("cluster_1").getLong(0));
            RuntimeException e = assertThrows(
                    RuntimeException.class,
                    () -> rt.invoke(
                            FedKMeans.buildEvaluation(2, new int[] {1}),
                            FederatedValue.server(weights),
                            FederatedValue.clients(List.of(points(1, Float.NaN)))));
            String all = messages(e);
            assertTrue(all.contains("k-means evaluation: point 1 of client"), all);
            assertTrue(all.contains("holds NaN at element 0; points must be finite"), all);
        }
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }

    @Test
    void twoRoundsInOneDimensionAsByHand() {
        LearningProcess p = FedKMeans.build(2, new int[] {1}, 7);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            Value state = withCentroids(p, p.initialize(rt), 0f, 10f);
            FederatedValue data = FederatedValue.clients(List.of(points(1, 2), points(9, 12, -1)));
            LearningProcessOutput out = p.next(rt, state, data);
            // cluster 0 takes 1, 2, -1 (sum 2, count 3), cluster 1 takes 9, 12 (sum 21, count 2); pseudo-counts 1
            assertArrayEquals(
                    new float[] {0.25f * 2, 31f / 3},
                    FedKMeans.centroids(p, out.state()).floatData(),
                    1e-6f);
            assertEquals(5.0, out.flatMetrics().get("client_work/num_examples"));
            out = p.next(rt, out.state(), data);
            assertArrayEquals(
                    new float[] {4f / 7, 52f / 5},
                    FedKMeans.centroids(p, out.state()).floatData(),
                    1e-5f);
            int[] counts = ((Tensor) ((ServerValue) ((Struct) out.state()).get("finalizer")).value()).intData();
            assertArrayEquals(new int[] {7, 5}, counts);
        }
    }

    @Test
    void aClusterWithoutNewPointsStaysAndPointsPickTheNearest() {
        LearningProcess p = FedKMeans.build(3, new int[] {2}, 1);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            Value state = p.setModelWeights(
                    p.initialize(rt),
                    ModelWeights.of(
                            Struct.named("centroids", Tensor.of(new float[] {0, 0, 5, 5, 100, 100}, 3, 2)),
                            Struct.empty()));
            SequenceValue pts = ListSequence.of(
                    new TensorType(DType.FLOAT32, 2),
                    List.of(Tensor.of(new float[] {1, 1}, 2), Tensor.of(new float[] {4, 6}, 2)));
            Value next = p.next(rt, state, FederatedValue.clients(List.of(pts))).state();
            assertArrayEquals(
                    new float[] {0.5f, 0.5f, 4.5f, 5.5f, 100, 100},
                    FedKMeans.centroids(p, next).floatData(),
                    1e-6f);
        }
    }

    private static float[] clustered(int workers) {
        LearningProcess p = FedKMeans.build(4, new int[] {3}, 11);
        SplittableRandom r = new SplittableRandom(5);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(workers).build()) {
            Value state = p.initialize(rt);
            for (int round = 0; round < 3; round++) {
                List<SequenceValue> clients = new ArrayList<>();
                for (int c = 0; c < 5; c++) {
                    List<Value> pts = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        pts.add(Tensor.of(
                                new float[] {
                                    (float) r.nextGaussian(), (float) r.nextGaussian() + c, (float) r.nextGaussian()
                                },
                                3));
                    }
                    clients.add(ListSequence.of(new TensorType(DType.FLOAT32, 3), pts));
                }
                state = p.next(rt, state, FederatedValue.clients(clients)).state();
            }
            return FedKMeans.centroids(p, state).floatData();
        }
    }

    @Test
    void sameCentroidsForOneAndTwoWorkers() {
        assertArrayEquals(clustered(1), clustered(2));
    }

    @Test
    void badSettingsAndPointsAreRefusedByName() {
        IllegalArgumentException k =
                assertThrows(IllegalArgumentException.class, () -> FedKMeans.build(0, new int[] {2}, 1));
        assertTrue(k.getMessage().contains("at least one cluster, got 0"), k.getMessage());
        IllegalArgumentException shape =
                assertThrows(IllegalArgumentException.class, () -> FedKMeans.build(2, new int[] {0}, 1));
        assertTrue(shape.getMessage().contains("got [0]"), shape.getMessage());
        LearningProcess p = FedKMeans.build(2, new int[] {1}, 1);
        RuntimeException nan = assertThrows(RuntimeException.class, () -> {
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
                p.next(rt, p.initialize(rt), FederatedValue.clients(List.of(points(1, Float.NaN))));
            }
        });
        StringBuilder all = new StringBuilder();
        for (Throwable t = nan; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        assertTrue(all.toString().contains("point 1 of client"), all.toString());
        assertTrue(all.toString().contains("holds NaN at element 0; points must be finite"), all.toString());
    }
}
