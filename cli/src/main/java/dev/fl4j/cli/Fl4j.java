package dev.fl4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fl4j} command: federated learning for the JVM. */
@Command(
        name = "fl4j",
        mixinStandardHelpOptions = true,
        version = "fl4j 0.1.0-SNAPSHOT",
        description = "Federated learning for the JVM: TensorFlow Federated's computations and algorithms in Java.",
        subcommands = {
            SimulateCommand.class,
            ServerCommand.class,
            ClientCommand.class,
            DataCommand.class,
            ExampleCommand.class,
            BenchCommand.class,
            PrivacyCommand.class,
            EvaluateCommand.class,
            PredictCommand.class,
            DescribeCommand.class,
            KeysCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Fl4j implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line, ready to execute. */
    public static CommandLine commandLine() {
        return new CommandLine(new Fl4j())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Fl4j::reportError);
    }

    /**
     * Errors from running a command are printed as one line naming the problem (the exceptions'
     * messages say what was expected and what came); {@code FL4J_DEBUG=1} adds the stack trace.
     */
    private static int reportError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        java.io.PrintWriter err = cl.getErr();
        err.println(
                "fl4j " + cl.getCommandName() + ": error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null
                    && (e.getMessage() == null || !e.getMessage().contains(c.getMessage()))) {
                err.println("  caused by: " + c.getMessage());
            }
        }
        if (System.getenv("FL4J_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
