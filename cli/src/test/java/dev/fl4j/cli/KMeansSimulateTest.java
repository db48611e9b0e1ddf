package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.cli.simulate.SimulationData;
import dev.fl4j.core.Struct;
import dev.fl4j.core.TensorType;
import dev.fl4j.learning.algorithms.FedKMeans;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fl4j simulate --algorithm kmeans:K}: the command's centroids and rounds (points assigned, evaluation's
 * inertia, mean squared distance and cluster sizes) are bitwise those of the Java API ({@link FedKMeans} in a
 * {@link TrainingLoop} with {@link FedKMeans#buildEvaluation}) on the same data and seed; a real dataset
 * (Fashion-MNIST's images as 784-dimensional points) runs with its sinks; options of model training are refused by
 * name.
 */
class KMeansSimulateTest {

    private static final long SEED = 7;

    @TempDir
    Path tmp;

    private static String[] synthetic(String... more) {
        List<String> a = new ArrayList<>(List.of(
                "--dataset",
                "synthetic",
                "--clients",
                "6",
                "--clients-per-round",
                "4",
                "--examples-per-client",
                "20",
                "--seed",
                String.valueOf(SEED)));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    @Test
    void commandCentroidsAndRoundsAreTheJavaApisBitForBit() throws Exception {
        Path jsonl = tmp.resolve("kmeans.jsonl");
        Path checkpoints = tmp.resolve("ckpt");
        SimulateCommandTest.Result r = SimulateCommandTest.run(synthetic(
                "--rounds",
                "3",
                "--algorithm",
                "kmeans:3",
                "--jsonl",
                jsonl.toString(),
                "--checkpoint-dir",
                checkpoints.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        String header = r.lines().stream()
                .filter(l -> l.startsWith("model "))
                .findFirst()
                .orElseThrow();
        assertTrue(
                header.startsWith("model k-means (3 centroids of float32[60], 180 parameters), algorithm kmeans:3"
                        + " (TFF build_fed_kmeans"),
                header);
        String round3 = r.lines().stream()
                .filter(l -> l.startsWith("round  3"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(
                round3.matches("round  3, broadcasted_bits=.*, points=\\d+,"
                        + " federated_eval_mean_squared_distance=[0-9.]+, federated_eval_cluster_sizes=\\d+/\\d+/\\d+"),
                round3);
        assertTrue(r.out().contains("summary sum: 3 rounds, final federated test mean squared distance "), r.out());

        TrainingResult api;
        int[] shape;
        try (SimulationData data = SimulationData.load("synthetic", null, 6, 20, SEED, new StringBuilder())) {
            TensorType point = data.exampleX();
            shape = point.shape();
            LearningProcess process = FedKMeans.build(3, shape, SEED);
            Preprocessing prep = Preprocessing.unbatched(20, d -> d.map(point, v -> ((Struct) v).get("x")));
            ModelEvaluation evaluation = ModelEvaluation.builder(FedKMeans.buildEvaluation(3, shape), prep)
                    .optFederatedTest(data.testClients(), 0, SEED)
                    .build();
            api = TrainingLoop.builder()
                    .setProcess(process)
                    .setTrainingData(data.train())
                    .setClientsPerRound(4)
                    .setRounds(3)
                    .setPreprocessing(prep)
                    .optSeed(SEED)
                    .optWorkers(2)
                    .optEvaluation(evaluation, 1)
                    .build()
                    .run();
        }
        ApiRuns.assertSameRounds(jsonl, api, 3);
        Map<String, Double> last = api.history().get(3).metrics();
        assertTrue(last.get("client_work/num_examples") > 0, last.toString());
        double sizes = 0;
        for (int j = 0; j < 3; j++) {
            sizes += last.get("federated_eval/cluster_sizes/cluster_" + j);
        }
        assertEquals(last.get("federated_eval/num_points"), sizes);
        assertNotEquals(
                api.history().get(0).metrics().get("federated_eval/inertia"),
                last.get("federated_eval/inertia"),
                "training moves the centroids");

        Path newest = CheckpointStore.checkpointsIn(checkpoints.resolve("sum")).stream()
                .reduce((a, b) -> b)
                .orElseThrow();
        float[] fromCommand = CheckpointStore.read(newest)
                .modelWeights()
                .trainable()
                .tensor("centroids")
                .floatData();
        float[] fromApi = api.model().trainable().tensor("centroids").floatData();
        assertEquals(3 * 60, fromApi.length);
        assertArrayEquals(fromApi, fromCommand);
    }

    @Test
    void resumedRunEndsWithTheCentroidsOfAnUninterruptedOne() throws Exception {
        Path whole = tmp.resolve("whole");
        Path split = tmp.resolve("split");
        assertEquals(
                0,
                SimulateCommandTest.run(synthetic(
                                "--rounds", "3", "--algorithm", "kmeans:2", "--checkpoint-dir", whole.toString()))
                        .code());
        assertEquals(
                0,
                SimulateCommandTest.run(synthetic(
                                "--rounds", "1", "--algorithm", "kmeans:2", "--checkpoint-dir", split.toString()))
                        .code());
        SimulateCommandTest.Result resumed = SimulateCommandTest.run(
                synthetic("--rounds", "3", "--algorithm", "kmeans:2", "--checkpoint-dir", split.toString()));
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resuming after round 1"), resumed.out());
        assertArrayEquals(centroids(whole), centroids(split));
    }

    private static float[] centroids(Path dir) {
        Path newest = CheckpointStore.checkpointsIn(dir.resolve("sum")).stream()
                .reduce((a, b) -> b)
                .orElseThrow();
        return CheckpointStore.read(newest)
                .modelWeights()
                .trainable()
                .tensor("centroids")
                .floatData();
    }

    @Test
    void fashionMnistImagesClusterWithTheRunsSinks() throws Exception {
        Path csv = tmp.resolve("kmeans.csv");
        Path tb = tmp.resolve("tb");
        Path plot = tmp.resolve("kmeans.png");
        SimulateCommandTest.Result r = SimulateCommandTest.run(
                "--dataset",
                "fashion-mnist",
                "--clients",
                "20",
                "--clients-per-round",
                "5",
                "--examples-per-client",
                "40",
                "--rounds",
                "2",
                "--algorithm",
                "kmeans:10",
                "--csv",
                csv.toString(),
                "--tensorboard",
                tb.toString(),
                "--plot",
                plot.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("model k-means (10 centroids of float32[28,28,1], 7,840 parameters)"), r.out());
        String last = r.lines().stream()
                .filter(l -> l.startsWith("round  2"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(last.contains("points=200"), last);
        String sizes = last.substring(last.indexOf("eval_cluster_sizes=") + "eval_cluster_sizes=".length())
                .split(", ")[0];
        assertEquals(
                10_000,
                Arrays.stream(sizes.split("/")).mapToInt(Integer::parseInt).sum(),
                "every test image is in a cluster: " + last);
        List<String> rows = Files.readAllLines(csv);
        assertTrue(rows.stream().anyMatch(l -> l.contains("eval/mean_squared_distance")), String.join("\n", rows));
        assertTrue(Files.size(plot) > 0);
        try (var files = Files.walk(tb)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("events.out.tfevents")));
        }
    }

    @Test
    void optionsOfModelTrainingAreRefusedByName() throws Exception {
        String[][] refused = {
            {"--model", "softmax"},
            {"--batch", "20"},
            {"--epochs", "1"},
            {"--client-lr", "0.1"},
            {"--client-optimizer", "adam"},
            {"--server-optimizer", "sgd"},
            {"--server-lr", "1.0"},
            {"--client-lr-schedule", "constant"},
            {"--export", tmp.resolve("out").toString()},
            {"--epsilon-budget", "1"},
            {"--secure-aggregation", "secagg+"},
        };
        for (String[] option : refused) {
            List<String> a = new ArrayList<>(List.of(synthetic("--rounds", "1", "--algorithm", "kmeans:3")));
            a.addAll(List.of(option));
            assertError(
                    SimulateCommandTest.run(a.toArray(String[]::new)),
                    option[0] + " does not apply to --algorithm kmeans:3: ");
        }
        assertError(
                SimulateCommandTest.run(synthetic("--rounds", "1", "--algorithm", "kmeans:3", "--aggregator", "mean")),
                "--aggregator mean does not apply to --algorithm kmeans:3: k-means adds its clients' cluster sums and"
                        + " counts with a plain sum");
        assertError(
                SimulateCommandTest.run(synthetic("--rounds", "1", "--algorithm", "kmeans:0")),
                "k-means' K (clusters) must be >= 1, got '0'");
        assertError(SimulateCommandTest.run(synthetic("--rounds", "1", "--algorithm", "kmeans")), "'kmeans' takes 1");
        Path config = tmp.resolve("run.yaml");
        Files.writeString(config, "batch: 20\n");
        assertError(
                SimulateCommandTest.run(
                        synthetic("--rounds", "1", "--algorithm", "kmeans:3", "--config", config.toString())),
                "--batch does not apply to --algorithm kmeans:3: k-means clients take their points one at a time");

        SimulateCommandTest.Result sum =
                SimulateCommandTest.run(synthetic("--rounds", "1", "--algorithm", "kmeans:3", "--aggregator", "sum"));
        assertEquals(0, sum.code(), sum.out() + sum.err());
        assertFalse(sum.err().contains("does not apply"), sum.err());
    }

    @Test
    void fl4jServerRefusesKMeansAndPersonalization() {
        for (String[] extra : new String[][] {
            {"--algorithm", "kmeans:3"},
            {"--personalization", "a:1:0.1"}
        }) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = Fl4j.commandLine();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            List<String> args =
                    new ArrayList<>(List.of("server", "--insecure", "--port", "0", "--dataset", "synthetic"));
            args.addAll(List.of(extra));
            assertEquals(2, cl.execute(args.toArray(String[]::new)), out + "\n" + err);
            assertTrue(
                    err.toString()
                            .contains(
                                    extra[0].equals("--algorithm")
                                            ? "--algorithm kmeans:3: fl4j server does not run federated k-means"
                                            : "--personalization is not supported by fl4j server"),
                    err.toString());
        }
    }

    private static void assertError(SimulateCommandTest.Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }
}
