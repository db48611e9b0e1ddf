package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.cli.SimulateCommandTest.Result;
import dev.fl4j.simulation.datasets.DatasetFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The trained model out, through the commands a user types: {@code fl4j simulate --export DIR} on MNIST IDX files the
 * test writes, then {@code fl4j evaluate} (which loads the SavedModel with TensorFlow's loader and must reproduce the
 * last round's evaluation accuracy exactly), {@code fl4j predict} on CSV and IDX input, {@code fl4j describe DIR},
 * and what each refuses.
 */
class ExportCommandsTest {

    @TempDir
    static Path tmp;

    private static Path data;
    private static Path model;
    private static Path jsonl;
    private static Result trained;

    static Result fl4j(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Fl4j.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void trainAndExport() throws Exception {
        data = tmp.resolve("mnist");
        DatasetFixtures.writeDataset(data, 120, 37, false);
        model = tmp.resolve("runs/model");
        jsonl = tmp.resolve("runs/metrics.jsonl");
        trained = SimulateCommandTest.run(
                "--dataset", "mnist:" + data,
                "--clients", "4",
                "--clients-per-round", "2",
                "--model", "2nn",
                "--rounds", "2",
                "--batch", "10",
                "--client-lr", "0.1",
                "--jsonl", jsonl.toString(),
                "--export", model.toString());
        assertEquals(0, trained.code(), trained.out() + trained.err());
    }

    private static double lastJsonl(String metric) throws Exception {
        List<String> lines = Files.readAllLines(jsonl);
        Matcher m = Pattern.compile("\"" + Pattern.quote(metric) + "\":([-0-9.eE]+)")
                .matcher(lines.get(lines.size() - 1));
        assertTrue(m.find(), lines.get(lines.size() - 1));
        return Double.parseDouble(m.group(1));
    }

    @Test
    void evaluateReproducesTheLastRoundsAccuracyExactly() throws Exception {
        assertTrue(trained.out().contains("model: " + model + " (TensorFlow SavedModel"), trained.out());
        assertTrue(Files.isRegularFile(model.resolve("saved_model.pb")));

        Result r = fl4j("evaluate", "--model", model.toString(), "--dataset", "mnist:" + data, "--batch", "10");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("x float32[?,784] → 10 classes"), r.out());
        Matcher m = Pattern.compile("eval_loss=([0-9.]+), eval_accuracy=([0-9.]+) \\((\\d+) of (\\d+) correct\\)")
                .matcher(r.out());
        assertTrue(m.find(), r.out());
        double accuracy = lastJsonl("eval/sparse_categorical_accuracy");
        assertEquals(37, Integer.parseInt(m.group(4)));
        assertEquals(accuracy, Integer.parseInt(m.group(3)) / 37.0, "the exported model's accuracy, exactly");
        String lastRound = trained.lines().stream()
                .filter(l -> l.startsWith("round  2"))
                .findFirst()
                .orElseThrow();
        assertTrue(lastRound.contains("eval_loss=" + m.group(1)), lastRound + " vs " + r.out());
        assertTrue(lastRound.contains("eval_accuracy=" + m.group(2)), lastRound + " vs " + r.out());
        assertEquals(String.format(Locale.ROOT, "%.4f", lastJsonl("eval/loss")), m.group(1));
    }

    @Test
    void describePrintsTheProvenanceThatWentWithTheModel() {
        Result r = fl4j("describe", model.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("exported model (TensorFlow SavedModel directory)"), r.out());
        assertTrue(r.out().contains("export = " + model), r.out());
        assertTrue(r.out().contains("model = 2nn"), r.out());
        Result none = fl4j("describe", tmp.resolve("mnist").toString());
        assertEquals(1, none.code());
        assertTrue(none.err().contains("an exported model directory"), none.err());
    }

    @Test
    void predictWritesClassesAndProbabilitiesForCsvAndIdx() throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 784; i++) {
            csv.append(i == 0 ? "" : ",").append("px").append(i);
        }
        csv.append('\n');
        for (int row = 0; row < 3; row++) {
            for (int i = 0; i < 784; i++) {
                csv.append(i == 0 ? "" : ",").append(row * 0.3f);
            }
            csv.append('\n');
        }
        Path input = Files.writeString(tmp.resolve("rows.csv"), csv);
        Result r = fl4j("predict", "--model", model.toString(), "--input", input.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("example,class,p0,p1,"), lines.get(0));
        for (int row = 0; row < 3; row++) {
            String[] f = lines.get(row + 1).split(",");
            assertEquals(12, f.length, lines.get(row + 1));
            assertEquals(String.valueOf(row), f[0]);
            int best = 0;
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                double p = Double.parseDouble(f[2 + c]);
                sum += p;
                if (p > Double.parseDouble(f[2 + best])) {
                    best = c;
                }
            }
            assertEquals(best, Integer.parseInt(f[1]), lines.get(row + 1));
            assertEquals(1.0, sum, 1e-5);
        }

        Path idx = tmp.resolve("images-idx3-ubyte");
        Files.write(idx, DatasetFixtures.idx(new int[] {5, 28, 28}, DatasetFixtures.images(5)));
        Path out = tmp.resolve("predictions/idx.csv");
        Result fromIdx =
                fl4j("predict", "--model", model.toString(), "--input", idx.toString(), "--output", out.toString());
        assertEquals(0, fromIdx.code(), fromIdx.out() + fromIdx.err());
        assertTrue(fromIdx.out().contains("wrote 5 predictions to " + out), fromIdx.out());
        assertEquals(6, Files.readAllLines(out).size());
    }

    @Test
    void predictRefusesBadInputWithItsLine() throws Exception {
        Path wrongWidth = Files.writeString(tmp.resolve("narrow.csv"), "1,2,3\n");
        Result r = fl4j("predict", "--model", model.toString(), "--input", wrongWidth.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("line 1: 3 values, but the model takes 784 values per example"), r.err());

        StringBuilder nan = new StringBuilder();
        for (int i = 0; i < 784; i++) {
            nan.append(i == 0 ? "" : ",").append(i == 5 ? "NaN" : "0.5");
        }
        Path withNan = Files.writeString(tmp.resolve("nan.csv"), "0" + ",0.5".repeat(783) + "\n" + nan + "\n");
        Result n = fl4j("predict", "--model", model.toString(), "--input", withNan.toString());
        assertEquals(1, n.code());
        assertTrue(n.err().contains("line 2, column 6: 'NaN'") && n.err().contains("refused, not imputed"), n.err());

        Result missing = fl4j(
                "predict",
                "--model",
                model.toString(),
                "--input",
                tmp.resolve("nope.csv").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());
    }

    @Test
    void evaluateAndPredictRefuseWhatIsNotAnExportedModel() throws Exception {
        Result missing = fl4j("evaluate", "--model", tmp.resolve("nope").toString(), "--dataset", "mnist:" + data);
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());

        Result notSaved = fl4j("predict", "--model", data.toString(), "--input", data.toString());
        assertEquals(1, notSaved.code());
        assertTrue(notSaved.err().contains("is not a TensorFlow SavedModel: it has no saved_model.pb"), notSaved.err());

        Result wrongData = fl4j("evaluate", "--model", model.toString(), "--dataset", "synthetic", "--clients", "3");
        assertEquals(1, wrongData.code(), wrongData.out() + wrongData.err());
        assertTrue(
                wrongData.err().contains("the model takes float32[?,784] (784 values per example)"), wrongData.err());
    }

    @Test
    void simulateRefusesAnExportDirectoryInUseBeforeTraining() throws Exception {
        Path used = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(used.resolve("keep.txt"), "mine");
        Result r = SimulateCommandTest.run(
                "--dataset",
                "mnist:" + data,
                "--clients",
                "4",
                "--clients-per-round",
                "2",
                "--model",
                "2nn",
                "--rounds",
                "1",
                "--export",
                used.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--export " + used + " is not empty; refusing to overwrite it"), r.err());
        assertFalse(r.out().contains("round  0"), r.out());
        assertEquals("mine", Files.readString(used.resolve("keep.txt")));
    }
}
