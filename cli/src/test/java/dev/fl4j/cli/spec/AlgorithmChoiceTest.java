package dev.fl4j.cli.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AlgorithmChoiceTest {

    @Test
    void readsEveryFormWithItsDefaultServerRate() {
        assertEquals(new AlgorithmChoice("fedavg", 0f), AlgorithmChoice.parse(" FedAvg "));
        assertEquals(new AlgorithmChoice("fedprox", 0.01f), AlgorithmChoice.parse("fedprox:0.01"));
        assertEquals("fedprox:0.01", AlgorithmChoice.parse("fedprox:0.01").text());
        assertEquals(0.1f, AlgorithmChoice.parse("fedsgd").defaultServerLearningRate());
        assertEquals(0.01f, AlgorithmChoice.parse("fedyogi").defaultServerLearningRate());
        assertEquals(1.0f, AlgorithmChoice.parse("fedavg-unweighted").defaultServerLearningRate());
    }

    @Test
    void badSpecsNameTheOptionAndTheToken() {
        assertMessage(
                "fedprox:x",
                "algorithm 'fedprox:x': MU must be a number, got 'x'; valid forms: fedavg, fedavg-unweighted, "
                        + "fedsgd, fedprox:MU");
        assertMessage("fedprox", "algorithm 'fedprox': 'fedprox' takes 1 argument(s) (fedprox:MU), got 0");
        assertMessage("fedprox:-1", "algorithm 'fedprox:-1': FedProx's MU must be finite and >= 0, got '-1'");
        assertMessage("fedprox:1e39", "algorithm 'fedprox:1e39': FedProx's MU must be finite and >= 0, got '1e39'");
        assertMessage("fedavg:2", "algorithm 'fedavg:2': 'fedavg' takes 0 argument(s) (fedavg), got 1");
        assertMessage("fedmagic", "algorithm 'fedmagic': unknown algorithm 'fedmagic'; valid forms:");
    }

    @Test
    void fedSgdRefusesLocalTrainingOptions() {
        IllegalArgumentException lr = assertThrows(
                IllegalArgumentException.class,
                () -> AlgorithmChoice.parse("fedsgd").requireApplicable(0.1f, 1));
        assertTrue(lr.getMessage().startsWith("--client-lr does not apply to --algorithm fedsgd"), lr.getMessage());
        IllegalArgumentException epochs = assertThrows(
                IllegalArgumentException.class,
                () -> AlgorithmChoice.parse("fedsgd").requireApplicable(null, 2));
        assertTrue(epochs.getMessage().startsWith("--epochs 2 does not apply"), epochs.getMessage());
        AlgorithmChoice.parse("fedavg").requireApplicable(0.1f, 2);
    }

    private static void assertMessage(String spec, String expected) {
        SpecException e = assertThrows(SpecException.class, () -> AlgorithmChoice.parse(spec));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
