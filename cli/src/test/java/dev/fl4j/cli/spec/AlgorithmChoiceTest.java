package dev.fl4j.cli.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AlgorithmChoiceTest {

    @Test
    void readsEveryFormWithItsDefaultServerRate() {
        assertEquals(new AlgorithmChoice("fedavg", 0f, 0f), AlgorithmChoice.parse(" FedAvg "));
        assertEquals(new AlgorithmChoice("fedprox", 0.01f, 0f), AlgorithmChoice.parse("fedprox:0.01"));
        assertEquals(AlgorithmChoice.kMeans(4), AlgorithmChoice.parse("kmeans:4"));
        assertEquals("kmeans:4", AlgorithmChoice.parse(" KMeans:4 ").text());
        assertEquals("fedprox:0.01", AlgorithmChoice.parse("fedprox:0.01").text());
        assertEquals(0.1f, AlgorithmChoice.parse("fedsgd").defaultServerLearningRate());
        assertEquals(0.01f, AlgorithmChoice.parse("fedyogi").defaultServerLearningRate());
        assertEquals(1.0f, AlgorithmChoice.parse("fedavg-unweighted").defaultServerLearningRate());
        assertEquals(
                new AlgorithmChoice("fedrecon", 0f, 0f, new AlgorithmChoice.Reconstruction("dense_1/kernel", 3, 0.5f)),
                AlgorithmChoice.parse("fedrecon:dense_1/kernel:3:0.5"));
        assertEquals(
                "fedrecon:last:1:0.1", AlgorithmChoice.parse("fedrecon:last").text());
        assertEquals("mime-lite", AlgorithmChoice.parse("mime-lite").text());
        assertEquals(1.0f, AlgorithmChoice.parse("fedrecon:last").defaultServerLearningRate());
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
        // values checked as the float32 they become: 0.99999999 is 1.0f, 1e-50 is 0.0f
        assertMessage(
                "mime-lite:0.99999999",
                "algorithm 'mime-lite:0.99999999': Mime Lite's MOMENTUM must be in [0, 1), got '0.99999999'");
        assertMessage(
                "fedrecon:last:1:1e-50",
                "algorithm 'fedrecon:last:1:1e-50': FedRecon's RECON_LR must be finite and > 0 (in float32)");
        assertMessage("fedrecon", "algorithm 'fedrecon': 'fedrecon' takes 1 to 3 argument(s)");
        assertMessage("fedrecon:a++b", "algorithm 'fedrecon:a++b': FedRecon's LOCAL must be 'last' or trainable");
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
