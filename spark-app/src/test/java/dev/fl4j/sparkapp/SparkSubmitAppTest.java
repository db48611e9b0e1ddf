package dev.fl4j.sparkapp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.cli.Fl4j;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application jar the build made, run the way a user runs it: Spark's own {@code SparkSubmit}
 * in a child JVM, master {@code local[2]}, with {@code simulate}'s options; its round lines are
 * those of the same run on the local runtime in this JVM. The child's class path stands in for a
 * Spark distribution's jars: this test's class path less fl4j's modules, TensorFlow (with JavaCPP
 * and protobuf), picocli, gRPC and the test libraries, so fl4j, its engine with the native library,
 * and its command line come from the jar (a Spark distribution, like this class path, also holds
 * some libraries fl4j uses, such as SLF4J, and those load from Spark's side as on a cluster).
 */
class SparkSubmitAppTest {

    private static final String[] RUN = {
        "--dataset",
        "synthetic",
        "--clients",
        "10",
        "--clients-per-round",
        "4",
        "--model",
        "softmax",
        "--examples-per-client",
        "20",
        "--batch",
        "5",
        "--client-lr",
        "0.05",
        "--rounds",
        "3",
        "--seed",
        "5"
    };

    @TempDir
    Path tmp;

    @Test
    void theJarHoldsFl4jAndTensorFlowsNativeLibraryButNotSpark() throws IOException {
        try (JarFile jar = new JarFile(jar().toFile())) {
            assertEquals(
                    SparkSubmitMain.class.getName(),
                    jar.getManifest().getMainAttributes().getValue("Main-Class"));
            assertTrue(jar.getEntry("dev/fl4j/cli/Fl4j.class") != null);
            assertTrue(jar.getEntry("dev/fl4j/spark/SparkRuntime.class") != null);
            assertTrue(
                    jar.stream()
                            .anyMatch(e -> e.getName().matches("org/tensorflow/internal/c_api/.*/libtensorflow_cc.*")),
                    "TensorFlow's native library, for the executors");
            assertTrue(jar.getEntry("org/apache/spark/SparkContext.class") == null, "Spark is provided");
            String runtimes = new String(
                    jar.getInputStream(jar.getEntry("META-INF/services/dev.fl4j.core.runtime.RuntimeProvider"))
                            .readAllBytes(),
                    StandardCharsets.UTF_8);
            assertTrue(runtimes.contains("dev.fl4j.spark.SparkRuntimeProvider"), runtimes);
        }
    }

    @Test
    void theRuntimeIsTheSubmissionsMasterUnlessNamed() {
        assertArrayEquals(
                new String[] {"simulate", "--rounds", "2", "--runtime", "spark:spark://h:7077"},
                SparkSubmitMain.simulateArguments(new String[] {"--rounds", "2"}, "spark://h:7077"));
        assertArrayEquals(
                new String[] {"simulate", "--runtime=local"},
                SparkSubmitMain.simulateArguments(new String[] {"--runtime=local"}, "local[2]"));
        assertArrayEquals(
                new String[] {"simulate", "--runtime", "spark"},
                SparkSubmitMain.simulateArguments(new String[0], null));
    }

    @Test
    @Timeout(600)
    void sparkSubmitRunsSimulateFromTheJarWithTheLocalRuntimesRounds() throws Exception {
        String sparkClasspath = sparkDistribution();
        assertTrue(sparkClasspath.contains("spark-core_2.13"), sparkClasspath);
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        // what the spark-submit script adds to the driver's JVM (Spark's launcher), as this test calls SparkSubmit
        // itself
        command.addAll(Arrays.asList(org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptionArray()));
        command.addAll(List.of(
                "-cp",
                sparkClasspath,
                "org.apache.spark.deploy.SparkSubmit",
                "--master",
                "local[2]",
                "--conf",
                "spark.ui.enabled=false",
                "--conf",
                "spark.driver.host=127.0.0.1",
                "--conf",
                "spark.driver.bindAddress=127.0.0.1",
                "--class",
                SparkSubmitMain.class.getName(),
                jar().toString()));
        command.addAll(Arrays.asList(RUN));
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("SPARK_HOME");
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(540, TimeUnit.SECONDS), "spark-submit did not finish");
        } finally {
            p.destroyForcibly();
        }
        String stdout = Files.readString(out);
        assertEquals(0, p.exitValue(), stdout + "\n" + tail(Files.readString(err)));
        assertTrue(stdout.contains("runtime spark:local[2]") || stdout.contains("spark:local[2]"), stdout);

        StringWriter local = new StringWriter();
        List<String> args = new ArrayList<>(List.of("simulate"));
        args.addAll(Arrays.asList(RUN));
        args.addAll(List.of("--runtime", "local"));
        assertEquals(0, Fl4j.commandLine().setOut(new PrintWriter(local)).execute(args.toArray(new String[0])));

        List<String> submitted = roundLines(stdout);
        assertEquals(3, submitted.size(), stdout);
        assertEquals(roundLines(local.toString()), submitted, "the same rounds as on the local runtime");
    }

    /** This JVM's class path less what must come from the application jar. */
    private static String sparkDistribution() {
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String e = entry.replace(File.separatorChar, '/');
            if (!(e.contains("/dev/fl4j/")
                    || e.endsWith("/classes")
                    || e.endsWith("/test-classes")
                    || e.contains("/org/tensorflow/")
                    || e.contains("/org/bytedeco/")
                    || e.contains("/com/google/protobuf/")
                    || e.contains("/info/picocli/")
                    || e.contains("/io/grpc/")
                    || e.contains("/org/junit/")
                    || e.contains("/org/opentest4j/")
                    || e.contains("/org/apiguardian/")
                    || e.contains("surefire"))) {
                kept.add(entry);
            }
        }
        for (String e : kept) {
            assertFalse(e.contains("fl4j"), "not Spark's: " + e);
        }
        return String.join(File.pathSeparator, kept);
    }

    private static List<String> roundLines(String out) {
        return out.lines().filter(l -> l.matches("round +[1-9],.*")).toList();
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("fl4j.sparkApp.jar"));
        assertTrue(Files.isRegularFile(jar), "the build makes " + jar);
        return jar;
    }
}
