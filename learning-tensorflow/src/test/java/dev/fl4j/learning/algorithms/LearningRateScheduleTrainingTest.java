package dev.fl4j.learning.algorithms;

import static dev.fl4j.learning.algorithms.FedAvgTest.MODEL;
import static dev.fl4j.learning.algorithms.FedAvgTest.clients;
import static dev.fl4j.learning.algorithms.FedAvgTest.data;
import static dev.fl4j.learning.algorithms.FedAvgTest.flat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.model.ClientTrainer;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.LearningRateSchedule;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.templates.LearningProcessOutput;
import org.junit.jupiter.api.Test;

/** TFF's {@code build_weighted_fed_avg_with_optimizer_schedule} and server schedules, against rounds by hand. */
class LearningRateScheduleTrainingTest {

    @Test
    void constantScheduleIsFedAvgBitwise() {
        SequenceValue d1 = data(21, 2, 4);
        SequenceValue d2 = data(22, 3, 2);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            LearningProcess avg = FedAvg.weighted(MODEL, Sgd.of(0.3f));
            LearningProcess scheduled =
                    FedAvg.weightedWithOptimizerSchedule(MODEL, LearningRateSchedule.constant(0.3f), Sgd.of(0.3f));
            Value a = avg.initialize(rt);
            Value s = scheduled.initialize(rt);
            for (int round = 0; round < 2; round++) {
                a = avg.next(rt, a, clients(d1, d2)).state();
                s = scheduled.next(rt, s, clients(d1, d2)).state();
            }
            assertEquals(avg.getModelWeights(a), scheduled.getModelWeights(s));
        }
    }

    @Test
    void clientRateFollowsTheRoundAsComputedByHand() {
        SequenceValue d = data(23, 2, 3);
        LearningRateSchedule halving = LearningRateSchedule.exponentialDecay(0.5f, 0.5, 1, false);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            LearningProcess p = FedAvg.weightedWithOptimizerSchedule(MODEL, halving, Sgd.of(99f));
            Value state = p.initialize(rt);
            double[] w = HandSoftmax.toDouble(flat(p.getModelWeights(state)));
            double[] rates = {0.5, 0.25, 0.125};
            for (int round = 0; round < 3; round++) {
                LearningProcessOutput out = p.next(rt, state, clients(d));
                state = out.state();
                w = HandSoftmax.sgd(w, d, 1, rates[round], null);
                HandSoftmax.assertClose(w, flat(p.getModelWeights(state)), 1e-5, "round " + round);
                assertEquals(rates[round], out.flatMetrics().get("client_work/client_learning_rate"), 1e-9);
            }
        }
    }

    @Test
    void serverRateFollowsTheRoundWithOptimizerStateKept() {
        SequenceValue d = data(24, 1, 4);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            LearningProcess p = FedAvg.builder(MODEL)
                    .setClientOptimizer(Sgd.of(0.2f))
                    .optServerOptimizer(Sgd.of(1f).withMomentum(0.5f))
                    .optServerLearningRateSchedule(round -> round == 0 ? 1f : 0.5f)
                    .build();
            Value state = p.initialize(rt);
            double[] x = HandSoftmax.toDouble(flat(p.getModelWeights(state)));
            double[] m = new double[HandSoftmax.SIZE];
            double[] serverRates = {1.0, 0.5};
            for (int round = 0; round < 2; round++) {
                LearningProcessOutput out = p.next(rt, state, clients(d));
                state = out.state();
                double[] delta = HandSoftmax.minus(x, HandSoftmax.sgd(x, d, 1, 0.2, null));
                m = HandSoftmax.plus(HandSoftmax.scaled(m, 0.5), delta);
                x = HandSoftmax.minus(x, HandSoftmax.scaled(m, serverRates[round]));
                HandSoftmax.assertClose(x, flat(p.getModelWeights(state)), 1e-5, "round " + round);
                assertEquals(serverRates[round], out.flatMetrics().get("finalizer/server_learning_rate"), 1e-9);
            }
        }
    }

    @Test
    void adamClientRunsAtTheScheduledRate() {
        SequenceValue d = data(25, 3, 4);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build();
                ClientTrainer reference = FedAvgTest.ENGINE.newTrainer(TrainingSpec.of(MODEL, Adam.of(0.05f)))) {
            LearningProcess p =
                    FedAvg.weightedWithOptimizerSchedule(MODEL, round -> round == 0 ? 0.01f : 0.05f, Adam.of(0.01f));
            Value state = p.next(rt, p.initialize(rt), clients(d)).state();
            ModelWeights afterFirst = p.getModelWeights(state);
            ModelWeights afterSecond =
                    p.getModelWeights(p.next(rt, state, clients(d)).state());
            float[] trained = flat(reference.train(afterFirst, d, 0).weights());
            float[] first = flat(afterFirst);
            float[] second = flat(afterSecond);
            for (int i = 0; i < first.length; i++) {
                assertEquals(trained[i], second[i], 1e-6f, "element " + i);
            }
            assertTrue(Math.abs(second[0] - first[0]) > 1e-4, "the second round moved the model");
        }
    }

    @Test
    void badSchedulesAreRefusedByName() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> {
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
                LearningProcess p = FedAvg.weightedWithOptimizerSchedule(MODEL, round -> -0.1f, Sgd.of(0.1f));
                p.next(rt, p.initialize(rt), clients(data(26, 1, 2)));
            }
        });
        assertTrue(messages(negative).contains("gave -0.1 for round 0"), messages(negative));
        IllegalStateException fedSgd = assertThrows(
                IllegalStateException.class,
                () -> FedSgd.builder(MODEL)
                        .optClientLearningRateSchedule(LearningRateSchedule.constant(0.1f))
                        .build());
        assertTrue(fedSgd.getMessage().contains("FedSGD takes no client learning-rate schedule"), fedSgd.getMessage());
    }

    static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }
}
