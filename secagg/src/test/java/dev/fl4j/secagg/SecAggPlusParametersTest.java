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

    @Test
    void fractionsFollowFlowerResolvedPerCohort() {
        SecAggPlus half = SecAggPlus.builder()
                .setNumSharesFraction(0.5)
                .optReconstructionThresholdFraction(0.75)
                .build();
        SecAggPlusParameters p100 = half.parametersFor(100, 10, 8);
        assertEquals(51, p100.numShares(), "round(0.5 * 100) = 50 is even and below the clients: 51");
        assertEquals(38, p100.reconstructionThreshold(), "round(0.75 * 51) = 38");
        SecAggPlusParameters p9 = half.parametersFor(9, 10, 8);
        assertEquals(5, p9.numShares(), "round(4.5) = 5 (half up), odd");
        assertEquals(4, p9.reconstructionThreshold(), "round(0.75 * 5) = 4");
        assertEquals(3, half.parametersFor(4, 10, 8).numShares(), "round(0.5 * 4) = 2 is even: 3");
        SecAggPlusParameters few = SecAggPlus.builder()
                .setNumSharesFraction(0.1)
                .optReconstructionThresholdFraction(0.75)
                .build()
                .parametersFor(8, 10, 8);
        assertEquals(8, few.numShares(), "round(0.8) = 1 share, 2 or fewer: everyone, as Flower");
        assertEquals(6, few.reconstructionThreshold(), "round(0.75 * 8) = 6");
        SecAggPlus tenth = SecAggPlus.builder().setNumSharesFraction(0.1).build();
        assertEquals(51, tenth.parametersFor(500, 10, 8).numShares());
        assertEquals(26, tenth.parametersFor(500, 10, 8).reconstructionThreshold(), "a majority by default");
        SecAggPlus lowThreshold = SecAggPlus.builder()
                .setNumShares(11)
                .optReconstructionThresholdFraction(0.51)
                .build();
        assertEquals(6, lowThreshold.parametersFor(40, 10, 8).reconstructionThreshold(), "round(5.61) = 6");
        SecAggPlusParameters everyone = SecAggPlus.builder()
                .setNumSharesFraction(1.0)
                .optReconstructionThresholdFraction(0.51)
                .build()
                .parametersFor(6, 10, 8);
        assertEquals(6, everyone.numShares());
        assertEquals(4, everyone.reconstructionThreshold(), "round(0.51 * 6) = 3 is half: raised to a majority");
        refused(
                "num_shares as a fraction of the clients must be in (0, 1], got 1.5",
                () -> SecAggPlus.builder().setNumSharesFraction(1.5));
        refused(
                "num_shares as a fraction of the clients must be in (0, 1], got 0.0",
                () -> SecAggPlus.builder().setNumSharesFraction(0));
        refused("must be in (0.5, 1], got 0.5", () -> SecAggPlus.builder().optReconstructionThresholdFraction(0.5));
        refused(
                "must be in (0.5, 1], got NaN",
                () -> SecAggPlus.builder().optReconstructionThresholdFraction(Double.NaN));
        refused(
                "reconstruction_threshold 6 is a count but num_shares 0.5 a fraction",
                () -> SecAggPlus.builder()
                        .setNumSharesFraction(0.5)
                        .optReconstructionThreshold(6)
                        .build());
    }

    @Test
    void fractionalSessionsSumExactly() {
        SecAggPlus half = SecAggPlus.builder()
                .setNumSharesFraction(0.5)
                .optReconstructionThresholdFraction(0.75)
                .build();
        java.util.List<String> ids = java.util.List.of("a", "b", "c", "d", "e", "f", "g", "h", "i");
        dev.fl4j.core.runtime.SecureSumProtocol.Session session = half.begin(ids, 3, 8);
        long[] expected = new long[3];
        for (int i = 0; i < ids.size(); i++) {
            long[] x = {i, 200 + i, 255 - i};
            for (int j = 0; j < 3; j++) {
                expected[j] = (expected[j] + x[j]) & 255;
            }
            session.submit(i, x);
        }
        dev.fl4j.core.runtime.SecureSumProtocol.Outcome out = session.finish();
        assertEquals(9, out.contributors());
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, out.sum());
    }
}
