package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.cli.SimulateCommandTest.Result;
import dev.fl4j.cli.simulate.FinalModels;
import dev.fl4j.cli.simulate.SimulationData;
import dev.fl4j.cli.simulate.TableSpec;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.datasets.DatasetFixtures;
import dev.fl4j.simulation.tables.TableFormats;
import dev.fl4j.simulation.tables.TableOptions;
import dev.fl4j.simulation.tables.Tables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --dataset csv:PATH} / {@code parquet:PATH} and {@code fl4j data export} through the command
 * line, on files the tests write: tables train, malformed rows are reported with file and line, and an
 * export read back is the same clients with the same examples, training to the same model bit for bit.
 */
class DataTablesCommandTest {

    @TempDir
    Path tmp;

    static Result data(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Fl4j.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("data"));
        all.addAll(Arrays.asList(args));
        int code = cl.execute(all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    private Path userTable() throws Exception {
        StringBuilder b = new StringBuilder("user,color,height,weight,label\n");
        String[] colors = {"red", "green", "blue"};
        for (int i = 0; i < 60; i++) {
            b.append("u")
                    .append(i % 6)
                    .append(',')
                    .append(colors[i % 3])
                    .append(',')
                    .append(150 + i % 40)
                    .append(',')
                    .append(50.5 + i % 17)
                    .append(',')
                    .append(i % 3 == 0 ? "small" : "large")
                    .append('\n');
        }
        Path p = tmp.resolve("people.csv");
        Files.writeString(p, b);
        return p;
    }

    @Test
    void aFederatedCsvTableTrainsItsClients() throws Exception {
        Path p = userTable();
        Result r = SimulateCommandTest.run(
                "--dataset", "csv:" + p,
                "--label-column", "label",
                "--client-column", "user",
                "--categorical-columns", "color",
                "--clients-per-round", "3",
                "--rounds", "1",
                "--batch", "5");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("csv table " + p + ": 60 rows, x=float32[5], 2 classes"), r.out());
        assertTrue(r.out().contains("6 of 6 clients from column 'user'"), r.out());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("summary mean: 1 rounds")), r.out());
    }

    @Test
    void aCentralisedCsvTableIsPartitionedWithIndexedCategories() throws Exception {
        Path p = userTable();
        Result r = SimulateCommandTest.run(
                "--dataset", "csv:" + p,
                "--label-column", "label",
                "--feature-columns", "height,color",
                "--categorical-columns", "color",
                "--categorical", "index",
                "--partition", "iid",
                "--clients", "4",
                "--clients-per-round", "2",
                "--rounds", "1",
                "--batch", "5");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("x=float32[2]"), r.out()); // height and the color's index
        assertTrue(
                r.lines().stream().anyMatch(l -> l.matches("summary mean: 1 rounds, final test accuracy.*")), r.out());
    }

    @Test
    void evaluateReadsTheTableAsTheRunDidAndReproducesItsLastEvaluation() throws Exception {
        Path p = userTable();
        Path model = tmp.resolve("table-model");
        String[] table = {
            "--dataset",
            "csv:" + p,
            "--label-column",
            "label",
            "--feature-columns",
            "height,weight,color",
            "--categorical-columns",
            "color"
        };
        Result r = SimulateCommandTest.run(concat(
                table,
                "--partition",
                "iid",
                "--clients",
                "4",
                "--clients-per-round",
                "2",
                "--rounds",
                "2",
                "--batch",
                "5",
                "--export",
                model.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        String lastRound = r.lines().stream()
                .filter(l -> l.startsWith("round  2"))
                .findFirst()
                .orElseThrow();
        Result e = ExportCommandsTest.fl4j(concat(
                new String[] {"evaluate", "--model", model.toString(), "--batch", "5", "--clients", "4"}, table));
        assertEquals(0, e.code(), e.out() + e.err());
        Matcher m =
                Pattern.compile("eval_loss=([0-9.]+), eval_accuracy=([0-9.]+)").matcher(e.out());
        assertTrue(m.find(), e.out());
        assertTrue(lastRound.contains("eval_loss=" + m.group(1)), lastRound + " vs " + e.out());
        assertTrue(lastRound.contains("eval_accuracy=" + m.group(2)), lastRound + " vs " + e.out());
    }

    @Test
    void malformedRowsAndMissingOptionsAreReported() throws Exception {
        Path bad = tmp.resolve("bad.csv");
        Files.writeString(bad, "a,b,label\n1,2,0\n3,x,1\n");
        Result r = SimulateCommandTest.run("--dataset", "csv:" + bad, "--label-column", "label", "--rounds", "1");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(bad + ": line 3: column 'b': 'x' is not a number"), r.err());

        Result noLabel = SimulateCommandTest.run("--dataset", "csv:" + bad, "--rounds", "1");
        assertEquals(2, noLabel.code(), noLabel.err());
        assertTrue(noLabel.err().contains("needs --label-column NAME"), noLabel.err());

        Result notTable = SimulateCommandTest.run("--dataset", "synthetic", "--label-column", "y", "--rounds", "1");
        assertEquals(2, notTable.code(), notTable.err());
        assertTrue(notTable.err().contains("apply to csv:PATH and parquet:PATH"), notTable.err());

        Result partitionFederated = SimulateCommandTest.run(
                "--dataset", "csv:" + bad, "--label-column", "label", "--client-column", "a", "--partition", "iid");
        assertEquals(2, partitionFederated.code(), partitionFederated.err());

        Result format = data("export", "--format", "xlsx", "--dataset", "synthetic", "--out", tmp + "/x");
        assertEquals(2, format.code(), format.err());
        assertTrue(format.err().contains("no table format 'xlsx'"), format.err());
    }

    private static final String[] MNIST_PARTITION = {"--partition", "dirichlet:1", "--clients", "4", "--seed", "7"};

    @Test
    void exportReadBackGivesTheSameClientsBitForBit() throws Exception {
        Path mnist = tmp.resolve("mnist");
        DatasetFixtures.writeDataset(mnist, 120, 30, true);
        StringBuilder summary = new StringBuilder();
        ClientData original = SimulationData.load("mnist:" + mnist, TableSpec.NONE, "dirichlet:1", 4, 0, 7, summary)
                .train();
        for (String format : List.of("parquet", "csv")) {
            Path out = tmp.resolve("mnist." + format);
            Result r = data(concat(
                    new String[] {"export", "--format", format, "--dataset", "mnist:" + mnist, "--out", out.toString()},
                    MNIST_PARTITION));
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("wrote " + out + ": 4 clients, 120 examples (" + format + ")"), r.out());
            ClientData back = Tables.read(
                            out,
                            TableFormats.named(format),
                            TableOptions.builder()
                                    .setLabelColumn("y")
                                    .optClientColumn("client_id")
                                    .build())
                    .clientData();
            assertEquals(original.clientIds(), back.clientIds());
            assertEquals(original.elementType(), back.elementType());
            for (String id : original.clientIds()) {
                assertEquals(encoded(original, id), encoded(back, id), format + " client " + id);
            }
        }
    }

    @Test
    void simulateOnAnExportGivesTheSameModelAsOnTheOriginal() throws Exception {
        Path mnist = tmp.resolve("mnist");
        DatasetFixtures.writeDataset(mnist, 120, 30, true);
        String[] run = {
            "--model",
            "softmax",
            "--clients-per-round",
            "2",
            "--rounds",
            "2",
            "--batch",
            "10",
            "--workers",
            "2",
            "--seed"
        };
        byte[] original = finalModel(concat(
                new String[] {"--dataset", "mnist:" + mnist, "--partition", "dirichlet:1", "--clients", "4"},
                concat(run, "7")));
        for (String format : List.of("csv", "parquet")) {
            Path out = tmp.resolve("export." + format);
            assertEquals(
                    0,
                    data(concat(
                                    new String[] {
                                        "export",
                                        "--format",
                                        format,
                                        "--dataset",
                                        "mnist:" + mnist,
                                        "--out",
                                        out.toString()
                                    },
                                    MNIST_PARTITION))
                            .code());
            byte[] exported = finalModel(concat(
                    new String[] {"--dataset", format + ":" + out, "--label-column", "y", "--client-column", "client_id"
                    },
                    concat(run, "7")));
            assertArrayEquals(original, exported, "the model trained on the " + format + " export");
        }
        byte[] otherSeed = finalModel(concat(
                new String[] {"--dataset", "mnist:" + mnist, "--partition", "dirichlet:1", "--clients", "4"},
                concat(run, "8")));
        assertFalse(Arrays.equals(original, otherSeed), "the comparison can fail");
    }

    private static byte[] finalModel(String... args) throws Exception {
        CommandLine cl = new CommandLine(new SimulateCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.parseArgs(args);
        SimulateCommand command = cl.getCommand();
        return FinalModels.of(command.settings());
    }

    private static List<String> encoded(ClientData data, String id) {
        List<String> out = new ArrayList<>();
        for (Value v : data.datasetFor(id)) {
            Struct s = (Struct) v;
            out.add(Arrays.toString(ValueCodec.encode(s)));
        }
        return out;
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
