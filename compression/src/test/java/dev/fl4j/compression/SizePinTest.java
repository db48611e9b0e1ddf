package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import org.junit.jupiter.api.Test;

/** Exact encoded sizes: what the runtime will count as bits that cross. */
class SizePinTest {

    /** The FedAvg CNN of the TFF tutorials: 1,663,370 float32 parameters. */
    static Struct fedAvgCnn() {
        return Struct.builder()
                .add("conv1_kernel", TestData.gaussian(1, 0, 0.1, 5, 5, 1, 32))
                .add("conv1_bias", TestData.gaussian(2, 0, 0.1, 32))
                .add("conv2_kernel", TestData.gaussian(3, 0, 0.05, 5, 5, 32, 64))
                .add("conv2_bias", TestData.gaussian(4, 0, 0.1, 64))
                .add("dense1_kernel", TestData.gaussian(5, 0, 0.02, 3136, 512))
                .add("dense1_bias", TestData.gaussian(6, 0, 0.1, 512))
                .add("dense2_kernel", TestData.gaussian(7, 0, 0.05, 512, 10))
                .add("dense2_bias", TestData.gaussian(8, 0, 0.1, 10))
                .build();
    }

    @Test
    void fedAvgCnnUnderTffDefaultIsEightBitsForTheTwoLargeKernelsAndThirtyTwoForTheRest() {
        Struct weights = fedAvgCnn();
        assertEquals(1_663_370, dev.fl4j.core.Structures.numElements(weights));
        assertEquals(1_663_370L * 32, weights.sizeInBits());

        Value encoded = Encoders.parse("uniform8").encode(weights, 2024);

        // dense1 kernel 3136x512 (rank 2): 1,605,632 payload bytes + header 4+4·2+2 + uniform side info 9
        long dense = 1_605_632 + 14 + 9;
        // conv2 kernel 5x5x32x64 (rank 4): 51,200 payload bytes + header 4+4·4+2 + 9
        long conv2 = 51_200 + 22 + 9;
        // conv1 kernel 800, biases 32+64+512+10, dense2 kernel 5120: 6,538 float32 elements unchanged
        long raw = 6_538L * 32;
        assertEquals(8 * (dense + conv2) + raw, encoded.sizeInBits());
        assertEquals(13_464_304L, encoded.sizeInBits());

        Struct e = (Struct) encoded;
        assertEquals(DType.UINT8, e.tensor("dense1_kernel").dtype());
        assertEquals(8 * dense, e.tensor("dense1_kernel").sizeInBits());
        assertEquals(8 * conv2, e.tensor("conv2_kernel").sizeInBits());
        assertEquals(weights.tensor("dense2_kernel"), e.tensor("dense2_kernel"), "5,120 elements stay float32");
        assertEquals(weights.tensor("conv1_kernel"), e.tensor("conv1_kernel"));

        Struct decoded = (Struct) Encoders.parse("uniform8").decode(encoded, weights.type());
        assertEquals(weights.type(), decoded.type());
        assertEquals(weights.tensor("dense1_bias"), decoded.tensor("dense1_bias"));
    }

    @Test
    void fedAvgCnnUnderDriveIsAboutOneBitPerLargeKernelElement() {
        Struct weights = fedAvgCnn();
        Value encoded = Encoders.parse("drive").encode(weights, 1);
        // blocks of 4096: 1,605,632 = 392 blocks exactly; 51,200 pads to 13 blocks = 53,248
        long dense = 1_605_632 / 8 + (4 + 8 + 3) + 9 + 4;
        long conv2 = 53_248 / 8 + (4 + 16 + 3) + 9 + 4;
        assertEquals(8 * (dense + conv2) + 6_538L * 32, encoded.sizeInBits());
        assertTrue(weights.sizeInBits() / encoded.sizeInBits() > 16, "more than 16x smaller than float32");
    }

    @Test
    void presetSizesForARankTwoTensorOf3000Elements() {
        Tensor x = TestData.gaussian(3, 100, 30);
        int header2 = 4 + 4 * 2 + 2;
        int header3 = 4 + 4 * 2 + 3;
        assertEquals(header2 + 12_000, bytes("identity", x));
        assertEquals(header2 + 9 + 3000, bytes("uniform8", x));
        assertEquals(header2 + 9 + 1500, bytes("uniform:4", x));
        assertEquals(header2 + 9 + 1125, bytes("uniform:3", x));
        assertEquals(header2 + 9 + 375, bytes("uniform:1", x));
        assertEquals(header2 + 9 + 6000, bytes("uniform:16", x));
        // 3000 elements pad to one block of 4096
        assertEquals(header3 + 9 + 9 + 2048, bytes("hadamard-uniform:4", x));
        assertEquals(header3 + 9 + 4 + 512, bytes("drive", x));
        assertEquals(header2 + 1 + 4 * 8 + 1125, bytes("nonuniform:3", x));
        // k = 30, indices of ceil(log2 3000) = 12 bits: 45 bytes
        assertEquals(header2 + 4 + 45 + 4 * 30, bytes("topk:0.01", x));
        assertEquals(header3 + 4 + 45 + 9 + 30, bytes("topk-uniform:0.01:8", x));
        assertEquals(header2 + 12 + 4 * 30, bytes("randk:0.01", x));
        assertEquals(header2 + 12 + 4 * 30, bytes("randk-ef:0.01", x));
        // one block of 4096: u8 bits and one f32 scale, then 4096 symbols of 3 bits
        assertEquals(header3 + 9 + 1 + 4 + 1536, bytes("hadamard-lloyd:3", x));
        // k = 1500 pads to one block of 2048 signs
        int header4 = 4 + 4 * 2 + 4;
        assertEquals(header4 + 12 + 9 + 4 + 256, bytes("sampled-drive:0.5", x));
        // k = 750 pads to 1024; two bits each
        assertEquals(header4 + 12 + 9 + 1 + 4 + 256, bytes("sampled-lloyd:0.25:2", x));
        // one block of 4096, every q-th kept: hadamard 9, stride 1 (u8 log2 q), scale 4, ceil(4096/q/8)
        assertEquals(header4 + 9 + 1 + 4 + 256, bytes("subsampled-drive:0.5", x));
        assertEquals(header4 + 9 + 1 + 4 + 64, bytes("subsampled-drive:0.125", x));
        assertEquals(header4 + 9 + 1 + 4 + 1, bytes("subsampled-drive:0.001953125", x));
        assertEquals(header4 + 9 + 1 + 4 + 1, bytes("subsampled-drive:0.000244140625", x));
        assertEquals(header4 + 9 + 1 + 4 + 512, bytes("subsampled-drive:1", x));
    }

