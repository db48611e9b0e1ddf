package dev.fl4j.simulation.training;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.learning.algorithms.FedRecon;
import dev.fl4j.learning.algorithms.FederatedEvaluation;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.templates.LearningProcessOutput;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Evaluates the global model during a run, with {@link FederatedEvaluation} (or FedRecon's evaluation,
 * {@link Builder#optReconstruction}) so that the work spreads
 * over the runtime's workers like training does:
 * <ul>
 *   <li><b>centralised</b> ({@link Builder#optCentralTest}): the whole test set, cut into a fixed
 *       number of contiguous parts evaluated as pseudo-clients; metric sums are added before they
 *       are finalized, so the result is the metric of the whole set (and does not depend on the
 *       worker count). Metrics are named {@code eval/<metric>}.</li>
 *   <li><b>federated</b> ({@link Builder#optFederatedTest}): the test clients of a federated
 *       dataset (or a seeded sample of them, the same every round), named
 *       {@code federated_eval/<metric>}.</li>
 * </ul>
 * Evaluation traffic goes through the runtime but is not part of the training process's
 * {@code broadcasted_bits}/{@code aggregated_bits}: the training loop counts only rounds.
 */
public final class ModelEvaluation {

    /** Prefix of centralised evaluation metrics. */
    public static final String CENTRAL = "eval";
    /** Prefix of federated evaluation metrics. */
    public static final String FEDERATED = "federated_eval";

    static final int CENTRAL_PARTS = 8;

    private final FederatedComputation evaluation;
    private final Type memberType;
    private final List<String> centralIds;
    private final List<Dataset> centralParts;
    private final ClientData federatedTest;
    private final List<String> federatedIds;
    private final Preprocessing preprocessing;

    private ModelEvaluation(Builder b) {
        this.evaluation = b.computation != null
                ? b.computation
                : b.reconstruction != null
                        ? b.reconstruction.computation()
                        : FederatedEvaluation.build(b.model).computation();
        this.memberType = ((FederatedType) ((StructType) evaluation.type().parameter()).get("data")).member();
        this.preprocessing = b.preprocessing;
        this.centralIds = new ArrayList<>();
        this.centralParts = new ArrayList<>();
        centralParts.addAll(b.tests.centralParts(preprocessing));
        for (int p = 0; p < centralParts.size(); p++) {
            centralIds.add("test_part_" + p);
        }
        this.federatedTest = b.tests.federatedTest();
        this.federatedIds = b.tests.federatedIds();
    }

    /**
     * A centralised test set as {@value #CENTRAL_PARTS} contiguous parts (fewer for fewer examples), each batched for
     * evaluation: the pseudo-clients of centralised evaluation, shared with {@link ExportedEvaluation} so that an
     * exported model is evaluated on the very same batches.
     */
    static List<Dataset> centralParts(Examples test, Preprocessing preprocessing) {
        int n = test.size();
        int parts = Math.min(CENTRAL_PARTS, n);
        List<Dataset> out = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            int[] rows = new int[to - from];
            Arrays.setAll(rows, i -> from + i);
            out.add(preprocessing.forEvaluation(Dataset.of(test, rows)));
        }
        return out;
    }

    /** The test clients federated evaluation uses: all, or {@code max} of them drawn once from {@code seed}. */
    public static List<String> sampleIds(List<String> ids, int max, long seed) {
        if (max <= 0 || max >= ids.size()) {
            return List.copyOf(ids);
        }
        int[] order = new int[ids.size()];
        Arrays.setAll(order, i -> i);
        SplitMix64 r = new SplitMix64(Seeds.derive(seed, Seeds.purpose("training/eval_clients")));
        for (int i = 0; i < max; i++) {
            int j = i + r.nextIntAsSplittableRandom(order.length - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] chosen = Arrays.copyOf(order, max);
        Arrays.sort(chosen);
        List<String> out = new ArrayList<>(max);
        for (int i : chosen) {
            out.add(ids.get(i));
        }
        return out;
    }

    public static Builder builder(ModelSpec model, Preprocessing preprocessing) {
        return new Builder(Objects.requireNonNull(model, "model"), null, preprocessing);
    }

    /**
     * Evaluation with {@code evaluation}, a federated computation of {@link FederatedEvaluation}'s shape
     * {@code (<model_weights=W@SERVER, data={T*}@CLIENTS> -> <eval=<..>>@SERVER)}, e.g. k-means'
     * ({@link dev.fl4j.learning.algorithms.FedKMeans#buildEvaluation}): each test client's data, or part of a
     * centralised test set, is {@code preprocessing}'s evaluation pipeline; the metrics are {@code eval}'s, flattened.
     *
     * @throws IllegalArgumentException if {@code evaluation} does not have that shape
     */
    public static Builder builder(FederatedComputation evaluation, Preprocessing preprocessing) {
        Objects.requireNonNull(evaluation, "evaluation");
        boolean shaped = evaluation.type().parameter() instanceof StructType p
                && p.has("model_weights")
                && p.has("data")
                && p.get("data") instanceof FederatedType data
                && data.placement() == dev.fl4j.core.Placement.CLIENTS
                && evaluation.type().result() instanceof FederatedType r
                && r.member() instanceof StructType m
                && m.has("eval");
        if (!shaped) {
            throw new IllegalArgumentException("an evaluation must be (<model_weights=W@SERVER, data={T*}@CLIENTS> ->"
                    + " <eval=<..>>@SERVER), got " + evaluation.type());
        }
        return new Builder(null, evaluation, preprocessing);
    }

    /** Whether anything is evaluated. */
    public boolean isEmpty() {
        return centralParts.isEmpty() && federatedIds.isEmpty();
    }

    /** Number of test clients federated evaluation uses. */
    public int federatedClients() {
        return federatedIds.size();
    }

    /** Evaluates {@code weights}; metric names are prefixed {@value #CENTRAL}/ and {@value #FEDERATED}/. */
    public Map<String, Double> evaluate(FederatedRuntime runtime, ModelWeights weights) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!centralParts.isEmpty()) {
            ClientValues data = ClientValues.of(memberType, centralIds, centralParts);
            Struct result = evaluate(runtime, weights, data);
            LearningProcessOutput.flatten(CENTRAL, result.get("eval"), out);
        }
        if (!federatedIds.isEmpty()) {
            ClientValues data = ClientValues.lazy(
                    memberType, federatedIds, id -> preprocessing.forEvaluation(federatedTest.datasetFor(id)));
            Struct result = evaluate(runtime, weights, data);
            LearningProcessOutput.flatten(FEDERATED, result.get("eval"), out);
        }
        return out;
    }

    private Struct evaluate(FederatedRuntime runtime, ModelWeights weights, ClientValues data) {
        return (Struct)
                ((ServerValue) runtime.invoke(evaluation, FederatedValue.server(weights.asStruct()), data)).value();
    }

    /** Configures what is evaluated. */
    public static final class Builder {
        private final ModelSpec model;
        private final FederatedComputation computation;
        private final Preprocessing preprocessing;
        private final TestSets tests = new TestSets();
        private FedRecon.Evaluation reconstruction;

        private Builder(ModelSpec model, FederatedComputation computation, Preprocessing preprocessing) {
            this.model = model;
            this.computation = computation;
            this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        }

        /** A centralised test set. */
        public Builder optCentralTest(Examples test) {
            tests.setCentral(test);
            return this;
        }

        /** Test clients; at most {@code maxClients} of them (0: all), chosen once from {@code seed}. */
        public Builder optFederatedTest(ClientData test, int maxClients, long seed) {
            tests.setFederated(test, maxClients, seed);
            return this;
        }

        /**
         * Evaluates with federated reconstruction ({@link FedRecon.Builder#buildEvaluation}, the run's own
         * settings) instead of the plain model: every test client, or part of a centralised test set, gets only the
         * global weights, reconstructs the local ones on its data, then evaluates (default: plain evaluation of the
         * whole model).
         */
        public Builder optReconstruction(FedRecon.Evaluation evaluation) {
            if (computation != null) {
                throw new IllegalStateException("optReconstruction: this builder evaluates with a given computation");
            }
            this.reconstruction = Objects.requireNonNull(evaluation, "reconstruction evaluation");
            return this;
        }

        public ModelEvaluation build() {
            return new ModelEvaluation(this);
        }
    }
}
