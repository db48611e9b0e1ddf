package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The repository's Markdown documents point only inside the repository (or to web pages), and to files that exist. */
class DocumentationLinksTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern PARENT_PATH = Pattern.compile("`(\\.\\./[^`\\s]*)`");

    private static List<Path> markdownFiles() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !generated(ROOT.relativize(p)))
                    .toList();
        }
    }

    /** Whether {@code path} lies in git's directory, a build output or downloaded packages. */
    private static boolean generated(Path path) {
        for (Path segment : path) {
            if (List.of(".git", "target", "node_modules").contains(segment.toString())) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyRelativeLinkAndPathStaysInsideTheRepositoryAndExists() throws IOException {
        List<Path> docs = markdownFiles();
        assertTrue(
                docs.contains(ROOT.resolve("README.md")) && docs.contains(ROOT.resolve("docs/architecture.md")),
                docs.toString());
        List<String> problems = new ArrayList<>();
        for (Path doc : docs) {
            String text = Files.readString(doc);
            for (Pattern p : List.of(LINK, PARENT_PATH)) {
                Matcher m = p.matcher(text);
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("[a-z]+:.*") || target.startsWith("#")) {
                        continue; // a web page, or a heading of this document
                    }
                    Path resolved = doc.getParent()
                            .resolve(target.replaceAll("#.*", ""))
                            .normalize();
                    if (!resolved.startsWith(ROOT)) {
                        problems.add(ROOT.relativize(doc) + ": '" + target + "' leaves the repository");
                    } else if (!Files.exists(resolved)) {
                        problems.add(ROOT.relativize(doc) + ": '" + target + "' does not exist");
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theReadmeLinksTheArchitectureMap() throws IOException {
        assertTrue(Files.readString(ROOT.resolve("README.md")).contains("](docs/architecture.md)"));
    }
}
