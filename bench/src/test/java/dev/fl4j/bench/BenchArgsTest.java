package dev.fl4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchArgsTest {

    static final Set<String> KNOWN = Set.of("rounds", "model", "lr", "seed");

    @Test
    void readsBothFormsAndFallsBackToDefaults() {
        BenchArgs a = BenchArgs.parse("bench x", KNOWN, "--rounds", "7", "--model=two_nn", "--lr", "0.5");
        assertEquals(7, a.integer("rounds", 1));
        assertEquals("two_nn", a.string("model", "fedavg_cnn"));
        assertEquals(0.5f, a.real("lr", 0.1f));
        assertEquals(42L, a.longValue("seed", 42L));
    }

    @Test
    void badArgumentsNameTheOption() {
        assertMessage("unknown option --round; options:", "--round", "3");
        assertMessage("option --rounds needs a value", "--rounds");
        assertMessage("option --rounds given twice", "--rounds", "1", "--rounds=2");
        assertMessage("expected an option --name, got 'rounds'", "rounds", "3");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchArgs.parse("bench x", KNOWN, "--rounds", "many").integer("rounds", 1));
        assertTrue(e.getMessage().contains("--rounds must be a whole number, got 'many'"), e.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> BenchArgs.parse("bench x", KNOWN, "--lr", "NaN").real("lr", 1f));
        assertTrue(nan.getMessage().contains("--lr must be a finite number, got 'NaN'"), nan.getMessage());
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchArgs.parse("bench x", KNOWN, args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
