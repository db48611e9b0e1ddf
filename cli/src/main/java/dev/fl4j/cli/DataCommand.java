package dev.fl4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fl4j data}: data-set tools ({@code export}). */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description = "Data-set tools.",
        subcommands = {DataExportCommand.class})
final class DataCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
