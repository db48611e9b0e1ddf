package dev.fl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java quickstarts, taken from README.md itself (the {@code java} blocks of "## Java quickstart"), so
 * README and test cannot drift: each block's {@code import} lines head a class, the rest becomes its {@code main},
 * compiled with the system Java compiler against this test's class path and run; what it prints is checked against
 * the {@code // ...} comments the README gives for it ({@code …} matches anything). The quickstarts must read like
 * the tutorials, so a cast in them fails the test.
 */
class ReadmeQuickstartTest {

    private static final Path README = Path.of("..", "README.md");
    private static final String SECTION = "## Java quickstart";
    /** A parenthesised class name followed by what it casts: {@code (ListSequence) readings}, {@code ((Tensor) r)}. */
    private static final Pattern CAST = Pattern.compile("\\(\\s*[A-Z][\\w.]*(?:<[^()]*>)?\\s*\\)\\s*[\\w(]");

    private static final Pattern PRINTED_AS = Pattern.compile("System\\.out\\.println\\(.*\\);\\s*//\\s*(.+)$");
    private static final Pattern FED_AVG_LINE =
            Pattern.compile("(\\S+) broadcasted_bits=([0-9.]+)([A-Za-z]+), aggregated_bits=([0-9.]+)([A-Za-z]+)");

    @TempDir
    Path classes;

    @Test
    void federatedCoreQuickstartCompilesWithoutCastsAndPrintsWhatTheReadmeSays() throws Throwable {
        String block = quickstartBlocks().get(0);
        assertEquals(List.of(), castsIn(block), "the README's Federated Core quickstart must not need casts");
        List<String> expected = new ArrayList<>();
        for (String line : block.split("\n")) {
            if (line.contains("System.out.println(")) {
                Matcher m = PRINTED_AS.matcher(line);
                assertTrue(m.find(), "README quickstart line prints without saying what in a // comment: " + line);
                expected.add(m.group(1).trim());
            }
        }
        List<String> printed = run(compile("FederatedCoreQuickstart", block));
        assertEquals(expected.size(), printed.size(), "printed " + printed + ", README says " + expected);
        for (int i = 0; i < expected.size(); i++) {
            String pattern = Pattern.quote(expected.get(i)).replace("…", "\\E.+\\Q");
            assertTrue(
                    printed.get(i).matches(pattern),
                    "line " + i + " printed '" + printed.get(i) + "', README says '" + expected.get(i) + "'");
        }
    }

    /**
     * Compiles the README's FedAvg quickstart exactly, then runs it for one round of two clients instead of ten of ten.
     */
    @Test
    void fedAvgQuickstartCompilesAsWrittenAndTrainsWithCompressedUpdates() throws Throwable {
        String block = quickstartBlocks().get(1);
        assertEquals(List.of(), castsIn(block), "the README's FedAvg quickstart must not need casts");
        ((URLClassLoader) compile("FedAvgQuickstartAsWritten", block).getClassLoader()).close();
        String short_ = replaceOnce(replaceOnce(block, "round < 10", "round < 1"), "10 * round + 10", "10 * round + 2");
        List<String> printed = run(compile("FedAvgQuickstartOneRound", short_));
        assertEquals(1, printed.size(), "one line per round: " + printed);
        Matcher m = FED_AVG_LINE.matcher(printed.get(0));
        assertTrue(
                m.matches(), "expected '<accuracy> broadcasted_bits=…, aggregated_bits=…' but got " + printed.get(0));
        assertTrue(Double.parseDouble(m.group(1)) > 0, "accuracy " + m.group(1));
        double broadcast = bits(m.group(2), m.group(3));
        double aggregated = bits(m.group(4), m.group(5));
        assertTrue(broadcast > 0 && aggregated < broadcast / 3, "compressed updates: " + printed.get(0));
    }

    @Test
    void castDetectorFindsTheCastsTheQuickstartOnceHad() {
        assertEquals(
                List.of("(ListSequence) r", "(Tensor) r"),
                castsIn("for (Value r : (ListSequence) readings) { sum += ((Tensor) r).floatValue(); n++; }"));
        assertEquals(
                List.of("(FederatedValue) r"), castsIn("ctx.federatedMap(localAverage, (FederatedValue) readings)"));
        assertEquals(
                List.of(),
                castsIn("for (Tensor r : readings.tensors()) { sum += r.floatValue(); n++; } Sgd.of(0.02f) (sum / n)"));
    }

    /** The {@code java} blocks of the README's quickstart section, in order. */
    static List<String> quickstartBlocks() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8).replace("\r\n", "\n");
        int start = readme.indexOf("\n" + SECTION + "\n");
        assertTrue(start >= 0, "README.md has no '" + SECTION + "' section");
        int end = readme.indexOf("\n## ", start + SECTION.length() + 2);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("\n```java\n(.*?)\n```\n", Pattern.DOTALL).matcher(section);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertEquals(
                2, blocks.size(), "the quickstart section should have the Federated Core and the FedAvg java blocks");
        return blocks;
    }

    static List<String> castsIn(String code) {
        List<String> casts = new ArrayList<>();
        Matcher m = CAST.matcher(code);
        while (m.find()) {
            casts.add(m.group());
        }
        return casts;
    }

    private static String replaceOnce(String code, String from, String to) {
        int at = code.indexOf(from);
        if (at < 0 || code.indexOf(from, at + 1) >= 0) {
            fail("the README's FedAvg quickstart should contain '" + from
                    + "' exactly once; update this test's round shortening");
        }
        return code.replace(from, to);
    }

    private static double bits(String number, String unit) {
        List<String> units = List.of("bit", "Kibit", "Mibit", "Gibit", "Tibit");
        int power = units.indexOf(unit);
        assertTrue(power >= 0, "unknown unit " + unit);
        return Double.parseDouble(number) * Math.pow(1024, power);
    }

    /**
     * Compiles {@code block} (its import lines, then statements) as class {@code name} with the statements as {@code
     * main}.
     */
    private Class<?> compile(String name, String block) throws Exception {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : block.split("\n")) {
            if (line.startsWith("import ")) {
                assertEquals(0, body.toString().strip().length(), "an import after code in the README block: " + line);
                imports.append(line).append('\n');
            } else {
                body.append(line).append('\n');
            }
        }
        String source = imports + "public class " + name
                + " {\npublic static void main(String[] args) throws Exception {\n" + body + "}\n}\n";
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler (run the tests on a JDK)");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject file =
                new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                    @Override
                    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                        return source;
                    }
                };
        List<String> options =
                List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(), "-proc:none");
        boolean ok = javac.getTask(null, null, diagnostics, options, null, List.of(file))
                .call();
        if (!ok) {
            StringBuilder why = new StringBuilder("the README quickstart does not compile:\n");
            diagnostics
                    .getDiagnostics()
                    .forEach(d -> why.append(d.getLineNumber())
                            .append(": ")
                            .append(d.getMessage(Locale.ROOT))
                            .append('\n'));
            fail(why + source);
        }
        URLClassLoader loader =
                new URLClassLoader(new URL[] {classes.toUri().toURL()}, ReadmeQuickstartTest.class.getClassLoader());
        return loader.loadClass(name);
    }

    /** Runs {@code main} of {@code quickstart}, returning the lines it printed. */
    private static List<String> run(Class<?> quickstart) throws Throwable {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            quickstart.getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            System.setOut(out);
            ((URLClassLoader) quickstart.getClassLoader()).close();
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        out.print(text);
        return text.isEmpty() ? List.of() : List.of(text.split("\r?\n"));
    }
}
