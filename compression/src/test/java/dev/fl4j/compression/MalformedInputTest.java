package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every way decoding can be handed bytes it did not write ends in a specific MalformedEncodingException. */
class MalformedInputTest {

    /** The element cap for decoding without an expected type, so header mutations reach the checks after it. */
    static final long CAP = 1 << 20;

    /**
     * uniform8 on float32[20,30]: header 0-13 (dims at 3-10, count 11, ids 12-13), bits 14, min 15-18, max 19-22,
     * payload 23-622.
     */
    static byte[] uniform8() {
        return Encoders.tensorEncoder("uniform8")
                .encode(TestData.gaussian(1, 20, 30), 1)
                .byteData()
                .clone();
    }

    static void assertMalformed(String preset, byte[] bytes, String fragment) {
        TensorEncoder enc = Encoders.tensorEncoder(preset);
        MalformedEncodingException e = assertThrows(
                MalformedEncodingException.class,
                () -> enc.decode(Tensor.of(bytes, bytes.length), CAP),
                preset + " should reject bytes expecting '" + fragment + "'");
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
    }

    static byte[] putInt(byte[] b, int offset, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, v);
        return b;
    }

    static byte[] putFloat(byte[] b, int offset, float v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(offset, v);
        return b;
    }

    static byte[] set(byte[] b, int offset, int v) {
        b[offset] = (byte) v;
        return b;
    }

    @Test
    void header() {
        assertMalformed(
                "uniform8",
                new byte[0],
                "truncated: reading format version needs 1 bytes at offset 0 but only 0 remain");
        assertMalformed("uniform8", set(uniform8(), 0, 2), "unsupported encoding format version 2");
        assertMalformed("uniform8", set(uniform8(), 1, 7), "dtype code 7 at offset 1");
        assertMalformed("uniform8", set(uniform8(), 2, 33), "rank 33 at offset 2");
        assertMalformed(
                "uniform8", Arrays.copyOf(uniform8(), 9), "truncated: reading dimension 1 needs 4 bytes at offset 7");
        assertMalformed("uniform8", putInt(uniform8(), 3, -1), "dimension 0 at offset 3 is negative: -1");
        assertMalformed("uniform8", putInt(putInt(uniform8(), 3, 100_000), 7, 100_000), "more than 2^31-1 elements");
        assertMalformed(
                "uniform8",
                set(uniform8(), 11, 3),
                "encoding has 3 stages but this decoder is uniform(8)+bitpack (2 stages)");
        assertMalformed("uniform8", set(uniform8(), 12, 99), "stage 0 at offset 12 has id 99 (unknown stage id)");
        assertMalformed(
                "uniform8", set(uniform8(), 12, 5), "has id 5 (hadamard) but this decoder expects id 3 (uniform(8))");
        assertMalformed("uniform8", set(uniform8(), 13, 200), "has id 200 (a user stage)");
    }

    @Test
    void notUint8() {
        TensorEncoder enc = Encoders.tensorEncoder("uniform8");
        MalformedEncodingException e =
                assertThrows(MalformedEncodingException.class, () -> enc.decode(TestData.gaussian(1, 10), CAP));
        assertTrue(e.getMessage().contains("uint8"));
    }

    @Test
    void uniformSideInformation() {
        assertMalformed("uniform8", set(uniform8(), 14, 9), "bits at offset 14 is 9 but this decoder is uniform(8)");
        assertMalformed("uniform8", set(uniform8(), 14, 0), "(and bits must be 1-16)");
        assertMalformed("uniform8", set(uniform8(), 14, 17), "(and bits must be 1-16)");
        assertMalformed("uniform8", putFloat(uniform8(), 15, 10f), "expected finite min <= max");
        assertMalformed("uniform8", putFloat(uniform8(), 15, Float.NaN), "expected finite min <= max");
        assertMalformed("uniform8", putFloat(uniform8(), 19, Float.POSITIVE_INFINITY), "expected finite min <= max");
        assertMalformed(
                "uniform8",
                Arrays.copyOf(uniform8(), 18),
                "truncated: reading uniform quantization min needs 4 bytes at offset 15 but only 3 remain");
        assertMalformed("uniform:4", uniform8(), "bits at offset 14 is 8 but this decoder is uniform(4)");
    }

    @Test
    void payloadLength() {
        byte[] b = uniform8();
        assertMalformed(
                "uniform8",
                Arrays.copyOf(b, b.length - 1),
                "bitpack payload: expected 600 bytes for 600 symbols of 8 bits, got 599");
        assertMalformed("uniform8", Arrays.copyOf(b, b.length + 1), "got 601");
        assertMalformed("uniform8", putInt(uniform8(), 3, 21), "expected 630 bytes");
        assertMalformed("uniform8", Arrays.copyOf(b, 23), "got 0");
    }

    @Test
    void bitPackingPaddingAndRange() {
        // 3 symbols of 3 bits: 2 bytes, the top 7 bits of the last byte are padding
        byte[] b = Encoders.tensorEncoder("uniform:3")
                .encode(Tensor.vector(1f, 2f, 3f), 1)
                .byteData()
                .clone();
        b[b.length - 1] |= (byte) 0x80;
        assertMalformed("uniform:3", b, "padding bits");
        // widths that divide 8 take a byte-at-a-time path: 5 values of 1, 2 and 4 bits leave 3, 6 and 4 padding bits
        for (int bits : new int[] {1, 2, 4}) {
            String preset = "uniform:" + bits;
            byte[] p = Encoders.tensorEncoder(preset)
                    .encode(Tensor.vector(1f, 2f, 3f, 4f, 5f), 1)
                    .byteData()
                    .clone();
            p[p.length - 1] |= (byte) 0x80;
            int lastPayloadByte = (5 * bits + 7) / 8 - 1;
            assertMalformed(
                    preset,
                    p,
                    "bitpack payload: padding bits after the last " + bits + "-bit value at offset " + lastPayloadByte);
        }
        // a 3-level alphabet packs into 2 bits, so the value 3 is out of range
        TensorEncoder ternary = TensorEncoder.of(new TernaryStage(), Stages.bitPacking());
        byte[] t = ternary.encode(Tensor.vector(1f, -1f, 0f, 1f), 1).byteData().clone();
        t[t.length - 1] = (byte) 0xFF;
        MalformedEncodingException e =
                assertThrows(MalformedEncodingException.class, () -> ternary.decode(Tensor.of(t, t.length), CAP));
        assertTrue(e.getMessage().contains("symbol 0 is 3, out of range [0,3)"), e.getMessage());
    }

    @Test
    void float32Payload() {
        // identity on float32[10]: header 10 bytes, then 40 payload bytes
        byte[] b = Encoders.tensorEncoder("identity")
                .encode(TestData.gaussian(1, 10), 1)
                .byteData()
                .clone();
        assertMalformed("identity", putFloat(b.clone(), 10, Float.NaN), "element 0 is NaN");
        assertMalformed("identity", Arrays.copyOf(b, 49), "expected 40 bytes for 10 floats, got 39");
    }

    /** topk:0.01 on float32[3000]: header 10, k at 10-13, 45 index bytes at 14-58, 120 payload bytes. */
    static byte[] topk() {
        return Encoders.tensorEncoder("topk:0.01")
                .encode(TestData.gaussian(2, 3000), 1)
                .byteData()
                .clone();
    }

    @Test
    void sparsificationSideInformation() {
        assertMalformed(
                "topk:0.01",
                putInt(topk(), 10, 31),
                "top-k count at offset 10 is 31 but topk(0.01,ef) keeps 30 of 3000");
        byte[] zeros = topk();
        Arrays.fill(zeros, 14, 59, (byte) 0);
        assertMalformed(
                "topk:0.01", zeros, "top-k index 1 (side information at offset 14) is 0, not above the previous 0");
        byte[] ones = topk();
        Arrays.fill(ones, 14, 59, (byte) 0xFF);
        assertMalformed("topk:0.01", ones, "top-k index 0 (side information at offset 14) is 4095, not below n=3000");
        assertMalformed("topk:0.01", Arrays.copyOf(topk(), 40), "truncated: reading top-k indices (30 of 12 bits)");
        assertMalformed("topk:0.01", Arrays.copyOf(topk(), 178), "expected 120 bytes for 30 floats, got 119");
        assertMalformed("topk:0.02", topk(), "keeps 60 of 3000");

        byte[] r = Encoders.tensorEncoder("randk:0.01")
                .encode(TestData.gaussian(2, 3000), 1)
                .byteData()
                .clone();
        assertMalformed("randk:0.01", putInt(r, 10, 29), "random-k count at offset 10 is 29");
    }

    /**
     * hadamard-uniform:4 and drive on float32[3000]: header 11, hadamard log2 at 11, seed 12-19, then the next stage at
     * 20.
     */
    @Test
    void rotationAndSignSideInformation() {
        Tensor x = TestData.gaussian(3, 3000);
        byte[] h = Encoders.tensorEncoder("hadamard-uniform:4")
                .encode(x, 1)
                .byteData()
                .clone();
        assertMalformed(
                "hadamard-uniform:4",
                set(h, 11, 11),
                "hadamard block log2 at offset 11 is 11 but hadamard(block<=2^12) uses 12 for 3000 elements");
        byte[] d = Encoders.tensorEncoder("drive").encode(x, 1).byteData();
        assertMalformed(
                "drive", putFloat(d.clone(), 20, -1f), "sign scale at offset 20 is -1.0, expected a finite value >= 0");
        assertMalformed("drive", putFloat(d.clone(), 20, Float.NaN), "sign scale at offset 20 is NaN");
        assertMalformed(
                "drive", Arrays.copyOf(d, d.length - 1), "expected 512 bytes for 4096 symbols of 1 bits, got 511");
        assertMalformed("hadamard-uniform:4", d, "has id 8 (sign) but this decoder expects id 3 (uniform(4))");
    }

    /**
     * hadamard-lloyd:2 on float32[5000]: header 11, hadamard 11-19, lloyd-max bits at 20, two block scales at 21-28,
     * payload of 8192 symbols of 2 bits from 29.
     */
    @Test
    void lloydMaxSideInformation() {
        byte[] b = Encoders.tensorEncoder("hadamard-lloyd:2")
                .encode(TestData.gaussian(9, 5000), 1)
                .byteData();
        assertMalformed(
                "hadamard-lloyd:2",
                set(b.clone(), 20, 3),
                "lloyd-max bits at offset 20 is 3 but this decoder is lloyd-max(2,unbiased)");
        assertMalformed(
                "hadamard-lloyd:2",
                putFloat(b.clone(), 25, -0.5f),
                "lloyd-max scale of block 1 at offset 25 is -0.5, expected a finite value >= 0");
        assertMalformed(
                "hadamard-lloyd:2",
                putFloat(b.clone(), 21, Float.POSITIVE_INFINITY),
                "lloyd-max scale of block 0 at offset 21 is Infinity");
        assertMalformed("hadamard-lloyd:2", Arrays.copyOf(b, 27), "lloyd-max scale of block 1");
        assertMalformed(
                "hadamard-lloyd:2", Arrays.copyOf(b, b.length - 1), "expected 2048 bytes for 8192 symbols of 2 bits");
        assertMalformed("hadamard-lloyd:3", b, "lloyd-max bits at offset 20 is 2 but this decoder is lloyd-max(3");
    }

    /**
     * subsampled-drive:0.5 on float32[3000]: header 12, hadamard log2 at 12, seed 13-20, stride log2 at 21, sign scale
     * 22-25, then 2048 signs in 256 bytes from 26.
     */
    static byte[] subsampledDrive() {
        return Encoders.tensorEncoder("subsampled-drive:0.5")
                .encode(TestData.gaussian(3, 3000), 1)
                .byteData()
                .clone();
    }

    @Test
    void strideSideInformation() {
        String p = "subsampled-drive:0.5";
        assertEquals(12 + 14 + 256, subsampledDrive().length);
        // another stride, in the bytes or in the decoder
        assertMalformed(
                p,
                set(subsampledDrive(), 21, 2),
                "stride log2 at offset 21 is 2 but stride(2) keeps every 2^1-th element");
        assertMalformed(
                "subsampled-drive:0.25",
                subsampledDrive(),
                "stride log2 at offset 21 is 1 but stride(4) keeps every 2^2-th element");
        assertMalformed(p, set(subsampledDrive(), 21, 255), "stride log2 at offset 21 is 255");
        // the sign scale after it
        assertMalformed(p, putFloat(subsampledDrive(), 22, Float.NaN), "sign scale at offset 22 is NaN");
        assertMalformed(p, putFloat(subsampledDrive(), 22, Float.POSITIVE_INFINITY), "sign scale at offset 22 is Inf");
        assertMalformed(
                p,
                putFloat(subsampledDrive(), 22, -1f),
                "sign scale at offset 22 is -1.0, expected a finite value >= 0");
        // truncated side information and payload, a byte too many
        assertMalformed(
                p,
                Arrays.copyOf(subsampledDrive(), 21),
                "truncated: reading stride log2 needs 1 bytes at offset 21 but only 0 remain");
        assertMalformed(p, Arrays.copyOf(subsampledDrive(), 24), "truncated: reading sign scale needs 4 bytes");
        assertMalformed(
                p,
                Arrays.copyOf(subsampledDrive(), 12 + 14 + 255),
                "bitpack payload: expected 256 bytes for 2048 symbols of 1 bits, got 255");
        assertMalformed(p, Arrays.copyOf(subsampledDrive(), 12 + 14 + 257), "got 257");
        assertMalformed(p, Arrays.copyOf(subsampledDrive(), 26), "got 0");
        // a header claiming another length: the kept count follows it, and the payload no longer matches
        assertMalformed(
                p, putInt(subsampledDrive(), 3, 5000), "expected 512 bytes for 4096 symbols of 1 bits, got 256");
        assertMalformed(p, putInt(subsampledDrive(), 3, 2000), "hadamard block log2 at offset 12 is 12 but");
        // a hostile length: refused by the cap before any work, and under a generous cap by the payload length
        assertMalformed(p, putInt(subsampledDrive(), 3, 2_000_000_000), "more than the " + CAP + " this decode allows");
        byte[] hostile = putInt(subsampledDrive(), 3, 1 << 30);
        MalformedEncodingException uncapped = assertThrows(
                MalformedEncodingException.class,
                () -> Encoders.tensorEncoder(p).decode(Tensor.of(hostile, hostile.length), Integer.MAX_VALUE));
        assertTrue(
                uncapped.getMessage().contains("expected 67108864 bytes for 536870912 symbols of 1 bits, got 256"),
                uncapped.getMessage());
        // the bytes of drive (no stride stage) and of sampled-drive are refused by their stage ids
        byte[] d = Encoders.tensorEncoder("drive")
                .encode(TestData.gaussian(3, 3000), 1)
                .byteData();
        assertMalformed(p, d, "encoding has 3 stages but this decoder is hadamard(block<=2^12)+stride(2)");
        byte[] s = Encoders.tensorEncoder("sampled-drive:0.5")
                .encode(TestData.gaussian(3, 3000), 1)
                .byteData();
        assertMalformed(p, s, "has id 7 (random-k) but this decoder expects id 5 (hadamard");
        assertMalformed("sampled-drive:0.5", subsampledDrive(), "stage 0 at offset 8 has id 5 (hadamard)");
        assertMalformed(
                p,
                set(subsampledDrive(), 9, 8),
                "stage 1 at offset 9 has id 8 (sign) but this decoder expects" + " id 13 (stride(2))");
        assertEquals("stride", Stages.describeId(13));
        // 2048 signs fill their 256 bytes: a last byte of ones is no padding
        byte[] ones = subsampledDrive();
        ones[ones.length - 1] = (byte) 0xFF;
        assertEquals(
                3000,
                Encoders.tensorEncoder(p)
                        .decode(Tensor.of(ones, ones.length), CAP)
                        .size());
        // 1000 elements pad to 1024 and keep 512 signs; 3 elements keep 1 of their block of 4 at q = 8: 7 padding bits
        byte[] three = Encoders.tensorEncoder("subsampled-drive:0.125")
                .encode(TestData.gaussian(3, 3), 1)
                .byteData()
                .clone();
        three[three.length - 1] |= (byte) 0x80;
        assertMalformed("subsampled-drive:0.125", three, "bitpack payload: padding bits after the last 1-bit value");
    }

    /** nonuniform:2 on float32[3000]: header 10, bits at 10, four f32 levels at 11-26. */
    @Test
    void nonUniformSideInformation() {
        byte[] b = Encoders.tensorEncoder("nonuniform:2")
                .encode(TestData.gaussian(4, 3000), 1)
                .byteData();
        assertMalformed(
                "nonuniform:2",
                putFloat(b.clone(), 15, -100f),
                "non-uniform level 1 at offset 15 is -100.0, expected finite and >= the previous level");
        assertMalformed("nonuniform:2", putFloat(b.clone(), 11, Float.NaN), "non-uniform level 0 at offset 11 is NaN");
        assertMalformed(
                "nonuniform:2",
                set(b.clone(), 10, 3),
                "non-uniform quantization bits at offset 10 is 3 but this decoder is nonuniform(2)");
    }

    /** entropy-uniform:4 on float32[3000]: header 10, uniform side information 10-18, 16 frequency varints from 19. */
    @Test
    void entropyCodedStreams() {
        // a constant tensor: one symbol with frequency 65536 = varint 80 80 04, then 15 zeros
        byte[] c = Encoders.tensorEncoder("entropy-uniform:4")
                .encode(Tensor.of(new float[3000], 3000), 1)
                .byteData();
        assertMalformed(
                "entropy-uniform:4",
                set(c.clone(), 21, 3),
                "rANS frequency table at offset 19 sums to 49152, expected 65536");
        assertMalformed("entropy-uniform:4", set(c.clone(), 21, 5), "sums past 65536 at symbol 0");
        byte[] longVarint = c.clone();
        Arrays.fill(longVarint, 19, 25, (byte) 0x80);
        assertMalformed("entropy-uniform:4", longVarint, "is a varint longer than 5 bytes");

        byte[] b = Encoders.tensorEncoder("entropy-uniform:4")
                .encode(TestData.gaussian(5, 3000), 1)
                .byteData();
        assertMalformed("entropy-uniform:4", Arrays.copyOf(b, b.length - 1), "rANS payload: truncated");
        assertMalformed(
                "entropy-uniform:4", Arrays.copyOf(b, b.length + 1), "1 bytes left over after decoding 3000 symbols");
        byte[] state = b.clone();
        int stateAt = findPayloadStart(b);
        Arrays.fill(state, stateAt, stateAt + 4, (byte) 0);
        assertMalformed("entropy-uniform:4", state, "initial state 0 is outside [2^23, 2^31)");
        // flipping any single payload byte is detected (the decoder must end in its initial state)
        SplittableRandom r = new SplittableRandom(8);
        for (int trial = 0; trial < 50; trial++) {
            byte[] flipped = b.clone();
            int at = stateAt + 4 + r.nextInt(b.length - stateAt - 4);
            flipped[at] ^= (byte) (1 << r.nextInt(8));
            TensorEncoder enc = Encoders.tensorEncoder("entropy-uniform:4");
            assertThrows(
                    MalformedEncodingException.class,
                    () -> enc.decode(Tensor.of(flipped, flipped.length), CAP),
                    "flip at " + at);
        }
    }

    /** Offset of the rANS payload: after the header, 9 bytes of uniform side information and 16 varints. */
    private static int findPayloadStart(byte[] b) {
        int pos = 19;
        for (int symbol = 0; symbol < 16; symbol++) {
            while ((b[pos] & 0x80) != 0) {
                pos++;
            }
            pos++;
        }
        return pos;
    }

    @Test
    void decodingToAnotherTypeThanExpected() {
        TensorEncoder enc = Encoders.tensorEncoder("uniform8");
        Tensor bytes = Tensor.of(uniform8(), 623);
        MalformedEncodingException e = assertThrows(
                MalformedEncodingException.class, () -> enc.decode(bytes, new TensorType(DType.FLOAT32, 30, 20)));
        assertTrue(
                e.getMessage().contains("decodes to float32[20,30] but float32[30,20] was expected"), e.getMessage());
    }

    @Test
    void aHeaderClaimingAHugeShapeIsRejectedBeforeAnyWork() {
        // 40000 x 40000 elements with a 600-byte payload: the expected type is checked first
        byte[] b = putInt(putInt(uniform8(), 3, 40_000), 7, 40_000);
        TensorEncoder enc = Encoders.tensorEncoder("uniform8");
        MalformedEncodingException e = assertThrows(
                MalformedEncodingException.class,
                () -> enc.decode(Tensor.of(b, b.length), new TensorType(DType.FLOAT32, 20, 30)));
        assertTrue(e.getMessage().contains("float32[40000,40000] but float32[20,30] was expected"), e.getMessage());
        // random-k draws its indices only after the k values were found in the payload
        byte[] r = Encoders.tensorEncoder("randk:0.01")
                .encode(TestData.gaussian(2, 3000), 1)
                .byteData()
                .clone();
        putInt(r, 3, 2_000_000_000);
        putInt(r, 10, 20_000_000);
        assertMalformed("randk:0.01", r, "more than the " + CAP + " this decode allows");
        MalformedEncodingException uncapped = assertThrows(
                MalformedEncodingException.class,
                () -> Encoders.tensorEncoder("randk:0.01").decode(Tensor.of(r, r.length), Integer.MAX_VALUE));
        assertTrue(
                uncapped.getMessage().contains("expected 80000000 bytes for 20000000 floats, got 120"),
                uncapped.getMessage());
        // a shape the chain could not have encoded (its float32 payload would pass 2^31 bytes) is malformed, even under
        // a generous cap
        byte[] id = Encoders.tensorEncoder("identity")
                .encode(TestData.gaussian(1, 10), 1)
                .byteData()
                .clone();
        putInt(id, 3, 1 << 30);
        MalformedEncodingException huge = assertThrows(
                MalformedEncodingException.class,
                () -> Encoders.tensorEncoder("identity").decode(Tensor.of(id, id.length), Integer.MAX_VALUE));
        assertTrue(
                huge.getMessage()
                        .contains("header declares float32[1073741824], which identity+float32 cannot have encoded"),
                huge.getMessage());
    }

    @Test
    void randomGarbageNeverDecodes() {
        SplittableRandom r = new SplittableRandom(1);
        for (String preset : RoundTripTest.PRESETS) {
            TensorEncoder enc = Encoders.tensorEncoder(preset);
            for (int trial = 0; trial < 200; trial++) {
                byte[] b = new byte[r.nextInt(64)];
                r.nextBytes(b);
                assertThrows(MalformedEncodingException.class, () -> enc.decode(Tensor.of(b, b.length), CAP), preset);
            }
        }
    }

    @Test
    void truncatingAnyValidEncodingIsDetected() {
        for (String preset : RoundTripTest.PRESETS) {
            TensorEncoder enc = Encoders.tensorEncoder(preset);
            byte[] b = enc.encode(TestData.gaussian(7, 7, 9), 1).byteData();
            for (int len = 0; len < b.length; len++) {
                byte[] cut = Arrays.copyOf(b, len);
                assertThrows(
                        MalformedEncodingException.class,
                        () -> enc.decode(Tensor.of(cut, cut.length), CAP),
                        preset + " cut to " + len);
            }
        }
    }
}
