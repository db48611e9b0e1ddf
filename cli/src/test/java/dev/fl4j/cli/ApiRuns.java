package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fl4j.cli.simulate.SimulationData;
import dev.fl4j.cli.spec.ModelChoice;
import dev.fl4j.learning.algorithms.FedRecon;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.simulation.checkpoint.RoundRecord;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The Java API run a {@code simulate} command stands for, on the command's data ({@link #args}: FedProx's synthetic
 * dataset, 6 clients of at most 20 examples, 4 per round, batch 5, client learning rate 0.05, seed 7), and the
 * comparison of the command's JSON-lines rounds with it.
 */
final class ApiRuns {

    static final long SEED = 7;

    private ApiRuns() {}

    /** The command line's data and training options, then {@code more}. */
    static String[] args(Path model, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "--dataset",
                "synthetic",
                "--clients",
                "6",
                "--clients-per-round",
                "4",
                "--model",
                model.toString(),
                "--examples-per-client",
                "20",
                "--batch",
                "5",
                "--client-lr",
                "0.05",
                "--seed",
                String.valueOf(SEED)));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    /**
     * Trains {@code process} for {@code rounds} rounds as {@link TrainingLoop} runs it, with the evaluation simulate
     * configures for the data (with {@code reconstruction}, null for none); {@code also} gets the data and
     * preprocessing while they are open.
     */
    static TrainingResult run(
            Path model,
            LearningProcess process,
            FedRecon.Evaluation reconstruction,
            int rounds,
            BiConsumer<SimulationData, Preprocessing> also)
            throws Exception {
        try (SimulationData data = SimulationData.load("synthetic", null, 6, 20, SEED, new StringBuilder())) {
            ModelChoice choice = ModelChoice.of(model.toString(), data);
            ModelSpec spec = choice.spec();
            Preprocessing prep = Preprocessing.builder()
                    .setBatchSize(5)
                    .optExamplesCap(20)
                    .optBatchMap(choice.batchMap())
                    .build();
            TrainingResult r = TrainingLoop.builder()
                    .setProcess(process)
                    .setTrainingData(data.train())
                    .setClientsPerRound(4)
                    .setRounds(rounds)
                    .setPreprocessing(prep)
                    .optSeed(SEED)
                    .optWorkers(2)
                    .optEvaluation(evaluation(data, spec, prep, reconstruction), 1)
                    .build()
                    .run();
            if (also != null) {
                also.accept(data, prep);
            }
            return r;
        }
    }

    /** simulate's evaluation of the synthetic data: its test clients (and central test set, if any). */
    static ModelEvaluation evaluation(
            SimulationData data, ModelSpec spec, Preprocessing prep, FedRecon.Evaluation reconstruction) {
        ModelEvaluation.Builder b = ModelEvaluation.builder(spec, prep);
        if (reconstruction != null) {
            b.optReconstruction(reconstruction);
        }
        if (data.centralTest() != null) {
            b.optCentralTest(data.centralTest());
        }
        if (data.testClients() != null) {
            b.optFederatedTest(data.testClients(), 0, SEED);
        }
        return b.build();
    }

    /**
     * Every round of {@code jsonl} (the initial evaluation as round 0, then {@code rounds} rounds) has bitwise the
     * training and evaluation metrics of the same round of {@code api}.
     */
    static void assertSameRounds(Path jsonl, TrainingResult api, int rounds) throws Exception {
        List<String> lines = Files.readAllLines(jsonl);
        ObjectMapper json = new ObjectMapper();
        int compared = 0;
        for (String line : lines) {
            JsonNode n = json.readTree(line);
            if (!n.has("round")) {
                continue;
            }
            RoundRecord record = api.history().get(n.get("round").asInt());
            assertEquals(n.get("round").asInt(), record.round());
            Map<String, Double> fromCommand = new TreeMap<>();
            n.get("metrics").fields().forEachRemaining(e -> {
                if (isComparable(e.getKey())) {
                    fromCommand.put(e.getKey(), e.getValue().asDouble());
                }
            });
            Map<String, Double> fromApi = new TreeMap<>();
            record.metrics().forEach((k, v) -> {
                if (isComparable(k)) {
                    fromApi.put(k, v);
                }
            });
            assertTrue(fromApi.keySet().stream().anyMatch(k -> k.contains("eval/")), fromApi.toString());
            assertEquals(fromApi, fromCommand, "round " + record.round());
            compared++;
        }
        assertEquals(rounds + 1, compared, "the initial evaluation and " + rounds + " rounds in " + lines);
    }

    private static boolean isComparable(String metric) {
        return metric.contains("eval/") || metric.startsWith("client_work/");
    }
}
