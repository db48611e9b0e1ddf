package dev.fl4j.sparkapp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.cli.Fl4j;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fl4j simulate --runtime spark:local[2]} as a user runs it, against the same command on the
 * local runtime: over a Parquet export with a client column (the clients' rows read, shuffled and
 * batched in the executors; what that reader cannot take refused naming the option), federated
 * k-means, and a personalization report, each ending with the local runtime's final state bit for bit;
 * a master that is not local without a client state directory is refused naming the setting.
 */
class SimulateOnSparkTest {

    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private static Run fl4j(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Fl4j.commandLine()
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path export() {
        Path table = tmp.resolve("synthetic.parquet");
        Run export = fl4j(
                "data",
                "export",
                "--format",
                "parquet",
                "--dataset",
                "synthetic",
                "--clients",
                "12",
                "--examples-per-client",
                "15",
                "--seed",
                "4",
                "--out",
                table.toString());
        assertEquals(0, export.code(), export.out() + export.err());
        return table;
    }

    private Run simulate(Path table, String runtime, Path checkpoints, String... more) {
        return simulate(table, runtime, "5", checkpoints, more);
    }

    private Run simulate(Path table, String runtime, String seed, Path checkpoints, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "simulate",
                "--dataset",
                "parquet:" + table,
                "--label-column",
                "y",
                "--client-column",
                "client_id",
                "--clients",
                "10",
                "--clients-per-round",
                "4",
                "--model",
                "softmax",
                "--batch",
                "3",
                "--examples-per-client",
                "8",
                "--client-lr",
                "0.05",
                "--rounds",
                "3",
                "--seed",
                seed,
                "--checkpoint-dir",
                checkpoints.toString(),
                "--runtime",
                runtime));
        args.addAll(Arrays.asList(more));
        return fl4j(args.toArray(new String[0]));
    }

    private static byte[] finalState(Path checkpoints) {
        return finalState(checkpoints, "mean");
    }

    private static byte[] finalState(Path checkpoints, String run) {
        List<Path> files = CheckpointStore.checkpointsIn(checkpoints.resolve(run));
        return ValueCodec.encode(
                CheckpointStore.read(files.get(files.size() - 1)).state());
    }

    private static List<String> roundLines(String out) {
        return out.lines().filter(l -> l.matches("round +[1-9],.*")).toList();
    }

    @Test
    @Timeout(300)
    void sparkReadsTheClientsInTheExecutorsAndEndsWithTheLocalRuntimesModel() {
        Path table = export();
        Run local = simulate(table, "local", tmp.resolve("local"));
        assertEquals(0, local.code(), local.out() + local.err());
        Run spark = simulate(table, "spark:local[2]", tmp.resolve("spark"));
        assertEquals(0, spark.code(), spark.out() + spark.err());
        assertTrue(spark.out().contains("each client's rows read where it trains"), spark.out());
        assertFalse(local.out().contains("each client's rows read where it trains"), local.out());
        assertEquals(3, roundLines(spark.out()).size(), spark.out());
        assertEquals(roundLines(local.out()), roundLines(spark.out()));
        byte[] model = finalState(tmp.resolve("local"));
        assertArrayEquals(model, finalState(tmp.resolve("spark")), "the same final state, bit for bit");

        Run otherSeed = simulate(table, "local", "6", tmp.resolve("other"));
        assertEquals(0, otherSeed.code(), otherSeed.out() + otherSeed.err());
        assertFalse(Arrays.equals(model, finalState(tmp.resolve("other"))), "the comparison can fail");
    }

    @Test
    @Timeout(120)
    void whatTheExecutorsReaderCannotTakeIsRefusedNamingTheOption() {
        Path table = export();
        Run categorical =
                simulate(table, "spark:local[2]", tmp.resolve("categorical"), "--categorical-columns", "x[0]");
        assertEquals(2, categorical.code(), categorical.out() + categorical.err());
        assertTrue(
                categorical.err().contains("--categorical-columns x[0]")
                        && categorical.err().contains("every row read first"),
                categorical.err());
    }

    private static final String[] SYNTHETIC = {
        "--dataset",
        "synthetic",
        "--clients",
        "10",
        "--clients-per-round",
        "4",
        "--examples-per-client",
        "15",
        "--rounds",
        "2",
        "--seed",
        "5"
    };

    private Run simulateSynthetic(String runtime, Path checkpoints, String... more) {
        List<String> args = new ArrayList<>(List.of("simulate"));
        args.addAll(Arrays.asList(SYNTHETIC));
        args.addAll(List.of("--checkpoint-dir", checkpoints.toString(), "--runtime", runtime));
        args.addAll(Arrays.asList(more));
        return fl4j(args.toArray(new String[0]));
    }

    /** The lines after the round lines: summaries and reports, less wall times. */
    private static List<String> report(String out) {
        return out.lines()
                .dropWhile(l -> !l.startsWith("summary "))
                .map(l -> l.replaceAll("wall time [0-9.ms ]+,", "wall time,"))
                .filter(l -> !l.startsWith("checkpoints:"))
                .toList();
    }

    @Test
    @Timeout(300)
    void kMeansAndAPersonalizationReportOnSparkEndAsOnTheLocalRuntime() {
        Run local = simulateSynthetic("local", tmp.resolve("kmeans-local"), "--algorithm", "kmeans:3");
        assertEquals(0, local.code(), local.out() + local.err());
        Run spark = simulateSynthetic("spark:local[2]", tmp.resolve("kmeans-spark"), "--algorithm", "kmeans:3");
        assertEquals(0, spark.code(), spark.out() + spark.err());
        assertEquals(2, roundLines(spark.out()).size(), spark.out());
        assertEquals(roundLines(local.out()), roundLines(spark.out()), "inertia and cluster sizes per round");
        assertArrayEquals(
                finalState(tmp.resolve("kmeans-local"), "sum"),
                finalState(tmp.resolve("kmeans-spark"), "sum"),
                "the same centroids, bit for bit");

        String[] personalization = {"--model", "softmax", "--batch", "5", "--personalization", "a:2:0.05,b:1:0.1"};
        Run localP = simulateSynthetic("local", tmp.resolve("p-local"), personalization);
        assertEquals(0, localP.code(), localP.out() + localP.err());
        Run sparkP = simulateSynthetic("spark:local[2]", tmp.resolve("p-spark"), personalization);
        assertEquals(0, sparkP.code(), sparkP.out() + sparkP.err());
        assertTrue(sparkP.out().contains("personalization of the final model"), sparkP.out());
        assertEquals(roundLines(localP.out()), roundLines(sparkP.out()));
        assertEquals(report(localP.out()), report(sparkP.out()), "the same before/after table");
        assertArrayEquals(finalState(tmp.resolve("p-local")), finalState(tmp.resolve("p-spark")));
    }

    @Test
    @Timeout(60)
    void aMasterThatIsNotLocalWithoutAStateDirectoryIsRefused() {
        Run refused = simulateSynthetic("spark:spark://127.0.0.1:9", tmp.resolve("refused"));
        assertEquals(2, refused.code(), refused.out() + refused.err());
        assertTrue(
                refused.err().contains("--runtime spark:spark://127.0.0.1:9")
                        && refused.err().contains("-Dspark.fl4j.stateDir="),
                refused.err());
    }
}
