package dev.fl4j.aggregators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.compression.Encoders;
import dev.fl4j.privacy.PrivacyLedger;
import org.junit.jupiter.api.Test;

/**
 * The builders that replaced the factories' copy-with methods: a builder from {@code toBuilder()}
 * starts from every option of its factory, leaves that factory unchanged, and {@code build()}
 * refuses impossible settings naming the option.
 */
class FactoryBuildersTest {

    @Test
    void dpBuilderKeepsEveryOptionAndLeavesTheOriginalUnchanged() {
        PrivacyLedger ledger = PrivacyLedger.inMemory();
        DifferentiallyPrivateFactory configured = DifferentiallyPrivateFactory.gaussianAdaptive(0.5, 10).toBuilder()
                .optPopulation(1000)
                .optDelta(1e-6)
                .optEpsilonBudget(3.0)
                .optLedger(ledger)
                .optAccountedCount(0.5)
                .build();
        DifferentiallyPrivateFactory copy = configured.toBuilder().build();
        assertEquals(1000, copy.population());
        assertEquals(1e-6, copy.delta());
        assertEquals(3.0, copy.epsilonBudget().getAsDouble());
        assertSame(ledger, copy.ledger());
        assertArrayEquals(configured.countStddevs(), copy.countStddevs());
        assertEquals(2, copy.countStddevs().length, "the adaptive clip's count and the accounted one");
        assertEquals(configured.valueNoiseMultiplier(), copy.valueNoiseMultiplier());
        assertEquals(configured.epsilonAfter(7).epsilon(), copy.epsilonAfter(7).epsilon());
        assertEquals(configured.describe(), copy.describe());

        DifferentiallyPrivateFactory wider =
                configured.toBuilder().optDelta(1e-3).build();
        assertEquals(1e-3, wider.delta());
        assertEquals(1e-6, configured.delta(), "toBuilder leaves its factory unchanged");
        assertTrue(wider.epsilonAfter(7).epsilon() < configured.epsilonAfter(7).epsilon());
    }

    @Test
    void dpBuilderDefaultsAreTheMechanismsDefaults() {
        DifferentiallyPrivateFactory plain = DifferentiallyPrivateFactory.gaussianFixed(1.0, 4, 1.0);
        DifferentiallyPrivateFactory built = plain.toBuilder().build();
        assertEquals(DifferentiallyPrivateFactory.DEFAULT_DELTA, built.delta());
        assertEquals(0, built.population());
        assertEquals(1.0, built.samplingRate());
        assertFalse(built.epsilonBudget().isPresent());
        assertNull(built.ledger());
        assertEquals(0, built.countStddevs().length);
    }

    @Test
    void dpBuilderRefusesImpossibleSettingsNamingTheOption() {
        DifferentiallyPrivateFactory.Builder b = DifferentiallyPrivateFactory.gaussianFixed(1.0, 4, 1.0).toBuilder();
        assertMessage(
                "optPopulation: population must be >= 1, got 0",
                () -> b.optPopulation(0).build());
        assertMessage(
                "optPopulation: population must be >= clients per round (4), got 3",
                () -> DifferentiallyPrivateFactory.gaussianFixed(1.0, 4, 1.0).toBuilder()
                        .optPopulation(3)
                        .build());
        assertMessage(
                "optDelta: delta must be in (0, 1), got 1.0",
                () -> DifferentiallyPrivateFactory.gaussianFixed(1.0, 4, 1.0).toBuilder()
                        .optDelta(1)
                        .build());
        for (double budget : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertMessage(
                    "optEpsilonBudget: epsilon budget must be finite and > 0, got " + budget,
                    () -> DifferentiallyPrivateFactory.gaussianFixed(1.0, 4, 1.0).toBuilder()
                            .optEpsilonBudget(budget)
                            .build());
        }
        // a count noised less than z/2 would take all of z's noise: nothing left for the updates
        assertThrows(
                IllegalArgumentException.class,
                () -> DifferentiallyPrivateFactory.gaussianFixed(1.0, 4, 1.0).toBuilder()
                        .optAccountedCount(0.4)
                        .build());
        assertThrows(
                NullPointerException.class,
                () -> DifferentiallyPrivateFactory.gaussianFixed(1.0, 4, 1.0).toBuilder()
                        .optLedger(null));
    }

    @Test
    void encodedSumBuilderNeedsAnEncoderAndKeepsSeedAndKey() {
        IllegalStateException missing = assertThrows(
                IllegalStateException.class,
                () -> EncodedSumFactory.builder().optSeed(3).build());
        assertEquals("EncodedSumFactory needs setEncoder", missing.getMessage());

        EncodedSumFactory keyed = EncodedSumFactory.builder()
                .setEncoder(Encoders.parse("topk:0.1@10"))
                .optSeed(7)
                .optStateKey("mine")
                .build();
        assertEquals("mine", keyed.stateKey());
        assertEquals("mine", keyed.toBuilder().optSeed(8).build().stateKey());
        EncodedSumFactory defaultKey = EncodedSumFactory.of(Encoders.parse("topk:0.1@10"));
        assertEquals(
                defaultKey.stateKey(), defaultKey.toBuilder().optSeed(8).build().stateKey());
        assertMessage(
                "optStateKey: client state key must not be blank",
                () -> EncodedSumFactory.builder()
                        .setEncoder(Encoders.parse("topk:0.1@10"))
                        .optStateKey("")
                        .build());
    }

    @Test
    void secureSumBuilderSizesForMaxClients() {
        SecureSumFactory base = SecureSumFactory.bounds(0, 1);
        assertEquals(22, base.floatPrecisionBits(), "1000 clients take 10 bits of 32");
        SecureSumFactory few = base.toBuilder().optMaxClients(3).build();
        assertEquals(30, few.floatPrecisionBits());
        assertEquals(22, base.floatPrecisionBits(), "toBuilder leaves its factory unchanged");
        assertEquals(30, few.toBuilder().build().floatPrecisionBits());
        assertMessage(
                "optMaxClients: secure sum max clients must be >= 1, got 0",
                () -> base.toBuilder().optMaxClients(0).build());
    }

    @Test
    void robustBuilderSetsTheMemoryBudget() {
        RobustAggregationFactory median = RobustAggregationFactory.median();
        RobustAggregationFactory small = median.toBuilder().optMemoryBudget(64).build();
        assertEquals(64, small.memoryBudgetBytes());
        assertEquals(Runtime.getRuntime().maxMemory() / 2, median.memoryBudgetBytes());
        assertEquals(64, small.toBuilder().build().memoryBudgetBytes());
        assertMessage(
                "median: optMemoryBudget: memory budget must be at least 1 byte, got -1",
                () -> median.toBuilder().optMemoryBudget(-1).build());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertEquals(expected, e.getMessage());
    }
}
