package dev.fl4j.simulation.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.FedKMeans;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.simulation.data.Examples;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ModelEvaluation#builder(dev.fl4j.core.computation.FederatedComputation, Preprocessing)} with k-means. */
class ModelEvaluationComputationTest {

    @Test
    void aGivenEvaluationComputationRunsOnTheCentralTestSet() {
        // points 0..9 in one dimension, one centroid at 0: squared distances 0, 1, 4, ..., 81 sum to 285
        float[] x = new float[10];
        int[] y = new int[10];
        for (int i = 0; i < 10; i++) {
            x[i] = i;
        }
        Examples test = Examples.of(x, new int[] {1}, y);
        TensorType point = new TensorType(DType.FLOAT32, 1);
        Preprocessing prep = Preprocessing.unbatched(0, d -> d.map(point, v -> ((Struct) v).get("x")));
        ModelEvaluation eval = ModelEvaluation.builder(FedKMeans.buildEvaluation(1, new int[] {1}), prep)
                .optCentralTest(test)
                .build();
        ModelWeights centroid =
                ModelWeights.of(Struct.named("centroids", Tensor.of(new float[] {0f}, 1, 1)), Struct.empty());
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            Map<String, Double> m = eval.evaluate(rt, centroid);
            assertEquals(285.0, m.get("eval/inertia"));
            assertEquals(28.5, m.get("eval/mean_squared_distance"));
            assertEquals(10.0, m.get("eval/cluster_sizes/cluster_0"));
        }
    }

    @Test
    void aComputationOfAnotherShapeIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ModelEvaluation.builder(
                        FedKMeans.build(2, new int[] {1}, 0).nextComputation(), Preprocessing.batches(2)));
        assertTrue(e.getMessage().startsWith("an evaluation must be (<model_weights=W@SERVER"), e.getMessage());
    }
}
