package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@code adaptive-uniform:BITS}: a quantization range carried across rounds in the encoder state. */
class AdaptiveQuantizationTest {

    static final TensorEncoder ADAPTIVE4 = Encoders.tensorEncoder("adaptive-uniform:4");
    /** Rank-1 header: 4 + 4 + 2 stage ids. */
    static final int HEADER = 10;

    /** Alternating {@code a, b}: mean (a+b)/2 and standard deviation |a-b|/2, exact in binary. */
    static Tensor alternating(float a, float b, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % 2 == 0 ? a : b;
        }
        return Tensor.of(v, n);
    }

    static double[] stageState(Value encoderState) {
        return ((Tensor) ((Struct) encoderState).get(0)).doubleData();
    }

    @Test
    void stateIsAMovingAverageOfMeanAndDeviation() {
        Value state = ADAPTIVE4.initialState(1000);
        assertArrayEquals(new double[] {0, 0, 0}, stageState(state));
        assertTrue(ADAPTIVE4.isStateful(1000));
        // round 1 takes its own statistics: mean 2, deviation 1
        state = ADAPTIVE4.encode(alternating(1, 3, 1000), 1, state).state();
        assertArrayEquals(new double[] {1, 2, 1}, stageState(state), 1e-12);
        // round 2: mean 4, deviation 4; decay 0.9
        state = ADAPTIVE4.encode(alternating(0, 8, 1000), 2, state).state();
        assertArrayEquals(new double[] {2, 0.9 * 2 + 0.1 * 4, 0.9 * 1 + 0.1 * 4}, stageState(state), 1e-12);
        // round 3: mean 0, deviation 1
        state = ADAPTIVE4.encode(alternating(-1, 1, 1000), 3, state).state();
        assertArrayEquals(new double[] {3, 0.9 * 2.2, 0.9 * 1.3 + 0.1 * 1}, stageState(state), 1e-12);
    }

    @Test
    void aRoundsOutliersCrossExactlyAndHardlyStretchTheGrid() {
        // one clean round (deviation 1), then a round with three spikes that alone would raise the deviation to about
        // 120
        Value history = ADAPTIVE4
                .encode(TestData.gaussian(3, 0.0, 1.0, 10_000), 0, ADAPTIVE4.initialState(10_000))
                .state();
        float[] v = TestData.gaussian(4, 0.0, 1.0, 10_000).floatData().clone();
        int[] spikes = {17, 4242, 9999};
        for (int i : spikes) {
            v[i] = 1000f + i;
        }
        Tensor x = Tensor.of(v, v.length);
        Tensor encoded = ADAPTIVE4.encode(x, 5, history).bytes();
        ByteBuffer side = ByteBuffer.wrap(encoded.byteData()).order(ByteOrder.LITTLE_ENDIAN);
        float lo = side.getFloat(HEADER + 1);
        float hi = side.getFloat(HEADER + 5);
        int outliers = side.getInt(HEADER + 9);
        assertEquals(TestData.min(v), lo, "the range ends at the data");
        assertTrue(hi > 20 && hi < 100, "hi " + hi + ": 4 moving deviations, 0.9·1 + 0.1·120");
        assertEquals(spikes.length, outliers);
        assertEquals(
                HEADER + 13 + 8L * outliers + 10_000 / 2, encoded.size(), "header + side information + 4-bit payload");
        float[] y = ADAPTIVE4.decode(encoded, x.type()).floatData();
        double step = ((double) hi - lo) / 15;
        for (int i = 0; i < v.length; i++) {
            if (v[i] < lo || v[i] > hi) {
                assertEquals(v[i], y[i], "outlier " + i + " is exact");
            } else {
                assertTrue(
                        Math.abs(v[i] - y[i]) <= step * (1 + 1e-6), i + ": " + v[i] + " -> " + y[i] + ", step " + step);
            }
        }
        for (int i : spikes) {
            assertEquals(v[i], y[i]);
        }
        double adaptive = TestData.squaredError(v, y);
        // without memory (decay 0) the spikes' own deviation sets the range; with [min, max] the largest spike does
        TensorEncoder memoryless = TensorEncoder.of(Stages.adaptiveUniformQuantization(4, 4, 0), Stages.bitPacking());
        Value memorylessHistory = memoryless
                .encode(TestData.gaussian(3, 0.0, 1.0, 10_000), 0, memoryless.initialState(10_000))
                .state();
        double withoutMemory = TestData.squaredError(
                v,
                memoryless
                        .decode(memoryless.encode(x, 5, memorylessHistory).bytes(), x.type())
                        .floatData());
        TensorEncoder plain = Encoders.tensorEncoder("uniform:4");
        double minMax = TestData.squaredError(
                v, plain.decode(plain.encode(x, 5), x.type()).floatData());
        assertTrue(
                adaptive * 10 < withoutMemory,
                "moving average " + adaptive + " vs this round's statistics " + withoutMemory);
        assertTrue(
                withoutMemory * 10 < minMax, "this round's statistics " + withoutMemory + " vs [min, max] " + minMax);
    }

    @Test
    void theRangeFollowsTheAverageAcrossRounds() {
        // after rounds at deviation 1, a round at deviation 3 is quantized over about ±4·1.2, not ±4·3:
        // the elements beyond cross exactly while they are few, and the state moves towards 3
        Value state = ADAPTIVE4.initialState(20_000);
        for (int r = 0; r < 5; r++) {
            state = ADAPTIVE4
                    .encode(TestData.gaussian(10 + r, 0.0, 1.0, 20_000), r, state)
                    .state();
        }
        Tensor wider = TestData.gaussian(20, 0.0, 1.2, 20_000);
        TensorEncoder.Encoding e = ADAPTIVE4.encode(wider, 9, state);
        ByteBuffer side = ByteBuffer.wrap(e.bytes().byteData()).order(ByteOrder.LITTLE_ENDIAN);
        float hi = side.getFloat(HEADER + 5);
        double movedDeviation = stageState(e.state())[2];
        assertTrue(movedDeviation > 1.0 && movedDeviation < 1.2, "deviation " + movedDeviation);
        assertTrue(
                Math.abs(hi - 4 * movedDeviation) < 0.05, "hi " + hi + " from the moving deviation " + movedDeviation);
        assertTrue(side.getInt(HEADER + 9) > 0, "the wider round's extremes cross exactly");
        float[] a = wider.floatData();
        float[] b = ADAPTIVE4.decode(e.bytes(), wider.type()).floatData();
        for (int i = 0; i < a.length; i++) {
            assertTrue(a[i] == b[i] || Math.abs(a[i] - b[i]) <= (2 * (double) hi) / 15 * (1 + 1e-6), "element " + i);
        }
    }

    @Test
    void tooManyOutliersFallBackToMinMaxForTheRound() {
        Value state = ADAPTIVE4
                .encode(TestData.gaussian(1, 0.0, 1.0, 4096), 1, ADAPTIVE4.initialState(4096))
                .state();
        // the next round moved by 20 deviations: nearly every element is outside the averaged range
        Tensor moved = TestData.gaussian(2, 20.0, 1.0, 4096);
        TensorEncoder.Encoding e = ADAPTIVE4.encode(moved, 2, state);
        ByteBuffer side = ByteBuffer.wrap(e.bytes().byteData()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(TestData.min(moved.floatData()), side.getFloat(HEADER + 1));
        assertEquals(TestData.max(moved.floatData()), side.getFloat(HEADER + 5));
        assertEquals(0, side.getInt(HEADER + 9));
        assertEquals(HEADER + 13 + 4096 / 2, e.bytes().size());
        assertEquals(2.0, stageState(e.state())[0], "the round is counted");
    }

    @Test
    void unbiasedWithOutliers() {
        Tensor x = TestData.heavyTailed(7, 2000);
        double ratio = UnbiasednessTest.biasRatio(Encoders.tensorEncoder("adaptive-uniform:2"), x);
        assertTrue(ratio > 0.75 && ratio < 1.3, "R·bias²/MSE = " + ratio);
    }

    @Test
    void stateThroughAValueEncoderAcrossRounds() {
        // what an encoded broadcast does at the server: carry the value encoder's state from round to round
        ValueEncoder enc = Encoders.parse("adaptive-uniform:3@100");
        Struct model = Struct.named(
                "kernel", TestData.gaussian(3, 0.0, 0.1, 30, 20), "bias", TestData.gaussian(4, 0.0, 0.1, 20));
        Value state = enc.initialState(model.type());
        for (int round = 0; round < 3; round++) {
            ValueEncoder.Encoding e = enc.encode(model, round, state);
            Struct decoded = (Struct) enc.decode(e.value(), model.type());
            assertEquals(model.get("bias"), decoded.get("bias"), "20 elements stay exact");
            assertEquals(DType.UINT8, ((Struct) e.value()).tensor("kernel").dtype());
            state = e.state();
        }
        double[] kernelState = ((Tensor) ((Struct) ((Struct) state).get(0)).get(0)).doubleData();
        assertEquals(3.0, kernelState[0]);
        assertEquals(
                state.type(), enc.initialState(model.type()).type(), "the state keeps its type from round to round");
    }

    @Test
    void malformedStateIsRejected() {
        Tensor x = TestData.gaussian(1, 100);
        assertState(
                encoderState(Tensor.of(new float[3], 3)),
                "state must be float64[3] = [rounds, mean, deviation], got float32[3]");
        assertState(encoderState(Tensor.of(new double[2], 2)), "got float64[2]");
        assertState(encoderState(Tensor.vector(1.0, Double.NaN, 1.0)), "is not [rounds, mean, deviation]");
        assertState(encoderState(Tensor.vector(1.0, 0.0, -1.0)), "a finite deviation >= 0");
        assertState(encoderState(Tensor.vector(1.5, 0.0, 1.0)), "a whole rounds >= 0");
        assertState(encoderState(Tensor.vector(-1.0, 0.0, 1.0)), "a whole rounds >= 0");
        assertState(encoderState(Struct.empty()), "got <>");
        ADAPTIVE4.encode(x, 1, encoderState(Tensor.vector(4.0, 0.5, 2.0)));
    }

    /** An encoder state with {@code adaptive} for the quantization stage and the bit packer's empty state. */
    private static Value encoderState(Value adaptive) {
        return Struct.of(adaptive, Struct.empty());
    }

    private static void assertState(Value state, String expected) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> ADAPTIVE4.encode(TestData.gaussian(1, 100), 1, state));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Stages.adaptiveUniformQuantization(0));
        assertThrows(IllegalArgumentException.class, () -> Stages.adaptiveUniformQuantization(17));
        IllegalArgumentException spread =
                assertThrows(IllegalArgumentException.class, () -> Stages.adaptiveUniformQuantization(4, 0, 0.5));
        assertTrue(spread.getMessage().contains("spread must be a finite number > 0, got 0.0"), spread.getMessage());
        IllegalArgumentException decay =
                assertThrows(IllegalArgumentException.class, () -> Stages.adaptiveUniformQuantization(4, 3, 1));
        assertTrue(decay.getMessage().contains("decay must be in [0, 1), got 1.0"), decay.getMessage());
        IllegalArgumentException parse =
                assertThrows(IllegalArgumentException.class, () -> Encoders.parse("adaptive-uniform:0"));
        assertTrue(parse.getMessage().contains("BITS must be 1-16, got 0"), parse.getMessage());
    }

    /** An encoding of 2048 elements with spikes, so the side information lists outliers. */
    static byte[] withOutliers() {
        float[] v = TestData.gaussian(8, 0.0, 1.0, 2048).floatData().clone();
        v[3] = 500f;
        v[700] = -400f;
        return ADAPTIVE4.encode(Tensor.of(v, v.length), 1).byteData().clone();
    }

    @Test
    void malformedSideInformationIsRejected() {
        byte[] good = withOutliers();
        ByteBuffer b = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        int outliers = b.getInt(HEADER + 9);
        assertTrue(outliers >= 2 && outliers <= 8, "outliers " + outliers);
        assertEquals(500f, b.getFloat(HEADER + 13 + 4));
        ADAPTIVE4.decode(Tensor.of(good, good.length), MalformedInputTest.CAP);

        assertMalformed(put(good, HEADER, (byte) 5), "adaptive quantization bits at offset 10 is 5");
        assertMalformed(putFloat(good, HEADER + 1, 1e6f), "range at offset 11 is [1000000.0, ");
        assertMalformed(putFloat(good, HEADER + 5, Float.NaN), "expected finite lo <= hi");
        assertMalformed(putInt(good, HEADER + 9, 9), "outlier count at offset 19 is 9, expected 0-8 for 2048 elements");
        assertMalformed(putInt(good, HEADER + 9, -1), "outlier count at offset 19 is -1");
        assertMalformed(
                putInt(good, HEADER + 13, 2048),
                "outlier 0 at offset 23 has index 2048, expected increasing indices in [0, 2048)");
        assertMalformed(putInt(good, HEADER + 13 + 8, 3), "outlier 1 at offset 31 has index 3");
        assertMalformed(
                putFloat(good, HEADER + 13 + 4, 0f), "outlier 0 at offset 27 is 0.0, expected a finite value outside");
        assertMalformed(
                putFloat(good, HEADER + 13 + 4, Float.POSITIVE_INFINITY), "is Infinity, expected a finite value");
        // one more outlier claimed than listed: the last entry is read from the payload, and the payload comes up short
        assertThrows(
                MalformedEncodingException.class,
                () -> ADAPTIVE4.decode(
                        Tensor.of(putInt(good, HEADER + 9, outliers + 1), good.length), MalformedInputTest.CAP));
        byte[] cut = Arrays.copyOf(good, HEADER + 13 + 3);
        assertMalformed(cut, "truncated: reading adaptive quantization outlier index needs 4 bytes at offset 23");
    }

    private static void assertMalformed(byte[] bytes, String expected) {
        MalformedEncodingException e = assertThrows(
                MalformedEncodingException.class,
                () -> ADAPTIVE4.decode(Tensor.of(bytes, bytes.length), MalformedInputTest.CAP));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static byte[] put(byte[] b, int at, byte v) {
        byte[] c = b.clone();
        c[at] = v;
        return c;
    }

    private static byte[] putInt(byte[] b, int at, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return c;
    }

    private static byte[] putFloat(byte[] b, int at, float v) {
        return putInt(b, at, Float.floatToRawIntBits(v));
    }
}
