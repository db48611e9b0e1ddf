package dev.fl4j.core.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fl4j.core.Value;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The package dependencies of core's compiled classes, as {@code jdeps -verbose:package} reports them, must
 * form no cycle (docs/architecture.md, "Modules", says how core is layered). A cycle fails the test and is
 * named with the class-level dependencies that close it, which show what to move.
 */
class PackageCyclesTest {

    private static final Pattern EDGE = Pattern.compile("^\\s+(dev\\.fl4j\\.\\S+)\\s+->\\s+(dev\\.fl4j\\.\\S+)\\s");

    @Test
    void coreHasNoPackageCycles() throws Exception {
        Map<String, Set<String>> packages = dependencies("-verbose:package");
        assertTrue(
                packages.containsKey("dev.fl4j.core.computation") && packages.containsKey("dev.fl4j.core.runtime"),
                "jdeps found none of core's packages: " + packages.keySet());
        List<String> problems = new ArrayList<>();
        for (Set<String> component : stronglyConnected(packages)) {
            problems.add("package cycle " + component + " through " + closingEdges(component));
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    @Test
    void findsACycleInAGraphThatHasOne() {
        Map<String, Set<String>> graph =
                new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"), "d", Set.of()));
        assertEquals(List.of(new TreeSet<>(Set.of("a", "b", "c"))), stronglyConnected(graph));
        assertEquals(List.of(), stronglyConnected(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of()))));
    }

    /** The class-level edges between members of {@code component}, which show what to move to break it. */
    private static String closingEdges(Set<String> component) throws Exception {
        Map<String, Set<String>> classes = dependencies("-verbose:class");
        List<String> edges = new ArrayList<>();
        classes.forEach((from, tos) -> {
            for (String to : tos) {
                String p = packageOf(from);
                String q = packageOf(to);
                if (!p.equals(q) && component.contains(p) && component.contains(q)) {
                    edges.add(from + " -> " + to);
                }
            }
        });
        return edges.toString();
    }

    private static String packageOf(String className) {
        return className.substring(0, className.lastIndexOf('.'));
    }

    /** {@code from -> {to}} among dev.fl4j names in core's compiled classes, per jdeps at the given verbosity. */
    private static Map<String, Set<String>> dependencies(String verbosity) throws Exception {
        Path classes = Path.of(
                Value.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ToolProvider jdeps =
                ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status =
                jdeps.run(new PrintWriter(out), new PrintWriter(err), verbosity, "-filter:none", classes.toString());
        assertEquals(0, status, "jdeps failed: " + err);
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\\R")) {
            Matcher m = EDGE.matcher(line);
            if (m.find()) {
                String from = m.group(1).replaceAll("\\$.*", "");
                String to = m.group(2).replaceAll("\\$.*", "");
                graph.computeIfAbsent(from, k -> new TreeSet<>());
                graph.computeIfAbsent(to, k -> new TreeSet<>());
                if (!from.equals(to)) {
                    graph.get(from).add(to);
                }
            }
        }
        return graph;
    }

    /** Tarjan's algorithm: the strongly connected components of more than one node, each sorted, in discovery order. */
    private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> components = new ArrayList<>();
        for (String node : graph.keySet()) {
            if (!index.containsKey(node)) {
                visit(node, graph, index, low, stack, onStack, components);
            }
        }
        return components;
    }

    private static void visit(
            String node,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            List<Set<String>> components) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        onStack.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                visit(next, graph, index, low, stack, onStack, components);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) {
                components.add(component);
            }
        }
    }
}
