package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.bench.CompressionBenchmark;
import dev.fl4j.bench.SecAggBenchmark;
import dev.fl4j.bench.TrainingBenchmark;
import dev.fl4j.secagg.SecAggPlusServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code fl4j bench}'s options: picocli options that make the benchmarks' typed options, with their defaults and their
 * refusals.
 */
class BenchCommandTest {

    private static BenchCommand.Training training(String... args) {
        BenchCommand.Training t = new BenchCommand.Training();
        new CommandLine(t).parseArgs(args);
        return t;
    }

    private static BenchCommand.Compression compression(String... args) {
        BenchCommand.Compression c = new BenchCommand.Compression();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    /** Exit code, standard output and standard error of {@code fl4j ARGS}. */
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Fl4j.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void trainingReadsBothFormsAndFallsBackToTheBenchmarksDefaults() {
        TrainingBenchmark.Options o = training(
                        "--model", "two_nn", "--batch=10", "--examples-per-client", "30", "--workers", "3")
                .options();
        assertEquals("two_nn", o.model());
        assertEquals(10, o.batch());
        assertEquals(30, o.examplesPerClient());
        assertEquals(3, o.workers());
        TrainingBenchmark.Options d = TrainingBenchmark.Options.defaults();
        assertEquals(d.clients(), o.clients());
        assertEquals(d.seed(), o.seed());
        assertEquals(d, training().options());
    }

    @Test
    void trainingReadsTheRoundMemorySweep() {
        assertEquals(List.of(10, 100, 1000), training().options().heapClients());
        assertEquals(List.of(), training("--heap-clients", "none").options().heapClients());
        assertEquals(
                List.of(3, 30), training("--heap-clients", "3, 30").options().heapClients());
        assertEquals(40, training("--heap-examples", "40").options().heapExamplesPerClient());
        assertUsageError(
                run("bench", "training", "--heap-clients", "10,lots"),
                "fl4j bench training: --heap-clients must be whole numbers separated by commas, or none; got 'lots' "
                        + "in '10,lots'");
        assertUsageError(
                run("bench", "training", "--heap-clients", "0"),
                "fl4j bench training: heap-clients must be at least 1, got 0");
        assertUsageError(
                run("bench", "training", "--heap-examples", "30"),
                "fl4j bench training: heap-examples (30) must be a multiple of batch (20)");
    }

    @Test
    void compressionReadsThePartitionAndTheEncoderList() {
        CompressionBenchmark.Options o = compression(
                        "--rounds", "3", "--encoders", "uniform8, drive", "--partition", "shards:2")
                .options();
        assertEquals(List.of("uniform8", "drive"), o.encoders());
        assertEquals(3, o.rounds());
        assertTrue(o.partition()
                .partition(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, o.clients() / 50, 1)
                .description()
                .contains("2 label-sorted"));
        assertEquals(
                CompressionBenchmark.DEFAULT_ENCODERS, compression().options().encoders());
        assertTrue(compression()
                .options()
                .partition()
                .partition(new int[] {0, 1, 2, 3}, 2, 1)
                .description()
                .startsWith("IID"));
    }

    private static BenchCommand.SecAgg secagg(String... args) {
        BenchCommand.SecAgg c = new BenchCommand.SecAgg();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void secaggReadsCountsFractionsAndTheDropoutStage() {
        assertEquals(SecAggBenchmark.Options.defaults(), secagg().options());
        SecAggBenchmark.Options o = secagg(
                        "--clients",
                        "100,500",
                        "--num-shares",
                        "0.1",
                        "--threshold",
                        "0.6",
                        "--dropout-stage",
                        "share-keys")
                .options();
        assertEquals(0.1, o.numSharesFraction());
        assertEquals(0, o.numShares());
        assertEquals(0.6, o.thresholdFraction());
        assertEquals(SecAggPlusServer.Stage.SHARE_KEYS, o.dropoutStage());
        SecAggBenchmark.Options counts =
                secagg("--num-shares", "31", "--threshold", "17").options();
        assertEquals(31, counts.numShares());
        assertEquals(17, counts.threshold());
        assertUsageError(
                run("bench", "secagg", "--dropout-stage", "training"),
                "fl4j bench secagg: --dropout-stage must be advertise-keys, share-keys, masked-input or unmasking, got"
                        + " 'training'");
        assertUsageError(
                run("bench", "secagg", "--num-shares", "many"),
                "fl4j bench secagg: --num-shares must be a whole number or a fraction with a decimal point, got"
                        + " 'many'");
        assertUsageError(
                run("bench", "secagg", "--threshold", "0.4"),
                "reconstruction_threshold as a fraction of num_shares must be in (0.5, 1], got 0.4");
        assertUsageError(
                run("bench", "secagg", "--num-shares", "1.5"),
                "num_shares as a fraction of the clients must be in (0, 1], got 1.5");
    }

    @Test
    void secaggRoundsAtEveryDropoutStageSumExactly() {
        for (SecAggPlusServer.Stage stage : List.of(
                SecAggPlusServer.Stage.ADVERTISE_KEYS,
                SecAggPlusServer.Stage.SHARE_KEYS,
                SecAggPlusServer.Stage.MASKED_INPUT,
                SecAggPlusServer.Stage.UNMASKING)) {
            SecAggBenchmark.Options o =
                    new SecAggBenchmark.Options(List.of(12), 50, 16, 0, 0.75, 0, 0.6, List.of(0.25), stage);
            // measure checks the protocol's sum against the plain modular sum of the counted clients itself
            SecAggBenchmark.Row r = SecAggBenchmark.measure(o, 12, 0.25);
            int expected = stage == SecAggPlusServer.Stage.UNMASKING ? 12 : 9;
            assertEquals(expected, r.counted(), stage + ": dropped clients before their masked input are not counted");
            assertEquals(9, r.numShares(), "round(0.75 * 12) = 9");
            assertEquals(5, r.threshold(), "round(0.6 * 9) = 5");
        }
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOptionAndTheValue() {
        assertUsageError(run("bench", "training", "--round", "3"), "Unknown options: '--round', '3'");
        assertUsageError(run("bench", "training", "--rounds"), "Missing required parameter for option '--rounds'");
        assertUsageError(
                run("bench", "training", "--rounds", "many"),
                "Invalid value for option '--rounds': 'many' is not an int");
        assertUsageError(
                run("bench", "training", "--client-lr", "NaN"),
                "fl4j bench training: client learning rate must be positive and finite, got NaN");
        assertUsageError(
                run("bench", "training", "--batch", "20", "--examples-per-client", "50"),
                "fl4j bench training: examples-per-client (50) must be a multiple of batch (20)");
        assertUsageError(run("bench", "training", "--model", "resnet"), "unknown model 'resnet'");
        assertUsageError(
                run("bench", "training", "--workers", "0"), "fl4j bench training: workers must be at least 1, got 0");
        assertUsageError(
                run("bench", "training", "--batch", "0"), "fl4j bench training: batch must be at least 1, got 0");
        assertUsageError(run("bench", "raw", "--model", "resnet"), "fl4j bench raw: unknown model 'resnet'");
        assertUsageError(
                run("bench", "raw", "--steps", "0"),
                "fl4j bench raw: --batch and --steps must be at least 1, got 20 and 0");
        assertUsageError(run("bench", "compression", "--encoders", "zip"), "unknown encoder 'zip'");
        assertUsageError(run("bench", "compression", "--encoders", "none,drive"), "'none' is the baseline");
        assertUsageError(
                run("bench", "compression", "--clients", "5", "--clients-per-round", "6"), "cannot exceed clients (5)");
        assertUsageError(
                run("bench", "compression", "--partition", "random"),
                "Invalid value for option '--partition': partition 'random': unknown partition 'random'; valid "
                        + "forms: iid, dirichlet:ALPHA");
        assertUsageError(
                run("bench", "compression", "--partition", "dirichlet:x"),
                "partition 'dirichlet:x': ALPHA must be a number, got 'x'");
        assertUsageError(run("bench", "compression", "--broadcast", "uniform:99"), "fl4j bench compression:");
        assertUsageError(
                run("bench", "deploy", "--examples-per-client", "10", "--batch", "20"),
                "fl4j bench deploy: examples per client (10) must be at least one batch (20)");
        assertUsageError(
                run("bench", "deploy", "--lightweight-clients", "3", "--lightweight-jvms", "4"),
                "fl4j bench deploy: lightweight JVMs (4) must not exceed the lightweight clients (3)");
        assertUsageError(
                run("bench", "deploy", "--lightweight-clients", "-1"),
                "fl4j bench deploy: lightweight clients must be >= 0 (0: skip the heap part), got -1");
        assertUsageError(run("bench", "deploy", "--clients", "0"), "fl4j bench deploy: clients must be at least 1");
        assertUsageError(
                run("bench", "deploy", "--clients", "2", "--client-jvms", "3"),
                "fl4j bench deploy: client JVMs (3) must not exceed the clients (2)");
        assertUsageError(
                run("bench", "deploy", "--client-jvms", "0"),
                "fl4j bench deploy: client JVMs must be at least 1, got 0");
        assertUsageError(
                run("bench", "deploy", "--warmup-rounds", "0"),
                "fl4j bench deploy: warm-up rounds must be at least 1, got 0");
        assertUsageError(
                run("bench", "deploy", "--client-jvm-option", "dev.Other"),
                "fl4j bench deploy: a client JVM option is a -X..., -D... or -agentpath:... option of the java launcher"
                        + " (such as -XX:TieredStopAtLevel=1), got 'dev.Other'");
    }

    @Test
    void deployListsItsOptionsWithTheDefaults() {
        String[] deploy = run("bench", "deploy", "--help");
        assertEquals("0", deploy[0]);
        for (String option : List.of(
                "--clients=N",
                "--examples-per-client=N",
                "--batch=N",
                "--rounds=N",
                "--lightweight-clients=N",
                "--lightweight-jvms=N",
                "--lightweight-rounds=N",
                "--seed=N",
                "--client-jvm-option=OPTION")) {
            assertTrue(deploy[1].contains(option), option + " in " + deploy[1]);
        }
        assertTrue(deploy[1].contains("Default: 1000"), deploy[1]);
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        String[] bench = run("bench", "--help");
        assertEquals("0", bench[0]);
        assertTrue(
                bench[1].contains("training") && bench[1].contains("raw") && bench[1].contains("compression"),
                bench[1]);
        String[] training = run("bench", "training", "--help");
        assertEquals("0", training[0]);
        for (String option : List.of(
                "--model",
                "--batch",
                "--clients",
                "--examples-per-client",
                "--rounds",
                "--workers",
                "--raw-steps",
                "--client-lr",
                "--seed",
                "--heap-clients",
                "--heap-examples")) {
            assertTrue(training[1].contains(option + "="), option + " in " + training[1]);
        }
        assertTrue(training[1].contains("Default: fedavg_cnn"), training[1]);
        String[] raw = run("bench", "raw", "--help");
        assertTrue(raw[1].contains("--model=") && raw[1].contains("--batch=") && raw[1].contains("--steps="), raw[1]);
        String[] compression = run("bench", "compression", "--help");
        for (String option : List.of(
                "--rounds",
                "--clients",
                "--clients-per-round",
                "--partition",
                "--batch",
                "--client-lr",
                "--server-lr",
                "--encoders",
                "--broadcast",
                "--workers",
                "--model",
                "--train-examples",
                "--test-examples",
                "--seed")) {
            assertTrue(compression[1].contains(option + "="), option + " in " + compression[1]);
        }
    }

    @Test
    void jmhIsNotOnTheCommandsClassPath() {
        // the launcher's class path is cli's runtime class path; JMH lives in bench-jmh, which nothing depends on
        assertThrows(
                ClassNotFoundException.class,
                () -> Class.forName("org.openjdk.jmh.Main", false, BenchCommandTest.class.getClassLoader()));
        assertThrows(
                ClassNotFoundException.class,
                () -> Class.forName(
                        "org.openjdk.jmh.annotations.Benchmark", false, BenchCommandTest.class.getClassLoader()));
    }

    private static void assertUsageError(String[] r, String expected) {
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains(expected), "expected '" + expected + "' in: " + r[2]);
    }
}
