package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fl4j.cli.SimulateCommandTest.Result;
import dev.fl4j.learning.keras.Activation;
import dev.fl4j.learning.keras.Dense;
import dev.fl4j.learning.keras.InputLayer;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.datasets.DatasetFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fl4j simulate --model FILE}, the optimizer options and {@code --init}, each on real files the test
 * writes (spec files, synthetic and IDX data, checkpoints, JSON-lines metrics) through the command a user types;
 * and the committed example specs of {@code docs/models}, which the README shows, trained for a round.
 */
class ModelSpecSimulateTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    /** A two-layer perceptron for FedProx's synthetic data (60 features, 10 classes). */
    static ModelSpec mlp() {
        return new ModelSpec(
                "synthetic_mlp",
                List.of(InputLayer.of(60), Dense.of(16, Activation.RELU), Dense.of(10)),
                Loss.sparseCategoricalCrossentropy().withFromLogits(true),
                Models.CLASSIFIER_METRICS);
    }

    Path mlpFile() throws Exception {
        Path f = tmp.resolve("mlp.json");
        mlp().write(f);
        return f;
    }

    static String[] synthetic(String... more) {
        List<String> a = new ArrayList<>(List.of(
                "--dataset",
                "synthetic",
                "--clients",
                "6",
                "--clients-per-round",
                "3",
                "--examples-per-client",
                "20",
                "--batch",
                "5",
                "--client-lr",
                "0.05",
                "--rounds",
                "1"));
        for (int i = 0; i < more.length; i += 2) {
            int at = a.indexOf(more[i]);
            if (at >= 0 && i + 1 < more.length && !more[i + 1].startsWith("--")) {
                a.set(at + 1, more[i + 1]);
            } else {
                a.add(more[i]);
                if (i + 1 < more.length) {
                    a.add(more[i + 1]);
                }
            }
        }
        return a.toArray(String[]::new);
    }

    private static JsonNode line(Path jsonl, int index) throws Exception {
        return new ObjectMapper().readTree(Files.readAllLines(jsonl).get(index));
    }

    @Test
    void aSpecFileTrainsAndItsDigestIsInTheProvenance() throws Exception {
        Path spec = mlpFile();
        Path jsonl = tmp.resolve("m.jsonl");
        Result r = SimulateCommandTest.run(synthetic("--model", spec.toString(), "--jsonl", jsonl.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("model " + spec + " (1,146 parameters)"), r.out());
        assertTrue(r.out().contains("summary mean: 1 rounds"), r.out());
        JsonNode options = line(jsonl, 0).get("provenance").get("options");
        assertEquals(spec.toString(), options.get("model").asText());
        assertEquals(64, options.get("model-spec-sha256").asText().length(), options.toString());
    }

    /**
     * {@code --broadcast from-init:}: the same bits as the plain encoding (the initial weights are not sent), and
     * the clients train from another model (the Glorot-initialized MLP's, not softmax's zeros, so the reference
     * matters), round lines otherwise in the same shape.
     */
    @Test
    void aBroadcastFromTheInitialWeightsCostsThePlainEncodingsBitsAndChangesWhatClientsReceive() throws Exception {
        Path spec = mlpFile();
        Result plain = SimulateCommandTest.run(
                synthetic("--model", spec.toString(), "--rounds", "2", "--broadcast", "uniform:2@100"));
        Result fromInit = SimulateCommandTest.run(
                synthetic("--model", spec.toString(), "--rounds", "2", "--broadcast", "from-init:uniform:2@100"));
        assertEquals(0, fromInit.code(), fromInit.out() + fromInit.err());
        String a = SimulateCommandTest.lastRoundLine(plain);
        String b = SimulateCommandTest.lastRoundLine(fromInit);
        assertEquals(SimulateCommandTest.bits(a, "broadcasted_bits"), SimulateCommandTest.bits(b, "broadcasted_bits"));
        assertNotEquals(a.replaceAll(", total_bits.*", ""), b.replaceAll(", total_bits.*", ""), a + " vs " + b);
    }

    @Test
    void specFilesThatDoNotFitTheDataAreUsageErrorsNamingWhy() throws Exception {
        Path wrongClasses = tmp.resolve("three.json");
        new ModelSpec(
                        "three",
                        List.of(InputLayer.of(60), Dense.of(3)),
                        Loss.sparseCategoricalCrossentropy().withFromLogits(true),
                        Models.CLASSIFIER_METRICS)
                .write(wrongClasses);
        Result r = SimulateCommandTest.run(synthetic("--model", wrongClasses.toString()));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--model: model spec " + wrongClasses), r.err());
        assertTrue(r.err().contains("its output has 3 scores per example, but synthetic has 10 classes"), r.err());

        Path cnn = tmp.resolve("cnn.json");
        Models.fedAvgCnn(10).write(cnn);
        r = SimulateCommandTest.run(synthetic("--model", cnn.toString()));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(
                r.err()
                        .contains("synthetic has examples x=float32[60]; the InputLayer must have that shape and"
                                + " dtype, or be a flat float32 vector of 60 values"),
                r.err());

        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, mlp().toJson().replaceFirst("\"Dense\"", "\"Conv3D\""));
        r = SimulateCommandTest.run(synthetic("--model", broken.toString()));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(
                r.err().contains("model spec " + broken + ": invalid fl4j.model_spec version 1 (at layers[1])"),
                r.err());
        assertTrue(r.err().contains("Conv3D"), r.err());

        r = SimulateCommandTest.run(
                synthetic("--model", tmp.resolve("missing.json").toString()));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("model spec " + tmp.resolve("missing.json") + ": no such file"), r.err());
    }

    /** The committed specs are the published models (the README shows them) and train a round on MNIST files. */
    @Test
    void theCommittedExampleSpecsAreThePublishedModelsAndTrain() throws Exception {
        Path fedAvgCnn = ROOT.resolve("docs/models/fedavg-cnn.json");
        assertEquals(Models.fedAvgCnn(10), ModelSpec.read(fedAvgCnn));
        assertEquals(1_663_370L, ModelSpec.read(fedAvgCnn).countParams());
        Path simpleCnn = ROOT.resolve("docs/models/niid-bench-simple-cnn.json");
        assertEquals(44_426L, ModelSpec.read(simpleCnn).countParams());
        ModelSpec benchCnn = Models.niidBenchCnn(10);
        ModelSpec committed = ModelSpec.read(simpleCnn);
        assertEquals(
                benchCnn,
                new ModelSpec(benchCnn.name(), committed.layers(), committed.loss(), committed.metrics()),
                "the committed simple CNN is the model bench accuracy trains (Models.niidBenchCnn), but for its name");
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertTrue(readme.contains(Files.readString(simpleCnn).strip()), "the README shows the simple CNN's spec");

        Path dir = tmp.resolve("mnist-idx");
        DatasetFixtures.writeDataset(dir, 120, 30, true);
        Result r = SimulateCommandTest.run(
                "--dataset",
                "mnist:" + dir,
                "--clients",
                "4",
                "--clients-per-round",
                "2",
                "--model",
                simpleCnn.toString(),
                "--client-optimizer",
                "sgdm:0.9",
                "--client-weight-decay",
                "0.0005",
                "--rounds",
                "1",
                "--batch",
                "10");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("(44,426 parameters)"), r.out());
        assertTrue(r.out().contains("client sgdm:0.9 0.02, weight decay 5.0E-4"), r.out());
        assertTrue(
                r.lines().stream().anyMatch(l -> l.matches("summary mean: 1 rounds, final test accuracy .*")), r.out());
    }

    @Test
    void optimizerOptionsTrainAndAreRecordedInTheProvenance() throws Exception {
        Path jsonl = tmp.resolve("o.jsonl");
        Result r = SimulateCommandTest.run(synthetic(
                "--model",
                "softmax",
                "--client-optimizer",
                "nesterov:0.9",
                "--client-weight-decay",
                "0.001",
                "--server-optimizer",
                "adam:0.9:0.99",
                "--server-weight-decay",
                "0.0001",
                "--jsonl",
                jsonl.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(
                r.out()
                        .contains("algorithm fedavg (client nesterov:0.9 0.05, weight decay 0.001,"
                                + " server adam:0.9:0.99 lr 0.01, server weight decay 1.0E-4, 1 epoch)"),
                r.out());
        JsonNode p = line(jsonl, 0).get("provenance");
        JsonNode options = p.get("options");
        assertEquals("nesterov:0.9", options.get("client-optimizer").asText());
        assertEquals("0.001", options.get("client-weight-decay").asText());
        assertEquals("adam:0.9:0.99", options.get("server-optimizer").asText());
        assertEquals("1.0E-4", options.get("server-weight-decay").asText());
        assertEquals("0.01", options.get("server-lr").asText(), "an adaptive server optimizer's default rate");
        assertEquals("nesterov:0.9", p.get("config").get("client-optimizer").asText(), p.toString());
    }

    @Test
    void optimizerOptionsAnAlgorithmCannotTakeAreRefusedSpecifically() {
        Map<List<String>, String> cases = Map.of(
                List.of("--algorithm", "fedsgd", "--client-optimizer", "adam"),
                "--client-optimizer does not apply to --algorithm fedsgd",
                List.of("--algorithm", "fedsgd", "--client-weight-decay", "0.1"),
                "--client-weight-decay does not apply to --algorithm fedsgd",
                List.of("--algorithm", "scaffold", "--client-optimizer", "adam"),
                "--client-optimizer adam does not apply to --algorithm scaffold: its control variates assume SGD",
                List.of("--algorithm", "fednova", "--client-optimizer", "nesterov:0.9"),
                "--client-optimizer nesterov:0.9 does not apply to --algorithm fednova",
                List.of("--algorithm", "mime-lite:0.9", "--client-weight-decay", "0.1"),
                "--client-weight-decay is not supported by --algorithm mime-lite:0.9",
                List.of("--algorithm", "mime-lite:0.9", "--client-optimizer", "sgd"),
                "--client-optimizer does not apply to --algorithm mime-lite:0.9",
                List.of("--algorithm", "fedadam", "--server-optimizer", "yogi"),
                "--server-optimizer does not apply to --algorithm fedadam, whose server optimizer is adam",
                List.of("--client-optimizer", "adam:0.9"),
                "'adam' takes 0, 2 or 3 argument(s) (adam[:BETA1:BETA2[:EPSILON]]), got 1",
                List.of("--server-optimizer", "sgdm:1.5"),
                "MOMENTUM must be in (0, 1), got '1.5'",
                List.of("--client-weight-decay", "-1"),
                "--client-weight-decay must be a finite number >= 0, got -1.0");
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            List<String> args = new ArrayList<>(List.of(synthetic(c.getKey().toArray(String[]::new))));
            if (c.getKey().contains("fedsgd")) { // FedSGD refuses --client-lr itself
                int at = args.indexOf("--client-lr");
                args.subList(at, at + 2).clear();
            }
            Result r = SimulateCommandTest.run(args.toArray(String[]::new));
            assertEquals(2, r.code(), c.getKey() + ": " + r.out() + r.err());
            assertTrue(r.err().contains(c.getValue()), c.getKey() + ": " + r.err());
            assertFalse(r.out().contains("round  1"), "refused before training: " + r.out());
        }
        Result r = SimulateCommandTest.run(synthetic("--client-optimizer", "lion"));
        assertTrue(
                r.err().contains("unknown client-optimizer 'lion'") && r.err().contains("rmsprop[:RHO[:EPSILON]]"),
                r.err());
    }

    /**
     * {@code --init} from a checkpoint directory: the second run's initial model is the first run's final one,
     * so its evaluation before any round (round 0) equals the first run's after its last round.
     */
    @Test
    void initStartsFromACheckpointsWeightsAndRefusesAnotherModel() throws Exception {
        Path spec = mlpFile();
        Path ckpt = tmp.resolve("ckpt");
        Path a = tmp.resolve("a.jsonl");
        Result first = SimulateCommandTest.run(synthetic(
                "--model",
                spec.toString(),
                "--rounds",
                "2",
                "--checkpoint-dir",
                ckpt.toString(),
                "--jsonl",
                a.toString()));
        assertEquals(0, first.code(), first.out() + first.err());
        Path b = tmp.resolve("b.jsonl");
        Result second = SimulateCommandTest.run(synthetic(
                "--model", spec.toString(), "--init", ckpt.resolve("mean").toString(), "--jsonl", b.toString()));
        assertEquals(0, second.code(), second.out() + second.err());
        assertTrue(
                second.out().contains("initial weights from " + ckpt.resolve("mean") + " (1,146 parameters)"),
                second.out());
        JsonNode endOfFirst = line(a, 3).get("metrics");
        JsonNode startOfSecond = line(b, 1).get("metrics");
        assertEquals(2, line(a, 3).get("round").asInt());
        assertEquals(0, line(b, 1).get("round").asInt());
        assertSameEvaluation(endOfFirst, startOfSecond);
        JsonNode fresh = line(a, 1).get("metrics");
        assertFalse(fresh.equals(startOfSecond), "the seeded start is another model: " + fresh);

        Path file = ckpt.resolve("mean").resolve("checkpoint_00000002.fl4jckpt");
        Result wrong = SimulateCommandTest.run(synthetic("--model", "softmax", "--init", file.toString()));
        assertEquals(2, wrong.code(), wrong.out() + wrong.err());
        assertTrue(
                wrong.err()
                        .contains("--init " + file + " (round 2) does not fit the model: trainable weight"
                                + " 'dense/kernel' is float32[60,16] but the model's is float32[60,10]"),
                wrong.err());
        Result empty = SimulateCommandTest.run(synthetic("--init", ckpt.toString()));
        assertEquals(2, empty.code(), empty.out() + empty.err());
        assertTrue(empty.err().contains("no checkpoint (checkpoint_N.fl4jckpt) in this directory"), empty.err());
        Path damaged = tmp.resolve("damaged.fl4jckpt");
        Files.write(damaged, Arrays.copyOf(Files.readAllBytes(file), 100));
        Result bad = SimulateCommandTest.run(synthetic("--model", spec.toString(), "--init", damaged.toString()));
        assertEquals(1, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains(damaged.toString()), bad.err());
    }

    @Test
    void initStartsFromAnExportedModelsWeightsAndRefusesAnotherModel() throws Exception {
        Path spec = mlpFile();
        Path export = tmp.resolve("exported");
        Path a = tmp.resolve("exported-a.jsonl");
        Result first = SimulateCommandTest.run(synthetic(
                "--model", spec.toString(), "--rounds", "2", "--export", export.toString(), "--jsonl", a.toString()));
        assertEquals(0, first.code(), first.out() + first.err());
        Path b = tmp.resolve("exported-b.jsonl");
        Result second = SimulateCommandTest.run(
                synthetic("--model", spec.toString(), "--init", export.toString(), "--jsonl", b.toString()));
        assertEquals(0, second.code(), second.out() + second.err());
        assertTrue(second.out().contains("initial weights from " + export + " (1,146 parameters)"), second.out());
        JsonNode endOfFirst = line(a, 3).get("metrics");
        JsonNode startOfSecond = line(b, 1).get("metrics");
        assertSameEvaluation(endOfFirst, startOfSecond);

        Result wrong = SimulateCommandTest.run(synthetic("--model", "softmax", "--init", export.toString()));
        assertEquals(2, wrong.code(), wrong.out() + wrong.err());
        assertTrue(
                wrong.err().contains("--init " + export + " (an exported model) does not fit the model: "),
                wrong.err());
    }

    /** Every evaluation metric of {@code start} (at least two) equals {@code end}'s exactly. */
    private static void assertSameEvaluation(JsonNode end, JsonNode start) {
        int compared = 0;
        for (Iterator<String> it = start.fieldNames(); it.hasNext(); ) {
            String metric = it.next();
            if (metric.contains("eval")) {
                assertEquals(end.get(metric).asDouble(), start.get(metric).asDouble(), 0.0, metric);
                compared++;
            }
        }
        assertTrue(compared >= 2, "evaluation metrics compared: " + start);
    }
}
