package dev.fl4j.cli;

import dev.fl4j.cli.simulate.Simulation;
import dev.fl4j.cli.simulate.SimulationData;
import dev.fl4j.cli.simulate.UsageException;
import dev.fl4j.cli.spec.ModelChoice;
import dev.fl4j.learning.algorithms.ModelEngines;
import dev.fl4j.learning.model.ExportedModel;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.datasets.DatasetFileException;
import dev.fl4j.simulation.datasets.DatasetNotFoundException;
import dev.fl4j.simulation.training.ExportedEvaluation;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.Preprocessing;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fl4j evaluate --model DIR --dataset SPEC}: an exported model ({@code fl4j simulate --export}) on a dataset's
 * test data, read through the model format's own loader (TensorFlow Java's SavedModel loader), never through fl4j's
 * model classes. It evaluates as a run does ({@link ExportedEvaluation}): with the run's {@code --batch} (and, for
 * synthetic data, {@code --clients}, {@code --seed}, {@code --examples-per-client}; for sampled test clients
 * {@code --eval-clients}) it prints the loss and accuracy of the run's last evaluation, exactly.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Evaluate an exported model (fl4j simulate --export DIR) on a dataset's test data.",
            "Loads the TensorFlow SavedModel with TensorFlow's loader and runs its 'evaluate' signature; prints",
            "eval_loss and eval_accuracy as fl4j simulate prints them (federated_eval_... for test clients).",
            "With the run's --batch (and data options) the numbers are those of the run's last evaluation."
        },
        footer = {"", "Example:", "  fl4j evaluate --model runs/model --dataset fashion-mnist --batch 20"})
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "An exported model directory.")
    Path model;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(
            names = "--dataset",
            paramLabel = "SPEC",
            required = true,
            description = "The test data, as fl4j simulate --dataset takes it: "
                    + "fashion-mnist, mnist:DIR, synthetic[:ALPHA,BETA], emnist-h5:PATH, leaf:PATH, "
                    + "leaf-shakespeare:PATH, csv:PATH, parquet:PATH (with the run's table options).")
    String dataset;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "20",
            description = "Evaluation batch size; the run's --batch reproduces its numbers. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
            names = "--clients",
            paramLabel = "N",
            description = "As for fl4j simulate: synthetic clients to generate, or the first N federated clients.")
    Integer clients;

    @Option(
            names = "--eval-clients",
            paramLabel = "N",
            defaultValue = "0",
            description = "Test clients, the same seeded sample as fl4j simulate draws (0: all)."
                    + " Default: ${DEFAULT-VALUE}.")
    int evalClients;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "0",
            description = "The run's seed (synthetic data and the test-client sample). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--examples-per-client",
            paramLabel = "N",
            defaultValue = "0",
            description = "As for fl4j simulate (synthetic data: examples per client). Default: ${DEFAULT-VALUE}.")
    int examplesPerClient;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (batch < 1) {
                throw new UsageException("--batch must be at least 1, got " + batch);
            }
            if (evalClients < 0 || examplesPerClient < 0 || (clients != null && clients < 1)) {
                throw new UsageException(
                        "--eval-clients and --examples-per-client must be 0 or positive, --clients" + " positive");
            }
            try (ExportedModel m = ModelEngines.defaultEngine().openExported(model)) {
                out.println(describe(model, m));
                out.flush();
                boolean centralised = SimulationData.isCentralised(dataset, data.spec());
                boolean synthetic = dataset.trim().toLowerCase(Locale.ROOT).startsWith("synthetic");
                int n = clients != null ? clients : centralised || synthetic ? Simulation.DEFAULT_CLIENTS : 0;
                StringBuilder summary = new StringBuilder();
                try (SimulationData data = SimulationData.load(
                        dataset, this.data.spec(), centralised ? "iid" : null, n, examplesPerClient, seed, summary)) {
                    out.println(testData(data));
                    Preprocessing prep = Preprocessing.builder()
                            .setBatchSize(batch)
                            .optBatchMap(labelMap(data, m))
                            .build();
                    ExportedEvaluation.Builder b = ExportedEvaluation.builder(m, prep);
                    if (data.centralTest() != null) {
                        b.optCentralTest(data.centralTest());
                    }
                    if (data.testClients() != null) {
                        b.optFederatedTest(data.testClients(), evalClients, seed);
                    }
                    if (data.centralTest() == null && data.testClients() == null) {
                        throw new UsageException("--dataset " + dataset + " has no test data");
                    }
                    out.println(line(b.build().evaluate()));
                }
            }
            out.flush();
            return 0;
        } catch (UsageException e) {
            out.flush();
            err.println("fl4j evaluate: " + e.getMessage());
            err.println("(see fl4j evaluate --help)");
            err.flush();
            return 2;
        } catch (IllegalArgumentException | DatasetFileException | DatasetNotFoundException e) {
            out.flush();
            err.println("fl4j evaluate: " + e.getMessage());
            err.flush();
            return 1;
        } catch (Exception e) {
            out.flush();
            err.println("fl4j evaluate: failed: " + e);
            err.flush();
            return 1;
        }
    }

    /** {@code model DIR: TensorFlow SavedModel, x float32[-1,784] → 10 classes}. */
    static String describe(Path dir, ExportedModel m) {
        return "model " + dir + ": TensorFlow SavedModel, x " + m.inputType() + " → "
                + m.classes().map(c -> c + " classes").orElse("outputs (not a classifier)");
    }

    /** {@code test data: 10,000 examples (central test set)} or {@code test data: 12 test clients}. */
    private static String testData(SimulationData data) {
        List<String> parts = new ArrayList<>();
        if (data.centralTest() != null) {
            parts.add(String.format(
                    Locale.ROOT,
                    "%,d examples (central test set)",
                    data.centralTest().size()));
        }
        if (data.testClients() != null) {
            parts.add(String.format(
                    Locale.ROOT,
                    "%,d test clients",
                    data.testClients().clientIds().size()));
        }
        return "test data " + data.name() + ": " + String.join(", ", parts);
    }

    /** LEAF Shakespeare's next characters become per-position targets when the model predicts every position. */
    private static UnaryOperator<Dataset> labelMap(SimulationData data, ExportedModel m) {
        if (data.characters() && m.labelType().rank() == 2) {
            return ModelChoice.nextCharacterTargets(m.labelType().shape()[1]);
        }
        return UnaryOperator.identity();
    }

    /** As fl4j simulate prints evaluation: {@code eval_loss=0.4321, eval_accuracy=0.8765 (8765 of 10000 correct)}. */
    static String line(Map<String, Double> m) {
        List<String> parts = new ArrayList<>();
        for (String prefix : List.of(ModelEvaluation.CENTRAL, ModelEvaluation.FEDERATED)) {
            Double loss = m.get(prefix + "/loss");
            Double acc = m.get(prefix + "/sparse_categorical_accuracy");
            Double examples = m.get(prefix + "/num_examples");
            if (loss != null) {
                parts.add(String.format(Locale.ROOT, "%s_loss=%.4f", prefix, loss));
            }
            if (acc != null) {
                parts.add(String.format(
                        Locale.ROOT,
                        "%s_accuracy=%.4f (%d of %d correct)",
                        prefix,
                        acc,
                        m.get(prefix + "/" + ExportedEvaluation.CORRECT).longValue(),
                        m.get(prefix + "/" + ExportedEvaluation.LABELS).longValue()));
            }
            if (examples != null) {
                parts.add(String.format(Locale.ROOT, "%s_examples=%d", prefix, examples.longValue()));
            }
        }
        return String.join(", ", parts);
    }
}
