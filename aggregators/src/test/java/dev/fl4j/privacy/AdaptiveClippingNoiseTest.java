package dev.fl4j.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdaptiveClippingNoiseTest {

    @Test
    void defaultSplitByHand() {
        // z = 1, 100 clients: σ_b = 5, z_Δ = (1 - 1/100)^(-1/2)
        AdaptiveClippingNoise split = AdaptiveClippingNoise.split(1.0, 100);
        assertEquals(5.0, split.clippedCountStddev(), 1e-15);
        assertEquals(1 / Math.sqrt(0.99), split.valueNoiseMultiplier(), 1e-15);
        assertEquals(1.0050378152592121, split.addedNoiseFactor(), 1e-15);
    }

    @Test
    void splitAndCombineAreInverse() {
        for (double z : new double[] {0.3, 1.0, 2.5}) {
            for (double sb : new double[] {2.0, 5.0, 50.0}) {
                if (z < 2 * sb) {
                    AdaptiveClippingNoise split = AdaptiveClippingNoise.split(z, 100, sb);
                    assertTrue(split.valueNoiseMultiplier() > z);
                    assertEquals(
                            z,
                            AdaptiveClippingNoise.combinedNoiseMultiplier(split.valueNoiseMultiplier(), sb),
                            z * 1e-13);
                }
            }
        }
    }

    @Test
    void noPrivacyMeansNoNoise() {
        AdaptiveClippingNoise split = AdaptiveClippingNoise.split(0.0, 100);
        assertEquals(0.0, split.valueNoiseMultiplier());
        assertEquals(0.0, split.clippedCountStddev());
        assertEquals(0.0, AdaptiveClippingNoise.combinedNoiseMultiplier(1.0, 0.0));
    }

    @Test
    void rejectsCountNoiseTooSmallForTheBudget() {
        // 10 clients → σ_b = 0.5, so z must be < 1
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AdaptiveClippingNoise.split(1.0, 10));
        assertEquals(
                "clipped count stddev 0.5 is too low for noise multiplier 1.0: need noise multiplier < 2 × stddev"
                        + " = 1.0 (the default stddev is 0.05 × clients per round = 0.05 × 10.0); raise the stddev "
                        + "or the"
                        + " clients per round, or lower the noise",
                e.getMessage());
        assertEquals(
                "expected clients per round must be finite and > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> AdaptiveClippingNoise.split(1.0, 0))
                        .getMessage());
    }
}
