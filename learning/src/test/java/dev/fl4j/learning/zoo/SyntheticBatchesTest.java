package dev.fl4j.learning.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.learning.keras.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticBatchesTest {

    @Test
    void batchesFitTheInputSpecAndLabelsTheClasses() {
        ModelSpec cnn = Models.fedAvgCnn(10);
        List<Struct> batches = SyntheticBatches.of(cnn, 3, 2, 5);
        assertEquals(2, batches.size());
        for (Struct b : batches) {
            assertTrue(cnn.inputSpec().isAssignableFrom(b.type()), b.type().toString());
            assertArrayEquals(new int[] {3, 28, 28, 1}, ((Tensor) b.get("x")).shape());
            for (float f : ((Tensor) b.get("x")).floatData()) {
                assertTrue(f >= 0f && f < 1f, "feature " + f);
            }
            for (int label : ((Tensor) b.get("y")).intData()) {
                assertTrue(label >= 0 && label < 10, "label " + label);
            }
        }
    }

    @Test
    void tokenIdsStayInTheEmbeddingVocabulary() {
        ModelSpec lstm = Models.characterLstm(86, 80, 8, 1);
        Struct b = SyntheticBatches.of(lstm, 2, 1, 9).get(0);
        assertTrue(lstm.inputSpec().isAssignableFrom(b.type()), b.type().toString());
        for (String field : List.of("x", "y")) {
            for (int id : ((Tensor) b.get(field)).intData()) {
                assertTrue(id >= 0 && id < 86, field + " " + id);
            }
        }
    }

    @Test
    void theSeedAloneDecides() {
        ModelSpec model = Models.softmaxRegression(6, 4);
        assertEquals(SyntheticBatches.of(model, 4, 3, 11), SyntheticBatches.of(model, 4, 3, 11));
        assertNotEquals(SyntheticBatches.of(model, 4, 3, 11), SyntheticBatches.of(model, 4, 3, 12));
    }

    @Test
    void badSizesAreRefusedBeforeAnythingIsAllocated() {
        ModelSpec cnn = Models.fedAvgCnn(10);
        IllegalArgumentException zero =
                assertThrows(IllegalArgumentException.class, () -> SyntheticBatches.of(cnn, 0, 1, 1));
        assertEquals(
                "synthetic batches need batch size >= 1 and count >= 0, got batch size 0, count 1", zero.getMessage());
        IllegalArgumentException huge =
                assertThrows(IllegalArgumentException.class, () -> SyntheticBatches.of(cnn, 3_000_000, 1, 1));
        assertTrue(
                huge.getMessage().startsWith("a synthetic batch of 3000000 for model 'fedavg_cnn' input 'x'")
                        && huge.getMessage().endsWith("would hold more than 2147483647 values"),
                huge.getMessage());
    }
}
