package dev.fl4j.learning.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private static final List<Metric> ALL =
            List.of(Metric.SPARSE_CATEGORICAL_ACCURACY, Metric.LOSS, Metric.NUM_EXAMPLES, Metric.NUM_BATCHES);

    @Test
    void clientsSumThenTheServerFinalizes() {
        // client a: 3 of 4 right, mean loss 0.5 over 4 examples, 1 batch; client b: 1 of 6 right, loss 2.0, 2 batches
        Struct a = Metrics.fromSums(ALL, new double[] {3, 4, 0.5 * 4, 4, 4, 1});
        Struct b = Metrics.fromSums(ALL, new double[] {1, 6, 2.0 * 6, 6, 6, 2});
        assertEquals(
                "<sparse_categorical_accuracy=<total=float64,count=float64>,loss=<total=float64,count=float64>,"
                        + "num_examples=int64,num_batches=int64>",
                Metrics.unfinalizedType(ALL).toString());
        Struct finalized = Metrics.finalizeAll(ALL, Metrics.sum(a, b));
        assertEquals(0.4, finalized.tensor("sparse_categorical_accuracy").doubleValue(), 1e-12);
        assertEquals((2.0 + 12.0) / 10, finalized.tensor("loss").doubleValue(), 1e-12);
        assertEquals(10L, finalized.tensor("num_examples").longValue());
        assertEquals(3L, finalized.tensor("num_batches").longValue());
        // the mean of the clients' accuracies (0.75 and 0.1667) is not the accuracy over all examples
        Struct zero = Metrics.finalizeAll(ALL, Metrics.zeros(ALL));
        assertEquals(0.0, zero.tensor("sparse_categorical_accuracy").doubleValue());
    }

    @Test
    void wrongStatesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Metric.LOSS.finalize(Tensor.scalar(1L)));
        assertThrows(IllegalArgumentException.class, () -> Metric.byName("auc"));
        assertThrows(IllegalArgumentException.class, () -> Metrics.finalizeAll(ALL, Struct.empty()));
    }
}
