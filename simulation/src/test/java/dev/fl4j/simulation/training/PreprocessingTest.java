package dev.fl4j.simulation.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.simulation.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The preprocessing builder: required batch size, optional examples cap and batch map, errors naming the setter. */
class PreprocessingTest {

    private static Dataset tenScalars() {
        List<Value> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            values.add(Tensor.scalar((float) i));
        }
        return Dataset.fromValues(TensorType.scalar(DType.FLOAT32), values);
    }

    @Test
    void batchesAloneIsTheBuilderWithOnlyTheBatchSize() {
        Preprocessing p = Preprocessing.batches(4);
        assertEquals(4, p.batchSize());
        assertEquals(0, p.examplesCap());
        assertEquals(3, p.forTraining(tenScalars(), 1).count(), "10 examples in batches of 4, the last short one kept");
        assertEquals(3, p.forEvaluation(tenScalars()).count());
    }

    @Test
    void optionsCapTheExamplesAndMapTheBatches() {
        Preprocessing p = Preprocessing.builder()
                .setBatchSize(2)
                .optExamplesCap(5)
                .optBatchMap(d -> d.take(1))
                .build();
        assertEquals(5, p.examplesCap());
        Dataset training = p.forTraining(tenScalars(), 1);
        assertEquals(1, training.count(), "the map sees the 3 batches of the 5 capped examples and keeps one");
        assertEquals(1, p.forEvaluation(tenScalars()).count());
        assertEquals(
                3,
                Preprocessing.builder()
                        .setBatchSize(2)
                        .optExamplesCap(5)
                        .build()
                        .forTraining(tenScalars(), 1)
                        .count());
    }

    @Test
    void unbatchedKeepsOneElementPerExampleShuffledAndCappedForTraining() {
        Preprocessing p =
                Preprocessing.unbatched(4, d -> d.map(v -> Tensor.scalar((float) ((Tensor) v).getDouble(0) * 2)));
        assertEquals(0, p.batchSize());
        List<Float> training = new ArrayList<>();
        p.forTraining(tenScalars(), 3).forEach(v -> training.add((float) ((Tensor) v).getDouble(0)));
        assertEquals(4, training.size(), "the cap of 4 examples, unbatched");
        assertTrue(training.stream().allMatch(x -> x % 2 == 0), "every example mapped: " + training);
        List<Float> again = new ArrayList<>();
        p.forTraining(tenScalars(), 3).forEach(v -> again.add((float) ((Tensor) v).getDouble(0)));
        assertEquals(training, again, "the seed fixes the shuffle");
        List<Float> evaluation = new ArrayList<>();
        p.forEvaluation(tenScalars()).forEach(v -> evaluation.add((float) ((Tensor) v).getDouble(0)));
        assertEquals(List.of(0f, 2f, 4f, 6f, 8f, 10f, 12f, 14f, 16f, 18f), evaluation, "all examples, in order");
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.unbatched(-1, d -> d));
    }

    @Test
    void aMissingOrImpossibleSettingIsRefusedByName() {
        IllegalStateException unset = assertThrows(
                IllegalStateException.class, () -> Preprocessing.builder().build());
        assertTrue(
                unset.getMessage().startsWith("setBatchSize:")
                        && unset.getMessage().contains("not set"),
                unset.getMessage());
        IllegalStateException cap = assertThrows(
                IllegalStateException.class,
                () -> Preprocessing.builder().setBatchSize(2).optExamplesCap(-1).build());
        assertTrue(cap.getMessage().startsWith("optExamplesCap:"), cap.getMessage());
        assertThrows(NullPointerException.class, () -> Preprocessing.builder().optBatchMap(null));
    }
}
