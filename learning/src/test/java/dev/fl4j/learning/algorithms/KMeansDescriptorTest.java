package dev.fl4j.learning.algorithms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.learning.model.ModelWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The k-means client steps' descriptors: rebuilt from their bytes through the registered factory they compute what
 * k-means computes; a payload that does not fit is refused naming what is wrong.
 */
class KMeansDescriptorTest {

    private static ComputationDescriptor descriptor(String step, Value payload) {
        return new ComputationDescriptor(FedKMeans.Factory.class.getName(), step, payload);
    }

    private static Struct payload(int k, int... shape) {
        return Struct.named("num_clusters", Tensor.scalar(k), "data_shape", Tensor.of(shape, shape.length));
    }

    private static LocalComputation shipped(ComputationDescriptor d) {
        return ComputationDescriptor.fromBytes(d.toBytes()).rebuild();
    }

    private static Struct argument() {
        Struct weights = ModelWeights.of(
                        Struct.named("centroids", Tensor.of(new float[] {0f, 10f}, 2, 1)), Struct.empty())
                .asStruct();
        TensorType point = new TensorType(DType.FLOAT32, 1);
        return Struct.named(
                "weights",
                weights,
                "data",
                ListSequence.of(
                        point,
                        List.of(
                                Tensor.of(new float[] {1}, 1),
                                Tensor.of(new float[] {12}, 1),
                                Tensor.of(new float[] {-1}, 1))));
    }

    @Test
    void theStepsRebuiltFromTheirBytesComputeAsByHandAndDescribeThemselvesAlike() {
        LocalComputation step = shipped(descriptor(FedKMeans.STEP, payload(2, 1)));
        Struct out = (Struct) step.call(argument());
        assertArrayEquals(
                new float[] {0f, 12f},
                out.struct("update").tensor("cluster_sums").floatData());
        assertArrayEquals(
                new int[] {2, 1}, out.struct("update").tensor("cluster_counts").intData());
        assertEquals(3, out.tensor("num_examples").intData()[0]);
        assertArrayEquals(
                descriptor(FedKMeans.STEP, payload(2, 1)).toBytes(),
                step.descriptor().orElseThrow().toBytes(),
                "the rebuilt step describes itself as it was described");

        LocalComputation evaluate = shipped(descriptor(FedKMeans.EVALUATE, payload(2, 1)));
        Struct eval = (Struct) evaluate.call(argument());
        // squared distances 1, 4, 1
        assertEquals(6.0, eval.tensor("squared_distance").getDouble(0));
        assertArrayEquals(new long[] {2, 1}, eval.tensor("cluster_sizes").longData());
    }

    @Test
    void aPayloadThatDoesNotFitIsRefusedNamingWhatIsWrong() {
        assertRefused(descriptor("kmeans_fit", payload(2, 1)), "unknown k-means client step 'kmeans_fit'");
        assertRefused(descriptor(FedKMeans.STEP, null), "payload must be <num_clusters=int32,data_shape=int32[?]>");
        assertRefused(
                descriptor(
                        FedKMeans.STEP,
                        Struct.named("num_clusters", Tensor.scalar(2L), "data_shape", Tensor.of(new int[] {1}, 1))),
                "num_clusters must be an int32 scalar, got int64");
        assertRefused(
                descriptor(
                        FedKMeans.STEP, Struct.named("num_clusters", Tensor.scalar(2), "data_shape", Tensor.scalar(1))),
                "data_shape must be int32[?], got int32");
        assertRefused(descriptor(FedKMeans.STEP, payload(0, 1)), "at least one cluster, got 0");
        assertRefused(descriptor(FedKMeans.EVALUATE, payload(2, 3, 0)), "dimensions >= 1");
        assertRefused(descriptor(FedKMeans.EVALUATE, payload(2)), "dimensions >= 1");
        assertRefused(
                descriptor(FedKMeans.STEP, payload(65_536, 65_536)),
                "65536 centroids of [65536] exceed 2147483639 elements");
    }

    private static void assertRefused(ComputationDescriptor d, String expected) {
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> shipped(d));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
