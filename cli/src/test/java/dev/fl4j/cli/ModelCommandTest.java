package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fl4j model describe}: Keras's summary of built-in models and spec files, checked against the published
 * parameter counts (McMahan et al.'s CNN 1,663,370 for MNIST and 1,690,046 for EMNIST's 62 classes, their 2NN
 * 199,210; NIID-Bench's simple CNN 44,426, as PyTorch counts it) and against Keras's per-layer counts.
 */
class ModelCommandTest {

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Fl4j.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void theFedAvgCnnHasItsPublishedCountsLayerByLayer() {
        Result r = run("model", "describe", "fedavg-cnn");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("Model: \"fedavg_cnn\"\n"), out);
        assertTrue(out.matches("(?s).*\n conv2d \\(Conv2D\\) +\\(None, 28, 28, 32\\) +832\n.*"), out);
        assertTrue(out.matches("(?s).*\n max_pooling2d \\(MaxPooling2D\\) +\\(None, 14, 14, 32\\) +0\n.*"), out);
        assertTrue(out.matches("(?s).*\n conv2d_1 \\(Conv2D\\) +\\(None, 14, 14, 64\\) +51,264\n.*"), out);
        assertTrue(out.matches("(?s).*\n flatten \\(Flatten\\) +\\(None, 3136\\) +0\n.*"), out);
        assertTrue(out.matches("(?s).*\n dense \\(Dense\\) +\\(None, 512\\) +1,606,144\n.*"), out);
        assertTrue(out.matches("(?s).*\n dense_1 \\(Dense\\) +\\(None, 10\\) +5,130\n.*"), out);
        assertTrue(out.contains("\nTotal params: 1,663,370 (6.35 MB)\n"), out);
        assertTrue(out.contains("\nTrainable params: 1,663,370 (6.35 MB)\n"), out);
        assertTrue(out.contains("\nNon-trainable params: 0 (0 B)\n"), out);

        assertTrue(
                run("model", "describe", "fedavg-cnn", "--classes", "62").out().contains("Total params: 1,690,046"));
        assertTrue(run("model", "describe", "2nn").out().contains("Total params: 199,210"));
        assertTrue(run("model", "describe", "softmax").out().contains("Total params: 7,850"));
        Result lstm = run("model", "describe", "lstm");
        assertTrue(lstm.out().contains(" lstm (LSTM)") && lstm.out().contains("(None, 80, 256)"), lstm.out());
        assertTrue(lstm.out().contains(" embedding (Embedding)") && lstm.out().contains("688"), lstm.out());
    }

    @Test
    void specFilesAreDescribedAsTheyAreRead() throws Exception {
        Path simple = ModelSpecSimulateTest.ROOT.resolve("docs/models/niid-bench-simple-cnn.json");
        Result r = run("model", "describe", simple.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Model: \"niid_bench_simple_cnn\""), r.out());
        assertTrue(r.out().matches("(?s).*\n conv2d_1 \\(Conv2D\\) +\\(None, 8, 8, 16\\) +2,416\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\n dense \\(Dense\\) +\\(None, 120\\) +30,840\n.*"), r.out());
        assertTrue(r.out().contains("Total params: 44,426 (173.54 KB)"), r.out());

        Path mlp = tmp.resolve("mlp.json");
        ModelSpecSimulateTest.mlp().write(mlp);
        assertTrue(run("model", "describe", mlp.toString()).out().contains("Total params: 1,146 (4.48 KB)"));
    }

    @Test
    void namesAndFilesItCannotReadAreErrorsSayingWhy() throws Exception {
        Result r = run("model", "describe", "resnet50");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown model 'resnet50'"), r.err());
        assertTrue(r.err().contains("or a model-spec file: a path ending in .json or holding a /"), r.err());
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"format\":\"fl4j.model_spec\",\"version\":1,\"name\":\"x\",\"layers\":[]}");
        r = run("model", "describe", bad.toString());
        assertEquals(2, r.code());
        assertTrue(
                r.err().startsWith("fl4j model describe: model spec " + bad + ": invalid fl4j.model_spec version 1"),
                r.err());
        r = run("model", "describe", "lstm", "--classes", "10");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--classes does not apply to lstm"), r.err());
    }
}
