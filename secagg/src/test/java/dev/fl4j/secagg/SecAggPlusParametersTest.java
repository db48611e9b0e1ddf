package dev.fl4j.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every impossible setting is refused, naming the Flower parameter and why. */
class SecAggPlusParametersTest {

    private static void refused(String fragment, Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(fragment), x.getMessage());
    }

    @Test
    void impossibleSessionParametersAreRefused() {
        refused("needs 1 to 1048576 clients, got 0", () -> new SecAggPlusParameters(0, 1, 1, 8, 1));
        refused("num_shares must be at least 1", () -> new SecAggPlusParameters(5, 0, 1, 8, 1));
        refused("num_shares 7 exceeds the 5 clients", () -> new SecAggPlusParameters(5, 7, 4, 8, 1));
        refused("num_shares must be odd", () -> new SecAggPlusParameters(9, 4, 3, 8, 1));
        refused("reconstruction_threshold must be at least 1", () -> new SecAggPlusParameters(9, 5, 0, 8, 1));
        refused("reconstruction_threshold 6 exceeds num_shares 5", () -> new SecAggPlusParameters(9, 5, 6, 8, 1));
        refused("must be more than half of num_shares 5 (at least 3)", () -> new SecAggPlusParameters(9, 5, 2, 8, 1));
        refused("b in [1, 62], got b = 63", () -> new SecAggPlusParameters(9, 5, 3, 63, 1));
        refused("b in [1, 62], got b = 0", () -> new SecAggPlusParameters(9, 5, 3, 0, 1));
        refused("vector length must be at least 1", () -> new SecAggPlusParameters(9, 5, 3, 8, 0));
        refused("does not fit one message", () -> new SecAggPlusParameters(9, 5, 3, 62, Integer.MAX_VALUE));
        SecAggPlusParameters even = new SecAggPlusParameters(6, 6, 4, 8, 1);
        assertEquals(5, even.neighbours(), "num_shares equal to the clients may be even: everyone is a neighbour");
        assertEquals(256, even.modulus());
    }

    @Test
    void theInProcessBuilderRefusesAndCapsClearly() {
        refused("num_shares must be set", () -> SecAggPlus.builder().build());
        refused(
                "num_shares must be odd",
                () -> SecAggPlus.builder().setNumShares(8).build());
        refused(
                "reconstruction_threshold 8 exceeds num_shares 7",
                () -> SecAggPlus.builder()
                        .setNumShares(7)
                        .optReconstructionThreshold(8)
                        .build());
        refused(
                "must be more than half of num_shares 7",
                () -> SecAggPlus.builder()
                        .setNumShares(7)
                        .optReconstructionThreshold(3)
                        .build());
        refused(
                "reconstruction_threshold must be at least 1",
                () -> SecAggPlus.builder().setNumShares(7).optReconstructionThreshold(0));
        SecAggPlus p = SecAggPlus.builder()
                .setNumShares(11)
                .optReconstructionThreshold(6)
                .build();
        assertEquals(11, p.parametersFor(40, 10, 8).numShares());
        assertEquals(6, p.parametersFor(10, 10, 8).reconstructionThreshold());
        assertEquals(10, p.parametersFor(10, 10, 8).numShares(), "capped at the clients");
        refused(
                "(num_shares 11 capped at the 5 clients): reconstruction_threshold 6 exceeds num_shares 5",
                () -> p.parametersFor(5, 10, 8));
        assertEquals(
                3,
                SecAggPlus.builder()
                        .setNumShares(5)
                        .build()
                        .parametersFor(20, 1, 8)
                        .reconstructionThreshold(),
                "a majority by default");
        refused(
                "dropout fraction must be in [0, 1]",
                () -> DropoutPlan.fraction(1.5, SecAggPlusServer.Stage.MASKED_INPUT, 1));
        refused("not DONE", () -> DropoutPlan.fraction(0.1, SecAggPlusServer.Stage.DONE, 1));
    }
}
