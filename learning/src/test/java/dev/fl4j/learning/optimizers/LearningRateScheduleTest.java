package dev.fl4j.learning.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Keras's decay formulas with rounds as steps, and the checks of schedules and of {@code withLearningRate}. */
class LearningRateScheduleTest {

    @Test
    void formulasMatchKeras() {
        assertEquals(0.3f, LearningRateSchedule.constant(0.3f).rateAt(99));
        LearningRateSchedule exp = LearningRateSchedule.exponentialDecay(1f, 0.5, 2, false);
        assertEquals(1f, exp.rateAt(0));
        assertEquals((float) Math.pow(0.5, 0.5), exp.rateAt(1));
        assertEquals(0.25f, exp.rateAt(4));
        LearningRateSchedule stairs = LearningRateSchedule.exponentialDecay(1f, 0.5, 2, true);
        assertEquals(1f, stairs.rateAt(1));
        assertEquals(0.5f, stairs.rateAt(2));
        assertEquals(0.5f, stairs.rateAt(3));
        LearningRateSchedule inverse = LearningRateSchedule.inverseTimeDecay(0.6f, 1.0, 2);
        assertEquals((float) (0.6f / 2.0), inverse.rateAt(2));
        LearningRateSchedule cosine = LearningRateSchedule.cosineDecay(2f, 4, 0.1);
        assertEquals(2f, cosine.rateAt(0));
        assertEquals((float) (2f * (0.9 * 0.5 + 0.1)), cosine.rateAt(2));
        assertEquals((float) (2f * 0.1), cosine.rateAt(4));
        assertEquals((float) (2f * 0.1), cosine.rateAt(40));
    }

    @Test
    void badParametersAndRatesAreRefusedByName() {
        assertMessage(
                () -> LearningRateSchedule.exponentialDecay(0.1f, 0, 1, false),
                "exponential decay's DECAY_RATE must be finite and > 0, got 0.0");
        assertMessage(
                () -> LearningRateSchedule.inverseTimeDecay(0.1f, 1, 0),
                "inverse-time decay's DECAY_ROUNDS must be >= 1, got 0");
        assertMessage(
                () -> LearningRateSchedule.cosineDecay(0.1f, 5, 2), "cosine decay's ALPHA must be in [0, 1], got 2.0");
        assertMessage(
                () -> LearningRateSchedule.constant(Float.NaN),
                "a schedule's base learning rate must be finite and >= 0, got NaN");
        LearningRateSchedule growing = round -> round > 2 ? Float.POSITIVE_INFINITY : 1f;
        assertEquals(1f, growing.rateAt(2));
        assertMessage(() -> growing.rateAt(3), "gave Infinity for round 3; rates must be finite and >= 0");
    }

    @Test
    void withLearningRateKeepsEveryOtherHyperparameter() {
        assertEquals(new Sgd(0.5f, 0.9f, true, 0.01f), new Sgd(0.1f, 0.9f, true, 0.01f).withLearningRate(0.5f));
        assertEquals(
                new Adam(0.5f, 0.8f, 0.7f, 1e-3f, 0.01f),
                new Adam(0.1f, 0.8f, 0.7f, 1e-3f, 0.01f).withLearningRate(0.5f));
        assertEquals(
                new Adagrad(0.5f, 0.2f, 1e-3f, 0.01f), new Adagrad(0.1f, 0.2f, 1e-3f, 0.01f).withLearningRate(0.5f));
        assertEquals(
                new RmsProp(0.5f, 0.8f, 1e-3f, 0.01f), new RmsProp(0.1f, 0.8f, 1e-3f, 0.01f).withLearningRate(0.5f));
        assertEquals(Yogi.of(0.5f), Yogi.of(0.1f).withLearningRate(0.5f));
        assertMessage(() -> Sgd.of(0.1f).withLearningRate(-1f), "SGD learning_rate must be finite and >= 0, got -1.0");
    }

    private static void assertMessage(Runnable r, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
