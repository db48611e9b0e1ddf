package dev.fl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TemperatureExampleTest {

    @Test
    void printsSignatureAndSeven() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = new TemperatureExample().run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(0, code);
        assertEquals("({float32*}@CLIENTS -> float32@SERVER)", lines[0]);
        assertEquals("7.0", lines[1]);
        assertEquals("aggregated_bits=64.00bit", lines[2]);
    }
}
