package dev.fl4j.learning.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fl4j.learning.keras.ModelSpec;
import org.junit.jupiter.api.Test;

class ModelsTest {

    @Test
    void fedAvgCnnHasThePublishedParameterCount() {
        ModelSpec cnn = Models.fedAvgCnn(10);
        assertEquals(1_663_370L, cnn.countParams());
        assertEquals(1_663_370L, cnn.initialWeights(1).numParameters());
        assertEquals("<x=float32[?,28,28,1],y=int32[?]>", cnn.inputSpec().toString());
        // 62 classes (EMNIST): only the last dense layer changes, 512*62 + 62 instead of 512*10 + 10
        assertEquals(1_663_370L - 5_130 + 31_806, Models.fedAvgCnn(62).countParams());
    }

    @Test
    void otherModelsCountAsKerasDoes() {
        assertEquals(
                784L * 200 + 200 + 200 * 200 + 200 + 200 * 10 + 10,
                Models.twoNN(10).countParams());
        assertEquals(7_850L, Models.softmaxRegression(784, 10).countParams());
        // embedding 86x8; LSTM params 4*(units*(in+units)+units); dense 256*86+86
        long lstm1 = 4L * (256 * (8 + 256) + 256);
        long lstm2 = 4L * (256 * (256 + 256) + 256);
        assertEquals(
                86L * 8 + lstm1 + lstm2 + 256L * 86 + 86,
                Models.shakespeareLstm().countParams());
        assertEquals(
                "<x=int32[?,80],y=int32[?,80]>",
                Models.shakespeareLstm().inputSpec().toString());
    }

    @Test
    void niidBenchCnnHasTheLayersOfNiidBenchsSimpleCnn() {
        // conv 1->6 5x5, conv 6->16 5x5 (valid: 28-4=24, /2=12, 12-4=8, /2=4), fc 16*4*4->120->84->10,
        // the parameter count of NIID-Bench's SimpleCNNMNIST(input_dim=16*4*4, hidden_dims=[120, 84])
        long expected = (25L * 6 + 6) + (25L * 6 * 16 + 16) + (256L * 120 + 120) + (120L * 84 + 84) + (84L * 10 + 10);
        ModelSpec cnn = Models.niidBenchCnn(10);
        assertEquals(44_426L, expected);
        assertEquals(expected, cnn.countParams());
        assertEquals(expected, cnn.initialWeights(1).numParameters());
        assertEquals("<x=float32[?,28,28,1],y=int32[?]>", cnn.inputSpec().toString());
    }

    @Test
    void softmaxRegressionStartsAtZero() {
        for (float v : Models.softmaxRegression(784, 10)
                .initialWeights(42)
                .trainable()
                .tensor("dense/kernel")
                .floatData()) {
            assertEquals(0f, v);
        }
    }
}
