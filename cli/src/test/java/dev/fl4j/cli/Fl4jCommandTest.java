package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class Fl4jCommandTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Fl4j.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void helpListsCommands() {
        String[] r = run("--help");
        assertEquals("0", r[0]);
        assertTrue(r[1].contains("example"), r[1]);
    }

    @Test
    void exampleListNamesTemperature() {
        String[] r = run("example", "--list");
        assertEquals("0", r[0]);
        assertTrue(r[1].contains("temperature"), r[1]);
    }

    @Test
    void unknownExampleIsAnError() {
        String[] r = run("example", "nope");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown example 'nope'; available: temperature"), r[2]);
    }

    @Test
    void privacyEpsilonMatchesThePublishedRdpValue() {
        String[] r = run(
                "privacy",
                "epsilon",
                "--noise-multiplier",
                "1.5",
                "--sampling-rate",
                "0.04",
                "--steps",
                "2250",
                "--delta",
                "1e-5");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("epsilon=7.329111 delta=1.00000e-05"), r[1]);
    }

    @Test
    void privacyEpsilonRejectsImpossibleSettings() {
        String[] r = run("privacy", "epsilon", "--noise-multiplier", "1.5", "--sampling-rate", "1.5", "--steps", "10");
        assertTrue(!r[0].equals("0"));
        assertTrue(r[2].toLowerCase().contains("sampling"), r[2]);
    }
}
