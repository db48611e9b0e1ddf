package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every fl4j module's descriptor exports exactly its packages that are not named {@code internal}, so a
 * package added without an export (or an internal one exported) fails here. The cli exports nothing: it
 * is the application. The descriptors are read from the compiled {@code module-info.class} of each
 * module on this test's class path (every module but bench-jmh, which nothing depends on), and the packages from the
 * class files beside it.
 */
class ModuleDescriptorsTest {

    private static final Set<String> MODULES = Set.of(
            "dev.fl4j.core",
            "dev.fl4j.compression",
            "dev.fl4j.aggregators",
            "dev.fl4j.learning",
            "dev.fl4j.learning.tensorflow",
            "dev.fl4j.simulation",
            "dev.fl4j.deploy.security",
            "dev.fl4j.bench",
            "dev.fl4j.examples",
            "dev.fl4j.cli");

    @Test
    void eachModuleExportsItsPackagesExceptInternalOnes() throws Exception {
        TreeMap<String, Set<String>> exported = new TreeMap<>();
        TreeMap<String, Set<String>> expected = new TreeMap<>();
        Enumeration<URL> descriptors = getClass().getClassLoader().getResources("module-info.class");
        while (descriptors.hasMoreElements()) {
            URL url = descriptors.nextElement();
            ModuleDescriptor d;
            try (InputStream in = url.openStream()) {
                d = ModuleDescriptor.read(in);
            }
            if (!MODULES.contains(d.name())) {
                continue;
            }
            exported.put(
                    d.name(),
                    d.exports().stream()
                            .map(e -> {
                                assertEquals(
                                        Set.of(),
                                        e.targets(),
                                        d.name() + " exports " + e.source() + " to some modules only");
                                return e.source();
                            })
                            .collect(Collectors.toCollection(TreeSet::new)));
            Set<String> packages = packagesBeside(Path.of(url.toURI()).getParent());
            expected.put(
                    d.name(),
                    d.name().equals("dev.fl4j.cli")
                            ? Set.of()
                            : packages.stream()
                                    .filter(p -> !p.endsWith(".internal") && !p.contains(".internal."))
                                    .collect(Collectors.toCollection(TreeSet::new)));
        }
        assertEquals(MODULES, exported.keySet(), "fl4j modules with a descriptor on the class path");
        List<String> wrong = new ArrayList<>();
        expected.forEach((module, packages) -> {
            Set<String> missing = new TreeSet<>(packages);
            missing.removeAll(exported.get(module));
            Set<String> extra = new TreeSet<>(exported.get(module));
            extra.removeAll(packages);
            if (!missing.isEmpty() || !extra.isEmpty()) {
                wrong.add(module + ": not exported " + missing + ", exported but internal or absent " + extra);
            }
        });
        assertEquals(List.of(), wrong, "module-info.java exports");
    }

    private static Set<String> packagesBeside(Path classes) throws IOException {
        try (Stream<Path> files = Files.walk(classes)) {
            return files.filter(f -> f.toString().endsWith(".class")
                            && !f.getFileName().toString().equals("module-info.class"))
                    .map(f -> classes.relativize(f.getParent())
                            .toString()
                            .replace(classes.getFileSystem().getSeparator(), "."))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
