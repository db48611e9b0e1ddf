package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JVM options the {@code ./fl4j} launcher adds before the user's {@code FL4J_JAVA_OPTS}
 * ({@code scripts/jvm-defaults}): the parallel collector for {@code fl4j client} unless the user names a collector,
 * and a JVM started with the launcher's options and the user's takes the collector meant.
 */
class JvmDefaultsTest {

    private static final Path SCRIPT = Path.of("..", "scripts", "jvm-defaults");

    @Test
    void aClientJvmRunsOnTheParallelCollector() throws Exception {
        List<String> defaults = defaults("client", null);
        assertEquals(List.of("-XX:+UseParallelGC"), defaults);
        assertEquals("UseParallelGC", collector(defaults, List.of()));
        assertEquals(List.of("-XX:+UseParallelGC"), defaults("client", "-Xmx1g -Dfl4j.debug=true"));
    }

    @Test
    void aCollectorTheUserNamesWins() throws Exception {
        for (String user : List.of("-XX:+UseG1GC", "-Xmx1g -XX:+UseSerialGC", "-XX:-UseParallelGC")) {
            assertEquals(List.of(), defaults("client", user), user);
        }
        assertEquals("UseG1GC", collector(defaults("client", "-XX:+UseG1GC"), List.of("-XX:+UseG1GC")));
    }

    @Test
    void otherCommandsGetNoOptions() throws Exception {
        for (String command : List.of("simulate", "server", "bench", "keys")) {
            assertEquals(List.of(), defaults(command, null), command);
        }
        assertEquals(List.of(), defaults(null, null));
    }

    /** The script's lines for {@code command} with {@code FL4J_JAVA_OPTS} set to {@code javaOpts} (null: unset). */
    private static List<String> defaults(String command, String javaOpts) throws Exception {
        assertTrue(Files.isRegularFile(SCRIPT), "the launcher's JVM defaults " + SCRIPT.toAbsolutePath());
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        if (command != null) {
            cmd.add(command);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().remove("FL4J_JAVA_OPTS");
        if (javaOpts != null) {
            pb.environment().put("FL4J_JAVA_OPTS", javaOpts);
        }
        return lines(pb);
    }

    /** The collector a JVM started with {@code defaults} then {@code user} options selects. */
    private static String collector(List<String> defaults, List<String> user) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(defaults);
        cmd.addAll(user);
        cmd.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        String selected = null;
        for (String line : lines(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD))) {
            String[] f = line.trim().split("\\s+");
            // "bool UseG1GC = true {product} {ergonomic}"
            if (f.length >= 4
                    && f[0].equals("bool")
                    && f[1].matches("Use(Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC")
                    && f[3].equals("true")) {
                assertNull(selected, "two collectors selected: " + selected + " and " + f[1]);
                selected = f[1];
            }
        }
        return selected;
    }

    private static List<String> lines(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + pb.command());
        assertEquals(0, p.exitValue(), pb.command() + " failed");
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
}
