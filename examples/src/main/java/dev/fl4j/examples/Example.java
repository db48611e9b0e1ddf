package dev.fl4j.examples;

import java.io.PrintStream;

/** A runnable port of a TFF tutorial, listed by {@code ./fl4j example --list}. */
public interface Example {

    /** The name {@code ./fl4j example NAME} takes. */
    String name();

    /** One line saying what the example shows and which tutorial it ports. */
    String description();

    /** Runs the example, printing to {@code out}; returns the process exit code. */
    int run(PrintStream out, String... args) throws Exception;
}
