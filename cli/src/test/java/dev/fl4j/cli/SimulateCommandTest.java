package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulateCommandTest {

    static final Pattern ROUND_LINE = Pattern.compile("round  [1-9], loss=\\d+\\.\\d{4}, accuracy=[01]\\.\\d{4}, "
            + "broadcasted_bits=\\d+\\.\\d{2}(bit|Kibit|Mibit|Gibit), "
            + "aggregated_bits=\\d+\\.\\d{2}(bit|Kibit|Mibit|Gibit), "
            + "total_bits=\\d+\\.\\d{2}(bit|Kibit|Mibit|Gibit), "
            + "federated_eval_loss=\\d+\\.\\d{4}, federated_eval_accuracy=[01]\\.\\d{4}");

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    static Result run(String... args) {
        return runWithWorkers(2, args);
    }

    static Result runWithWorkers(int workers, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Fl4j.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("simulate", "--no-progress", "--workers", String.valueOf(workers)));
        all.addAll(Arrays.asList(args));
        int code = cl.execute(all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    private static String[] tiny(String... more) {
        List<String> base = List.of(
                "--dataset",
                "synthetic",
                "--clients",
                "10",
                "--clients-per-round",
                "3",
                "--model",
                "softmax",
                "--examples-per-client",
                "20",
                "--batch",
                "5",
                "--client-lr",
                "0.05");
        List<String> a = new ArrayList<>();
        for (int i = 0; i < base.size(); i += 2) {
            if (!Arrays.asList(more).contains(base.get(i))) {
                a.add(base.get(i));
                a.add(base.get(i + 1));
            }
        }
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    @Test
    void tinyRunPrintsTutorialLinesAndWritesEveryOutput() throws Exception {
        Path csv = tmp.resolve("m.csv");
        Path jsonl = tmp.resolve("m.jsonl");
        Path png = tmp.resolve("chart.png");
        Path tb = tmp.resolve("tb");
        Result r = run(tiny(
                "--rounds",
                "2",
                "--csv",
                csv.toString(),
                "--jsonl",
                jsonl.toString(),
                "--plot",
                png.toString(),
                "--tensorboard",
                tb.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Synthetic(α=1.0, β=1.0): 10 clients"), r.out());
        List<String> rounds = r.lines().stream()
                .filter(l -> l.startsWith("round  1") || l.startsWith("round  2"))
                .toList();
        assertEquals(2, rounds.size(), r.out());
        for (String l : rounds) {
            assertTrue(ROUND_LINE.matcher(l).matches(), l);
        }
        assertTrue(
                r.lines().stream()
                        .anyMatch(l -> l.startsWith("round  0, broadcasted_bits=0.00bit, aggregated_bits=0.00bit, "
                                + "total_bits=0.00bit, federated_eval_loss=2.3026")),
                r.out());
        assertTrue(
                r.lines().stream()
                        .anyMatch(l -> l.matches(
                                "summary mean: 2 rounds, final federated test accuracy [01]\\.\\d{4}, wall time .*, "
                                        + "broadcasted_bits=.*, aggregated_bits=.*, total_bits=.*")),
                r.out());

        List<String> table = Files.readAllLines(csv);
        assertEquals(5, table.size(), "provenance, header and rounds 0..2");
        assertTrue(table.get(0).startsWith("# fl4j provenance: {"), table.get(0));
        assertTrue(table.get(1).startsWith("round,") && table.get(1).contains("broadcasted_bits"), table.get(1));
        assertTotalBitsAreTheSumOfBothDirections(table);
        for (String l : Files.readAllLines(jsonl).subList(1, 4)) {
            assertTrue(l.contains("\"total_bits\":"), l);
        }
        assertEquals(4, Files.readAllLines(jsonl).size(), "provenance and rounds 0..2");
        byte[] magic = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, magic);
        try (Stream<Path> s = Files.list(tb.resolve("mean"))) {
            Path events = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents."))
                    .findFirst()
                    .orElseThrow();
            // the tag is stored as UTF-8 in each scalar summary
            assertTrue(new String(Files.readAllBytes(events), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains("total_bits"));
        }
    }

    @Test
    void severalAggregatorsRunInTurnAndAreCompared() throws Exception {
        Path csv = tmp.resolve("m.csv");
        Result r = run(tiny(
                "--rounds",
                "1",
                "--aggregator",
                "mean,zeroing+mean",
                "--csv",
                csv.toString(),
                "--tensorboard",
                tmp.resolve("tb").toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("== run mean: aggregator mean =="), r.out());
        assertTrue(r.out().contains("== run zeroing_mean: aggregator zeroing_mean =="), r.out());
        assertTrue(
                r.lines().stream()
                        .anyMatch(l -> l.matches("aggregator\\s+accuracy\\s+broadcasted_bits\\s+"
                                + "aggregated_bits\\s+total_bits\\s+wall time")),
                r.out());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("zeroing_mean ")), r.out());
        assertTrue(Files.exists(tmp.resolve("m-mean.csv")) && Files.exists(tmp.resolve("m-zeroing_mean.csv")));
        assertTrue(Files.isDirectory(tmp.resolve("tb/mean")) && Files.isDirectory(tmp.resolve("tb/zeroing_mean")));
    }

    @Test
    void yamlAndJsonConfigFilesWithCommandLineOverrides() throws Exception {
        Path yaml = tmp.resolve("run.yaml");
        Files.writeString(
                yaml,
                String.join(
                        "\n",
                        "dataset: synthetic",
                        "clients: 8",
                        "clients-per-round: 2",
                        "rounds: 1",
                        "model: softmax",
                        "examples-per-client: 10",
                        "batch: 5",
                        "aggregator: [mean]",
                        "progress: false",
                        ""));
        Result r = run("--config", yaml.toString(), "--rounds", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 of 8 clients per round, batch 5"), r.out());
        assertTrue(
                r.lines().stream().anyMatch(l -> l.startsWith("round  2,")),
                "command line --rounds 2 overrides the file: " + r.out());

        Path json = tmp.resolve("run.json");
        Files.writeString(
                json,
                "{\"dataset\": \"synthetic\", \"clients\": 6, \"clients-per-round\": 3, \"rounds\": 1, \"model\": "
                        + "\"softmax\","
                        + " \"--examples-per-client\": 10, \"aggregator\": \"mean\"}");
        r = run("--config", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3 of 6 clients per round, batch 20"), r.out());
        assertFalse(r.out().contains("round  2,"), r.out());

        Files.writeString(json, "{\"dataset\": \"synthetic\", \"rounds\": \"many\"}");
        r = run("--config", json.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'rounds'") && r.err().contains("many"), r.err());
        Files.writeString(json, "{\"datset\": \"synthetic\"}");
        r = run("--config", json.toString());
        assertEquals(2, r.code());
        assertTrue(
                r.err().contains("unknown setting 'datset' (line 1); valid settings: ")
                        && r.err().contains("dataset"),
                r.err());
        Files.writeString(yaml, "dataset: [unclosed");
        r = run("--config", yaml.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("not valid YAML"), r.err());
    }

    @Test
    void resumesFromCheckpointsAndRefusesOtherSettings() {
        String dir = tmp.resolve("ckpt").toString();
        Result first = run(tiny("--rounds", "1", "--checkpoint-dir", dir));
        assertEquals(0, first.code(), first.err());
        Result second = run(tiny("--rounds", "2", "--checkpoint-dir", dir));
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("[mean] resuming after round 1 from its checkpoint"), second.out());
        assertFalse(second.out().contains("round  1,"), second.out());
        assertTrue(second.out().contains("summary mean: 2 rounds (resumed after round 1)"), second.out());
        Result other = run(tiny("--rounds", "3", "--checkpoint-dir", dir, "--seed", "5"));
        assertEquals(1, other.code());
        assertTrue(other.err().contains("seed: 0 → 5"), other.err());
    }

    @Test
    void impossibleSettingsGetClearErrors() {
        assertError(
                run(tiny("--clients-per-round", "11")), "--clients-per-round 11 is more than the 10 training clients");
        assertError(
                run(tiny("--model", "fedavg-cnn")),
                "model fedavg-cnn needs 28×28×1 float images but synthetic has examples x=float32[60]; models that "
                        + "fit: softmax");
        assertError(
                run(tiny("--model", "resnet")),
                "--model: model 'resnet': unknown model 'resnet' (models that fit synthetic: softmax; or a model-spec"
                        + " file: a path ending in .json or holding a /); valid forms: fedavg-cnn, 2nn, softmax, lstm");
        assertError(
                run(tiny("--algorithm", "fedmagic")),
                "--algorithm: algorithm 'fedmagic': unknown algorithm 'fedmagic'; valid forms: fedavg, "
                        + "fedavg-unweighted, fedsgd, fedprox:MU");
        assertError(
                run(tiny("--algorithm", "fedprox:x")),
                "--algorithm: algorithm 'fedprox:x': MU must be a number, got 'x'; valid forms:");
        assertError(
                run(tiny("--model", "softmax:2")),
                "--model: model 'softmax:2': 'softmax' takes 0 argument(s) (softmax), got 1");
        assertError(
                run(tiny("--aggregator", "mean,nonsense")),
                "--aggregator: aggregator 'nonsense': unknown aggregator 'nonsense'; valid forms:");
        assertError(run(tiny("--partition", "iid")), "--partition applies to centralised datasets");
        // the partition is read before the data: the missing directory is never looked at
        assertError(
                run("--dataset", "mnist:/nonexistent/mnist", "--partition", "shards:x", "--rounds", "1"),
                "--partition: partition 'shards:x': K must be a whole number, got 'x'; valid forms: iid, "
                        + "dirichlet:ALPHA, shards:K, quantity:ALPHA");
        assertError(
                run(tiny("--dataset", "imagenet")),
                "unknown dataset 'imagenet'; expected one of fashion-mnist, mnist:DIR");
        assertError(run(tiny("--dropout", "1")), "--dropout must be in [0, 1), got 1.0");
        assertError(run(tiny("--batch", "0")), "--batch must be at least 1, got 0");
        assertError(run(tiny("--client-lr", "NaN")), "--client-lr must be a positive finite number");
        assertError(run("--dataset", "mnist"), "give the location as mnist:DIR");
        Result r = run("--dataset", "emnist-h5:" + tmp.resolve("missing.h5"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing.h5") && r.err().contains("does not exist"), r.err());
    }

    /**
     * FedSGD takes no local steps: --client-lr and --epochs other than 1 would be ignored (and printed in the header),
     * so they are refused.
     */
    @Test
    void fedsgdRefusesLocalTrainingOptionsAndItsHeaderShowsNone() {
        assertError(run(tiny("--algorithm", "fedsgd")), "--client-lr does not apply to --algorithm fedsgd");
        List<String> noClientLr = new ArrayList<>(Arrays.asList(tiny("--rounds", "1", "--algorithm", "fedsgd")));
        int at = noClientLr.indexOf("--client-lr");
        noClientLr.remove(at + 1);
        noClientLr.remove(at);
        List<String> withEpochs = new ArrayList<>(noClientLr);
        withEpochs.addAll(List.of("--epochs", "3"));
        assertError(run(withEpochs.toArray(String[]::new)), "--epochs 3 does not apply to --algorithm fedsgd");
        Result r = run(noClientLr.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        String header = r.lines().stream()
                .filter(l -> l.startsWith("model softmax"))
                .findFirst()
                .orElseThrow();
        assertTrue(
                header.contains("algorithm fedsgd (server lr 0.1, one gradient per client and round, no local steps)"),
                header);
        assertFalse(header.contains("client SGD") || header.contains("epoch"), header);
    }

    @Test
    void roundsBelowOneAreRefusedBeforeAnythingRuns() {
        Result zero = run(tiny("--rounds", "0"));
        assertError(zero, "--rounds must be at least 1 (a simulation trains for that many rounds), got 0");
        assertFalse(zero.out().contains("round"), zero.out());
        assertError(run(tiny("--rounds", "-2")), "--rounds must be at least 1");
    }

    @Test
    void partitionThatLeavesClientsEmptyIsRefused() {
        assertError(
                run("--dataset", "fashion-mnist", "--clients", "70000", "--rounds", "1"),
                "60000 examples cannot be split over 70000 clients");
        assertError(
                run("--dataset", "fashion-mnist", "--partition", "shards:1000", "--clients", "100", "--rounds", "1"),
                "100 clients × 1000 shards");
    }

    @Test
    void encodedBroadcastSendsFewerBitsAndBadEncodersAreRefused() {
        Result plain = run(tiny("--rounds", "1", "--clients-per-round", "3"));
        Result encoded = run(tiny("--rounds", "1", "--clients-per-round", "3", "--broadcast", "uniform:4@100"));
        assertEquals(0, encoded.code(), encoded.err());
        // softmax on synthetic: kernel 60x10 (600 elements, encoded with a small header), bias 10 (raw)
        assertTrue(lastRoundLine(encoded).contains("broadcasted_bits=")
                && !lastRoundLine(encoded).equals(lastRoundLine(plain)));
        assertTrue(
                bits(lastRoundLine(encoded), "broadcasted_bits") < bits(lastRoundLine(plain), "broadcasted_bits") / 4,
                lastRoundLine(plain) + " vs " + lastRoundLine(encoded));
        assertError(run(tiny("--rounds", "1", "--broadcast", "uniform:99")), "--broadcast uniform:99");
        assertError(run(tiny("--rounds", "1", "--broadcast", "from-init:none")), "from-init: needs an encoder preset");
    }

    /** Top-k with error feedback from the command line: fewer bits, and a resumed run ends as the straight one. */
    @Test
    void errorFeedbackAggregationResumesExactly() {
        String[] ef = {"--aggregator", "encoded:topk-uniform:0.1:8@100", "--clients-per-round", "4"};
        Result plain = run(tiny("--rounds", "3", "--clients-per-round", "4"));
        Result straight = run(tiny(concat(ef, "--rounds", "3")));
        assertEquals(0, straight.code(), straight.err());
        assertTrue(
                bits(lastRoundLine(straight), "aggregated_bits") < bits(lastRoundLine(plain), "aggregated_bits") / 2,
                lastRoundLine(plain) + " vs " + lastRoundLine(straight));
        String dir = tmp.resolve("ef").toString();
        assertEquals(
                0,
                run(tiny(concat(ef, "--rounds", "1", "--checkpoint-dir", dir))).code());
        Result resumed = run(tiny(concat(ef, "--rounds", "3", "--checkpoint-dir", dir)));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming after round 1"), resumed.out());
        assertEquals(lastRoundLine(straight), lastRoundLine(resumed));
    }

    /** A delta broadcast with every client every round: fewer bits, and a resumed run ends as the straight one. */
    @Test
    void deltaBroadcastWithFullParticipationResumesExactly() {
        String[] delta = {"--broadcast", "delta:drive@100", "--clients-per-round", "10"};
        Result plain = run(tiny("--rounds", "3", "--clients-per-round", "10"));
        Result straight = run(tiny(concat(delta, "--rounds", "3")));
        assertEquals(0, straight.code(), straight.err());
        assertTrue(
                bits(lastRoundLine(straight), "broadcasted_bits") < bits(lastRoundLine(plain), "broadcasted_bits") / 2,
                lastRoundLine(plain) + " vs " + lastRoundLine(straight));
        String dir = tmp.resolve("delta").toString();
        assertEquals(
                0,
                run(tiny(concat(delta, "--rounds", "1", "--checkpoint-dir", dir)))
                        .code());
        Result resumed = run(tiny(concat(delta, "--rounds", "3", "--checkpoint-dir", dir)));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming after round 1"), resumed.out());
        assertEquals(lastRoundLine(straight), lastRoundLine(resumed));
        assertError(run(tiny("--rounds", "1", "--broadcast", "delta:topk:0.1@100")), "use a stateless encoder");
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(Arrays.asList(a));
        all.addAll(Arrays.asList(b));
        return all.toArray(String[]::new);
    }

    @Test
    void privacyBudgetStopsTheRunBeforeItIsExceeded() {
        Result r = run(tiny(
                "--rounds",
                "30",
                "--clients",
                "10",
                "--clients-per-round",
                "3",
                "--aggregator",
                "dp-fixed:1.0:1.0",
                "--epsilon-budget",
                "8",
                "--eval-every",
                "100"));
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("stopped after round")
                        && r.out().contains("one more round would exceed the privacy budget"),
                r.out());
        assertError(run(tiny("--rounds", "1", "--epsilon-budget", "-1")), "--epsilon-budget must be positive");
    }

    static String lastRoundLine(Result r) {
        return r.lines().stream()
                .filter(l -> l.startsWith("round"))
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    /** In every row of a metrics CSV (after provenance and header), total_bits is broadcast plus aggregated bits. */
    private static void assertTotalBitsAreTheSumOfBothDirections(List<String> table) {
        List<String> header = Arrays.asList(table.get(1).split(","));
        int b = header.indexOf("broadcasted_bits");
        int a = header.indexOf("aggregated_bits");
        int t = header.indexOf("total_bits");
        assertTrue(b >= 0 && a >= 0 && t >= 0, table.get(1));
        for (String row : table.subList(2, table.size())) {
            String[] v = row.split(",");
            assertEquals(Double.parseDouble(v[b]) + Double.parseDouble(v[a]), Double.parseDouble(v[t]), row);
        }
    }

    /** The bits in {@code name=12.34Kibit} of a round line. */
    static double bits(String line, String name) {
        java.util.regex.Matcher m =
                Pattern.compile(name + "=([0-9.]+)(bit|Kibit|Mibit|Gibit)").matcher(line);
        assertTrue(m.find(), line);
        int power = List.of("bit", "Kibit", "Mibit", "Gibit").indexOf(m.group(2));
        return Double.parseDouble(m.group(1)) * Math.pow(1024, power);
    }

    private static void assertError(Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }
}
