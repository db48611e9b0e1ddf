package dev.fl4j.compression.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.StageContext;
import dev.fl4j.core.Struct;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link LloydMaxFewBits} against {@link LloydMaxStage}'s general path: the integer symbol equals the threshold search
 * on finite floats around every threshold and at random, and blocks that the fast path must leave to the general one
 * (RMS 0, an RMS whose inverse overflows, an infinite element) encode to the same bytes either way.
 */
class LloydMaxFewBitsTest {

    private static void assertSymbol(LloydMaxStage one, LloydMaxStage two, int bits) {
        float v = Float.intBitsToFloat(bits);
        if (!Float.isFinite(v)) {
            return;
        }
        assertEquals(one.level(v), LloydMaxFewBits.oneBitSymbol(v), () -> "1 bit, v " + v);
        assertEquals(two.level(v), LloydMaxFewBits.twoBitSymbol(v), () -> "2 bits, v " + v);
    }

    @Test
    void integerSymbolsEqualTheThresholdSearch() {
        LloydMaxStage one = new LloydMaxStage(1, true);
        LloydMaxStage two = new LloydMaxStage(2, true);
        float[] around = {
            0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f,
        };
        float[] centres = Arrays.copyOf(around, around.length + 3);
        float[] t = LloydMaxStage.thresholds(LloydMaxStage.gaussianLevels(2));
        System.arraycopy(t, 0, centres, around.length, 3);
        for (float c : centres) {
            int bits = Float.floatToRawIntBits(c);
            for (int d = -5000; d <= 5000; d++) {
                assertSymbol(one, two, bits + d);
            }
        }
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < 1_000_000; i++) {
            assertSymbol(one, two, r.nextInt());
        }
    }

    private static byte[] generalPath(LloydMaxStage stage, int bits, float[] x, ByteWriter side) {
        int[] q = stage.encode(Signal.floats(x), new StageContext(1, Struct.empty()), side)
                .symbols();
        return BitPacker.pack(q, q.length, bits);
    }

    @Test
    void blocksLeftToTheGeneralPathEncodeAlike() {
        SplittableRandom r = new SplittableRandom(9);
        float[][] blocks = new float[5][];
        // RMS 0, the inverse of a subnormal RMS overflows, RMS 1, RMS at the edge of the inverse's range
        blocks[0] = new float[LloydMaxStage.BLOCK];
        blocks[1] = new float[LloydMaxStage.BLOCK];
        blocks[1][7] = 3 * Float.MIN_VALUE;
        blocks[1][100] = -Float.MIN_VALUE;
        blocks[2] = new float[LloydMaxStage.BLOCK];
        blocks[3] = new float[LloydMaxStage.BLOCK];
        blocks[4] = new float[LloydMaxStage.BLOCK];
        for (int i = 0; i < LloydMaxStage.BLOCK; i++) {
            blocks[2][i] = (float) r.nextGaussian();
            blocks[3][i] = (float) (r.nextGaussian() * 3e-39);
            blocks[4][i] = (float) (r.nextGaussian() * 1e-30);
        }
        assertFalse(
                LloydMaxFewBits.takes(LloydMaxStage.rms(LloydMaxStage.sumOfSquares(blocks[1], 0, 4096), 4096), 4096));
        float[] all = new float[0];
        for (float[] b : blocks) {
            int at = all.length;
            all = Arrays.copyOf(all, at + b.length);
            System.arraycopy(b, 0, all, at, b.length);
        }
        for (int bits = 1; bits <= 2; bits++) {
            for (boolean unbiased : new boolean[] {false, true}) {
                LloydMaxStage stage = new LloydMaxStage(bits, unbiased);
                ByteWriter generalSide = new ByteWriter();
                byte[] general = generalPath(stage, bits, all.clone(), generalSide);
                ByteWriter fastSide = new ByteWriter();
                byte[] fast = stage.encodePacked(
                                Signal.floats(all.clone()), new StageContext(1, Struct.empty()), fastSide)
                        .bytes();
                assertArrayEquals(general, fast, stage.name() + ": symbols");
                assertArrayEquals(generalSide.toByteArray(), fastSide.toByteArray(), stage.name() + ": scales");
            }
        }
    }

    /** A non-finite element (what a rotation that overflowed hands on) is refused by both paths alike. */
    @Test
    void bothPathsRefuseANonFiniteBlock() {
        float[] x = new float[2 * LloydMaxStage.BLOCK];
        java.util.Arrays.fill(x, 0.25f);
        x[LloydMaxStage.BLOCK + 5] = Float.POSITIVE_INFINITY;
        for (int bits = 1; bits <= 2; bits++) {
            LloydMaxStage stage = new LloydMaxStage(bits, true);
            String general = org.junit.jupiter.api.Assertions.assertThrows(
                            IllegalArgumentException.class,
                            () -> stage.encode(Signal.floats(x), new StageContext(1, Struct.empty()), new ByteWriter()))
                    .getMessage();
            String fast = org.junit.jupiter.api.Assertions.assertThrows(
                            IllegalArgumentException.class,
                            () -> stage.encodePacked(
                                    Signal.floats(x), new StageContext(1, Struct.empty()), new ByteWriter()))
                    .getMessage();
            assertEquals(general, fast);
            org.junit.jupiter.api.Assertions.assertTrue(
                    general.contains("non-finite values in the block at element 4096"), general);
        }
    }
}
