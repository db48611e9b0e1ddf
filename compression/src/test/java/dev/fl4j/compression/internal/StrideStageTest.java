package dev.fl4j.compression.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.MalformedEncodingException;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;
import dev.fl4j.core.Struct;
import org.junit.jupiter.api.Test;

/** The stride stage on its own: its arithmetic, its checks, and the stage's decoder against its encoder. */
class StrideStageTest {

    @Test
    void strideIsAPowerOfTwoUpToTheLargestBlock() {
        for (int bad : new int[] {0, -2, 3, 6, 1 << 25, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StrideStage(bad));
            assertEquals("stride must be a power of two from 1 to 2^24 (16777216), got " + bad, e.getMessage());
        }
        assertEquals(1, new StrideStage(1).stride());
        assertEquals(1 << 24, new StrideStage(1 << 24).stride());
        assertEquals("stride(8)", new StrideStage(8).name());
    }

    @Test
    void keptCountAndScale() {
        StrideStage eight = new StrideStage(8);
        assertEquals(0, eight.kept(0));
        assertEquals(1, eight.kept(1));
        assertEquals(1, eight.kept(8));
        assertEquals(2, eight.kept(9));
        assertEquals(512, eight.kept(4096));
        assertEquals(268_435_456, eight.kept(Integer.MAX_VALUE), "no overflow in ceil(n/q)");
        assertEquals(8f, eight.scale(4096));
        assertEquals(4f, eight.scale(4), "shorter than the stride: one kept, times n");
        assertEquals((float) (9.0 / 2), eight.scale(9));
        assertEquals(1f, eight.scale(0));
        assertEquals(SignalShape.floats(3), eight.outputShape(SignalShape.floats(17)));
    }

    @Test
    void keepsEveryQthAndDecodesItTimesNOverK() {
        StrideStage stage = new StrideStage(4);
        float[] x = new float[10];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        ByteWriter side = new ByteWriter();
        float[] kept = stage.encode(Signal.floats(x), new StageContext(1, Struct.empty()), side)
                .floats();
        assertArrayEquals(new float[] {1, 5, 9}, kept);
        assertArrayEquals(new byte[] {2}, side.toByteArray(), "log2 of the stride");
        float[] back = stage.readSideInfo(new ByteReader(side.toByteArray()), SignalShape.floats(10))
                .decode(Signal.floats(kept))
                .floats();
        float s = (float) (10.0 / 3);
        assertArrayEquals(new float[] {s, 0, 0, 0, 5 * s, 0, 0, 0, 9 * s, 0}, back);
    }

    @Test
    void theDecoderChecksTheStrideAndTheKeptCount() {
        StrideStage stage = new StrideStage(2);
        MalformedEncodingException wrong = assertThrows(
                MalformedEncodingException.class,
                () -> stage.readSideInfo(new ByteReader(new byte[] {3}), SignalShape.floats(10)));
        assertEquals("stride log2 at offset 0 is 3 but stride(2) keeps every 2^1-th element", wrong.getMessage());
        assertThrows(
                MalformedEncodingException.class,
                () -> stage.readSideInfo(new ByteReader(new byte[0]), SignalShape.floats(10)));
        StageDecoder decoder = stage.readSideInfo(new ByteReader(new byte[] {1}), SignalShape.floats(10));
        MalformedEncodingException count =
                assertThrows(MalformedEncodingException.class, () -> decoder.decode(Signal.floats(new float[4])));
        assertEquals("stride(2): expected 5 kept values for 10 elements, got 4", count.getMessage());
    }

    @Test
    void keptElementsThatAreNotFiniteAreRefused() {
        StrideStage stage = new StrideStage(2);
        float[] x = {1, Float.NaN, Float.POSITIVE_INFINITY, 2};
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> stage.encode(Signal.floats(x), new StageContext(1, Struct.empty()), new ByteWriter()));
        assertTrue(e.getMessage().startsWith("stride(2): a kept element is not finite"), e.getMessage());
        // a dropped element is not looked at
        float[] dropped = {1, Float.NaN, 3, 2};
        assertArrayEquals(
                new float[] {1, 3},
                stage.encode(Signal.floats(dropped), new StageContext(1, Struct.empty()), new ByteWriter())
                        .floats());
    }

    /** The fused view takes runs in any split that starts at multiples of q, as the rotation hands it blocks. */
    @Test
    void theFusedViewGivesTheStagesBytesInAnySplit() {
        StrideStage stage = new StrideStage(4);
        SignStage sign = new SignStage(true);
        float[] y = new float[1000];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) Math.sin(i * 0.37) * (i % 7 == 0 ? -3 : 1);
        }
        ByteWriter apartSide = new ByteWriter();
        float[] kept = stage.encode(Signal.floats(y), new StageContext(1, Struct.empty()), apartSide)
                .floats();
        byte[] apart = sign.encodePacked(Signal.floats(kept), new StageContext(1, Struct.empty()), apartSide)
                .bytes();
        for (int run : new int[] {1000, 64, 256, 4, 12}) {
            ByteWriter side = new ByteWriter();
            BlockQuantizer.Sink sink = stage.over(sign).startPacked(y.length, side);
            for (int at = 0; at < y.length; at += run) {
                int len = Math.min(run, y.length - at);
                float[] part = new float[len + 5];
                System.arraycopy(y, at, part, 5, len);
                sink.accept(part, 5, at, len);
            }
            assertArrayEquals(apart, sink.finish(), "runs of " + run);
            assertArrayEquals(apartSide.toByteArray(), side.toByteArray(), "runs of " + run + ": side information");
        }
    }
}
