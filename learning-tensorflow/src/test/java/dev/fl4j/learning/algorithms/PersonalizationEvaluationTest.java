package dev.fl4j.learning.algorithms;

import static dev.fl4j.learning.algorithms.FedAvgTest.ENGINE;
import static dev.fl4j.learning.algorithms.FedAvgTest.MODEL;
import static dev.fl4j.learning.algorithms.FedAvgTest.data;
import static dev.fl4j.learning.algorithms.FedAvgTest.flat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Sgd;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Personalization evaluation: metrics before and after fine-tuning, against losses computed by hand. */
class PersonalizationEvaluationTest {

    @Test
    void baselineAndFineTunedLossesAsByHand() {
        Map<String, PersonalizationEvaluation.FineTuning> strategies = new LinkedHashMap<>();
        strategies.put("sgd_one_epoch", new PersonalizationEvaluation.FineTuning(Sgd.of(0.5f), 1));
        strategies.put("sgd_three_epochs", new PersonalizationEvaluation.FineTuning(Sgd.of(0.1f), 3));
        PersonalizationEvaluation eval = PersonalizationEvaluation.build(MODEL, strategies, 0, ENGINE);
        SequenceValue train1 = data(61, 2, 4);
        SequenceValue test1 = data(62, 1, 5);
        SequenceValue train2 = data(63, 1, 3);
        SequenceValue test2 = data(64, 2, 2);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            ModelWeights global = ModelWeights.fromStruct(FedAvg.weighted(MODEL, Sgd.of(0.1f))
                    .getModelWeights(FedAvg.weighted(MODEL, Sgd.of(0.1f)).initialize(rt))
                    .asStruct());
            Struct out = eval.evaluate(
                    rt,
                    global,
                    FederatedValue.clients(List.of(
                            Struct.named("train_data", train1, "test_data", test1),
                            Struct.named("train_data", train2, "test_data", test2))));
            double[] w = HandSoftmax.toDouble(flat(global));
            assertEquals(meanLoss(w, w, test1, test2), loss(out, "baseline_metrics"), 1e-5);
            assertEquals(
                    meanLoss(
                            HandSoftmax.sgd(w, train1, 1, 0.5, null),
                            HandSoftmax.sgd(w, train2, 1, 0.5, null),
                            test1,
                            test2),
                    loss(out, "sgd_one_epoch"),
                    1e-5);
            assertEquals(
                    meanLoss(
                            HandSoftmax.sgd(w, train1, 3, 0.1, null),
                            HandSoftmax.sgd(w, train2, 3, 0.1, null),
                            test1,
                            test2),
                    loss(out, "sgd_three_epochs"),
                    1e-5);
            assertTrue(loss(out, "sgd_one_epoch") != loss(out, "baseline_metrics"));
            assertEquals(2, out.tensor("num_clients").intData()[0]);
            assertEquals(
                    9.0, out.struct("baseline_metrics").tensor("num_examples").doubleValue());
        }
    }

    private static double meanLoss(double[] p1, double[] p2, SequenceValue test1, SequenceValue test2) {
        double[] a = HandSoftmax.lossSum(p1, test1);
        double[] b = HandSoftmax.lossSum(p2, test2);
        return (a[0] + b[0]) / (a[1] + b[1]);
    }

    private static double loss(Struct out, String strategy) {
        return out.struct(strategy).tensor("loss").doubleValue();
    }

    @Test
    void badStrategiesAreRefusedByName() {
        IllegalArgumentException none = assertThrows(
                IllegalArgumentException.class, () -> PersonalizationEvaluation.build(MODEL, Map.of(), 0, ENGINE));
        assertTrue(none.getMessage().contains("at least one fine-tuning strategy"), none.getMessage());
        IllegalArgumentException name = assertThrows(
                IllegalArgumentException.class,
                () -> PersonalizationEvaluation.build(
                        MODEL,
                        Map.of("num_clients", new PersonalizationEvaluation.FineTuning(Sgd.of(0.1f), 1)),
                        0,
                        ENGINE));
        assertTrue(name.getMessage().contains("strategy name 'num_clients'"), name.getMessage());
        IllegalArgumentException epochs = assertThrows(
                IllegalArgumentException.class, () -> new PersonalizationEvaluation.FineTuning(Sgd.of(0.1f), 0));
        assertTrue(epochs.getMessage().contains("epochs >= 1, got 0"), epochs.getMessage());
    }
}
