package dev.fl4j.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import org.junit.jupiter.api.Test;

/** Sparsifiers with error feedback carry exactly what they did not send to the next round. */
class ErrorFeedbackTest {

    @Test
    void residualIsInputPlusOldResidualMinusWhatWasSent() {
        for (String preset : new String[] {"topk:0.05", "randk-ef:0.05"}) {
            TensorEncoder enc = Encoders.tensorEncoder(preset);
            Value state = enc.initialState(2000);
            float[] residual = new float[2000];
            for (int round = 0; round < 5; round++) {
                Tensor x = TestData.gaussian(round, 50, 40);
                TensorEncoder.Encoding e = enc.encode(x, round, state);
                float[] sent = enc.decode(e.bytes(), x.type()).floatData();
                float[] next = ((Tensor) ((Struct) e.state()).get(0)).floatData();
                int nonzero = 0;
                for (int i = 0; i < 2000; i++) {
                    float v = x.floatData()[i] + residual[i];
                    if (sent[i] != 0) {
                        nonzero++;
                        assertEquals(v, sent[i], preset + ": kept values are sent exactly");
                        assertEquals(0f, next[i]);
                    } else {
                        assertEquals(v, next[i], preset + ": unsent values carry over");
                    }
                }
                assertEquals(100, nonzero);
                residual = next;
                state = e.state();
            }
        }
    }

    @Test
    void nothingIsLostOverRounds() {
        // After T rounds, what was sent plus the final residual equals the sum of the inputs.
        TensorEncoder enc = Encoders.tensorEncoder("topk:0.02");
        int n = 5000;
        Value state = enc.initialState(n);
        double[] inputs = new double[n];
        double[] sent = new double[n];
        Tensor x = TestData.gaussian(99, n);
        for (int round = 0; round < 200; round++) {
            TensorEncoder.Encoding e = enc.encode(x, round, state);
            float[] s = enc.decode(e.bytes(), x.type()).floatData();
            for (int i = 0; i < n; i++) {
                inputs[i] += x.floatData()[i];
                sent[i] += s[i];
            }
            state = e.state();
        }
        float[] residual = ((Tensor) ((Struct) state).get(0)).floatData();
        double maxResidual = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(inputs[i], sent[i] + residual[i], 1e-3 * (1 + Math.abs(inputs[i])));
            maxResidual = Math.max(maxResidual, Math.abs(residual[i]));
        }
        // with a constant input every coordinate gets sent: the residual stays bounded, far below 200·|x|
        assertTrue(maxResidual < 60, "residual grows without bound: " + maxResidual);
    }

    @Test
    void withoutErrorFeedbackTheStateIsEmpty() {
        TensorEncoder enc = TensorEncoder.of(Stages.topK().setFraction(0.1).build(), Stages.float32());
        assertEquals(Struct.of(Struct.empty(), Struct.empty()), enc.initialState(100));
        assertTrue(!enc.isStateful(100));
        assertTrue(Encoders.tensorEncoder("topk:0.1").isStateful(100));
    }

    @Test
    void valueEncoderKeepsOneStatePerLeafAndOnlyForEncodedLeaves() {
        Struct weights = Struct.named(
                "big", TestData.gaussian(1, 300, 100), "small", TestData.gaussian(2, 10), "count", Tensor.scalar(3));
        ValueEncoder enc = Encoders.parse("topk:0.01@1000");
        Struct state = (Struct) enc.initialState(weights.type());
        assertEquals(3, state.size());
        assertEquals(Tensor.zeros(DType.FLOAT32, 30_000), ((Struct) state.get(0)).get(0));
        assertEquals(Struct.empty(), state.get(1));
        assertEquals(Struct.empty(), state.get(2));
        ValueEncoder.Encoding e = enc.encode(weights, 5, state);
        Tensor residual = (Tensor) ((Struct) ((Struct) e.state()).get(0)).get(0);
        long nonzero = 0;
        for (float v : residual.floatData()) {
            if (v != 0) {
                nonzero++;
            }
        }
        assertEquals(30_000 - 300, nonzero);
    }

    @Test
    void aStateThatDoesNotFitIsRejected() {
        TensorEncoder enc = Encoders.tensorEncoder("topk:0.1");
        Tensor x = TestData.gaussian(1, 100);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> enc.encode(x, 1, Struct.of(Tensor.zeros(DType.FLOAT32, 99), Struct.empty())));
        assertTrue(e.getMessage().contains("float32[100]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> enc.encode(x, 1, Struct.empty()));
        ValueEncoder ve = Encoders.parse("topk:0.1@10");
        assertThrows(IllegalArgumentException.class, () -> ve.encode(Struct.named("w", x), 1, Struct.empty()));
    }

    @Test
    void errorFeedbackIsNotOfferedWithUnbiasedScaling() {
        assertThrows(
                IllegalArgumentException.class,
                () -> Stages.randomK()
                        .setFraction(0.1)
                        .optErrorFeedback(true)
                        .optUnbiased(true)
                        .build());
    }
}
