package dev.fl4j.simulation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetTest {

    /** n examples of shape [2,2,1]; example i has every pixel = i and label i % 10. */
    static Examples numbered(int n) {
        float[] x = new float[n * 4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(x, i * 4, i * 4 + 4, i);
            y[i] = i % 10;
        }
        return Examples.of(x, new int[] {2, 2, 1}, y);
    }

    /** The example numbers in a batched dataset, read from the pixel values, checking x and y agree. */
    static List<Integer> order(Dataset d) {
        List<Integer> out = new ArrayList<>();
        for (Value v : d) {
            Struct s = (Struct) v;
            float[] x = s.tensor("x").floatData();
            int[] y = s.tensor("y").intData();
            assertEquals(x.length, y.length * 4);
            for (int i = 0; i < y.length; i++) {
                int id = (int) x[i * 4];
                assertEquals(id % 10, y[i]);
                out.add(id);
            }
        }
        return out;
    }

    @Test
    void batchesCarryExpectedShapesAndTypeHasUnknownBatchDimension() {
        Dataset d = numbered(45).asDataset().batch(20);
        assertEquals("<x=float32[?,2,2,1],y=int32[?]>", d.elementType().toString());
        List<int[]> shapes = new ArrayList<>();
        for (Value v : d) {
            shapes.add(((Struct) v).tensor("x").shape());
            assertTrue(d.elementType().isAssignableFrom(v.type()));
        }
        assertEquals(3, shapes.size());
        assertArrayEquals(new int[] {20, 2, 2, 1}, shapes.get(0));
        assertArrayEquals(new int[] {5, 2, 2, 1}, shapes.get(2));
        assertEquals(2, numbered(45).asDataset().batchDropRemainder(20).count());
        assertEquals(order(numbered(45).asDataset().batch(7)), range(0, 45));
    }

    @Test
    void timingPassesReportsEachCompletePassOnceAndKeepsTheElements() throws InterruptedException {
        List<Long> passes = new ArrayList<>();
        Dataset d = numbered(45).asDataset().shuffle(100, 3).batch(20).timingPasses(passes::add);
        assertEquals(numbered(45).asDataset().batch(20).elementType(), d.elementType());
        assertEquals(order(numbered(45).asDataset().shuffle(100, 3).batch(20)), order(d));
        assertEquals(1, passes.size());
        java.util.Iterator<Value> it = d.iterator();
        it.next();
        Thread.sleep(5);
        while (it.hasNext()) {
            it.next();
        }
        assertEquals(false, it.hasNext());
        assertEquals(2, passes.size(), "a pass is reported once, however often hasNext is asked at its end");
        assertTrue(passes.get(1) >= 5_000_000L, "the pass took at least the 5 ms slept inside it: " + passes);
        d.iterator().next();
        assertEquals(2, passes.size(), "an abandoned pass reports nothing");
    }

    @Test
    void unbatchedElementsArePerExampleStructs() {
        Dataset d = numbered(3).asDataset();
        assertEquals("<x=float32[2,2,1],y=int32>", d.elementType().toString());
        Struct second = (Struct) d.take(2).iterator().next();
        assertEquals(0, second.tensor("y").intData()[0]);
        assertEquals(3, d.count());
        assertEquals(2, d.take(2).count());
    }

    @Test
    void shuffleIsAPermutationDeterministicForSeedAndDifferentPerRepetition() {
        Examples ex = numbered(100);
        Dataset shuffled = ex.asDataset().shuffle(100, 42).batch(10);
        List<Integer> a = order(shuffled);
        assertEquals(a, order(shuffled), "iterating again gives the same order");
        assertEquals(a, order(ex.asDataset().shuffle(100, 42).batch(10)), "same seed, same order");
        assertNotEquals(a, order(ex.asDataset().shuffle(100, 43).batch(10)));
        assertNotEquals(range(0, 100), a);
        List<Integer> sorted = new ArrayList<>(a);
        sorted.sort(null);
        assertEquals(range(0, 100), sorted);

        List<Integer> twice = order(ex.asDataset().shuffle(100, 42).repeat(2).batch(10));
        assertEquals(200, twice.size());
        assertEquals(a, twice.subList(0, 100), "first repetition equals the unrepeated shuffle");
        assertNotEquals(twice.subList(0, 100), twice.subList(100, 200), "second repetition reshuffles");
    }

    @Test
    void smallShuffleBufferOnlyMovesElementsLocally() {
        List<Integer> o = order(numbered(200).asDataset().shuffle(4, 1).batch(50));
        for (int pos = 0; pos < o.size(); pos++) {
            // with a buffer of 4 an element can leave at most 3 places before its input position
            assertTrue(o.get(pos) <= pos + 3, "element " + o.get(pos) + " at position " + pos);
        }
        assertNotEquals(range(0, 200), o);
    }

    @Test
    void repeatTakeAndRowsView() {
        Examples ex = numbered(10);
        assertEquals(30, ex.asDataset().repeat(3).count());
        assertEquals(
                List.of(7, 3, 3, 7, 3, 3),
                order(Dataset.of(ex, new int[] {7, 3, 3}).repeat(2).batch(4)));
        assertEquals(25, ex.asDataset().repeat().take(25).count());
        assertEquals(0, Dataset.of(ex, new int[0]).repeat().count(), "an empty dataset repeated forever stays empty");
        assertEquals(
                List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1),
                order(ex.asDataset().repeat(2).batch(3).take(4)));
        assertThrows(IndexOutOfBoundsException.class, () -> Dataset.of(ex, new int[] {10}));
    }

    @Test
    void mapAfterBatchChecksResultTypes() {
        Dataset d = numbered(10)
                .asDataset()
                .batch(4)
                .map(v -> Structures.map(v, t -> t.dtype() == dev.fl4j.core.DType.FLOAT32 ? scale(t, 0.5f) : t));
        List<Integer> seen = new ArrayList<>();
        for (Value v : d) {
            for (float f : ((Struct) v).tensor("x").floatData()) {
                seen.add((int) (f * 2));
            }
        }
        assertEquals(40, seen.size());
        assertEquals(9, seen.get(39));

        Dataset wrong = numbered(3).asDataset().batch(2).map(v -> Tensor.scalar(1f));
        TypeMismatchException e =
                assertThrows(TypeMismatchException.class, () -> wrong.iterator().next());
        assertTrue(e.getMessage().contains("element 0"), e.getMessage());
    }

    @Test
    void mapBeforeBatchFallsBackToStacking() {
        Dataset d = numbered(5).asDataset().map(v -> v).batch(2);
        assertEquals("<x=float32[?,2,2,1],y=int32[?]>", d.elementType().toString());
        assertEquals(List.of(0, 1, 2, 3, 4), order(d));
        assertEquals(
                order(numbered(30).asDataset().shuffle(30, 9).batch(4)),
                order(numbered(30).asDataset().map(v -> v).shuffle(30, 9).batch(4)),
                "value-level shuffle draws the same order as row-level shuffle");
    }

    @Test
    void selectCopiesRowsInOrder() {
        Examples picked = numbered(10).select(new int[] {9, 2, 2});
        assertEquals(3, picked.size());
        assertArrayEquals(new int[] {9, 2, 2}, picked.ints("y"));
        assertEquals(List.of(9, 2, 2), order(picked.asDataset().batch(2)));
    }

    @Test
    void rejectsBadArguments() {
        Dataset d = numbered(3).asDataset();
        assertThrows(IllegalArgumentException.class, () -> d.batch(0));
        assertThrows(IllegalArgumentException.class, () -> d.shuffle(0, 1));
        assertThrows(IllegalArgumentException.class, () -> d.repeat(0));
        assertThrows(IllegalArgumentException.class, () -> d.take(-1));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Examples.of(new float[10], new int[] {2, 2}, new int[3]));
        assertTrue(e.getMessage().contains("not a multiple of 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Examples.of(new float[8], new int[] {2, 2}, new int[3]));
        assertTrue(e.getMessage().contains("'y' has 3 examples but column 'x' has 2"), e.getMessage());
    }

    private static Tensor scale(Tensor t, float f) {
        float[] src = t.floatData();
        float[] out = new float[src.length];
        for (int i = 0; i < src.length; i++) {
            out[i] = src[i] * f;
        }
        return Tensor.of(out, t.shape());
    }

    static List<Integer> range(int from, int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i < to; i++) {
            r.add(i);
        }
        return r;
    }
}
