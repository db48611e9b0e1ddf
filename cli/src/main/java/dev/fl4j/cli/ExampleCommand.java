package dev.fl4j.cli;

import dev.fl4j.examples.Example;
import dev.fl4j.examples.Tutorials;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fl4j example NAME}: runs a ported TFF tutorial. */
@Command(name = "example", mixinStandardHelpOptions = true, description = "Run a ported TFF tutorial (see --list).")
final class ExampleCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--list", description = "List the examples and exit.")
    boolean list;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The example to run.")
    String name;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ARGS", description = "Arguments for the example.")
    String[] args = new String[0];

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (list || name == null) {
            int width = Tutorials.all().stream()
                    .mapToInt(e -> e.name().length())
                    .max()
                    .orElse(0);
            for (Example e : Tutorials.all()) {
                out.printf("%-" + width + "s  %s%n", e.name(), e.description());
            }
            out.flush();
            return list ? 0 : 2;
        }
        Example example = Tutorials.byName(name).orElse(null);
        if (example == null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("unknown example '" + name + "'; available: "
                    + String.join(
                            ", ", Tutorials.all().stream().map(Example::name).toList()));
            err.flush();
            return 2;
        }
        out.flush();
        return example.run(System.out, args);
    }
}
