package dev.fl4j.simulation.training;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.learning.keras.Metric;
import dev.fl4j.learning.model.ExportedModel;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Evaluates an exported model ({@link ExportedModel}, opened through its format's own loader) on the test data a run
 * evaluated on, the way {@link ModelEvaluation} does during the run: a centralised test set cut into the same
 * contiguous parts and batches, test clients in the same seeded sample, metric sums added in the same order. With
 * the same batch size the exported model therefore reports the accuracy the run's last evaluation printed, exactly,
 * and the same loss. Metric names are those of {@link ModelEvaluation} ({@code eval/loss},
 * {@code eval/sparse_categorical_accuracy}, {@code eval/num_examples}, {@code eval/num_batches}, and
 * {@code federated_eval/...}), with the accuracy's counts ({@value #CORRECT}, {@value #LABELS}) beside them; a model
 * that is not a classifier has no accuracy.
 *
 * <p>Features are fitted to the model's input by a reshape when the data holds the same number of values per example
 * (images stored flat for a model taking 28×28×1, or the reverse); anything else is refused with both types named.
 */
public final class ExportedEvaluation {

    /** The metric (beside a run's) counting correct predictions, {@code eval/correct}: accuracy's numerator. */
    public static final String CORRECT = "correct";
    /** The metric counting the labels compared, {@code eval/labels}: accuracy's denominator. */
    public static final String LABELS = "labels";

    private final ExportedModel model;
    private final List<Dataset> centralParts;
    private final ClientData federatedTest;
    private final List<String> federatedIds;
    private final Preprocessing preprocessing;

    private ExportedEvaluation(Builder b) {
        this.model = b.model;
        this.preprocessing = b.preprocessing;
        this.centralParts = b.tests.centralParts(b.preprocessing);
        this.federatedTest = b.tests.federatedTest();
        this.federatedIds = b.tests.federatedIds();
    }

    /** An evaluation of {@code model}, batching as {@code preprocessing} does for evaluation. */
    public static Builder builder(ExportedModel model, Preprocessing preprocessing) {
        return new Builder(model, preprocessing);
    }

    /** Number of test clients federated evaluation uses. */
    public int federatedClients() {
        return federatedIds.size();
    }

    /**
     * The metrics over the test data, named as in a run.
     *
     * @throws IllegalArgumentException if the data does not fit the model, naming the batch
     */
    public Map<String, Double> evaluate() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!centralParts.isEmpty()) {
            Sums total = new Sums();
            for (int p = 0; p < centralParts.size(); p++) {
                total.add(sums(centralParts.get(p), "test part " + p));
            }
            total.finish(ModelEvaluation.CENTRAL, out);
        }
        if (!federatedIds.isEmpty()) {
            Sums total = new Sums();
            for (String id : federatedIds) {
                total.add(sums(preprocessing.forEvaluation(federatedTest.datasetFor(id)), "test client " + id));
            }
            total.finish(ModelEvaluation.FEDERATED, out);
        }
        return out;
    }

    private Sums sums(Dataset batches, String where) {
        Sums s = new Sums();
        int index = 0;
        for (Value v : batches) {
            Struct batch = (Struct) v;
            String at = where + ", batch " + index++;
            Tensor x = fit(batch.tensor("x"), model.inputType(), at + ", features x");
            Tensor y = fit(batch.tensor("y"), model.labelType(), at + ", labels y");
            ExportedModel.BatchEvaluation e;
            try {
                e = model.evaluate(x, y);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(at + ": " + ex.getMessage(), ex);
            }
            s.loss += e.loss() * (double) e.examples();
            s.examples += e.examples();
            s.correct += e.correct();
            s.labels += e.labels();
            s.batches += 1;
        }
        return s;
    }

    /**
     * {@code t} as {@code type}: itself if it already is, reshaped if it has the same dtype and the same number of
     * values per example.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static Tensor fit(Tensor t, TensorType type, String where) {
        if (type.isAssignableFrom(t.type())) {
            return t;
        }
        int[] want = type.shape();
        long perExample = 1;
        for (int i = 1; i < want.length; i++) {
            perExample *= want[i];
        }
        long have = t.rank() == 0 || t.dim(0) == 0 ? -1 : t.size() / t.dim(0);
        if (t.dtype() != type.dtype() || t.rank() == 0 || have != perExample) {
            throw new IllegalArgumentException(where + ": the model takes " + type + " (" + perExample
                    + " values per example), the data has " + t.type() + " (" + Math.max(have, 0)
                    + " values per example)");
        }
        int[] shape = Arrays.copyOf(want, want.length);
        shape[0] = t.dim(0);
        return t.reshape(shape);
    }

    /** Metric sums of some batches, added in order as float64, as the engine's metric variables add them. */
    private static final class Sums {
        double loss;
        double examples;
        double correct;
        double labels;
        double batches;

        void add(Sums o) {
            loss += o.loss;
            examples += o.examples;
            correct += o.correct;
            labels += o.labels;
            batches += o.batches;
        }

        void finish(String prefix, Map<String, Double> out) {
            if (labels > 0) {
                out.put(prefix + "/" + Metric.SPARSE_CATEGORICAL_ACCURACY.metricName(), correct / labels);
                out.put(prefix + "/" + CORRECT, correct);
                out.put(prefix + "/" + LABELS, labels);
            }
            out.put(prefix + "/" + Metric.LOSS.metricName(), examples > 0 ? loss / examples : 0.0);
            out.put(prefix + "/" + Metric.NUM_EXAMPLES.metricName(), examples);
            out.put(prefix + "/" + Metric.NUM_BATCHES.metricName(), batches);
        }
    }

    /** What is evaluated. */
    public static final class Builder {
        private final ExportedModel model;
        private final Preprocessing preprocessing;
        private final TestSets tests = new TestSets();

        private Builder(ExportedModel model, Preprocessing preprocessing) {
            this.model = Objects.requireNonNull(model, "model");
            this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        }

        /** A centralised test set, cut into parts as {@link ModelEvaluation} cuts it. */
        public Builder optCentralTest(Examples test) {
            tests.setCentral(test);
            return this;
        }

        /** Test clients; at most {@code maxClients} of them (0: all), chosen from {@code seed} as a run chooses. */
        public Builder optFederatedTest(ClientData test, int maxClients, long seed) {
            tests.setFederated(test, maxClients, seed);
            return this;
        }

        /** @throws IllegalStateException if neither test set was given */
        public ExportedEvaluation build() {
            if (tests.isEmpty()) {
                throw new IllegalStateException("nothing to evaluate: call optCentralTest or optFederatedTest");
            }
            return new ExportedEvaluation(this);
        }
    }
}
