package dev.fl4j.learning.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.CommunicationSnapshot;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.zoo.Models;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** An {@link EncodedDistribution} inside a FedAvg process that trains, on the engine found on the class path. */
class EncodedBroadcastTrainingTest {

    @Test
    void fedAvgWithAnEncodedBroadcastCountsEncodedBitsAndLearns() {
        ModelSpec model = Models.softmaxRegression(784, 10);
        // kernel 784x10 is encoded above the threshold 1000: header 4+4·2+2, side info 9, one byte per element;
        // the bias (10) crosses as float32
        long perClient = 8L * (7_840 + 14 + 9) + 32L * 10;
        LearningProcess p = FedAvg.builder(model)
                .setClientOptimizer(Sgd.of(0.1f))
                .optDistributor(EncodedDistribution.fromName("uniform8@1000", model.weightsType(), 4))
                .build();
        SplittableRandom r = new SplittableRandom(8);
        List<SequenceValue> clients = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            float[] x = new float[16 * 784];
            int[] y = new int[16];
            for (int i = 0; i < 16; i++) {
                y[i] = r.nextInt(10);
                for (int j = 0; j < 784; j++) {
                    x[i * 784 + j] = (j % 10 == y[i] ? 1f : 0f) + (float) r.nextDouble() * 0.1f;
                }
            }
            clients.add(ListSequence.of(
                    model.inputSpec(), List.of(Struct.named("x", Tensor.of(x, 16, 784), "y", Tensor.of(y, 16)))));
        }
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            Value state = p.initialize(rt);
            double firstLoss = Double.NaN;
            double lastLoss = Double.NaN;
            for (int round = 0; round < 4; round++) {
                CommunicationSnapshot before = rt.communication().snapshot();
                LearningProcessOutput out = p.next(rt, state, FederatedValue.clients(clients));
                assertEquals(
                        3 * perClient,
                        rt.communication().snapshot().minus(before).broadcastBits(),
                        "round " + round);
                assertEquals((double) perClient, out.flatMetrics().get("distributor/encoded_bits"));
                lastLoss = out.flatMetrics().get("client_work/train/loss");
                if (round == 0) {
                    firstLoss = lastLoss;
                }
                state = out.state();
            }
            assertTrue(lastLoss < firstLoss, "loss falls from " + firstLoss + " to " + lastLoss);
        }
    }
}
