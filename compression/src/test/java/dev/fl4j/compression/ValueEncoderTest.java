package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import org.junit.jupiter.api.Test;

class ValueEncoderTest {

    static Struct nested() {
        return Struct.builder()
                .add("layer", Struct.named("kernel", TestData.gaussian(1, 200, 150), "bias", TestData.gaussian(2, 150)))
                .add(null, Struct.of(TestData.gaussian(3, 30_001), Tensor.vector(1, 2, 3)))
                .add("steps", Tensor.scalar(7L))
                .add("f64", TestData.gaussian(4, 25_000).cast(DType.FLOAT64))
                .build();
    }

    @Test
    void encodesOnlyFloatingLeavesAboveTheThresholdAndRestoresTheStructure() {
        Struct v = nested();
        ValueEncoder enc = Encoders.parse("uniform8");
        Struct e = (Struct) enc.encode(v, 3);
        assertEquals(DType.UINT8, e.struct("layer").tensor("kernel").dtype(), "30,000 elements > 20,000");
        assertEquals(v.struct("layer").tensor("bias"), e.struct("layer").tensor("bias"));
        assertEquals(DType.UINT8, ((Struct) e.get(1)).tensor(0).dtype());
        assertEquals(Tensor.vector(1, 2, 3), ((Struct) e.get(1)).tensor(1));
        assertEquals(Tensor.scalar(7L), e.tensor("steps"));
        assertEquals(DType.UINT8, e.tensor("f64").dtype());

        Value d = enc.decode(e, v.type());
        assertEquals(v.type(), d.type());
        assertEquals(v.names(), ((Struct) d).names());
        assertEquals(v.tensor("steps"), ((Struct) d).tensor("steps"));
    }

    @Test
    void thresholdIsStrictlyAbove() {
        ValueEncoder enc = Encoders.parse("uniform8@100");
        assertTrue(enc.encodes(new TensorType(DType.FLOAT32, 101)));
        assertTrue(!enc.encodes(new TensorType(DType.FLOAT32, 100)));
        assertTrue(!enc.encodes(new TensorType(DType.INT32, 1000)));
        assertTrue(Encoders.parse("uniform8@0").encodes(new TensorType(DType.FLOAT64)));
    }

    @Test
    void noneChangesNothing() {
        Struct v = nested();
        assertSame(ValueEncoder.none(), Encoders.parse("none"));
        Value e = ValueEncoder.none().encode(v, 1);
        assertEquals(v, e);
        assertEquals(v.sizeInBits(), e.sizeInBits());
        assertEquals(v, ValueEncoder.none().decode(e, v.type()));
    }

    @Test
    void leavesGetDistinctSeeds() {
        Tensor t = TestData.gaussian(1, 30_000);
        Struct v = Struct.of(t, t);
        Struct e = (Struct) Encoders.parse("uniform:2").encode(v, 5);
        assertNotEquals(e.get(0), e.get(1), "the same tensor in two leaves draws different rounding");
        assertEquals(e, Encoders.parse("uniform:2").encode(v, 5));
    }

    @Test
    void encodingErrorsNameTheLeaf() {
        float[] bad = TestData.gaussian(1, 30_000).floatData().clone();
        bad[17] = Float.NaN;
        Struct v = Struct.named("layer", Struct.named("kernel", Tensor.of(bad, 30_000)));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Encoders.parse("uniform8").encode(v, 1));
        assertTrue(e.getMessage().contains("/layer/kernel") && e.getMessage().contains("element 17"), e.getMessage());
    }

    @Test
    void decodeChecksEveryLeafAgainstTheType() {
        Struct v = nested();
        ValueEncoder enc = Encoders.parse("uniform8");
        Struct e = (Struct) enc.encode(v, 3);

        // a leaf above the threshold arriving raw
        Struct raw = e.with("f64", v.tensor("f64"));
        MalformedEncodingException m = assertThrows(MalformedEncodingException.class, () -> enc.decode(raw, v.type()));
        assertTrue(m.getMessage().contains("/f64") && m.getMessage().contains("arrived raw"), m.getMessage());

        // a small leaf arriving encoded
        Struct small = Struct.named("b", TestData.gaussian(1, 10));
        Struct smallEncoded =
                Struct.named("b", Encoders.tensorEncoder("uniform8").encode(small.tensor("b"), 1));
        m = assertThrows(MalformedEncodingException.class, () -> enc.decode(smallEncoded, small.type()));
        assertTrue(m.getMessage().contains("not more than the threshold"), m.getMessage());

        // a leaf of another type
        Struct wrong = e.with("steps", Tensor.scalar(7));
        m = assertThrows(MalformedEncodingException.class, () -> enc.decode(wrong, v.type()));
        assertTrue(m.getMessage().contains("/steps"), m.getMessage());

        // structure mismatch
        assertThrows(MalformedEncodingException.class, () -> enc.decode(Struct.of(e.get(0)), v.type()));
        assertThrows(MalformedEncodingException.class, () -> enc.decode(e.get(0), v.type()));

        // bytes of another shape in the right place
        Struct swapped = e.with("f64", e.struct("layer").tensor("kernel"));
        m = assertThrows(MalformedEncodingException.class, () -> enc.decode(swapped, v.type()));
        assertTrue(m.getMessage().contains("/f64") && m.getMessage().contains("float32[200,150]"), m.getMessage());

        // corrupt bytes name the leaf
        byte[] b = e.tensor("f64").byteData().clone();
        b[0] = 9;
        Struct corrupt = e.with("f64", Tensor.of(b, b.length));
        m = assertThrows(MalformedEncodingException.class, () -> enc.decode(corrupt, v.type()));
        assertTrue(m.getMessage().contains("/f64") && m.getMessage().contains("version 9"), m.getMessage());

        // encoded leaves given to 'none'
        assertThrows(MalformedEncodingException.class, () -> ValueEncoder.none().decode(e, v.type()));
    }
}
