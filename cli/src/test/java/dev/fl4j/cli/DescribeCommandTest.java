package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.learning.algorithms.ModelEngines;
import dev.fl4j.simulation.checkpoint.CheckpointFormat;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.provenance.Provenance;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every artefact of a real short {@code fl4j simulate} run records its provenance, and {@code fl4j describe} prints it.
 */
class DescribeCommandTest {

    @TempDir
    Path tmp;

    static SimulateCommandTest.Result describe(Path file) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Fl4j.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("describe", file.toString());
        return new SimulateCommandTest.Result(code, out.toString(), err.toString());
    }

    private static String[] tiny(String... more) {
        return Stream.concat(
                        Stream.of(
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
                                "0.05",
                                "--seed",
                                "7"),
                        Stream.of(more))
                .toArray(String[]::new);
    }

    @Test
    void everyArtefactOfARunRecordsItsProvenanceAndDescribePrintsIt() throws Exception {
        Path csv = tmp.resolve("m.csv");
        Path jsonl = tmp.resolve("m.jsonl");
        Path png = tmp.resolve("chart.png");
        Path tb = tmp.resolve("tb");
        Path ckpt = tmp.resolve("ckpt");
        String[] outputs = {
            "--csv",
            csv.toString(),
            "--jsonl",
            jsonl.toString(),
            "--plot",
            png.toString(),
            "--tensorboard",
            tb.toString(),
            "--checkpoint-dir",
            ckpt.toString()
        };
        SimulateCommandTest.Result r = SimulateCommandTest.run(tiny(concat(outputs, "--rounds", "2")));
        assertEquals(0, r.code(), r.err());
        Path eventFile;
        try (Stream<Path> s = Files.list(tb.resolve("mean"))) {
            eventFile = s.findFirst().orElseThrow();
        }
        Path checkpoint = new CheckpointStore(ckpt.resolve("mean")).list().get(1);
        String engine = ModelEngines.defaultEngine().version();
        for (Path file : List.of(csv, jsonl, png, eventFile, checkpoint)) {
            SimulateCommandTest.Result d = describe(file);
            assertEquals(0, d.code(), file + ": " + d.err());
            assertTrue(
                    d.out()
                            .contains("fl4j:     " + Provenance.fl4jBuildVersion() + " (commit "
                                    + Provenance.fl4jBuildCommit() + ")"),
                    d.out());
            assertTrue(d.out().contains("seed:     7\n"), d.out());
            assertTrue(d.out().contains("engine:   " + engine + "\n"), d.out());
            assertTrue(d.out().contains("jdk:      " + Runtime.version()), d.out());
            for (String setting : List.of(
                    "  seed = 7",
                    "  aggregator = mean",
                    "  dataset = synthetic",
                    "  model = softmax",
                    "  client-lr = 0.05")) {
                assertTrue(d.out().contains(setting + "\n"), file + " lacks " + setting + ":\n" + d.out());
            }
        }
        assertTrue(describe(csv).out().startsWith(csv + ": CSV metrics table\n"));
        assertTrue(describe(checkpoint).out().startsWith(checkpoint + ": fl4j checkpoint\n"));
        assertTrue(describe(eventFile).out().startsWith(eventFile + ": TensorBoard event file\n"));
        String config = CheckpointStore.read(checkpoint).config().fingerprint();
        assertTrue(
                describe(jsonl).out().contains("fingerprint " + config),
                "the provenance's config is the one checkpoints are matched by");

        // a resumed run keeps exactly one provenance line in CSV and JSON lines
        SimulateCommandTest.Result resumed = SimulateCommandTest.run(tiny(concat(outputs, "--rounds", "3")));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming after round 2"), resumed.out());
        List<String> csvLines = Files.readAllLines(csv);
        assertEquals(
                1,
                csvLines.stream()
                        .filter(l -> l.startsWith("# fl4j provenance: "))
                        .count(),
                String.join("\n", csvLines));
        assertTrue(
                csvLines.get(0).startsWith("# fl4j provenance: ")
                        && csvLines.get(1).startsWith("round,"),
                csvLines.get(0));
        assertEquals(
                List.of("0", "1", "2", "3"),
                csvLines.stream()
                        .skip(2)
                        .map(l -> l.substring(0, l.indexOf(',')))
                        .toList());
        List<String> jsonLines = Files.readAllLines(jsonl);
        assertEquals(
                1,
                jsonLines.stream().filter(l -> l.startsWith("{\"provenance\":")).count(),
                String.join("\n", jsonLines));
        assertTrue(jsonLines.get(0).startsWith("{\"provenance\":"));
        assertEquals(0, describe(csv).code());
        assertEquals(0, describe(jsonl).code());
    }

    /**
     * A checkpoint of format version 2 (fl4j before provenance) still resumes; the run's new checkpoints record
     * provenance.
     */
    @Test
    void aCheckpointWithoutProvenanceStillResumes() throws Exception {
        Path ckpt = tmp.resolve("ckpt");
        assertEquals(
                0,
                SimulateCommandTest.run(tiny("--rounds", "1", "--checkpoint-dir", ckpt.toString()))
                        .code());
        Path file = new CheckpointStore(ckpt.resolve("mean")).fileFor(1);
        Files.write(file, asVersionTwo(Files.readAllBytes(file)));
        SimulateCommandTest.Result old = describe(file);
        assertEquals(1, old.code());
        assertTrue(old.err().contains(": fl4j checkpoint that records no provenance"), old.err());

        SimulateCommandTest.Result resumed =
                SimulateCommandTest.run(tiny("--rounds", "2", "--checkpoint-dir", ckpt.toString()));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming after round 1"), resumed.out());
        assertTrue(CheckpointStore.read(new CheckpointStore(ckpt.resolve("mean")).fileFor(2))
                .provenance()
                .isPresent());
    }

    /**
     * The checkpoint file {@code current} as fl4j wrote it before provenance: format version 2, no provenance field.
     */
    private static byte[] asVersionTwo(byte[] current) throws Exception {
        Struct payload = (Struct) ValueCodec.decode(Arrays.copyOfRange(current, 52, current.length));
        Struct.Builder old = Struct.builder();
        for (int i = 0; i < payload.size(); i++) {
            String name = payload.nameAt(i);
            Value v = name.equals("version") ? Tensor.scalar(2) : payload.get(i);
            if (!name.equals("provenance")) {
                old.add(name, v);
            }
        }
        byte[] body = ValueCodec.encode(old.build());
        return ByteBuffer.allocate(52 + body.length)
                .put(CheckpointFormat.MAGIC)
                .putInt(2)
                .putLong(body.length)
                .put(MessageDigest.getInstance("SHA-256").digest(body))
                .put(body)
                .array();
    }

    @Test
    void filesWithoutProvenanceOfUnknownKindOrDamagedGetAClearMessageAndExitOne() throws Exception {
        Path oldCsv = tmp.resolve("old.csv");
        Files.writeString(oldCsv, "round,loss\r\n1,2.0\r\n");
        SimulateCommandTest.Result r = describe(oldCsv);
        assertEquals(1, r.code());
        assertTrue(r.err().contains(oldCsv + ": CSV metrics table that records no provenance"), r.err());

        Path text = tmp.resolve("notes.png");
        Files.writeString(text, "just some notes\n");
        r = describe(text);
        assertEquals(1, r.code());
        assertTrue(r.err().contains(text + " is not a file fl4j writes"), r.err());

        Path damaged = tmp.resolve("cut.jsonl");
        Files.writeString(damaged, "{\"provenance\":{\"fl4j_version\":\"0.1.0\",\"seed\":\"x\"}}\n");
        r = describe(damaged);
        assertEquals(1, r.code());
        assertTrue(
                r.err()
                        .startsWith("fl4j describe: error: " + damaged
                                + " line 1: provenance field 'seed' is VALUE_STRING, expected an integer"),
                r.err());

        r = describe(tmp.resolve("missing"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing does not exist"), r.err());
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }
}
