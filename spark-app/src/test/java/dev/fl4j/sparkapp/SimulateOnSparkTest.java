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
 * local runtime: over a Parquet export with a client column, the clients' rows are read, shuffled and
 * batched in the executors, and the run ends with the local runtime's final state bit for bit (the
 * local runtime reads the table whole); what that reader cannot take is refused naming the option.
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
}
