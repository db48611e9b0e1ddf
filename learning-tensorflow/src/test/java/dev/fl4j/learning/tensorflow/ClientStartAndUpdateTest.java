package dev.fl4j.learning.tensorflow;

import static dev.fl4j.learning.tensorflow.TestData.batch;
import static dev.fl4j.learning.tensorflow.TestData.dataset;
import static dev.fl4j.learning.tensorflow.TestData.softmaxWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.fl4j.core.ListSequence;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ClientTrainingResult;
import dev.fl4j.learning.model.ClientUpdateResult;
import dev.fl4j.learning.model.EvaluationResult;
import dev.fl4j.learning.model.GradientResult;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.model.TrainingSpec;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.zoo.Models;
import org.junit.jupiter.api.Test;

/**
 * A trainer starts every client from exactly the weights it is given, whether they are copied in or
 * restored from the snapshot of the weights it was given last (same arrays), and
 * {@code trainUpdate} is bitwise the delta of {@code train}.
 */
class ClientStartAndUpdateTest {

    private static final ModelSpec SPEC = Models.softmaxRegression(3, 2);
    private static final ListSequence DATA = dataset(
            SPEC,
            batch(new float[] {1f, 2f, -1f, 0.5f, -0.5f, 2f}, new int[] {2, 3}, new int[] {1, 0}),
            batch(new float[] {-1f, 1f, 0.5f}, new int[] {1, 3}, new int[] {1}));
    /** DATA, then an empty batch (skipped): the update is then read in a session run of its own. */
    private static final ListSequence DATA_THEN_EMPTY = dataset(
            SPEC,
            batch(new float[] {1f, 2f, -1f, 0.5f, -0.5f, 2f}, new int[] {2, 3}, new int[] {1, 0}),
            batch(new float[] {-1f, 1f, 0.5f}, new int[] {1, 3}, new int[] {1}),
            batch(new float[0], new int[] {0, 3}, new int[0]));

    private static final ListSequence OTHER =
            dataset(SPEC, batch(new float[] {3f, -2f, 1f, 0f, 1f, -1f}, new int[] {2, 3}, new int[] {0, 0}));

    private static ModelWeights w0() {
        return softmaxWeights(new float[] {0.1f, -0.2f, 0.3f, 0.05f, -0.1f, 0.2f}, 3, 2, new float[] {0.01f, -0.02f});
    }

    private static ModelWeights w1() {
        return softmaxWeights(new float[] {-0.4f, 0.2f, 0.1f, 0.3f, 0.2f, -0.2f}, 3, 2, new float[] {0.1f, 0.05f});
    }

    /** FedProx (anchors) and Adam (slots, step size): every piece of per-client state. */
    private static TrainingSpec spec() {
        return TrainingSpec.builder()
                .setModel(SPEC)
                .setClientOptimizer(Adam.of(0.05f))
                .optProximalMu(0.5f)
                .optEpochs(2)
                .build();
    }

    private static ClientTrainingResult fresh(ModelWeights w, ListSequence data, long seed) {
        try (TfClientTrainer t = new TfClientTrainer(spec())) {
            return t.train(w, data, seed);
        }
    }

    @Test
    void everyClientStartsFromTheGivenWeightsWhetherCopiedInOrRestored() {
        ModelWeights a = w0();
        ClientTrainingResult reference = fresh(a, DATA, 3L);
        ClientTrainingResult referenceOther = fresh(a, OTHER, 4L);
        try (TfClientTrainer t = new TfClientTrainer(spec())) {
            ClientTrainingResult first = t.train(a, DATA, 3L);
            assertEquals(reference, first);
            // Same arrays: restored from the snapshot, not from the weights the last client trained to.
            ClientTrainingResult second = t.train(a, OTHER, 4L);
            assertEquals(referenceOther, second);
            assertEquals(reference, t.train(a, DATA, 3L));
            EvaluationResult evaluated = t.evaluate(a, DATA);
            try (TfClientTrainer e = new TfClientTrainer(spec())) {
                assertEquals(e.evaluate(w0(), DATA), evaluated);
            }
            // Other weights are copied in; then equal values in new arrays, and the first arrays again.
            assertNotEquals(reference.weights(), t.train(w1(), DATA, 3L).weights());
            assertEquals(reference, t.train(w0(), DATA, 3L));
            assertEquals(reference, t.train(a, DATA, 3L));
        }
    }

    @Test
    void everyGradientPassStartsFromZeroSums() {
        ModelWeights a = w0();
        GradientResult reference;
        try (TfClientTrainer t = new TfClientTrainer(spec())) {
            reference = t.gradients(a, DATA, 5L);
        }
        try (TfClientTrainer t = new TfClientTrainer(spec())) {
            assertEquals(reference, t.gradients(a, DATA, 5L));
            t.train(a, OTHER, 1L);
            assertEquals(reference, t.gradients(a, DATA, 5L), "sums from the previous pass must not carry over");
            assertEquals(reference, t.gradients(w0(), DATA, 5L));
        }
    }

    @Test
    void trainUpdateIsBitwiseTheDeltaOfTrain() {
        ModelWeights a = w0();
        ClientTrainingResult trained = fresh(a, DATA, 9L);
        try (TfClientTrainer t = new TfClientTrainer(spec())) {
            for (int i = 0; i < 2; i++) {
                ClientUpdateResult u = t.trainUpdate(a, DATA, 9L);
                assertEquals(a.trainableDelta(trained.weights()), u.update());
                assertEquals(trained.numExamples(), u.numExamples());
                assertEquals(trained.unfinalizedMetrics(), u.unfinalizedMetrics());
            }
            ClientUpdateResult other = t.trainUpdate(w1(), OTHER, 2L);
            assertEquals(w1().trainableDelta(fresh(w1(), OTHER, 2L).weights()), other.update());
        }
    }

    /**
     * {@code trainUpdate} reads the update in the session run of the client's last step; when that
     * batch is empty (nothing runs) it reads it in a run of its own: bitwise the same either way, and
     * nothing of it is left for the next client.
     */
    @Test
    void theUpdateReadWithTheLastStepIsTheUpdateReadAfterIt() {
        ModelWeights a = w0();
        ClientTrainingResult trained = fresh(a, DATA, 6L);
        try (TfClientTrainer t = new TfClientTrainer(spec())) {
            ClientUpdateResult apart = t.trainUpdate(a, DATA_THEN_EMPTY, 6L);
            ClientUpdateResult fetched = t.trainUpdate(a, DATA, 6L);
            assertEquals(apart, fetched);
            assertEquals(a.trainableDelta(trained.weights()), fetched.update());
            assertEquals(trained.unfinalizedMetrics(), fetched.unfinalizedMetrics());
            assertEquals(trained.numExamples(), fetched.numExamples());
            assertEquals(fresh(w1(), OTHER, 2L), t.train(w1(), OTHER, 2L));
            assertEquals(apart, t.trainUpdate(a, DATA_THEN_EMPTY, 6L));
        }
    }
}
