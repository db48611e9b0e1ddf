package dev.fl4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StructuresFloatLeavesTest {

    /**
     * {@code <a=float32[2,3],b=<c=float32,d=float64[2]>,e=float32[0],<float32[1,2]>>}: nested, named and positional,
     * every rank.
     */
    private static Struct nested() {
        return Struct.builder()
                .add("a", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))
                .add("b", Struct.named("c", Tensor.scalar(7f), "d", Tensor.of(new double[] {0.5, -8}, 2)))
                .add("e", Tensor.of(new float[0], 0))
                .add(null, Struct.of(Tensor.of(new float[] {9, 10}, 1, 2)))
                .build();
    }

    @Test
    void flattenGivesEveryElementDepthFirstAndUnflattenRebuildsTheValue() {
        Struct value = nested();
        assertEquals(11, Structures.flatSize(value.type()));
        float[] flat = Structures.flattenFloats(value);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 0.5f, -8, 9, 10}, flat);
        assertArrayEquals(flat, Structures.flattenFloats(value, 11));
        Value back = Structures.unflattenFloats(value.type(), flat);
        assertEquals(value, back);
        assertEquals(value.type(), back.type());
        flat[0] = 100;
        assertEquals(1f, ((Struct) back).tensor("a").floatData()[0], "unflatten copies the array");
    }

    @Test
    void float64ElementsRoundToFloat32AndWidenBack() {
        Value value = Tensor.vector(0.1, 1e300, -0.0);
        float[] flat = Structures.flattenFloats(value);
        assertArrayEquals(new float[] {0.1f, Float.POSITIVE_INFINITY, -0.0f}, flat);
        Tensor back = (Tensor) Structures.unflattenFloats(value.type(), flat);
        assertArrayEquals(new double[] {0.1f, Double.POSITIVE_INFINITY, -0.0}, back.doubleData());
    }

    @Test
    void aWrongLengthNamesExpectedAndActual() {
        Struct value = nested();
        IllegalArgumentException flatten =
                assertThrows(IllegalArgumentException.class, () -> Structures.flattenFloats(value, 12));
        assertTrue(flatten.getMessage().contains("has 11 elements, expected 12"), flatten.getMessage());
        IllegalArgumentException unflatten = assertThrows(
                IllegalArgumentException.class, () -> Structures.unflattenFloats(value.type(), new float[10]));
        assertEquals(value.type() + " has 11 elements, but 10 floats were given", unflatten.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Structures.unflattenFloats(value.type(), new float[12]));
    }

    @Test
    void nonFloatingLeavesAreRefusedNamingTheLeaf() {
        Struct mixed = Struct.named("w", Tensor.vector(1f, 2f), "n", Tensor.vector(3, 4));
        IllegalArgumentException flatten =
                assertThrows(IllegalArgumentException.class, () -> Structures.flattenFloats(mixed));
        assertTrue(flatten.getMessage().contains("leaf 1 is int32[2]"), flatten.getMessage());
        IllegalArgumentException unflatten = assertThrows(
                IllegalArgumentException.class, () -> Structures.unflattenFloats(mixed.type(), new float[4]));
        assertTrue(unflatten.getMessage().contains("int32[2]"), unflatten.getMessage());
        IllegalArgumentException arrays = assertThrows(
                IllegalArgumentException.class,
                () -> Structures.floatArrays(Struct.named("w", Tensor.vector(1f), "d", Tensor.vector(2.0))));
        assertTrue(
                arrays.getMessage().contains("leaf 1 of <w=float32[1],d=float64[1]> is float64[1], not float32"),
                arrays.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Structures.filled(new TensorType(DType.BOOL, 2), 1f));
    }

    @Test
    void sizesNeedFullyDefinedShapesAndFitOneArray() {
        IllegalArgumentException partial = assertThrows(
                IllegalArgumentException.class,
                () -> Structures.flatSize(StructType.of(
                        new TensorType(DType.FLOAT32, 2), new TensorType(DType.FLOAT32, TensorType.UNKNOWN, 3))));
        assertTrue(partial.getMessage().contains("float32[?,3]"), partial.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> Structures.zeros(new TensorType(DType.INT32, TensorType.UNKNOWN)));
        Type huge = StructType.of(new TensorType(DType.FLOAT32, 65536, 32768), new TensorType(DType.FLOAT32, 1));
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class, () -> Structures.flatSize(huge));
        assertTrue(tooBig.getMessage().contains("2147483649 elements"), tooBig.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Structures.unflattenFloats(huge, new float[1]));
    }

    @Test
    void floatArraysShareStorageAndPackFloatsWrapsNewArraysInTheTemplate() {
        Struct template = Struct.named("k", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), "b", Tensor.vector(5f));
        List<float[]> arrays = Structures.floatArrays(template);
        assertSame(template.tensor("k").floatData(), arrays.get(0));
        assertSame(template.tensor("b").floatData(), arrays.get(1));
        float[] k = {4, 3, 2, 1};
        float[] b = {0};
        Value packed = Structures.packFloats(template, List.of(k, b));
        assertEquals(template.type(), packed.type());
        assertSame(k, ((Struct) packed).tensor("k").floatData());
        IllegalArgumentException count =
                assertThrows(IllegalArgumentException.class, () -> Structures.packFloats(template, List.of(k)));
        assertTrue(count.getMessage().contains("has 2 leaves, but 1 arrays were given"), count.getMessage());
        IllegalArgumentException length = assertThrows(
                IllegalArgumentException.class, () -> Structures.packFloats(template, List.of(k, new float[2])));
        assertTrue(
                length.getMessage()
                        .contains("leaf 1 of <k=float32[2,2],b=float32[1]> has 1 elements, but its array has 2"),
                length.getMessage());
    }

    @Test
    void filledZerosAndZerosLikeKeepTheStructure() {
        Type floats = StructType.builder()
                .add("w", new TensorType(DType.FLOAT32, 2))
                .add("d", new TensorType(DType.FLOAT64, 1))
                .build();
        assertEquals(
                Struct.named("w", Tensor.vector(0.25f, 0.25f), "d", Tensor.vector(0.25)),
                Structures.filled(floats, 0.25f));
        Type any = StructType.builder()
                .add("i", new TensorType(DType.INT64, 2))
                .add("f", TensorType.scalar(DType.BOOL))
                .build();
        Value zeros = Structures.zeros(any);
        assertEquals(Struct.named("i", Tensor.vector(0L, 0L), "f", Tensor.scalar(false)), zeros);
        Struct value = nested();
        Value like = Structures.zerosLike(value);
        assertEquals(value.type(), like.type());
        assertArrayEquals(new float[11], Structures.flattenFloats(like));
        assertEquals(Structures.zeros(value.type()), like);
    }
}
