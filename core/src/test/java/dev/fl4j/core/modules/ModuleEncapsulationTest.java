package dev.fl4j.core.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.Value;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Core's {@code module-info} keeps {@code dev.fl4j.core.internal} to itself, and the local runtime's machinery
 * is package-private in {@code dev.fl4j.core.runtime}: a module that requires
 * {@code dev.fl4j.core} compiles against the exported packages and fails to compile when it imports the
 * internal one. The probe is compiled with the compiled core (this test's {@code target/classes}, which
 * holds {@code module-info.class}) on the module path, as another fl4j module's main code is.
 */
class ModuleEncapsulationTest {

    @TempDir
    Path work;

    @Test
    void aModuleRequiringCoreCompilesAgainstItsExportedPackages() throws Exception {
        List<Diagnostic<? extends JavaFileObject>> errors =
                compileProbe("import dev.fl4j.core.runtime.LocalRuntime;", "LocalRuntime.class");
        assertEquals(List.of(), errors, "a module requiring dev.fl4j.core must compile against its exported packages");
    }

    @Test
    void aModuleRequiringCoreCannotImportItsInternalPackage() throws Exception {
        List<Diagnostic<? extends JavaFileObject>> errors = compileProbe(
                "import dev.fl4j.core.internal.DescribedComputationMain;", "DescribedComputationMain.class");
        String messages = errors.stream().map(d -> d.getMessage(null)).collect(Collectors.joining("\n"));
        assertTrue(
                messages.contains("package dev.fl4j.core.internal is not visible")
                        && messages.contains("does not export it"),
                "expected javac to refuse dev.fl4j.core.internal as not exported, got:\n" + messages);
    }

    @Test
    void theLocalRuntimesMachineryIsPackagePrivate() throws Exception {
        List<Diagnostic<? extends JavaFileObject>> errors =
                compileProbe("import dev.fl4j.core.runtime.WorkerPool;", "WorkerPool.class");
        String messages = errors.stream().map(d -> d.getMessage(null)).collect(Collectors.joining("\n"));
        assertTrue(
                messages.contains("WorkerPool is not public in dev.fl4j.core.runtime"),
                "expected javac to refuse the package-private WorkerPool, got:\n" + messages);
    }

    private List<Diagnostic<? extends JavaFileObject>> compileProbe(String importLine, String use)
            throws IOException, URISyntaxException {
        Path core = Path.of(
                Value.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(
                Files.exists(core.resolve("module-info.class"))
                        || core.toString().endsWith(".jar"),
                "core's compiled classes must hold its module descriptor: " + core);
        Path src = work.resolve("src");
        Files.createDirectories(src.resolve("probe"));
        Files.writeString(src.resolve("module-info.java"), "module probe { requires dev.fl4j.core; }\n");
        Path probe = Files.writeString(
                src.resolve("probe/Probe.java"),
                "package probe;\n" + importLine + "\npublic class Probe { public static Class<?> use() { return " + use
                        + "; } }\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            // nothing from this JVM's class path (which holds core's test classes, some in dev.fl4j.core.internal)
            files.setLocation(StandardLocation.CLASS_PATH, List.of());
            List<String> options = List.of(
                    "--release",
                    "17",
                    "--module-path",
                    core.toString(),
                    "-d",
                    work.resolve("out").toString());
            StringWriter out = new StringWriter();
            javac.getTask(
                            out,
                            files,
                            diagnostics,
                            options,
                            null,
                            files.getJavaFileObjects(src.resolve("module-info.java"), probe))
                    .call();
        }
        return diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .toList();
    }
}
