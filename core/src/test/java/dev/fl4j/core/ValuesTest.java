package dev.fl4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void tensorShapeMustMatchData() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("holds 6 elements but 5 were given"), e.getMessage());
        assertEquals("float32[2,3]", Tensor.of(new float[6], 2, 3).type().toString());
        assertEquals("int64", Tensor.scalar(3L).type().toString());
        assertEquals(6 * 32, Tensor.of(new float[6], 2, 3).sizeInBits());
        assertEquals(8 * 4, Tensor.of(new byte[4], 4).sizeInBits());
    }

    @Test
    void structAccessByNameAndPosition() {
        Struct s = Struct.named("a", Tensor.scalar(1), "b", Tensor.vector(1f, 2f));
        assertEquals("<a=int32,b=float32[2]>", s.type().toString());
        assertEquals(Tensor.scalar(1), s.get(0));
        assertEquals(Tensor.vector(1f, 2f), s.get("b"));
        assertThrows(IllegalArgumentException.class, () -> s.get("c"));
        assertThrows(
                IllegalArgumentException.class,
                () -> Struct.builder().add("a", Tensor.scalar(1)).add("a", Tensor.scalar(2)));
        assertEquals(32 + 64, s.sizeInBits());
    }

    @Test
    void mapZipLeavesAndPackKeepStructure() {
        Struct s = Struct.named("w", Tensor.vector(1f, 2f), "inner", Struct.of(Tensor.scalar(3f)));
        Value doubled = Structures.map(
                s,
                t -> Tensor.of(new float[] {t.floatData()[0] * 2}, t.shape().length == 0 ? new int[0] : new int[] {1}));
        assertEquals("<w=float32[1],inner=<float32>>", doubled.type().toString());
        Value sum = Structures.zip(s, s, (a, b) -> {
            float[] r = a.toFloatArray();
            for (int i = 0; i < r.length; i++) {
                r[i] += b.floatData()[i];
            }
            return Tensor.of(r, a.shape());
        });
        assertArrayEquals(new float[] {2f, 4f}, ((Struct) sum).tensor("w").floatData());
        List<Tensor> leaves = Structures.leaves(s);
        assertEquals(2, leaves.size());
        assertEquals(s, Structures.pack(s, leaves));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Structures.zip(
                        s,
                        Struct.named("w", Tensor.vector(1f, 2f), "other", Struct.of(Tensor.scalar(3f))),
                        (a, b) -> a));
        assertTrue(e.getMessage().contains("field 1 is 'inner' vs 'other'"), e.getMessage());
    }

    @Test
    void finiteness() {
        assertTrue(Structures.isFinite(Struct.of(Tensor.vector(1f, 2f))));
        assertEquals(false, Structures.isFinite(Struct.of(Tensor.vector(1f, Float.NaN))));
    }
}
