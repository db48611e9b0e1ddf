package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What reaches the terminal from an fl4j command besides its own output: no native TensorFlow log noise, no SLF4J
 * warning.
 */
class QuietNativeLogTest {

    private static final Path FILTER = Path.of("..", "scripts", "quiet-native-log");
    private static final String ABSL_WARNING =
            "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n";
    private static final String MLIR_INFO =
            "I0000 00:00:1796127366.752898   25663 mlir_graph_optimization_pass.cc:401] MLIR V1 optimization pass is "
                    + "not enabled\n";

    private static Process startFilter() throws IOException {
        assertTrue(Files.isRegularFile(FILTER), "the launcher's stderr filter " + FILTER.toAbsolutePath());
        return new ProcessBuilder("perl", FILTER.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static String filter(String input) throws Exception {
        Process p = startFilter();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return err;
    }

    @Test
    void dropsTheAbseilLinesTensorFlowPrintsWhateverItsLogLevel() throws Exception {
        String kept = "fl4j simulate: --rounds must be at least 1\n"
                + "I1201 12:15:19.123456   25663 some_other_pass.cc:12] an INFO line not known to be noise\n"
                + "WARNING: All log messages are kept when they are not exactly the Abseil line\n"
                + "Exception in thread \"main\" java.lang.IllegalStateException: boom\n";
        assertEquals(kept, filter(ABSL_WARNING + MLIR_INFO + kept));
        assertEquals(kept + "no newline at the end", filter(kept + ABSL_WARNING + "no newline at the end"));
    }

    @Test
    void dropsTheNoticeOfTheIncubatingVectorModuleAUserAdds() throws Exception {
        String notice = "WARNING: Using incubator modules: jdk.incubator.vector\n";
        String kept = "WARNING: Using incubator modules: jdk.incubator.foreign\nfl4j: done\n";
        assertEquals(kept, filter(notice + kept));
        assertEquals(kept, filter(kept + notice));
    }

    @Test
    void aPartialLinePassesAtOnce() throws Exception {
        Process p = startFilter();
        try {
            OutputStream in = p.getOutputStream();
            InputStream err = p.getErrorStream();
            String bar = "\rround  1  40% [=====     ] 4/10 clients";
            in.write(bar.getBytes(StandardCharsets.UTF_8));
            in.flush();
            byte[] got = err.readNBytes(bar.length());
            assertEquals(
                    bar,
                    new String(got, StandardCharsets.UTF_8),
                    "a progress bar's redraw, which never ends its line, must not wait");
            in.write(("\n" + ABSL_WARNING + "I0000").getBytes(StandardCharsets.UTF_8));
            in.flush();
            in.write(" 00:00:17.5 1 x.cc:1] held until it could no longer be noise\n".getBytes(StandardCharsets.UTF_8));
            in.close();
            assertEquals(
                    "\nI0000 00:00:17.5 1 x.cc:1] held until it could no longer be noise\n",
                    new String(err.readAllBytes(), StandardCharsets.UTF_8));
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        } finally {
            p.destroy();
        }
    }

    @Test
    void theLauncherSendsStandardErrorThroughTheFilter() throws Exception {
        String launcher = Files.readString(Path.of("..", "fl4j"));
        assertTrue(launcher.contains("2> >(exec perl \"$ROOT/scripts/quiet-native-log\")"), launcher);
    }

    /**
     * jhdf logs through SLF4J; with no provider on the classpath SLF4J prints "No SLF4J providers were found" on the
     * terminal.
     */
    @Test
    void anSlf4jProviderIsOnTheCommandsClasspath() throws Exception {
        Class<?> providerType = Class.forName("org.slf4j.spi.SLF4JServiceProvider");
        assertFalse(
                ServiceLoader.load(providerType).stream().findAny().isEmpty(),
                "no SLF4J provider on the runtime classpath");
    }
}