    /**
     * subsampled-drive: header + 14 + ceil(ceil(m/q)/8) for the padded length m; a tensor shorter than q is one block
     * shorter than q and keeps one element.
     */
    @Test
    void subsampledDriveSendsCeilOfMOverQSigns() {
        int header = 4 + 4 + 4;
        // 156,800 pads to 39 blocks of 4096 = 159,744; 79,872 signs at q = 2
        assertEquals(header + 4 + 14 + 9_984, bytes("subsampled-drive:0.5", TestData.gaussian(1, 784, 200)));
        assertEquals(header + 4 + 14 + 2_496, bytes("subsampled-drive:0.125", TestData.gaussian(1, 784, 200)));
        // 21,007 pads to 6 blocks: 24,576 / 2 = 12,288 signs
        assertEquals(header + 14 + 1_536, bytes("subsampled-drive:0.5", TestData.gaussian(1, 21_007)));
        // 200 pads to one block of 256: 128 signs, 16 bytes; 10 to 16: 8 signs, 1 byte
        assertEquals(header + 14 + 16, bytes("subsampled-drive:0.5", TestData.gaussian(1, 200)));
        assertEquals(header + 14 + 1, bytes("subsampled-drive:0.5", TestData.gaussian(1, 10)));
        // 3 elements, one block of 4 < q = 8: one sign
        assertEquals(header + 14 + 1, bytes("subsampled-drive:0.125", TestData.gaussian(1, 3)));
        assertEquals(header + 14 + 1, bytes("subsampled-drive:0.5", TestData.gaussian(1, 1)));
        assertEquals(header + 14, bytes("subsampled-drive:0.5", Tensor.of(new float[0], 0)));
    }

    /**
     * The two_nn model (199,210 weights) with every tensor encoded: half a bit per weight plus padding and headers,
     * more than 60 times fewer bits than float32 (the aggregation's half of a round).
     */
    @Test
    void twoNnUnderSubsampledDriveAtOneHalfIsAboutHalfABitPerWeight() {
        Struct twoNn = ModelCodecTiming.twoNn();
        assertEquals(199_210, dev.fl4j.core.Structures.numElements(twoNn));
        Value encoded = Encoders.parse("subsampled-drive:0.5@0").encode(twoNn, 1);
        // rank 2: header 16, rank 1: header 12; side information 14 each; signs ceil(m/2/8)
        long w1 = 16 + 14 + 159_744 / 16;
        long b1 = 12 + 14 + 256 / 16;
        long w2 = 16 + 14 + 40_960 / 16;
        long b2 = 12 + 14 + 256 / 16;
        long w3 = 16 + 14 + 2_048 / 16;
        long b3 = 12 + 14 + 1;
        assertEquals(8 * (w1 + b1 + w2 + b2 + w3 + b3), encoded.sizeInBits());
        assertTrue(twoNn.sizeInBits() / (double) encoded.sizeInBits() > 60, "more than 60x fewer bits");
    }

    @Test
    void lloydMaxTakesOneScalePerBlockOf4096() {
        Tensor x = TestData.gaussian(4, 10_000);
        // 10,000 pads to 3 Hadamard blocks of 4096 = 12,288 elements, 3 scales
        assertEquals(4 + 4 + 3 + 9 + 1 + 4 * 3 + 12_288 / 4, bytes("hadamard-lloyd:2", x));
    }

    @Test
    void headerSizeFormula() {
        assertEquals(4, TensorEncoder.headerBytes(0, 0));
        assertEquals(23, TensorEncoder.headerBytes(2, 2) + 9);
        assertEquals(31, TensorEncoder.headerBytes(4, 2) + 9);
        assertEquals(4 + 12 + 3, Encoders.tensorEncoder("drive").headerBytes(3));
        Tensor scalar = Tensor.scalar(1f);
        assertEquals(
                8 * (4 + 2 + 9 + 1),
                Encoders.tensorEncoder("uniform8").encode(scalar, 1).sizeInBits());
    }

    @Test
    void entropyCodedSizeIsTheBytesThatWereWritten() {
        Tensor x = TestData.gaussian(3, 100, 30);
        Tensor enc = Encoders.tensorEncoder("entropy-uniform:4").encode(x, 1);
        assertEquals(8L * enc.byteData().length, enc.sizeInBits());
        assertEquals(1, enc.rank());
    }

    private static long bytes(String preset, Tensor x) {
        return Encoders.tensorEncoder(preset).encode(x, 7).sizeInBits() / 8;
    }
}
