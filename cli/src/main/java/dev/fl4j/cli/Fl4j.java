package dev.fl4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fl4j} command: federated learning for the JVM. */
@Command(name = "fl4j", mixinStandardHelpOptions = true, version = "fl4j 0.1.0-SNAPSHOT",
        description = "Federated learning for the JVM: TensorFlow Federated's computations and algorithms in Java.",
        subcommands = {ExampleCommand.class, CommandLine.HelpCommand.class})
public final class Fl4j implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line, ready to execute. */
    public static CommandLine commandLine() {
        return new CommandLine(new Fl4j()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
