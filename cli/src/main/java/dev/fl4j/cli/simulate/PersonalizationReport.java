package dev.fl4j.cli.simulate;

import dev.fl4j.cli.spec.PersonalizationSpec;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.PersonalizationEvaluation;
import dev.fl4j.learning.algorithms.PersonalizationEvaluation.FineTuning;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.Preprocessing;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code fl4j simulate --personalization NAME:EPOCHS:LR[:OPTIMIZER],...}: after a run, the final global model through
 * {@link PersonalizationEvaluation} (TFF's {@code build_personalization_eval}) on the test clients that also hold
 * training data (those of {@code --eval-clients}, the sample federated evaluation uses): each fine-tunes a copy of
 * the model on its own training data with every strategy and evaluates it on its own test data; the metrics before
 * ({@code baseline_metrics}) and after each strategy, summed over the clients' test examples, are printed as a
 * table. A client's training and test data are both its examples in order, batched with {@code --batch} (no
 * {@code --examples-per-client} cap).
 */
public final class PersonalizationReport {

    private PersonalizationReport() {}

    /** The test clients personalization evaluates: test clients with training data, sampled as evaluation does. */
    static List<String> clients(ClientData train, ClientData test, int evalClients, long seed) {
        Set<String> trained = new HashSet<>(train.clientIds());
        List<String> both = new ArrayList<>();
        for (String id : test.clientIds()) {
            if (trained.contains(id)) {
                both.add(id);
            }
        }
        return ModelEvaluation.sampleIds(both, evalClients, seed);
    }

    /**
     * Refuses personalization where it cannot run: without test clients that also hold training data.
     *
     * @throws UsageException naming the dataset
     */
    static void requireClientTestData(SimulationData data, String dataset) {
        if (data.testClients() == null) {
            throw new UsageException("--personalization fine-tunes on each client's own training data and evaluates on"
                    + " its own test data; " + dataset + " has no per-client test data (use a federated dataset:"
                    + " synthetic, emnist-h5:PATH, leaf:PATH, or a table with --client-column)");
        }
        if (clients(data.train(), data.testClients(), 0, 0).isEmpty()) {
            throw new UsageException("--personalization: no test client of " + dataset
                    + " is also a training client, so none has data to fine-tune on");
        }
    }

    /**
     * The personalization evaluation of {@code weights} as a run reports it: {@code <baseline_metrics=<..>,
     * NAME=<..>, ..., num_clients>}.
     */
    public static Struct evaluate(
            FederatedRuntime runtime,
            ModelSpec model,
            ModelWeights weights,
            List<PersonalizationSpec> strategies,
            ClientData train,
            ClientData test,
            List<String> clients,
            Preprocessing prep,
            long seed) {
        Map<String, FineTuning> named = new LinkedHashMap<>();
        strategies.forEach(p -> named.put(p.name(), p.fineTuning()));
        PersonalizationEvaluation eval = PersonalizationEvaluation.build(model, named, seed);
        StructType member = (StructType)
                ((FederatedType) ((StructType) eval.computation().type().parameter()).get("data")).member();
        ClientValues data = ClientValues.lazy(
                member,
                clients,
                id -> Struct.named(
                        "train_data",
                        prep.forEvaluation(train.datasetFor(id)),
                        "test_data",
                        prep.forEvaluation(test.datasetFor(id))));
        return eval.evaluate(runtime, weights, data);
    }

    /** Evaluates as {@link #evaluate} (on {@code runtime}, or a local one of {@code workers}) and prints the table. */
    static void report(
            PrintWriter out,
            FederatedRuntime runtime,
            int workers,
            ModelSpec model,
            ModelWeights weights,
            List<PersonalizationSpec> strategies,
            SimulationData data,
            Preprocessing prep,
            SimulationSettings s) {
        List<String> clients = clients(data.train(), data.testClients(), s.evalClients(), s.seed());
        Struct result;
        if (runtime != null) {
            result = evaluate(
                    runtime, model, weights, strategies, data.train(), data.testClients(), clients, prep, s.seed());
        } else {
            try (LocalRuntime local = LocalRuntime.builder().optWorkers(workers).build()) {
                result = evaluate(
                        local, model, weights, strategies, data.train(), data.testClients(), clients, prep, s.seed());
            }
        }
        print(out, result, strategies);
    }

    /** The before/after table of {@code result}, one row per strategy after the baseline. */
    static void print(PrintWriter out, Struct result, List<PersonalizationSpec> strategies) {
        Struct baseline = result.struct("baseline_metrics");
        List<String> metrics = new ArrayList<>();
        for (int i = 0; i < baseline.size(); i++) {
            metrics.add(baseline.nameAt(i));
        }
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("strategy", "fine-tuning"));
        header.addAll(metrics);
        rows.add(header.toArray(String[]::new));
        rows.add(row("baseline_metrics", "none (the global model)", baseline, metrics));
        for (PersonalizationSpec p : strategies) {
            rows.add(row(p.name(), p.describe(), result.struct(p.name()), metrics));
        }
        int[] width = new int[header.size()];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        out.printf(
                Locale.ROOT,
                "%npersonalization of the final model on %d test clients (fine-tuned on each client's training data,"
                        + " evaluated on its test data; metrics over all their test examples):%n",
                result.tensor("num_clients").getLong(0));
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == 0 ? "" : "  ").append(String.format(Locale.ROOT, "%-" + width[i] + "s", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    private static String[] row(String name, String fineTuning, Struct values, List<String> metrics) {
        List<String> r = new ArrayList<>(List.of(name, fineTuning));
        for (String m : metrics) {
            r.add(number(values.tensor(m)));
        }
        return r.toArray(String[]::new);
    }

    /** A metric as the table prints it: whole numbers as such, others with six decimals. */
    static String number(Tensor t) {
        double v = t.getDouble(0);
        if (t.dtype().isFloating()) {
            return String.format(Locale.ROOT, "%.6f", v);
        }
        return String.valueOf(t.getLong(0));
    }
}
